/* nf_community_id.h - the Community ID of a flow (specification version 1,
 * https://github.com/corelight/community-id-spec): a hash of the flow's
 * addresses, protocol and ports that is the same for both directions, so
 * that the records of one conversation from different tools can be joined.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_COMMUNITY_ID_H
#define NF_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nf_sha1.h"

/* "1:" and the base64 of the SHA-1 digest (28 characters), NUL included. */
#define NF_COMMUNITY_ID_SIZE 31

#define NF_IPPROTO_ICMP 1
#define NF_IPPROTO_TCP 6
#define NF_IPPROTO_UDP 17
#define NF_IPPROTO_ICMPV6 58
#define NF_IPPROTO_SCTP 132

/* A flow as the specification sees it. For ICMP and ICMPv6, sport is the
 * message type and dport its code. */
typedef struct nf_flow_tuple {
	const uint8_t *saddr, *daddr; /* addr_len bytes each, network order */
	uint8_t addr_len;             /* 4 or 16 */
	uint8_t proto;
	bool has_ports;               /* ports (or ICMP type and code) are known */
	uint16_t sport, dport;
} nf_flow_tuple_t;

/* The SHA-1 digest the identifier encodes, with seed (0 by default),
 * hashed by impl (nf_sha1_best; NF_SHA1_PORTABLE always works). */
void nf_community_id_digest(const nf_flow_tuple_t *t, uint16_t seed, nf_sha1_impl_t impl,
			    uint8_t digest[NF_SHA1_DIGEST_LEN]);

/* The identifier "1:<base64>" into out (NF_COMMUNITY_ID_SIZE bytes);
 * returns its length. */
size_t nf_community_id(const nf_flow_tuple_t *t, uint16_t seed, nf_sha1_impl_t impl, char out[NF_COMMUNITY_ID_SIZE]);

#endif /* NF_COMMUNITY_ID_H */
