/* pktsamples.h - whole datagrams built from the formats, for the tests
 * that check every field (test_legacy.c, test_sflow.c) and the one that
 * cuts every datagram at every length (test_truncation.c): NetFlow v6, v8
 * of each aggregation scheme, and sFlow samples with the extended flow
 * records 1004-1012 and the dropped-packet records 1036-1038.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef PKTSAMPLES_H
#define PKTSAMPLES_H

#include "pktbuild.h"

#define PS_UPTIME 3600000u        /* exporter uptime at export: 1 hour */
#define PS_EXPORT_SEC 1795870712u
#define PS_EXPORT_NSEC 250000000u

/* Record lengths of the v8 aggregation schemes 1-14 (Cisco's NetFlow
 * export formats; flow-tools' ftpdu_v8_* structures agree), and where in
 * each record the uptime stamps (First, then Last) are. */
static const uint8_t ps_v8_record_len[15] = {0, 28, 28, 32, 32, 40, 32, 40, 44, 32, 32, 32, 32, 40, 40};
static const uint8_t ps_v8_first_at[15] = {0, 12, 12, 12, 12, 12, 12, 16, 20, 12, 12, 12, 12, 12, 12};
#define PS_V6_FIRST_AT 24
#define PS_FIRST (PS_UPTIME - 5000) /* record i's flow began 5 s (+ i ms) before export */
#define PS_LAST (PS_UPTIME - 1000)  /* and ended 1 s (+ i ms) before */

/* Byte k of record i: a pattern that gives every field its own value,
 * but for the uptime stamps at first_at, which are PS_FIRST - i and
 * PS_LAST - i (plausible times: the decoder drops implausible ones). */
static inline uint8_t ps_record_byte(size_t first_at, unsigned i, size_t k)
{
	if (k >= first_at && k < first_at + 8) {
		uint32_t v = (k < first_at + 4 ? PS_FIRST : PS_LAST) - i;
		return (uint8_t)(v >> (8 * (3 - (k - first_at) % 4)));
	}
	return (uint8_t)(0x11 * (i + 1) + 3 * k + 1);
}

static inline void ps_pattern_records(pkt_t *p, uint16_t count, size_t record_len, size_t first_at)
{
	for (unsigned i = 0; i < count; i++)
		for (size_t k = 0; k < record_len; k++)
			pb_u8(p, ps_record_byte(first_at, i, k));
}

/* NetFlow v6: the v5 header (engine 2/9, sampling mode 1 interval 10), and
 * count 52-byte records of the pattern. */
static inline void ps_v6(pkt_t *p, uint16_t count)
{
	p->len = 0;
	pb_u16(p, 6); pb_u16(p, count);
	pb_u32(p, PS_UPTIME); pb_u32(p, PS_EXPORT_SEC); pb_u32(p, PS_EXPORT_NSEC);
	pb_u32(p, 0x01000000); /* flow_sequence */
	pb_u8(p, 2); pb_u8(p, 9);
	pb_u16(p, 0x400a);
	ps_pattern_records(p, count, 52, PS_V6_FIRST_AT);
}

/* NetFlow v8 of aggregation scheme agg (1-14): the 28-byte header (engine
 * 3/4, aggregation version 2) and count records of the pattern. */
static inline void ps_v8(pkt_t *p, uint8_t agg, uint16_t count)
{
	p->len = 0;
	pb_u16(p, 8); pb_u16(p, count);
	pb_u32(p, PS_UPTIME); pb_u32(p, PS_EXPORT_SEC); pb_u32(p, PS_EXPORT_NSEC);
	pb_u32(p, 0x02000000 + agg); /* flow_sequence */
	pb_u8(p, 3); pb_u8(p, 4);     /* engine type, id */
	pb_u8(p, agg); pb_u8(p, 2);   /* aggregation, its version */
	pb_u32(p, 0);                 /* reserved */
	ps_pattern_records(p, count, agg < 15 ? ps_v8_record_len[agg] : 0, agg < 15 ? ps_v8_first_at[agg] : 0);
}

/* ---- sFlow ---- */

/* Starts a record or sample (format, length set by ps_end); returns where
 * the length goes. */
static inline size_t ps_begin(pkt_t *p, uint32_t format)
{
	size_t at;
	pb_u32(p, format);
	at = p->len;
	pb_u32(p, 0);
	return at;
}

static inline void ps_end(pkt_t *p, size_t at)
{
	uint32_t len = (uint32_t)(p->len - at - 4);
	pb_put16(p, at, (uint16_t)(len >> 16));
	pb_put16(p, at + 2, (uint16_t)len);
}

/* An XDR string: length, bytes, zero padding to a multiple of 4. */
static inline void ps_string(pkt_t *p, const char *s)
{
	size_t n = strlen(s);
	pb_u32(p, (uint32_t)n);
	pb_bytes(p, s, n);
	pb_zero(p, (4 - (n & 3)) & 3);
}

/* An MPLS label stack entry (RFC 3032). */
#define PS_LABEL(label, exp, bottom, ttl) ((uint32_t)(label) << 12 | (exp) << 9 | (bottom) << 8 | (ttl))

/* The extended flow records 1004-1012, one of each, with these values:
 * user alice (charset 106) -> bob; URL /index.html to host example.com
 * (direction 2); MPLS next hop 10.1.1.1, labels in 100 200, out 300;
 * NAT 198.51.100.7 -> 2001:db8::9; tunnel "lsp-a" id 42 cos 3; VC "vc-1"
 * id 1001 cos 5; FTN "ftn descr" mask 24; LDP FEC prefix length 16; VLAN
 * stack 100 200. */
static inline void ps_sflow_extended_records(pkt_t *p)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
	size_t at;

	at = ps_begin(p, 1004);
	pb_u32(p, 106); ps_string(p, "alice"); pb_u32(p, 106); ps_string(p, "bob");
	ps_end(p, at);
	at = ps_begin(p, 1005);
	pb_u32(p, 2); ps_string(p, "/index.html"); ps_string(p, "example.com");
	ps_end(p, at);
	at = ps_begin(p, 1006);
	pb_u32(p, 1); pb_ipv4(p, 10, 1, 1, 1);
	pb_u32(p, 2); pb_u32(p, PS_LABEL(100, 0, 0, 64)); pb_u32(p, PS_LABEL(200, 1, 1, 64));
	pb_u32(p, 1); pb_u32(p, PS_LABEL(300, 0, 1, 63));
	ps_end(p, at);
	at = ps_begin(p, 1007);
	pb_u32(p, 1); pb_ipv4(p, 198, 51, 100, 7); pb_u32(p, 2); pb_bytes(p, v6, 16);
	ps_end(p, at);
	at = ps_begin(p, 1008);
	ps_string(p, "lsp-a"); pb_u32(p, 42); pb_u32(p, 3);
	ps_end(p, at);
	at = ps_begin(p, 1009);
	ps_string(p, "vc-1"); pb_u32(p, 1001); pb_u32(p, 5);
	ps_end(p, at);
	at = ps_begin(p, 1010);
	ps_string(p, "ftn descr"); pb_u32(p, 24);
	ps_end(p, at);
	at = ps_begin(p, 1011);
	pb_u32(p, 16);
	ps_end(p, at);
	at = ps_begin(p, 1012);
	pb_u32(p, 2); pb_u32(p, 0x2064); pb_u32(p, 0x00c8); /* priority 1 VLAN 100; VLAN 200 */
	ps_end(p, at);
}

/* The dropped-packet records 1036-1038: egress queue 7; ACL 12 "deny-all"
 * ingress (1); function "fib_lookup". */
static inline void ps_sflow_drop_records(pkt_t *p)
{
	size_t at;

	at = ps_begin(p, 1036);
	pb_u32(p, 7);
	ps_end(p, at);
	at = ps_begin(p, 1037);
	pb_u32(p, 12); ps_string(p, "deny-all"); pb_u32(p, 1);
	ps_end(p, at);
	at = ps_begin(p, 1038);
	ps_string(p, "fib_lookup");
	ps_end(p, at);
}

/* An sFlow datagram from agent 192.0.2.9: a flow sample (sequence 3,
 * source 0:7, rate 512, interfaces 7 -> 8) with the extended records, and
 * a discarded-packet sample (sequence 4, source 0:7, reason 259) with the
 * dropped-packet records. */
static inline void ps_sflow_extended(pkt_t *p)
{
	size_t at;

	p->len = 0;
	pb_u32(p, 5); pb_u32(p, 1); pb_ipv4(p, 192, 0, 2, 9);
	pb_u32(p, 0); pb_u32(p, 77); pb_u32(p, 123456); /* sub-agent, sequence, uptime */
	pb_u32(p, 2);                                   /* samples */
	at = ps_begin(p, 1);
	pb_u32(p, 3); pb_u32(p, 7); pb_u32(p, 512); pb_u32(p, 100000); pb_u32(p, 0); pb_u32(p, 7); pb_u32(p, 8);
	pb_u32(p, 9); /* records */
	ps_sflow_extended_records(p);
	ps_end(p, at);
	at = ps_begin(p, 5);
	pb_u32(p, 4); pb_u32(p, 0); pb_u32(p, 7); /* sequence, source type, index */
	pb_u32(p, 1); pb_u32(p, 7); pb_u32(p, 0); pb_u32(p, 259); /* drops, input, output, reason */
	pb_u32(p, 3);
	ps_sflow_drop_records(p);
	ps_end(p, at);
}

#endif /* PKTSAMPLES_H */
