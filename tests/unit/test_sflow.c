/* test_sflow.c - sFlow v5 datagrams of our own making.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nf_sflow.h"
#include "pktbuild.h"
#include "pktsamples.h"

static pkt_t pkt, hdr;
static nf_record_t scratch, saved[8];
static nf_record_kind_t kinds[8];
static int nsaved;

static void save(void *ctx, const nf_emitted_t *e)
{
	(void)ctx;
	assert_int_equal(e->agent->addr_len, 4);
	assert_null(e->templates);
	assert_true(nsaved < 8);
	kinds[nsaved] = e->kind;
	saved[nsaved++] = *e->record; /* pointers into pkt stay valid */
}

static uint64_t u(int n, uint32_t pen, uint16_t id)
{
	const nf_field_t *f = nf_record_find(&saved[n], pen, id);
	assert_non_null(f);
	return f->v.u;
}

static void header(uint32_t nsamples)
{
	pkt.len = 0;
	pb_u32(&pkt, 5);
	pb_u32(&pkt, 1);
	pb_ipv4(&pkt, 192, 0, 2, 9);
	pb_u32(&pkt, 0);      /* sub agent */
	pb_u32(&pkt, 77);     /* sequence */
	pb_u32(&pkt, 123456); /* uptime */
	pb_u32(&pkt, nsamples);
}

/* Ethernet, QinQ tags 100/200, IPv4, TCP 40000 -> 443 with SYN|ACK. */
static void qinq_tcp_header(void)
{
	hdr.len = 0;
	pb_bytes(&hdr, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 12);
	pb_u16(&hdr, 0x88a8);
	pb_u16(&hdr, 100);
	pb_u16(&hdr, 0x8100);
	pb_u16(&hdr, 200);
	pb_u16(&hdr, 0x0800);
	pb_bytes(&hdr, "\x45\x10\x00\x3c\x00\x00\x40\x00\x40\x06\x00\x00", 12);
	pb_ipv4(&hdr, 10, 0, 0, 1);
	pb_ipv4(&hdr, 10, 0, 0, 2);
	pb_u16(&hdr, 40000);
	pb_u16(&hdr, 443);
	pb_zero(&hdr, 9);
	pb_u8(&hdr, 0x12);
	pb_zero(&hdr, 2);  /* header length 56: a multiple of 4 */
}

/* IPv6 with a hop-by-hop header, then UDP 5353 -> 53. */
static void ipv6_udp_header(void)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	hdr.len = 0;
	pb_u32(&hdr, 0x60000000);
	pb_u16(&hdr, 16);
	pb_u8(&hdr, 0);   /* next: hop-by-hop */
	pb_u8(&hdr, 64);
	pb_bytes(&hdr, src, 16);
	pb_bytes(&hdr, src, 16);
	pb_u8(&hdr, 17);  /* hop-by-hop: next UDP, length 0 (8 bytes) */
	pb_zero(&hdr, 7);
	pb_u16(&hdr, 5353);
	pb_u16(&hdr, 53);
	pb_zero(&hdr, 4);
}

static void raw_header_record(uint32_t proto)
{
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 16 + (uint32_t)hdr.len);
	pb_u32(&pkt, proto);
	pb_u32(&pkt, 1514);
	pb_u32(&pkt, 4);
	pb_u32(&pkt, (uint32_t)hdr.len);
	pb_bytes(&pkt, hdr.b, hdr.len);
}

static size_t flow_sample_begin(uint32_t nrecords)
{
	size_t at;
	pb_u32(&pkt, 1);       /* flow sample */
	at = pkt.len;
	pb_u32(&pkt, 0);       /* length, set later */
	pb_u32(&pkt, 3);       /* sequence */
	pb_u32(&pkt, 7);       /* source id: type 0, index 7 */
	pb_u32(&pkt, 512);     /* sampling rate */
	pb_u32(&pkt, 100000);  /* pool */
	pb_u32(&pkt, 0);       /* drops */
	pb_u32(&pkt, 7);       /* input */
	pb_u32(&pkt, 8);       /* output */
	pb_u32(&pkt, nrecords);
	return at;
}

static void sample_end(size_t at)
{
	uint32_t len = (uint32_t)(pkt.len - at - 4);
	pb_put16(&pkt, at, (uint16_t)(len >> 16));
	pb_put16(&pkt, at + 2, (uint16_t)len);
}

/* Decodes the first len bytes of pkt, without a session. */
static int decode_len(size_t len, nf_decode_result_t *r)
{
	nf_decoder_t d = {.emit = save, .record = &scratch};
	int rc;

	nsaved = 0;
	rc = nf_sflow_decode(&d, pkt.b, len);
	*r = d.result;
	return rc;
}

static int decode(nf_decode_result_t *r)
{
	return decode_len(pkt.len, r);
}

static void flow_samples_decode_the_packet(void **state)
{
	nf_decode_result_t r;
	size_t at;
	(void)state;
	header(2);
	at = flow_sample_begin(3);
	qinq_tcp_header();
	raw_header_record(1);
	pb_u32(&pkt, 1003);    /* extended gateway */
	pb_u32(&pkt, 60);
	pb_u32(&pkt, 1);
	pb_ipv4(&pkt, 198, 51, 100, 1);
	pb_u32(&pkt, 64500);   /* router AS */
	pb_u32(&pkt, 64501);   /* source AS */
	pb_u32(&pkt, 64502);   /* source peer AS */
	pb_u32(&pkt, 1);       /* one path segment */
	pb_u32(&pkt, 2);       /* AS_SEQUENCE */
	pb_u32(&pkt, 3);
	pb_u32(&pkt, 64510);
	pb_u32(&pkt, 64511);
	pb_u32(&pkt, 64512);
	pb_u32(&pkt, 2);       /* communities */
	pb_u32(&pkt, (65000u << 16) | 100);
	pb_u32(&pkt, (65000u << 16) | 200);
	pb_u32(&pkt, 150);     /* local preference */
	pb_u32(&pkt, 1001);    /* extended switch */
	pb_u32(&pkt, 16);
	pb_u32(&pkt, 100);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 300);
	pb_u32(&pkt, 0);
	sample_end(at);
	at = flow_sample_begin(1);
	ipv6_udp_header();
	raw_header_record(12);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 2);
	assert_int_equal(kinds[0], NF_KIND_FLOW);
	assert_int_equal(u(0, 0, 58), 100);   /* outer tag */
	assert_int_equal(u(0, 0, 245), 200);  /* inner tag */
	assert_int_equal(u(0, 0, 7), 40000);
	assert_int_equal(u(0, 0, 11), 443);
	assert_int_equal(u(0, 0, 6), 0x12);
	assert_int_equal(u(0, 0, 4), 6);
	assert_int_equal(u(0, 0, 34), 512);
	assert_int_equal(u(0, 0, 312), 1514);
	assert_int_equal(u(0, 0, 59), 300);
	assert_int_equal(u(0, 0, 10), 7);
	assert_int_equal(u(0, 0, 17), 64512);  /* destination AS: the path's last */
	assert_int_equal(u(0, 0, 129), 64502);
	assert_memory_equal(nf_record_find(&saved[0], NF_PEN_LOCAL, 0x30a)->v.p, "64510 64511 64512", 17);
	assert_memory_equal(nf_record_find(&saved[0], NF_PEN_LOCAL, 0x30b)->v.p, "65000:100 65000:200", 19);
	assert_int_equal(u(0, NF_PEN_LOCAL, 0x30c), 150);
	assert_memory_equal(nf_record_find(&saved[0], 0, 8)->v.b, "\x0a\x00\x00\x01", 4);
	assert_memory_equal(nf_record_find(&saved[0], 0, 56)->v.b, "\x66\x77\x88\x99\xaa\xbb", 6);
	assert_int_equal(u(1, 0, 4), 17);
	assert_int_equal(u(1, 0, 7), 5353);
	assert_int_equal(u(1, 0, 11), 53);
	assert_int_equal(nf_record_find(&saved[1], 0, 27)->v.b[15], 1);
}

/* VXLAN: the inner packet is decoded too, its fields marked as repeats
 * (emitted as name_2), and the VNI kept. */
static void vxlan_inner_packet(void **state)
{
	nf_decode_result_t r;
	size_t at;
	pkt_t inner;
	const nf_field_t *outer_src;
	int inner_fields = 0;
	(void)state;
	qinq_tcp_header();
	inner = hdr;
	hdr.len = 0;
	pb_bytes(&hdr, "\x00\x01\x02\x03\x04\x05\x00\x01\x02\x03\x04\x06", 12);
	pb_u16(&hdr, 0x0800);
	pb_bytes(&hdr, "\x45\x00\x00\x64\x00\x00\x40\x00\x40\x11\x00\x00", 12);
	pb_ipv4(&hdr, 172, 16, 0, 1);
	pb_ipv4(&hdr, 172, 16, 0, 2);
	pb_u16(&hdr, 50000);
	pb_u16(&hdr, 4789);
	pb_u32(&hdr, 0);                /* UDP length, checksum */
	pb_u32(&hdr, 0x08000000);       /* VXLAN flags: VNI present */
	pb_u32(&hdr, 5001u << 8);
	pb_bytes(&hdr, inner.b, inner.len);
	header(1);
	at = flow_sample_begin(1);
	raw_header_record(1);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(u(0, 39499, 450), 5001);
	outer_src = nf_record_find(&saved[0], 0, 8);
	assert_int_equal(outer_src->repeat, 0);
	assert_memory_equal(outer_src->v.b, "\xac\x10\x00\x01", 4);
	for (uint16_t i = 0; i < saved[0].nfields; i++) {
		const nf_field_t *f = &saved[0].field[i];
		if (f->pen == 0 && f->id == 8 && f->repeat == 1) {
			assert_memory_equal(f->v.b, "\x0a\x00\x00\x01", 4);
			inner_fields++;
		}
		if (f->pen == 0 && f->id == 11 && f->repeat == 1) {
			assert_int_equal(f->v.u, 443);
			inner_fields++;
		}
	}
	assert_int_equal(inner_fields, 2);
	assert_int_equal(u(0, 0, 245), 200); /* the inner frame's QinQ tags */
}

/* Ethernet, two MPLS labels (1000, then 2000 at the bottom), IPv4 ICMP
 * type 3 code 1. */
static void mpls_icmp_header(void)
{
	hdr.len = 0;
	pb_bytes(&hdr, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 12);
	pb_u16(&hdr, 0x8847);
	pb_u32(&hdr, 1000u << 12 | 64);
	pb_u32(&hdr, 2000u << 12 | 1u << 8 | 64);
	pb_bytes(&hdr, "\x45\x00\x00\x20\x00\x00\x40\x00\x40\x01\x00\x00", 12);
	pb_ipv4(&hdr, 10, 0, 0, 1);
	pb_ipv4(&hdr, 10, 0, 0, 2);
	pb_u8(&hdr, 3);
	pb_u8(&hdr, 1);
	pb_zero(&hdr, 4);  /* checksum, padding to 48 bytes */
}

/* IPv6 straight to ICMPv6 type 1 code 4. */
static void icmpv6_header(void)
{
	static const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	hdr.len = 0;
	pb_u32(&hdr, 0x60000000);
	pb_u16(&hdr, 4);
	pb_u8(&hdr, 58);
	pb_u8(&hdr, 64);
	pb_bytes(&hdr, addr, 16);
	pb_bytes(&hdr, addr, 16);
	pb_u8(&hdr, 1);
	pb_u8(&hdr, 4);
	pb_zero(&hdr, 2);
}

/* The elements chosen by address family and protocol: MPLS labels, ICMP
 * for IPv4 and IPv6, IPv6 next hops and prefix lengths. */
static void mpls_icmp_and_ipv6_routing(void **state)
{
	static const uint8_t hop[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe};
	nf_decode_result_t r;
	size_t at;
	(void)state;
	header(2);
	at = flow_sample_begin(3);
	mpls_icmp_header();
	raw_header_record(1);
	pb_u32(&pkt, 1002);    /* extended router, IPv6 next hop */
	pb_u32(&pkt, 28);
	pb_u32(&pkt, 2);
	pb_bytes(&pkt, hop, 16);
	pb_u32(&pkt, 48);
	pb_u32(&pkt, 64);
	pb_u32(&pkt, 1003);    /* extended gateway, IPv6 next hop, no path */
	pb_u32(&pkt, 44);
	pb_u32(&pkt, 2);
	pb_bytes(&pkt, hop, 16);
	pb_u32(&pkt, 64500);
	pb_u32(&pkt, 64501);
	pb_u32(&pkt, 64502);
	pb_u32(&pkt, 0);       /* segments */
	pb_u32(&pkt, 0);       /* communities */
	pb_u32(&pkt, 100);     /* local preference */
	sample_end(at);
	at = flow_sample_begin(1);
	icmpv6_header();
	raw_header_record(12);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 2);
	assert_int_equal(u(0, 0, 256), 0x8847);
	assert_int_equal(nf_record_find(&saved[0], 0, 70)->len, 3);
	assert_memory_equal(nf_record_find(&saved[0], 0, 70)->v.p, "\x00\x3e\x80", 3);
	assert_memory_equal(nf_record_find(&saved[0], 0, 71)->v.p, "\x00\x7d\x01", 3);
	assert_null(nf_record_find(&saved[0], 0, 72));
	assert_int_equal(u(0, 0, 176), 3);
	assert_int_equal(u(0, 0, 177), 1);
	assert_memory_equal(nf_record_find(&saved[0], 0, 62)->v.b, hop, 16);
	assert_memory_equal(nf_record_find(&saved[0], 0, 63)->v.b, hop, 16);
	assert_int_equal(u(0, 0, 29), 48);
	assert_int_equal(u(0, 0, 30), 64);
	assert_null(nf_record_find(&saved[0], 0, 9));
	assert_null(nf_record_find(&saved[0], 0, 15));
	assert_int_equal(u(1, 0, 178), 1);
	assert_int_equal(u(1, 0, 179), 4);
	assert_null(nf_record_find(&saved[1], 0, 176));
}

static void counters_and_unknown_formats(void **state)
{
	nf_decode_result_t r;
	size_t at;
	(void)state;
	header(2);
	pb_u32(&pkt, (9u << 12) | 7); /* an enterprise sample format: skipped */
	pb_u32(&pkt, 4);
	pb_u32(&pkt, 0xdeadbeef);
	pb_u32(&pkt, 2);              /* counter sample */
	at = pkt.len;
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 3);
	pb_u32(&pkt, 2);              /* records */
	pb_u32(&pkt, 1001);           /* processor */
	pb_u32(&pkt, 28);
	pb_u32(&pkt, 5);
	pb_u32(&pkt, 10);
	pb_u32(&pkt, 15);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 1u << 30);       /* total memory */
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 1u << 20);
	pb_u32(&pkt, 77);             /* unknown counter record */
	pb_u32(&pkt, 0);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.skipped, 2);
	assert_int_equal(kinds[0], NF_KIND_COUNTERS);
	assert_int_equal(u(0, NF_PEN_LOCAL, 0x461), 5);
	assert_int_equal(u(0, NF_PEN_LOCAL, 0x464), 1ull << 30);
	assert_string_equal(nf_record_find(&saved[0], NF_PEN_LOCAL, 0x464)->ie->name, "total_memory");
}

static void lengths_are_checked(void **state)
{
	nf_decode_result_t r;
	size_t at;
	(void)state;
	header(1);
	at = flow_sample_begin(1);
	qinq_tcp_header();
	raw_header_record(1);
	sample_end(at);
	for (size_t len = 0; len < pkt.len; len++) {
		assert_true(decode_len(len, &r) < 0);
	}
	/* a header length beyond its record */
	pb_put16(&pkt, at + 4 + 8 * 4 + 5 * 4 + 2, 4000); /* low half of header_length */
	assert_int_equal(decode(&r), NF_ERR_TRUNCATED);
	/* a sample count beyond the datagram */
	header(3);
	assert_int_equal(decode(&r), NF_ERR_TRUNCATED);
}

static void extended_switch_record(uint32_t vlan)
{
	pb_u32(&pkt, 1001);
	pb_u32(&pkt, 16);
	pb_u32(&pkt, vlan);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, vlan);
	pb_u32(&pkt, 0);
}

/* A record's fields are appended in groups, each with one check of the
 * room left: at NF_RECORD_MAX_FIELDS a group that does not fit is left out
 * whole, and the sample is still emitted. */
static void fields_beyond_the_record_are_left_out(void **state)
{
	nf_decode_result_t r;
	const uint32_t switches = (NF_RECORD_MAX_FIELDS - 8) / 4; /* 4 fields each after the head's 8 */
	size_t at;
	(void)state;
	header(1);
	at = flow_sample_begin(switches + 2);
	for (uint32_t i = 0; i < switches - 1; i++)
		extended_switch_record(i);
	pb_u32(&pkt, 1002); /* extended router: IPv4 next hop and two masks, 3 fields */
	pb_u32(&pkt, 16);
	pb_u32(&pkt, 1);
	pb_ipv4(&pkt, 10, 9, 9, 9);
	pb_u32(&pkt, 24);
	pb_u32(&pkt, 16);
	extended_switch_record(4000); /* 4 fields where 1 slot is left */
	extended_switch_record(4001);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 1);
	assert_int_equal(saved[0].nfields, NF_RECORD_MAX_FIELDS - 1);
	assert_int_equal(saved[0].field[NF_RECORD_MAX_FIELDS - 2].id, NF_IE_DESTINATION_IPV4_PREFIX_LENGTH);
	assert_int_equal(u(0, NF_PEN_IANA, NF_IE_SAMPLING_INTERVAL), 512);
}

/* An element two of a sample's parts carry (the sampled header's 802.1Q
 * tag and the extended switch record's VLAN; a record format sent twice)
 * is shown once under its name, then as name_2: no output repeats a key. */
static void elements_from_two_parts_are_told_apart(void **state)
{
	nf_decode_result_t r;
	size_t at;
	int vlans = 0;
	(void)state;
	header(1);
	at = flow_sample_begin(3);
	qinq_tcp_header();       /* outer tag 100 */
	raw_header_record(1);
	extended_switch_record(7);
	extended_switch_record(8);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 1);
	for (uint16_t i = 0; i < saved[0].nfields; i++) {
		const nf_field_t *f = &saved[0].field[i];
		if (f->pen != NF_PEN_IANA || f->id != NF_IE_VLAN_ID)
			continue;
		assert_int_equal(f->repeat, vlans);
		assert_int_equal(f->v.u, vlans == 0 ? 100 : vlans == 1 ? 7 : 8);
		vlans++;
	}
	assert_int_equal(vlans, 3);
	assert_int_equal(u(0, NF_PEN_IANA, NF_IE_VLAN_ID), 100);
}

/* A string field of sample n: its bytes as text. */
static void assert_text(int n, uint32_t pen, uint16_t id, const char *want)
{
	const nf_field_t *f = nf_record_find(&saved[n], pen, id);
	assert_non_null(f);
	assert_int_equal(f->type, NF_T_STRING);
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->v.p, want, f->len);
}

#define LOCAL_TEXT(n, name, want) assert_text(n, NF_PEN_LOCAL, NF_LOCAL_ID_##name, want)
#define LOCAL_U(n, name) u(n, NF_PEN_LOCAL, NF_LOCAL_ID_##name)

/* The extended flow records 1004-1012 and the dropped-packet records
 * 1036-1038 (pktsamples.h): every field, none skipped. */
static void extended_records(void **state)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
	static const uint8_t nat4[4] = {198, 51, 100, 7}, hop[4] = {10, 1, 1, 1};
	nf_decode_result_t r;
	(void)state;
	ps_sflow_extended(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(kinds[0], NF_KIND_FLOW);
	assert_int_equal(kinds[1], NF_KIND_DISCARD);
	/* 1004 */
	assert_int_equal(LOCAL_U(0, SFLOW_SOURCE_USER_CHARSET), 106);
	LOCAL_TEXT(0, SFLOW_SOURCE_USER, "alice");
	assert_int_equal(LOCAL_U(0, SFLOW_DESTINATION_USER_CHARSET), 106);
	LOCAL_TEXT(0, SFLOW_DESTINATION_USER, "bob");
	/* 1005 */
	assert_int_equal(LOCAL_U(0, SFLOW_URL_DIRECTION), 2);
	LOCAL_TEXT(0, SFLOW_URL, "/index.html");
	assert_text(0, NF_PEN_IANA, NF_IE_HTTP_REQUEST_HOST, "example.com");
	/* 1006 */
	assert_memory_equal(nf_record_find(&saved[0], NF_PEN_IANA, NF_IE_MPLS_TOP_LABEL_IPV4_ADDRESS)->v.b, hop, 4);
	LOCAL_TEXT(0, SFLOW_MPLS_IN_LABEL_STACK, "100 200");
	LOCAL_TEXT(0, SFLOW_MPLS_OUT_LABEL_STACK, "300");
	/* 1007 */
	assert_memory_equal(nf_record_find(&saved[0], NF_PEN_IANA, NF_IE_POST_NAT_SOURCE_IPV4_ADDRESS)->v.b, nat4, 4);
	assert_memory_equal(nf_record_find(&saved[0], NF_PEN_IANA, NF_IE_POST_NAT_DESTINATION_IPV6_ADDRESS)->v.b,
			    v6, 16);
	/* 1008-1011 */
	LOCAL_TEXT(0, SFLOW_MPLS_TUNNEL_NAME, "lsp-a");
	assert_int_equal(LOCAL_U(0, SFLOW_MPLS_TUNNEL_ID), 42);
	assert_int_equal(LOCAL_U(0, SFLOW_MPLS_TUNNEL_COS), 3);
	LOCAL_TEXT(0, SFLOW_MPLS_VC_NAME, "vc-1");
	assert_int_equal(u(0, NF_PEN_IANA, NF_IE_PSEUDO_WIRE_ID), 1001);
	assert_int_equal(LOCAL_U(0, SFLOW_MPLS_VC_LABEL_COS), 5);
	LOCAL_TEXT(0, SFLOW_MPLS_FTN_DESCRIPTION, "ftn descr");
	assert_int_equal(LOCAL_U(0, SFLOW_MPLS_FTN_MASK), 24);
	assert_int_equal(u(0, NF_PEN_IANA, NF_IE_MPLS_TOP_LABEL_PREFIX_LENGTH), 16);
	/* 1012 */
	LOCAL_TEXT(0, SFLOW_VLAN_STACK, "100 200");
	/* the sample's own fields are still there */
	assert_int_equal(u(0, NF_PEN_IANA, NF_IE_SAMPLING_INTERVAL), 512);
	/* 1036-1038 in the discarded-packet sample */
	assert_int_equal(u(1, NF_PEN_LOCAL, NF_LOCAL_ID_SFLOW_DROP_REASON), 259);
	assert_int_equal(LOCAL_U(1, SFLOW_EGRESS_QUEUE), 7);
	assert_int_equal(LOCAL_U(1, SFLOW_ACL_NUMBER), 12);
	LOCAL_TEXT(1, SFLOW_ACL_NAME, "deny-all");
	assert_int_equal(LOCAL_U(1, SFLOW_ACL_DIRECTION), 1);
	LOCAL_TEXT(1, SFLOW_FUNCTION, "fib_lookup");
	assert_string_equal(nf_record_find(&saved[1], NF_PEN_LOCAL, NF_LOCAL_ID_SFLOW_FUNCTION)->ie->name,
			    "sflow_function");
	/* every cut is refused cleanly */
	for (size_t len = 0; len < pkt.len; len++)
		assert_true(decode_len(len, &r) < 0);
}

/* Strings are shown up to 255 bytes; a length past the record, or a label
 * stack longer than its record, fails the datagram as any overrun does. */
static void extended_record_limits(void **state)
{
	static char name[301];
	nf_decode_result_t r;
	size_t at, rat;
	(void)state;
	memset(name, 'x', 300);
	header(1);
	at = flow_sample_begin(1);
	rat = ps_begin(&pkt, 1038);
	ps_string(&pkt, name);
	ps_end(&pkt, rat);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(nf_record_find(&saved[0], NF_PEN_LOCAL, NF_LOCAL_ID_SFLOW_FUNCTION)->len, 255);
	pb_put16(&pkt, rat + 4 + 2, 301); /* the string's length, past its record */
	assert_int_equal(decode(&r), NF_ERR_TRUNCATED);

	header(1);
	at = flow_sample_begin(1);
	rat = ps_begin(&pkt, 1012);
	pb_u32(&pkt, 0x40000000); /* a stack of 2^30 tags in 8 bytes */
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 2);
	ps_end(&pkt, rat);
	sample_end(at);
	assert_int_equal(decode(&r), NF_ERR_TRUNCATED);
	/* an empty stack and empty strings add no field */
	header(1);
	at = flow_sample_begin(2);
	rat = ps_begin(&pkt, 1012);
	pb_u32(&pkt, 0);
	ps_end(&pkt, rat);
	rat = ps_begin(&pkt, 1004);
	pb_u32(&pkt, 0); ps_string(&pkt, ""); pb_u32(&pkt, 0); ps_string(&pkt, "");
	ps_end(&pkt, rat);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_null(nf_record_find(&saved[0], NF_PEN_LOCAL, NF_LOCAL_ID_SFLOW_VLAN_STACK));
	assert_null(nf_record_find(&saved[0], NF_PEN_LOCAL, NF_LOCAL_ID_SFLOW_SOURCE_USER));
	assert_int_equal(LOCAL_U(0, SFLOW_SOURCE_USER_CHARSET), 0);
}

/* host-sflow's memory, network and virtual-machine memory counters
 * (sflow_host.txt): hypers and words, as the table has them. */
static void host_counters(void **state)
{
	nf_decode_result_t r;
	size_t at, rat;
	(void)state;
	header(1);
	pb_u32(&pkt, 2); /* counter sample */
	at = pkt.len;
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 9);            /* sequence */
	pb_u32(&pkt, 2u << 24 | 1); /* source: physical entity 1 */
	pb_u32(&pkt, 3);            /* records */
	rat = ps_begin(&pkt, 2006); /* host_net_io */
	pb_u32(&pkt, 5); pb_u32(&pkt, 6);          /* bytes_in: 5 * 2^32 + 6 */
	pb_u32(&pkt, 7); pb_u32(&pkt, 8); pb_u32(&pkt, 9);
	pb_u32(&pkt, 0); pb_u32(&pkt, 10);         /* bytes_out */
	pb_u32(&pkt, 11); pb_u32(&pkt, 12); pb_u32(&pkt, 13);
	ps_end(&pkt, rat);
	rat = ps_begin(&pkt, 2102); /* virt_memory */
	pb_u32(&pkt, 0); pb_u32(&pkt, 1u << 30);
	pb_u32(&pkt, 1); pb_u32(&pkt, 0);
	ps_end(&pkt, rat);
	rat = ps_begin(&pkt, 2000); /* host_descr: strings, not decoded */
	ps_string(&pkt, "host");
	ps_end(&pkt, rat);
	sample_end(at);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.skipped, 1);
	assert_int_equal(kinds[0], NF_KIND_COUNTERS);
	assert_int_equal(LOCAL_U(0, HOST_BYTES_IN), (5ull << 32) + 6);
	assert_int_equal(LOCAL_U(0, HOST_DROPS_IN), 9);
	assert_int_equal(LOCAL_U(0, HOST_BYTES_OUT), 10);
	assert_int_equal(LOCAL_U(0, HOST_DROPS_OUT), 13);
	assert_int_equal(LOCAL_U(0, VIRT_MEMORY), 1u << 30);
	assert_int_equal(LOCAL_U(0, VIRT_MAX_MEMORY), 1ull << 32);
	assert_string_equal(nf_record_find(&saved[0], NF_PEN_LOCAL, NF_LOCAL_ID_HOST_PKTS_OUT)->ie->name,
			    "host_pkts_out");
}

static void detection(void **state)
{
	(void)state;
	header(0);
	assert_true(nf_sflow_detect(pkt.b, pkt.len));
	pkt.len = 0;
	pb_u16(&pkt, 5);
	pb_u16(&pkt, 0);  /* NetFlow v5 with count 0 would read 00 05 00 00 */
	assert_false(nf_sflow_detect(pkt.b, pkt.len));
	assert_false(nf_sflow_detect(pkt.b, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flow_samples_decode_the_packet),
		cmocka_unit_test(vxlan_inner_packet),
		cmocka_unit_test(mpls_icmp_and_ipv6_routing),
		cmocka_unit_test(counters_and_unknown_formats),
		cmocka_unit_test(lengths_are_checked),
		cmocka_unit_test(fields_beyond_the_record_are_left_out),
		cmocka_unit_test(elements_from_two_parts_are_told_apart),
		cmocka_unit_test(extended_records),
		cmocka_unit_test(extended_record_limits),
		cmocka_unit_test(host_counters),
		cmocka_unit_test(detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
