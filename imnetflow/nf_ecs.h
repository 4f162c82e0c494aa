/* nf_ecs.h - the Elastic Common Schema view of a flow record (ecs="on"):
 * which of the record's fields are the flow's endpoints, counters, NAT
 * translations, interfaces and events, and what follows from them (the
 * Community ID, related addresses, direction, action). nf_ecs_extract
 * finds them in one pass over the record; nf_ecs_walk (nf_render.h)
 * writes them as ECS objects. Nothing is allocated: the fields are
 * pointers into the record, valid as long as it is.
 *
 * Later additions have their place: an endpoint's locality (internal
 * networks) and geo objects go into nf_ecs_endpoint_t, what they need
 * into nf_ecs_options_t, and nf_ecs_walk writes them inside the endpoint.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_ECS_H
#define NF_ECS_H

#include <stdbool.h>
#include <stdint.h>

#include "nf_community_id.h"
#include "nf_decode.h"
#include "nf_enrich.h" /* the types of what enrichment found; no function of it */

/* What an output's configuration decides. Zero-initialised is not the
 * default: use nf_ecs_options_default. */
typedef struct nf_ecs_options {
	bool community_id;          /* compute network.community_id */
	uint16_t community_id_seed; /* the Community ID seed (communityIdSeed), 0 by default */
	nf_sha1_impl_t sha1;        /* how to hash it: what the CPU does fastest */
	/* to come: internal networks for locality and direction, GeoIP */
} nf_ecs_options_t;

/* The defaults: community_id on, seed 0, the CPU's fastest SHA-1 (which
 * it asks the CPU: call it once, at configuration). */
void nf_ecs_options_default(nf_ecs_options_t *o);

/* A counter pair: bytes and packets, each present or not. */
typedef struct nf_ecs_counts {
	bool has_bytes, has_packets;
	uint64_t bytes, packets;
} nf_ecs_counts_t;

/* source or destination (client and server are the same two, ordered by
 * who initiated). NULL: the record has no such field. */
typedef struct nf_ecs_endpoint {
	const nf_field_t *ip;            /* IPv4 or IPv6 address */
	const nf_field_t *port;
	const nf_field_t *mac;
	const nf_field_t *nat_ip;        /* post-NAT address (source.nat.ip...) */
	const nf_field_t *nat_port;      /* post-NAPT port */
	nf_ecs_counts_t counts;          /* what this endpoint sent */
	const nf_endpoint_info_t *info;  /* locality, network, geo (nf_ecs_set_enrichment); NULL: none */
} nf_ecs_endpoint_t;

/* An observer interface: ingress or egress. */
typedef struct nf_ecs_interface {
	const nf_field_t *id;   /* ingressInterface / egressInterface */
	const nf_field_t *name; /* the name joined from options records */
} nf_ecs_interface_t;

/* source, destination, nat: at most two addresses each */
#define NF_ECS_RELATED_MAX 4

typedef struct nf_ecs {
	nf_ecs_endpoint_t source, destination;
	bool biflow;              /* client and server are known */
	bool client_is_destination; /* biflowDirection says reverseInitiator */
	bool has_proto;
	uint8_t proto;
	/* these five are string constants that JSON takes as they are (no
	 * character to escape): nf_render_ecs writes them unescaped */
	const char *transport;    /* "tcp", "udp"... from the protocol, or NULL */
	const char *type;         /* "ipv4" or "ipv6", or NULL */
	const char *direction;    /* "inbound", "outbound", "internal", "external" or "unknown" */
	const char *flow_locality; /* "internal", "external", or NULL */
	const char *action;       /* event.action */
	nf_ecs_counts_t network;  /* both directions */
	char community_id[NF_COMMUNITY_ID_SIZE]; /* "" when there is none */
	int64_t start_ms, end_ms; /* -1: unknown */
	int64_t duration_ns;      /* -1: unknown */
	nf_ecs_interface_t ingress, egress;
	const nf_field_t *related[NF_ECS_RELATED_MAX]; /* addresses, sorted, each once */
	unsigned nrelated;
} nf_ecs_t;

/* Whether an endpoint has nothing to show (its object is left out). */
static inline bool nf_ecs_endpoint_empty(const nf_ecs_endpoint_t *p)
{
	return p->ip == NULL && p->port == NULL && p->mac == NULL && p->nat_ip == NULL && p->nat_port == NULL &&
	       !p->counts.has_bytes && !p->counts.has_packets && p->info == NULL;
}

/* A MAC the way ECS writes it, AA-BB-CC-DD-EE-FF, into text (NUL-terminated). */
#define NF_ECS_MAC_TEXT_SIZE 18
void nf_ecs_mac_text(const nf_field_t *mac, char text[NF_ECS_MAC_TEXT_SIZE]);

/* The ECS view of rec as opts say (NULL: the defaults with the portable
 * SHA-1, nothing asked of the CPU). */
void nf_ecs_extract_with(const nf_record_t *rec, const nf_ecs_options_t *opts, nf_ecs_t *ecs);

/* The same with the default options. */
void nf_ecs_extract(const nf_record_t *rec, nf_ecs_t *ecs);

/* What the module needs of every flow, ECS or not (summaries, severity):
 * its volume by the rules of source/destination/network.bytes and
 * .packets, and its firewall action by the rule of event.action
 * ("denied"...; NULL when it records none). One pass over the fields. */
typedef struct nf_flow_facts {
	uint64_t octets, packets; /* both directions */
	const char *action;
	bool denied;              /* action is "denied": a firewall deny or drop */
} nf_flow_facts_t;

void nf_flow_facts(const nf_record_t *rec, nf_flow_facts_t *facts);

/* Adds what enrichment found of the two endpoints (nf_enrich_record;
 * NULL: nothing): their locality, network site, geo and AS, and
 * flow.locality; network.direction from the localities where the record
 * had no flowDirection (inbound, outbound, internal, external). The infos
 * must outlive the walk. */
void nf_ecs_set_enrichment(nf_ecs_t *ecs, const nf_endpoint_info_t *src, const nf_endpoint_info_t *dst);

#endif /* NF_ECS_H */
