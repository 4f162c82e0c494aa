/* nf_community_id.c - Community ID v1: SHA-1 over
 *   seed (2 bytes) | saddr | daddr | proto (1) | 0 (1) | sport (2) | dport (2)
 * (all big-endian, ports only for the protocols that have them), with the
 * two endpoints in a fixed order so that both directions hash alike,
 * written as "1:" and the base64 of the digest.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_community_id.h"

#include <string.h>

#define COMMUNITY_ID_PREFIX "1:"
#define COMMUNITY_ID_PREFIX_LEN 2
#define ADDR_MAX 16
#define HASH_INPUT_MAX (2 + 2 * ADDR_MAX + 2 + 4)

/* The ICMP messages that come in request/response pairs, and the other
 * of each pair: such a flow is two-way, its "ports" are its type and the
 * other type, which hash alike from both sides. Any other type is
 * one-way: type and code, never reordered. */
typedef struct icmp_pair {
	uint8_t type, other;
} icmp_pair_t;

static const icmp_pair_t icmp4_pairs[] = {
	{8, 0},   {0, 8},   /* echo, echo reply */
	{13, 14}, {14, 13}, /* timestamp */
	{15, 16}, {16, 15}, /* information */
	{10, 9},  {9, 10},  /* router solicitation, advertisement */
	{17, 18}, {18, 17}, /* address mask */
};

static const icmp_pair_t icmp6_pairs[] = {
	{128, 129}, {129, 128}, /* echo */
	{130, 131}, {131, 130}, /* multicast listener query, report */
	{133, 134}, {134, 133}, /* router solicitation, advertisement */
	{135, 136}, {136, 135}, /* neighbor solicitation, advertisement */
	{139, 140}, {140, 139}, /* node information query, response */
	{144, 145}, {145, 144}, /* home agent address discovery */
};

/* The ports of an ICMP flow; true when it is one-way. */
static bool icmp_ports(const icmp_pair_t *pairs, size_t n, uint16_t *sport, uint16_t *dport)
{
	for (size_t i = 0; i < n; i++) {
		if (*sport == pairs[i].type) {
			*dport = pairs[i].other;
			return false;
		}
	}
	return true;
}

static bool has_ports(uint8_t proto)
{
	return proto == NF_IPPROTO_TCP || proto == NF_IPPROTO_UDP || proto == NF_IPPROTO_SCTP ||
	       proto == NF_IPPROTO_ICMP || proto == NF_IPPROTO_ICMPV6;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

void nf_community_id_digest(const nf_flow_tuple_t *t, uint16_t seed, nf_sha1_impl_t impl,
			    uint8_t digest[NF_SHA1_DIGEST_LEN])
{
	uint8_t in[HASH_INPUT_MAX], *p = in;
	const uint8_t *a = t->saddr, *b = t->daddr;
	size_t alen = t->addr_len > ADDR_MAX ? ADDR_MAX : t->addr_len;
	bool ports = t->has_ports && has_ports(t->proto), one_way = false;
	uint16_t sport = t->sport, dport = t->dport;
	int order;

	if (ports && t->proto == NF_IPPROTO_ICMP)
		one_way = icmp_ports(icmp4_pairs, sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0]), &sport, &dport);
	else if (ports && t->proto == NF_IPPROTO_ICMPV6)
		one_way = icmp_ports(icmp6_pairs, sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]), &sport, &dport);
	order = memcmp(a, b, alen);
	if (!one_way && (order > 0 || (order == 0 && ports && sport > dport))) {
		const uint8_t *swap = a;
		uint16_t port = sport;

		a = b;
		b = swap;
		sport = dport;
		dport = port;
	}
	p = put16(p, seed);
	memcpy(p, a, alen);
	memcpy(p + alen, b, alen);
	p += 2 * alen;
	*p++ = t->proto;
	*p++ = 0; /* padding */
	if (ports) {
		p = put16(p, sport);
		p = put16(p, dport);
	}
	nf_sha1_with(impl, in, (size_t)(p - in), digest);
}

/* Standard base64 (RFC 4648 section 4) with padding; returns the length. */
static size_t base64(const uint8_t *p, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

size_t nf_community_id(const nf_flow_tuple_t *t, uint16_t seed, nf_sha1_impl_t impl, char out[NF_COMMUNITY_ID_SIZE])
{
	uint8_t digest[NF_SHA1_DIGEST_LEN];
	size_t n;

	nf_community_id_digest(t, seed, impl, digest);
	memcpy(out, COMMUNITY_ID_PREFIX, COMMUNITY_ID_PREFIX_LEN);
	n = COMMUNITY_ID_PREFIX_LEN + base64(digest, sizeof(digest), out + COMMUNITY_ID_PREFIX_LEN);
	out[n] = '\0';
	return n;
}
