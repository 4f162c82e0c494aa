/* nf_sflow.c - sFlow version 5 datagrams.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_sflow.h"

#include <stdio.h>
#include <string.h>

/* Counter record layouts: each field a 32- or 64-bit unsigned of the
 * decoder's own elements (contrib/dictionaries/local-4294967295.tsv). */
typedef struct counter_field {
	const nf_ie_t *ie;
	uint8_t width;
} counter_field_t;

#define C32(name) {NF_LOCAL_IE(name), 4}
#define C64(name) {NF_LOCAL_IE(name), 8}

static const counter_field_t generic_interface[] = {
	C32(IF_INDEX), C32(IF_TYPE), C64(IF_SPEED), C32(IF_DIRECTION), C32(IF_STATUS), C64(IF_IN_OCTETS),
	C32(IF_IN_UCAST_PKTS), C32(IF_IN_MULTICAST_PKTS), C32(IF_IN_BROADCAST_PKTS), C32(IF_IN_DISCARDS),
	C32(IF_IN_ERRORS), C32(IF_IN_UNKNOWN_PROTOS), C64(IF_OUT_OCTETS), C32(IF_OUT_UCAST_PKTS),
	C32(IF_OUT_MULTICAST_PKTS), C32(IF_OUT_BROADCAST_PKTS), C32(IF_OUT_DISCARDS), C32(IF_OUT_ERRORS),
	C32(IF_PROMISCUOUS_MODE),
};
static const counter_field_t ethernet_interface[] = {
	C32(DOT3_STATS_ALIGNMENT_ERRORS), C32(DOT3_STATS_FCS_ERRORS), C32(DOT3_STATS_SINGLE_COLLISION_FRAMES),
	C32(DOT3_STATS_MULTIPLE_COLLISION_FRAMES), C32(DOT3_STATS_SQE_TEST_ERRORS),
	C32(DOT3_STATS_DEFERRED_TRANSMISSIONS), C32(DOT3_STATS_LATE_COLLISIONS),
	C32(DOT3_STATS_EXCESSIVE_COLLISIONS), C32(DOT3_STATS_INTERNAL_MAC_TRANSMIT_ERRORS),
	C32(DOT3_STATS_CARRIER_SENSE_ERRORS), C32(DOT3_STATS_FRAME_TOO_LONGS),
	C32(DOT3_STATS_INTERNAL_MAC_RECEIVE_ERRORS), C32(DOT3_STATS_SYMBOL_ERRORS),
};
static const counter_field_t vlan_counters[] = {
	{&nf_ie_table[NF_AT_VLAN_ID], 4}, C64(VLAN_OCTETS), C32(VLAN_UCAST_PKTS), C32(VLAN_MULTICAST_PKTS),
	C32(VLAN_BROADCAST_PKTS), C32(VLAN_DISCARDS),
};
static const counter_field_t processor_counters[] = {
	C32(CPU_PERCENTAGE_5S), C32(CPU_PERCENTAGE_1M), C32(CPU_PERCENTAGE_5M), C64(TOTAL_MEMORY),
	C64(FREE_MEMORY),
};

static const struct counter_format {
	uint32_t format;
	const counter_field_t *fields;
	size_t n;
} counter_formats[] = {
	{1, generic_interface, sizeof(generic_interface) / sizeof(generic_interface[0])},
	{2, ethernet_interface, sizeof(ethernet_interface) / sizeof(ethernet_interface[0])},
	{5, vlan_counters, sizeof(vlan_counters) / sizeof(vlan_counters[0])},
	{1001, processor_counters, sizeof(processor_counters) / sizeof(processor_counters[0])},
};

/* Field appenders, for a block of fields reserved with one check
 * (nf_record_reserve): each writes field f and returns where the next
 * goes. A field of a fixed IANA element is added by its name
 * (f = ADD_IANA(rec, f, PROTOCOL_IDENTIFIER, v)): its table entry, type
 * and index slot are then constants, and writing it is a few stores. */
#define ADD_IANA(rec, f, name, v) \
	nf_field_set(rec, f, &nf_ie_table[NF_AT_##name], NF_PEN_IANA, NF_IE_##name, NF_TYPE_##name, 0, v, \
		     nf_known_slot_of(NF_IE_##name))
/* An address (IPv4, IPv6, MAC) or octets of n bytes at p. */
#define ADD_BYTES(rec, f, name, p, n) \
	put_bytes(rec, f, &nf_ie_table[NF_AT_##name], NF_IE_##name, NF_TYPE_##name, nf_known_slot_of(NF_IE_##name), p, n)

static inline __attribute__((always_inline)) nf_field_t *put_bytes(nf_record_t *rec, nf_field_t *f, const nf_ie_t *ie,
								 uint16_t id, uint8_t type, uint8_t slot,
								 const uint8_t *p, size_t n)
{
	(void)nf_field_set(rec, f, ie, NF_PEN_IANA, id, type, (uint16_t)n, 0, slot);
	if (type == NF_T_OCTETS)
		f->v.p = p;
	else
		memcpy(f->v.b, p, n);
	return f + 1;
}

/* A field of the decoder's own elements (f = ADD_LOCAL(rec, f,
 * SFLOW_SAMPLE_SEQUENCE, v)), likewise with constants; of an enterprise of
 * their own, so never indexed. */
#define ADD_LOCAL(rec, f, name, v) \
	nf_field_set(rec, f, NF_LOCAL_IE(name), NF_PEN_LOCAL, NF_LOCAL_ID_##name, NF_LOCAL_TYPE_##name, 0, v, \
		     NF_KNOWN_SLOTS)

/* Word i (32-bit, big-endian) of a block the caller has checked. */
static inline uint32_t word(const uint8_t *p, size_t i)
{
	return (uint32_t)nf_be_uint(p + 4 * i, 4);
}

/* ---- the sampled packet header ---- */

/* Protocol numbers of the sampled headers this decoder reads. */
enum ethertype {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_VLAN = 0x8100,      /* 802.1Q */
	ETHERTYPE_QINQ = 0x88a8,      /* 802.1ad service tag */
	ETHERTYPE_QINQ_OLD = 0x9100,  /* pre-standard QinQ */
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MULTICAST = 0x8848,
};
enum ip_protocol {
	IP_PROTO_HOPOPTS = 0,      /* IPv6 hop-by-hop options */
	IP_PROTO_ICMP = 1,
	IP_PROTO_TCP = 6,
	IP_PROTO_UDP = 17,
	IP_PROTO_ROUTING = 43,     /* IPv6 routing header */
	IP_PROTO_FRAGMENT = 44,    /* IPv6 fragment header: 8 bytes, no length field */
	IP_PROTO_ICMPV6 = 58,
	IP_PROTO_DSTOPTS = 60,     /* IPv6 destination options */
};
/* sFlow header_protocol values (sflow_version_5.txt) decoded here. */
enum sflow_header_protocol {
	SFLOW_HEADER_ETHERNET = 1,
	SFLOW_HEADER_IPV4 = 11,
	SFLOW_HEADER_IPV6 = 12,
};

#define VXLAN_PORT 4789
#define PEN_FLOWMON 39499u
#define IE_FLOWMON_VXLAN_VNI 450

static void decode_ethernet(nf_cursor_t *c, nf_record_t *rec, int depth);

/* VXLAN (RFC 7348): 8-byte header with the VNI, then an Ethernet frame,
 * whose fields that repeat the outer packet's are marked as repeats. */
static void decode_vxlan(nf_cursor_t *c, nf_record_t *rec, int depth)
{
	const uint8_t *h;

	const nf_ie_t *vni = nf_ie_lookup(PEN_FLOWMON, IE_FLOWMON_VXLAN_VNI);

	if (!nf_cursor_skip(c, 4) || (h = nf_cursor_bytes(c, 8)) == NULL || !(h[0] & 0x08))
		return;
	if (vni != NULL) /* Flowmon's element of that meaning */
		(void)nf_record_put(rec, vni, vni->pen, vni->id, NF_T_U32, 0,
				    (uint64_t)h[4] << 16 | (uint64_t)h[5] << 8 | h[6], NF_KNOWN_SLOTS);
	decode_ethernet(c, rec, depth + 1);
	nf_record_mark_repeats(rec);
}

static void decode_transport(nf_cursor_t *c, uint8_t proto, int v6, nf_record_t *rec, int depth)
{
	const uint8_t *ports, *tcp, *icmp;
	nf_field_t *f = nf_record_reserve(rec, 4);
	uint16_t dport;

	if (f == NULL)
		return;
	f = ADD_IANA(rec, f, PROTOCOL_IDENTIFIER, proto);
	if (proto == IP_PROTO_TCP || proto == IP_PROTO_UDP) {
		if ((ports = nf_cursor_bytes(c, 4)) != NULL) {
			dport = (uint16_t)nf_be_uint(ports + 2, 2);
			f = ADD_IANA(rec, f, SOURCE_TRANSPORT_PORT, nf_be_uint(ports, 2));
			f = ADD_IANA(rec, f, DESTINATION_TRANSPORT_PORT, dport);
			if (proto == IP_PROTO_TCP && (tcp = nf_cursor_bytes(c, 10)) != NULL) { /* up to the flags */
				f = ADD_IANA(rec, f, TCP_CONTROL_BITS, tcp[9]);
			} else if (proto == IP_PROTO_UDP && dport == VXLAN_PORT && depth == 0) {
				nf_record_commit(rec, f);
				decode_vxlan(c, rec, depth);
				return;
			}
		}
	} else if (((proto == IP_PROTO_ICMP && !v6) || (proto == IP_PROTO_ICMPV6 && v6)) &&
		   (icmp = nf_cursor_bytes(c, 2)) != NULL) {
		if (v6) {
			f = ADD_IANA(rec, f, ICMP_TYPE_IPV6, icmp[0]);
			f = ADD_IANA(rec, f, ICMP_CODE_IPV6, icmp[1]);
		} else {
			f = ADD_IANA(rec, f, ICMP_TYPE_IPV4, icmp[0]);
			f = ADD_IANA(rec, f, ICMP_CODE_IPV4, icmp[1]);
		}
	}
	nf_record_commit(rec, f);
}

static void decode_ipv4(nf_cursor_t *c, nf_record_t *rec, int depth)
{
	const uint8_t *h = nf_cursor_bytes(c, 20);
	nf_field_t *f;
	size_t ihl;

	if (h == NULL || (h[0] >> 4) != 4 || (ihl = (size_t)(h[0] & 15) * 4) < 20 ||
	    (f = nf_record_reserve(rec, 7)) == NULL)
		return;
	f = ADD_IANA(rec, f, IP_VERSION, 4);
	f = ADD_IANA(rec, f, IP_CLASS_OF_SERVICE, h[1]);
	f = ADD_IANA(rec, f, IP_TOTAL_LENGTH, nf_be_uint(h + 2, 2));
	f = ADD_IANA(rec, f, IP_TTL, h[8]);
	f = ADD_BYTES(rec, f, SOURCE_IPV4_ADDRESS, h + 12, 4);
	f = ADD_BYTES(rec, f, DESTINATION_IPV4_ADDRESS, h + 16, 4);
	/* only the first fragment carries the transport header */
	if (((h[6] & 0x1f) << 8 | h[7]) == 0 && nf_cursor_skip(c, ihl - 20)) {
		nf_record_commit(rec, f);
		decode_transport(c, h[9], 0, rec, depth);
	} else {
		nf_record_commit(rec, ADD_IANA(rec, f, PROTOCOL_IDENTIFIER, h[9]));
	}
}

/* Skips IPv6 extension headers; returns the upper-layer protocol. */
static uint8_t skip_ipv6_extensions(nf_cursor_t *c, uint8_t next)
{
	for (int i = 0; i < 8; i++) { /* a bound on the chain */
		uint8_t hdr[2];
		if (next != IP_PROTO_HOPOPTS && next != IP_PROTO_ROUTING && next != IP_PROTO_FRAGMENT &&
		    next != IP_PROTO_DSTOPTS)
			return next;
		if (!nf_cursor_copy(c, hdr, 2))
			return next;
		if (!nf_cursor_skip(c, next == IP_PROTO_FRAGMENT ? 6 : (size_t)hdr[1] * 8 + 6))
			return hdr[0];
		next = hdr[0];
	}
	return next;
}

static void decode_ipv6(nf_cursor_t *c, nf_record_t *rec, int depth)
{
	const uint8_t *h = nf_cursor_bytes(c, 40);
	nf_field_t *f;

	if (h == NULL || (h[0] >> 4) != 6 || (f = nf_record_reserve(rec, 6)) == NULL)
		return;
	f = ADD_IANA(rec, f, IP_VERSION, 6);
	f = ADD_IANA(rec, f, IP_CLASS_OF_SERVICE, (uint64_t)((h[0] & 15) << 4 | h[1] >> 4));
	f = ADD_IANA(rec, f, FLOW_LABEL_IPV6, (uint64_t)(h[1] & 15) << 16 | (uint64_t)h[2] << 8 | h[3]);
	f = ADD_IANA(rec, f, IP_TTL, h[7]);
	f = ADD_BYTES(rec, f, SOURCE_IPV6_ADDRESS, h + 8, 16);
	f = ADD_BYTES(rec, f, DESTINATION_IPV6_ADDRESS, h + 24, 16);
	nf_record_commit(rec, f);
	decode_transport(c, skip_ipv6_extensions(c, h[6]), 1, rec, depth);
}

static void decode_network(nf_cursor_t *c, uint16_t ethertype, nf_record_t *rec, int depth)
{
	if (ethertype == ETHERTYPE_IPV4)
		decode_ipv4(c, rec, depth);
	else if (ethertype == ETHERTYPE_IPV6)
		decode_ipv6(c, rec, depth);
}

/* Label i of a stack as mpls_label_stack_section i + 1 (ids 70-79). */
static void add_mpls_label(nf_record_t *rec, int i, const uint8_t *label)
{
	uint16_t id = (uint16_t)(NF_IE_MPLS_TOP_LABEL_STACK_SECTION + i);
	nf_field_t *f = nf_record_reserve(rec, 1);

	if (f != NULL)
		nf_record_commit(rec, put_bytes(rec, f, nf_ie_lookup(NF_PEN_IANA, id), id, NF_T_OCTETS,
						nf_index_slot(NF_PEN_IANA, id), label, 3));
}

/* MPLS label stack: labels become mpls_label_stack_section 1-10 (3 bytes
 * each, as IANA defines them); after the bottom label, IPv4 or IPv6 by
 * the first nibble. */
static void decode_mpls(nf_cursor_t *c, nf_record_t *rec, int depth)
{
	const uint8_t *l;
	for (int i = 0; (l = nf_cursor_bytes(c, 4)) != NULL; i++) {
		if (i < 10)
			add_mpls_label(rec, i, l);
		if (l[2] & 1) {
			if (nf_cursor_has(c, 1))
				decode_network(c, (c->p[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, rec, depth);
			return;
		}
	}
}

static void decode_ethernet(nf_cursor_t *c, nf_record_t *rec, int depth)
{
	const uint8_t *macs = nf_cursor_bytes(c, 14), *tag;
	uint16_t type;
	nf_field_t *f;
	int tags = 0;

	if (macs == NULL || (f = nf_record_reserve(rec, 5)) == NULL)
		return;
	type = (uint16_t)nf_be_uint(macs + 12, 2);
	f = ADD_BYTES(rec, f, DESTINATION_MAC_ADDRESS, macs, 6);
	f = ADD_BYTES(rec, f, SOURCE_MAC_ADDRESS, macs + 6, 6);
	/* 802.1Q and QinQ: the outer tag is vlan_id, an inner one the customer's */
	while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) && tags < 2) {
		if ((tag = nf_cursor_bytes(c, 4)) == NULL) {
			nf_record_commit(rec, f);
			return;
		}
		type = (uint16_t)nf_be_uint(tag + 2, 2);
		if (tags++ == 0)
			f = ADD_IANA(rec, f, VLAN_ID, nf_be_uint(tag, 2) & 0x0fff);
		else
			f = ADD_IANA(rec, f, DOT1Q_CUSTOMER_VLAN_ID, nf_be_uint(tag, 2) & 0x0fff);
	}
	nf_record_commit(rec, ADD_IANA(rec, f, ETHERNET_TYPE, type));
	if (type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MULTICAST)
		decode_mpls(c, rec, depth);
	else
		decode_network(c, type, rec, depth);
}

/* Flow record 1: the sampled header. */
static int raw_header(nf_cursor_t *c, nf_record_t *rec)
{
	const uint8_t *h = nf_cursor_bytes(c, 16); /* protocol, frame length, stripped, header length */
	uint32_t proto, frame_length, stripped;
	nf_cursor_t header;
	nf_field_t *f;

	if (h == NULL || !nf_cursor_sub(c, word(h, 3), &header))
		return NF_ERR_TRUNCATED;
	proto = word(h, 0);
	frame_length = word(h, 1);
	stripped = word(h, 2);
	if ((f = nf_record_reserve(rec, 5)) == NULL)
		return NF_OK;
	f = ADD_LOCAL(rec, f, SFLOW_HEADER_PROTOCOL, proto);
	f = ADD_IANA(rec, f, DATA_LINK_FRAME_SIZE, frame_length);
	f = ADD_IANA(rec, f, OCTET_DELTA_COUNT, frame_length);
	f = ADD_IANA(rec, f, PACKET_DELTA_COUNT, 1);
	if (stripped)
		f = ADD_LOCAL(rec, f, SFLOW_STRIPPED_BYTES, stripped);
	nf_record_commit(rec, f);
	if (proto == SFLOW_HEADER_ETHERNET)
		decode_ethernet(&header, rec, 0);
	else if (proto == SFLOW_HEADER_IPV4)
		decode_ipv4(&header, rec, 0);
	else if (proto == SFLOW_HEADER_IPV6)
		decode_ipv6(&header, rec, 0);
	return NF_OK;
}

/* Flow records 3 and 4: sampled IPv4 / IPv6, as the agent parsed them:
 * length, protocol, source and destination address, source and
 * destination port, TCP flags, type of service. */
static int sampled_ip(nf_cursor_t *c, int v6, nf_record_t *rec)
{
	size_t alen = v6 ? 16 : 4;
	const uint8_t *h = nf_cursor_bytes(c, 24 + 2 * alen), *src, *dst, *tail;
	nf_field_t *f;

	if (h == NULL)
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 8)) == NULL)
		return NF_OK;
	src = h + 8;
	dst = src + alen;
	tail = dst + alen;
	f = ADD_IANA(rec, f, IP_TOTAL_LENGTH, word(h, 0));
	f = ADD_IANA(rec, f, PROTOCOL_IDENTIFIER, word(h, 1));
	if (v6) {
		f = ADD_BYTES(rec, f, SOURCE_IPV6_ADDRESS, src, 16);
		f = ADD_BYTES(rec, f, DESTINATION_IPV6_ADDRESS, dst, 16);
	} else {
		f = ADD_BYTES(rec, f, SOURCE_IPV4_ADDRESS, src, 4);
		f = ADD_BYTES(rec, f, DESTINATION_IPV4_ADDRESS, dst, 4);
	}
	f = ADD_IANA(rec, f, SOURCE_TRANSPORT_PORT, word(tail, 0));
	f = ADD_IANA(rec, f, DESTINATION_TRANSPORT_PORT, word(tail, 1));
	f = ADD_IANA(rec, f, TCP_CONTROL_BITS, word(tail, 2));
	f = ADD_IANA(rec, f, IP_CLASS_OF_SERVICE, word(tail, 3));
	nf_record_commit(rec, f);
	return NF_OK;
}

/* An sFlow address: type (1 IPv4, 2 IPv6) and bytes. Returns its length,
 * 0 for an unknown type, -1 when truncated. */
static int read_address(nf_cursor_t *c, const uint8_t **p)
{
	uint32_t type;
	if (!nf_cursor_u32(c, &type))
		return -1;
	if (type != 1 && type != 2)
		return 0;
	*p = nf_cursor_bytes(c, type == 1 ? 4 : 16);
	return *p == NULL ? -1 : (type == 1 ? 4 : 16);
}

/* Source VLAN and priority, destination VLAN and priority. */
static int extended_switch(nf_cursor_t *c, nf_record_t *rec)
{
	const uint8_t *h = nf_cursor_bytes(c, 16);
	nf_field_t *f;

	if (h == NULL)
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 4)) == NULL)
		return NF_OK;
	f = ADD_IANA(rec, f, VLAN_ID, word(h, 0));
	f = ADD_LOCAL(rec, f, SFLOW_SOURCE_PRIORITY, word(h, 1));
	f = ADD_IANA(rec, f, POST_VLAN_ID, word(h, 2));
	f = ADD_LOCAL(rec, f, SFLOW_DESTINATION_PRIORITY, word(h, 3));
	nf_record_commit(rec, f);
	return NF_OK;
}

static int extended_router(nf_cursor_t *c, nf_record_t *rec)
{
	const uint8_t *hop, *masks;
	nf_field_t *f;
	int n = read_address(c, &hop);

	if (n < 0 || (masks = nf_cursor_bytes(c, 8)) == NULL)
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 3)) == NULL)
		return NF_OK;
	if (n == 4)
		f = ADD_BYTES(rec, f, IP_NEXT_HOP_IPV4_ADDRESS, hop, 4);
	else if (n == 16)
		f = ADD_BYTES(rec, f, IP_NEXT_HOP_IPV6_ADDRESS, hop, 16);
	if (n == 16) {
		f = ADD_IANA(rec, f, SOURCE_IPV6_PREFIX_LENGTH, word(masks, 0));
		f = ADD_IANA(rec, f, DESTINATION_IPV6_PREFIX_LENGTH, word(masks, 1));
	} else {
		f = ADD_IANA(rec, f, SOURCE_IPV4_PREFIX_LENGTH, word(masks, 0));
		f = ADD_IANA(rec, f, DESTINATION_IPV4_PREFIX_LENGTH, word(masks, 1));
	}
	nf_record_commit(rec, f);
	return NF_OK;
}

/* Appends " <v>" (or "<a>:<b>" for a community) to a text of at most
 * size bytes; returns the new length, unchanged when it would not fit. */
static size_t append_number(char *text, size_t used, size_t size, uint32_t v, int community)
{
	char item[24];
	int n = community ? snprintf(item, sizeof(item), "%s%u:%u", used ? " " : "", v >> 16, v & 0xffff)
			  : snprintf(item, sizeof(item), "%s%u", used ? " " : "", v);
	if (n < 0 || used + (size_t)n >= size)
		return used;
	memcpy(text + used, item, (size_t)n);
	return used + (size_t)n;
}

/* Extended gateway: BGP next hop, own AS, source AS and peer AS, the
 * destination AS path (its last AS is the destination AS), communities and
 * local preference. Path and communities become space-separated text. */
static int extended_gateway(nf_cursor_t *c, nf_record_t *rec)
{
	const uint8_t *hop;
	uint32_t as, src_as, src_peer_as, segments, type, count, v = 0, last = 0, ncommunities, local_pref;
	char path[256], communities[256];
	size_t path_len = 0, communities_len = 0;
	nf_field_t *f;
	int n = read_address(c, &hop);

	if (n < 0 || !nf_cursor_u32(c, &as) || !nf_cursor_u32(c, &src_as) || !nf_cursor_u32(c, &src_peer_as) ||
	    !nf_cursor_u32(c, &segments))
		return NF_ERR_TRUNCATED;
	for (uint32_t i = 0; i < segments; i++) {
		if (!nf_cursor_u32(c, &type) || !nf_cursor_u32(c, &count) || count > nf_cursor_left(c) / 4)
			return NF_ERR_TRUNCATED;
		for (uint32_t j = 0; j < count; j++) {
			(void)nf_cursor_u32(c, &last);
			path_len = append_number(path, path_len, sizeof(path), last, 0);
		}
	}
	if (!nf_cursor_u32(c, &ncommunities) || ncommunities > nf_cursor_left(c) / 4)
		return NF_ERR_TRUNCATED;
	for (uint32_t i = 0; i < ncommunities; i++) {
		(void)nf_cursor_u32(c, &v);
		communities_len = append_number(communities, communities_len, sizeof(communities), v, 1);
	}
	if (!nf_cursor_u32(c, &local_pref))
		return NF_ERR_TRUNCATED;
	if (path_len > 0)
		(void)nf_record_add_text(rec, NF_LOCAL_IE(BGP_AS_PATH), path, path_len);
	if (communities_len > 0)
		(void)nf_record_add_text(rec, NF_LOCAL_IE(BGP_COMMUNITIES), communities, communities_len);
	if ((f = nf_record_reserve(rec, 6)) == NULL)
		return NF_OK;
	f = ADD_LOCAL(rec, f, BGP_LOCAL_PREF, local_pref);
	if (n == 4)
		f = ADD_BYTES(rec, f, BGP_NEXT_HOP_IPV4_ADDRESS, hop, 4);
	else if (n == 16)
		f = ADD_BYTES(rec, f, BGP_NEXT_HOP_IPV6_ADDRESS, hop, 16);
	f = ADD_LOCAL(rec, f, SFLOW_ROUTER_AS, as);
	f = ADD_IANA(rec, f, BGP_SOURCE_AS_NUMBER, src_as);
	f = ADD_IANA(rec, f, BGP_PREV_ADJACENT_AS_NUMBER, src_peer_as);
	if (segments > 0)
		f = ADD_IANA(rec, f, BGP_DESTINATION_AS_NUMBER, last);
	nf_record_commit(rec, f);
	return NF_OK;
}

/* ---- samples ---- */

/* Samples and the records in them are format, length, body. Splits the
 * body off as a cursor of its own; false when it ends past c. */
static bool read_format_length(nf_cursor_t *c, uint32_t *format, nf_cursor_t *body)
{
	const uint8_t *h = nf_cursor_bytes(c, 8);

	if (h == NULL || !nf_cursor_sub(c, word(h, 1), body))
		return false;
	*format = word(h, 0);
	return true;
}

/* A record_fn's answer for a format it does not decode: the record is
 * skipped by its length and counted. Outside the nf_rc_t codes, and never
 * returned from this file. */
#define RECORD_SKIPPED (NF_END + 1)

/* Runs decode over every record of a sample: format and length first,
 * then the body, bounded by its length. A record_fn returns NF_OK,
 * RECORD_SKIPPED, or an error. */
typedef int (*record_fn)(uint32_t format, nf_cursor_t *body, nf_record_t *rec);

static int walk_records(nf_cursor_t *c, uint32_t n, record_fn decode, nf_record_t *rec, uint32_t *skipped)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t format;
		nf_cursor_t body;
		int rc;
		if (!read_format_length(c, &format, &body))
			return NF_ERR_TRUNCATED;
		rc = decode(format, &body, rec);
		if (rc == RECORD_SKIPPED)
			(*skipped)++;
		else if (rc != NF_OK)
			return rc;
	}
	/* several records may each carry an element (a VLAN from the switch
	 * record and from the sampled header's 802.1Q tag; addresses from a
	 * sampled header and a sampled-IPv4 record; a format sent twice) */
	if (n > 1)
		nf_record_mark_repeats(rec);
	return NF_OK;
}

static int flow_record(uint32_t format, nf_cursor_t *body, nf_record_t *rec)
{
	switch (format) { /* enterprise 0 formats */
	case 1: return raw_header(body, rec);
	case 3: return sampled_ip(body, 0, rec);
	case 4: return sampled_ip(body, 1, rec);
	case 1001: return extended_switch(body, rec);
	case 1002: return extended_router(body, rec);
	case 1003: return extended_gateway(body, rec);
	default: return RECORD_SKIPPED;
	}
}

static int counter_record(uint32_t format, nf_cursor_t *body, nf_record_t *rec)
{
	for (size_t i = 0; i < sizeof(counter_formats) / sizeof(counter_formats[0]); i++) {
		const struct counter_format *cf = &counter_formats[i];
		if (cf->format != format)
			continue;
		for (size_t j = 0; j < cf->n; j++) {
			uint64_t v;
			if (!nf_cursor_uint(body, cf->fields[j].width, &v))
				return NF_ERR_TRUNCATED;
			(void)nf_record_add_u(rec, cf->fields[j].ie, cf->fields[j].ie->pen, cf->fields[j].ie->id,
					      cf->fields[j].ie->type, 0, v);
		}
		return NF_OK;
	}
	return RECORD_SKIPPED;
}

/* The words a sample starts with, read as one block: sequence, source
 * id, and for flow and discard samples the counts and interfaces. Compact
 * samples pack the source id's type (top 8 bits) and index into one word
 * and an interface's format into its top 2 bits; expanded ones give each
 * in a word of its own. */
typedef struct sample_head {
	uint32_t seq, source_type, source_index;
	uint32_t rate, pool, drops, input, output, reason; /* as the kind has them */
	uint32_t nrecords;
} sample_head_t;

enum sample_layout { COMPACT_COUNTERS, EXPANDED_COUNTERS, COMPACT_FLOW, EXPANDED_FLOW, DISCARD };

/* Reads a sample's head; false when the sample is shorter. */
static bool read_sample_head(nf_cursor_t *c, enum sample_layout layout, sample_head_t *s)
{
	static const uint8_t words[] = {[COMPACT_COUNTERS] = 3, [EXPANDED_COUNTERS] = 4, [COMPACT_FLOW] = 8,
					[EXPANDED_FLOW] = 11, [DISCARD] = 8};
	const uint8_t *h = nf_cursor_bytes(c, 4u * words[layout]);
	size_t i = 2;

	if (h == NULL)
		return false;
	memset(s, 0, sizeof(*s));
	s->seq = word(h, 0);
	if (layout == COMPACT_COUNTERS || layout == COMPACT_FLOW) {
		s->source_type = word(h, 1) >> 24;
		s->source_index = word(h, 1) & 0x00ffffff;
	} else {
		s->source_type = word(h, 1);
		s->source_index = word(h, i++);
	}
	switch (layout) {
	case COMPACT_FLOW:
		s->rate = word(h, i);
		s->pool = word(h, i + 1);
		s->drops = word(h, i + 2);
		s->input = word(h, i + 3) & 0x3fffffff;
		s->output = word(h, i + 4) & 0x3fffffff;
		break;
	case EXPANDED_FLOW: /* each interface: format, value */
		s->rate = word(h, i);
		s->pool = word(h, i + 1);
		s->drops = word(h, i + 2);
		s->input = word(h, i + 4);
		s->output = word(h, i + 6);
		break;
	case DISCARD:
		s->drops = word(h, i);
		s->input = word(h, i + 1);
		s->output = word(h, i + 2);
		s->reason = word(h, i + 3);
		break;
	default:
		break;
	}
	s->nrecords = word(h, words[layout] - 1u);
	return true;
}

/* The source fields every sample starts with. */
static inline __attribute__((always_inline)) nf_field_t *put_source(nf_record_t *rec, nf_field_t *f,
								  const sample_head_t *s)
{
	f = ADD_LOCAL(rec, f, SFLOW_SAMPLE_SEQUENCE, s->seq);
	f = ADD_LOCAL(rec, f, SFLOW_SOURCE_ID_TYPE, s->source_type);
	return ADD_LOCAL(rec, f, SFLOW_SOURCE_ID_INDEX, s->source_index);
}

static int flow_sample(nf_cursor_t *c, int expanded, nf_record_t *rec, uint32_t *skipped)
{
	sample_head_t s;
	nf_field_t *f;

	if (!read_sample_head(c, expanded ? EXPANDED_FLOW : COMPACT_FLOW, &s))
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 8)) != NULL) {
		f = put_source(rec, f, &s);
		f = ADD_IANA(rec, f, SAMPLING_INTERVAL, s.rate);
		f = ADD_IANA(rec, f, SAMPLING_POPULATION, s.pool);
		f = ADD_IANA(rec, f, DROPPED_PACKET_DELTA_COUNT, s.drops);
		f = ADD_IANA(rec, f, INGRESS_INTERFACE, s.input);
		f = ADD_IANA(rec, f, EGRESS_INTERFACE, s.output);
		nf_record_commit(rec, f);
	}
	return walk_records(c, s.nrecords, flow_record, rec, skipped);
}

static int counter_sample(nf_cursor_t *c, int expanded, nf_record_t *rec, uint32_t *skipped)
{
	sample_head_t s;
	nf_field_t *f;

	if (!read_sample_head(c, expanded ? EXPANDED_COUNTERS : COMPACT_COUNTERS, &s))
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 3)) != NULL)
		nf_record_commit(rec, put_source(rec, f, &s));
	return walk_records(c, s.nrecords, counter_record, rec, skipped);
}

/* Discarded packet (sFlow dropped-packet extension, sflow_drops.txt):
 * sequence, expanded source id, drops, input, output, reason, then flow
 * records. */
static int discard_sample(nf_cursor_t *c, nf_record_t *rec, uint32_t *skipped)
{
	sample_head_t s;
	nf_field_t *f;

	if (!read_sample_head(c, DISCARD, &s))
		return NF_ERR_TRUNCATED;
	if ((f = nf_record_reserve(rec, 7)) != NULL) {
		f = put_source(rec, f, &s);
		f = ADD_IANA(rec, f, DROPPED_PACKET_DELTA_COUNT, s.drops);
		f = ADD_IANA(rec, f, INGRESS_INTERFACE, s.input);
		f = ADD_IANA(rec, f, EGRESS_INTERFACE, s.output);
		f = ADD_LOCAL(rec, f, SFLOW_DROP_REASON, s.reason);
		nf_record_commit(rec, f);
	}
	return walk_records(c, s.nrecords, flow_record, rec, skipped);
}

int nf_sflow_detect(const uint8_t *buf, size_t len)
{
	return len >= 4 && buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 5;
}

static int read_sflow_header(nf_cursor_t *c, nf_datagram_info_t *info, nf_sflow_agent_t *agent, uint32_t *n)
{
	uint32_t version;
	const uint8_t *addr;
	int alen;

	if (!nf_cursor_u32(c, &version))
		return NF_ERR_SHORT;
	if (version != 5)
		return NF_ERR_VERSION;
	if ((alen = read_address(c, &addr)) <= 0)
		return alen < 0 ? NF_ERR_SHORT : NF_ERR_VERSION;
	memcpy(agent->addr, addr, (size_t)alen);
	agent->addr_len = (uint8_t)alen;
	if (!nf_cursor_u32(c, &agent->sub_agent_id) || !nf_cursor_u32(c, &info->sequence) ||
	    !nf_cursor_u32(c, &info->sys_uptime_ms) || !nf_cursor_u32(c, n))
		return NF_ERR_SHORT;
	info->version = 5;
	info->has_sequence = true;
	info->source_id = agent->sub_agent_id;
	return NF_OK;
}

/* The sample formats (sflow_version_5.txt, "sample_data"). */
enum sflow_sample_format {
	SFLOW_FLOW_SAMPLE = 1,
	SFLOW_COUNTER_SAMPLE = 2,
	SFLOW_FLOW_SAMPLE_EXPANDED = 3,
	SFLOW_COUNTER_SAMPLE_EXPANDED = 4,
	SFLOW_DISCARD_SAMPLE = 5,
};

/* sFlow agents' streams: a version no NetFlow stream has, so that an
 * agent's stream is apart from a NetFlow v5 exporter's of the same
 * address. */
#define SFLOW_SEQUENCE_VERSION 0x8005

/* Decodes the n samples of a datagram and emits them. Returns NF_OK or
 * NF_ERR_TRUNCATED. */
static int decode_samples(nf_decoder_t *d, nf_cursor_t *c, uint32_t n, const nf_datagram_info_t *info,
			  const nf_sflow_agent_t *agent)
{
	nf_record_t *rec = d->record;
	uint32_t *skipped = &d->result.skipped;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t format;
		nf_cursor_t body;
		nf_record_kind_t kind;
		int rc;

		if (!read_format_length(c, &format, &body))
			return NF_ERR_TRUNCATED;
		nf_record_clear(rec);
		rec->start_ms = rec->end_ms = -1;
		switch (format) {
		case SFLOW_FLOW_SAMPLE: kind = NF_KIND_FLOW; rc = flow_sample(&body, 0, rec, skipped); break;
		case SFLOW_FLOW_SAMPLE_EXPANDED: kind = NF_KIND_FLOW; rc = flow_sample(&body, 1, rec, skipped); break;
		case SFLOW_COUNTER_SAMPLE: kind = NF_KIND_COUNTERS; rc = counter_sample(&body, 0, rec, skipped); break;
		case SFLOW_COUNTER_SAMPLE_EXPANDED:
			kind = NF_KIND_COUNTERS; rc = counter_sample(&body, 1, rec, skipped); break;
		case SFLOW_DISCARD_SAMPLE: kind = NF_KIND_DISCARD; rc = discard_sample(&body, rec, skipped); break;
		default: (*skipped)++; continue;
		}
		if (rc != NF_OK)
			return rc;
		if (kind == NF_KIND_FLOW && d->renormalize)
			nf_record_renormalize(rec, nf_record_sampling_interval(rec));
		nf_decoder_emit(d, &(nf_emitted_t){.info = info, .record = rec, .kind = kind, .agent = agent});
	}
	return NF_OK;
}

/* Counts the datagram sequence of the agent and sub-agent. */
static void count_agent_sequence(nf_decoder_t *d, const nf_sflow_agent_t *agent, uint32_t sequence)
{
	nf_scope_key_t key = {.version = SFLOW_SEQUENCE_VERSION, .domain = agent->sub_agent_id};

	if (agent->addr_len == 4) { /* IPv4-mapped, as exporter addresses are */
		key.addr[10] = key.addr[11] = 0xff;
		memcpy(key.addr + 12, agent->addr, 4);
	} else {
		memcpy(key.addr, agent->addr, 16);
	}
	nf_decoder_count_sequence(d, nf_decoder_stream(d, &key), sequence, 1);
}

int nf_sflow_decode(nf_decoder_t *d, const uint8_t *buf, size_t len)
{
	nf_datagram_info_t info;
	nf_sflow_agent_t agent;
	nf_cursor_t c;
	uint32_t n;
	int rc;

	memset(&info, 0, sizeof(info));
	memset(&agent, 0, sizeof(agent));
	memset(&d->result, 0, sizeof(d->result));
	nf_cursor_init(&c, buf, len);
	if ((rc = read_sflow_header(&c, &info, &agent, &n)) != NF_OK)
		return rc;
	d->result.info = info;
	d->result.agent = agent;
	rc = decode_samples(d, &c, n, &info, &agent);
	count_agent_sequence(d, &agent, info.sequence);
	return rc;
}
