/* test_legacy.c - NetFlow v1, v5 and v7 decoders, every field.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "nf_legacy.h"
#include "pktbuild.h"

#define UPTIME 3600000u          /* exporter uptime at export: 1 hour */
#define EXPORT_SEC 1795870712u   /* 2026-11-28T...Z */
#define EXPORT_NSEC 250000000u   /* .250 s */
#define FIRST (UPTIME - 5000)    /* flow began 5 s before export */
#define LAST (UPTIME - 1000)     /* and ended 1 s before */

static nf_record_t rec;

static void header(pkt_t *p, uint16_t version, uint16_t count)
{
	p->len = 0;
	pb_u16(p, version);
	pb_u16(p, count);
	pb_u32(p, UPTIME);
	pb_u32(p, EXPORT_SEC);
	pb_u32(p, EXPORT_NSEC);
	if (version == 5) {
		pb_u32(p, 0x01020304); /* flow_sequence */
		pb_u8(p, 1);           /* engine_type */
		pb_u8(p, 7);           /* engine_id */
		pb_u16(p, 0x4064);     /* sampling mode 1, interval 100 */
	} else if (version == 7) {
		pb_u32(p, 0x0a0b0c0d); /* flow_sequence */
		pb_u32(p, 0);          /* reserved */
	}
}

/* Fields all versions share, with record number i folded into the values. */
static void record_head(pkt_t *p, uint8_t i)
{
	pb_ipv4(p, 10, 0, 0, i);      /* srcaddr */
	pb_ipv4(p, 192, 0, 2, i);     /* dstaddr */
	pb_ipv4(p, 198, 51, 100, 1);  /* nexthop */
	pb_u16(p, 3);                 /* input */
	pb_u16(p, 4);                 /* output */
	pb_u32(p, 10u + i);           /* dPkts */
	pb_u32(p, 1000u + i);         /* dOctets */
	pb_u32(p, FIRST);
	pb_u32(p, LAST);
	pb_u16(p, 40000);             /* srcport */
	pb_u16(p, 443);               /* dstport */
}

static void v5_record(pkt_t *p, uint8_t i)
{
	record_head(p, i);
	pb_u8(p, 0);       /* pad1 */
	pb_u8(p, 0x1b);    /* tcp_flags */
	pb_u8(p, 6);       /* prot */
	pb_u8(p, 0x20);    /* tos */
	pb_u16(p, 64500);  /* src_as */
	pb_u16(p, 64501);  /* dst_as */
	pb_u8(p, 24);      /* src_mask */
	pb_u8(p, 16);      /* dst_mask */
	pb_u16(p, 0);      /* pad2 */
}

static void v1_record(pkt_t *p, uint8_t i)
{
	record_head(p, i);
	pb_u16(p, 0);      /* pad1 */
	pb_u8(p, 17);      /* prot */
	pb_u8(p, 0x10);    /* tos */
	pb_u8(p, 0x02);    /* flags */
	pb_zero(p, 3);     /* pad2, pad3 */
	pb_zero(p, 4);     /* reserved */
}

static void v7_record(pkt_t *p, uint8_t i)
{
	record_head(p, i);
	pb_u8(p, 0x01);    /* flags: flow validity */
	pb_u8(p, 0x12);    /* tcp_flags */
	pb_u8(p, 6);       /* prot */
	pb_u8(p, 0);       /* tos */
	pb_u16(p, 100);    /* src_as */
	pb_u16(p, 200);    /* dst_as */
	pb_u8(p, 8);       /* src_mask */
	pb_u8(p, 12);      /* dst_mask */
	pb_u16(p, 0x0102); /* flags: field validity */
	pb_ipv4(p, 203, 0, 113, 9); /* router_sc */
}

static uint64_t uint_of(uint16_t id)
{
	const nf_field_t *f = nf_record_find(&rec, NF_PEN_IANA, id);
	assert_non_null(f);
	return f->v.u;
}

static void assert_ipv4(uint16_t id, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const nf_field_t *f = nf_record_find(&rec, NF_PEN_IANA, id);
	const uint8_t want[4] = {a, b, c, d};
	assert_non_null(f);
	assert_int_equal(f->type, NF_T_IPV4);
	assert_memory_equal(f->v.b, want, 4);
}

static void assert_common(uint8_t i)
{
	const int64_t export_ms = (int64_t)EXPORT_SEC * 1000 + 250;
	assert_ipv4(NF_IE_SOURCE_IPV4_ADDRESS, 10, 0, 0, i);
	assert_ipv4(NF_IE_DESTINATION_IPV4_ADDRESS, 192, 0, 2, i);
	assert_ipv4(NF_IE_IP_NEXT_HOP_IPV4_ADDRESS, 198, 51, 100, 1);
	assert_int_equal(uint_of(NF_IE_INGRESS_INTERFACE), 3);
	assert_int_equal(uint_of(NF_IE_EGRESS_INTERFACE), 4);
	assert_int_equal(uint_of(NF_IE_PACKET_DELTA_COUNT), 10 + i);
	assert_int_equal(uint_of(NF_IE_OCTET_DELTA_COUNT), 1000 + i);
	assert_int_equal(uint_of(NF_IE_FLOW_START_SYS_UP_TIME), FIRST);
	assert_int_equal(uint_of(NF_IE_FLOW_END_SYS_UP_TIME), LAST);
	assert_int_equal(uint_of(NF_IE_SOURCE_TRANSPORT_PORT), 40000);
	assert_int_equal(uint_of(NF_IE_DESTINATION_TRANSPORT_PORT), 443);
	assert_int_equal(rec.start_ms, export_ms - 5000);
	assert_int_equal(rec.end_ms, export_ms - 1000);
	assert_int_equal(uint_of(NF_IE_FLOW_START_MILLISECONDS), export_ms - 5000);
	assert_int_equal(uint_of(NF_IE_FLOW_END_MILLISECONDS), export_ms - 1000);
	assert_int_equal(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS)->type,
			 NF_T_DT_MILLI);
}

/* Every field the dictionary names is named, and no field appears twice. */
static void assert_named_and_unique(void)
{
	for (uint16_t i = 0; i < rec.nfields; i++) {
		assert_non_null(rec.field[i].ie);
		assert_non_null(rec.field[i].ie->name);
		for (uint16_t j = i + 1; j < rec.nfields; j++)
			assert_false(rec.field[i].pen == rec.field[j].pen && rec.field[i].id == rec.field[j].id);
	}
}

static void v5_every_field(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 2);
	v5_record(&p, 1);
	v5_record(&p, 2);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(it.info.version, 5);
	assert_int_equal(it.info.count, 2);
	assert_int_equal(it.info.sys_uptime_ms, UPTIME);
	assert_int_equal(it.info.export_sec, EXPORT_SEC);
	assert_int_equal(it.info.export_nsec, EXPORT_NSEC);
	assert_true(it.info.has_sequence);
	assert_int_equal(it.info.sequence, 0x01020304);
	assert_int_equal(it.info.source_id, 0x0107);
	for (uint8_t i = 1; i <= 2; i++) {
		assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
		assert_common(i);
		assert_int_equal(uint_of(NF_IE_TCP_CONTROL_BITS), 0x1b);
		assert_int_equal(uint_of(NF_IE_PROTOCOL_IDENTIFIER), 6);
		assert_int_equal(uint_of(NF_IE_IP_CLASS_OF_SERVICE), 0x20);
		assert_int_equal(uint_of(NF_IE_BGP_SOURCE_AS_NUMBER), 64500);
		assert_int_equal(uint_of(NF_IE_BGP_DESTINATION_AS_NUMBER), 64501);
		assert_int_equal(uint_of(NF_IE_SOURCE_IPV4_PREFIX_LENGTH), 24);
		assert_int_equal(uint_of(NF_IE_DESTINATION_IPV4_PREFIX_LENGTH), 16);
		assert_int_equal(uint_of(NF_IE_ENGINE_TYPE), 1);
		assert_int_equal(uint_of(NF_IE_ENGINE_ID), 7);
		assert_int_equal(uint_of(NF_IE_SAMPLING_ALGORITHM), 1);
		assert_int_equal(uint_of(NF_IE_SAMPLING_INTERVAL), 100);
		assert_int_equal(rec.nfields, 24);
		assert_named_and_unique();
	}
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
}

static void v1_every_field(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 1, 30); /* softflowd sends 30 records in v1, more than the usual 24 */
	for (uint8_t i = 0; i < 30; i++)
		v1_record(&p, i);
	assert_int_equal(p.len, 16 + 30 * 48);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_false(it.info.has_sequence);
	assert_false(it.info.has_source_id);
	for (uint8_t i = 0; i < 30; i++) {
		assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
		assert_common(i);
		assert_int_equal(uint_of(NF_IE_PROTOCOL_IDENTIFIER), 17);
		assert_int_equal(uint_of(NF_IE_IP_CLASS_OF_SERVICE), 0x10);
		assert_int_equal(uint_of(NF_IE_TCP_CONTROL_BITS), 0x02);
		assert_null(nf_record_find(&rec, NF_PEN_IANA, NF_IE_BGP_SOURCE_AS_NUMBER));
		assert_int_equal(rec.nfields, 16);
		assert_named_and_unique();
	}
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
}

static void v7_every_field(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	const nf_field_t *f;
	(void)state;
	header(&p, 7, 1);
	v7_record(&p, 9);
	assert_int_equal(p.len, 24 + 52);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(it.info.sequence, 0x0a0b0c0d);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
	assert_common(9);
	assert_int_equal(uint_of(NF_IE_TCP_CONTROL_BITS), 0x12);
	assert_int_equal(uint_of(NF_IE_PROTOCOL_IDENTIFIER), 6);
	assert_int_equal(uint_of(NF_IE_IP_CLASS_OF_SERVICE), 0);
	assert_int_equal(uint_of(NF_IE_BGP_SOURCE_AS_NUMBER), 100);
	assert_int_equal(uint_of(NF_IE_BGP_DESTINATION_AS_NUMBER), 200);
	assert_int_equal(uint_of(NF_IE_SOURCE_IPV4_PREFIX_LENGTH), 8);
	assert_int_equal(uint_of(NF_IE_DESTINATION_IPV4_PREFIX_LENGTH), 12);
	assert_ipv4(NF_IE_IPV4_ROUTER_SC, 203, 0, 113, 9);
	f = nf_record_find(&rec, 0xffffffffu, 1);
	assert_non_null(f);
	assert_string_equal(f->ie->name, "netflow_v7_flow_flags");
	assert_int_equal(f->v.u, 0x01);
	f = nf_record_find(&rec, 0xffffffffu, 2);
	assert_non_null(f);
	assert_int_equal(f->v.u, 0x0102);
	assert_int_equal(rec.nfields, 23);
	assert_named_and_unique();
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
}

static void names_are_iana(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 1);
	v5_record(&p, 1);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
	assert_string_equal(nf_record_find(&rec, 0, 8)->ie->name, "source_ipv4_address");
	assert_string_equal(nf_record_find(&rec, 0, 11)->ie->name, "destination_transport_port");
	assert_string_equal(nf_record_find(&rec, 0, 1)->ie->name, "octet_delta_count");
	assert_string_equal(nf_record_find(&rec, 0, 22)->ie->name, "flow_start_sys_up_time");
	assert_string_equal(nf_record_find(&rec, 0, 153)->ie->name, "flow_end_milliseconds");
}

static void zero_records(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 0);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
}

static void truncated_header(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	for (uint16_t v = 1; v <= 7; v += (v == 1 ? 4 : 2)) {
		header(&p, v, 0);
		for (size_t len = 0; len < p.len; len++)
			assert_int_equal(nf_legacy_begin(&it, p.b, len), NF_ERR_SHORT);
		assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	}
}

/* The count asks for more records than the datagram holds: the datagram is
 * rejected whole, as the corpus's invalid v5 captures must be. */
static void count_larger_than_datagram(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 3);
	v5_record(&p, 1);
	v5_record(&p, 2);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_ERR_COUNT);
	pb_put16(&p, 2, 0xffff);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_ERR_COUNT);
	/* one byte short of the last record */
	pb_put16(&p, 2, 2);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len - 1), NF_ERR_COUNT);
}

/* A count that fits but is wrong: bytes after the counted records are
 * ignored as padding, and only the counted records come out. */
static void bad_count_smaller_than_records(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 1);
	v5_record(&p, 1);
	v5_record(&p, 2);
	pb_zero(&p, 7);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_END);
}

static void unsupported_versions(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	static const uint16_t bad[] = {0, 2, 3, 4, 6, 8, 9, 10, 0x0500};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		header(&p, 5, 0);
		pb_put16(&p, 0, bad[i]);
		assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_ERR_VERSION);
	}
	assert_int_equal(nf_legacy_begin(&it, p.b, 1), NF_ERR_SHORT);
	assert_int_equal(nf_legacy_begin(&it, p.b, 0), NF_ERR_SHORT);
}

/* Uptime stamps are taken modulo 2^32: a flow that started before the
 * exporter's uptime counter wrapped still gets a start before its end. */
static void uptime_wrap(void **state)
{
	static pkt_t p;
	nf_legacy_iter_t it;
	(void)state;
	header(&p, 5, 1);
	pb_put16(&p, 4, 0);
	pb_put16(&p, 6, 2000); /* uptime 2000 ms, just after the wrap */
	record_head(&p, 1);
	pb_put16(&p, 24 + 24, 0xffff); /* First = 0xfffffc18 = 1000 ms before the wrap */
	pb_put16(&p, 24 + 26, 0xfc18);
	pb_put16(&p, 24 + 28, 0);      /* Last = 1500 */
	pb_put16(&p, 24 + 30, 1500);
	pb_zero(&p, 12);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
	assert_int_equal(rec.end_ms - rec.start_ms, 2500);
	assert_int_equal((int64_t)EXPORT_SEC * 1000 + 250 - rec.end_ms, 500);
}

/* One v5 record with these uptime stamps, exported at export_sec, read
 * into rec; returns the times the iterator dropped. */
static uint32_t v5_stamps_at(uint32_t export_sec, uint32_t first, uint32_t last)
{
	static pkt_t p;
	nf_legacy_iter_t it;

	header(&p, 5, 1);
	pb_put16(&p, 8, (uint16_t)(export_sec >> 16));
	pb_put16(&p, 10, (uint16_t)export_sec);
	v5_record(&p, 1);
	pb_put16(&p, 24 + 24, (uint16_t)(first >> 16));
	pb_put16(&p, 24 + 26, (uint16_t)first);
	pb_put16(&p, 24 + 28, (uint16_t)(last >> 16));
	pb_put16(&p, 24 + 30, (uint16_t)last);
	assert_int_equal(nf_legacy_begin(&it, p.b, p.len), NF_OK);
	assert_int_equal(nf_legacy_next(&it, &rec), NF_OK);
	return it.times_implausible;
}

static uint32_t v5_stamps(uint32_t first, uint32_t last)
{
	return v5_stamps_at(EXPORT_SEC, first, last);
}

/* Derived times after the export (beyond NF_TIME_FUTURE_TOLERANCE_MS),
 * before 1970, or with the end before the start are left out and counted;
 * the stamps stay (README "Times"). */
static void implausible_times_left_out(void **state)
{
	int64_t export_ms = (int64_t)EXPORT_SEC * 1000 + 250;
	uint16_t n;
	(void)state;

	assert_int_equal(v5_stamps(FIRST, LAST), 0);
	n = rec.nfields;
	/* a start 7 days after the export (Fortigate's): the end, plausible,
	 * moves into its place and stays */
	assert_int_equal(v5_stamps(UPTIME + 7 * 86400000u, LAST), 1);
	assert_true(rec.start_ms == NF_TIME_NONE);
	assert_int_equal(rec.end_ms, export_ms - 1000);
	assert_int_equal(rec.nfields, n - 1);
	assert_null(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS));
	assert_int_equal(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS)->v.u, export_ms - 1000);
	assert_int_equal(rec.field[rec.nfields - 1].id, NF_IE_FLOW_END_MILLISECONDS);
	assert_int_equal(uint_of(NF_IE_FLOW_START_SYS_UP_TIME), UPTIME + 7 * 86400000u);
	/* both after the export */
	assert_int_equal(v5_stamps(UPTIME + 7 * 86400000u, UPTIME + 7 * 86400000u + 9000), 2);
	assert_true(rec.start_ms == NF_TIME_NONE && rec.end_ms == NF_TIME_NONE);
	assert_int_equal(rec.nfields, n - 2);
	assert_null(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS));
	/* an end 10 s after the export (nProbe's): the start stays */
	assert_int_equal(v5_stamps(FIRST, UPTIME + 10000), 1);
	assert_int_equal(rec.start_ms, export_ms - 5000);
	assert_true(rec.end_ms == NF_TIME_NONE);
	assert_int_equal(rec.nfields, n - 1);
	assert_int_equal(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS)->v.u, export_ms - 5000);
	assert_null(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS));
	/* within the tolerance: kept */
	assert_int_equal(v5_stamps(UPTIME + 1000, UPTIME + NF_TIME_FUTURE_TOLERANCE_MS), 0);
	assert_int_equal(rec.end_ms, export_ms + NF_TIME_FUTURE_TOLERANCE_MS);
	assert_int_equal(rec.nfields, n);
	assert_int_equal(v5_stamps(UPTIME + 1000, UPTIME + NF_TIME_FUTURE_TOLERANCE_MS + 1), 1);
	/* an end before the start: both derived, both go */
	assert_int_equal(v5_stamps(LAST, FIRST), 2);
	assert_int_equal(rec.nfields, n - 2);
	/* a start before 1970 (an export 1 s after the epoch): the end stays */
	assert_int_equal(v5_stamps_at(1, FIRST, LAST), 1);
	assert_true(rec.start_ms == NF_TIME_NONE);
	assert_int_equal(rec.end_ms, 250);
	assert_int_equal(rec.nfields, n - 1);
	assert_null(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS));
	assert_int_equal(nf_record_find(&rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS)->v.u, 250);
	assert_int_equal(rec.field[rec.nfields - 1].id, NF_IE_FLOW_END_MILLISECONDS);
}

static void ignore_record(void *ctx, const nf_emitted_t *e)
{
	(void)ctx;
	(void)e;
}

/* The decoder's result counts the times dropped, for times.implausible. */
static void implausible_times_counted(void **state)
{
	static pkt_t p;
	nf_decoder_t d = {.emit = ignore_record, .record = &rec};
	(void)state;
	header(&p, 5, 2);
	v5_record(&p, 1);
	v5_record(&p, 2);
	pb_put16(&p, 24 + 48 + 28, (uint16_t)((UPTIME + 60000) >> 16)); /* the second one ends a minute late */
	pb_put16(&p, 24 + 48 + 30, (uint16_t)(UPTIME + 60000));
	assert_int_equal(nf_legacy_decode(&d, p.b, p.len), NF_END);
	assert_int_equal(d.result.records, 2);
	assert_int_equal(d.result.times_implausible, 1);
}

static void record_lengths(void **state)
{
	(void)state;
	assert_int_equal(nf_legacy_record_len(1), 48);
	assert_int_equal(nf_legacy_record_len(5), 48);
	assert_int_equal(nf_legacy_record_len(7), 52);
	assert_int_equal(nf_legacy_record_len(9), 0);
}

static void error_messages(void **state)
{
	(void)state;
	for (int rc = NF_ERR__LAST + 1; rc < 0; rc++) {
		assert_non_null(nf_strerror(rc));
		assert_string_not_equal(nf_strerror(rc), "unknown error");
	}
	assert_string_equal(nf_strerror(-1000), "unknown error");
	assert_string_equal(nf_strerror(1000), "unknown error");
}

/* The layout tables decoding relies on, checked once here rather than per
 * datagram: each covers its record exactly and has the uptime stamps. */
static void layouts_are_sound(void **state)
{
	(void)state;
	assert_int_equal(nf_legacy_check_layouts(), NF_OK);
	assert_int_equal(nf_legacy_record_len(1), 48);
	assert_int_equal(nf_legacy_record_len(5), 48);
	assert_int_equal(nf_legacy_record_len(7), 52);
	assert_int_equal(nf_legacy_record_len(9), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layouts_are_sound),
		cmocka_unit_test(v5_every_field),
		cmocka_unit_test(v1_every_field),
		cmocka_unit_test(v7_every_field),
		cmocka_unit_test(names_are_iana),
		cmocka_unit_test(zero_records),
		cmocka_unit_test(truncated_header),
		cmocka_unit_test(count_larger_than_datagram),
		cmocka_unit_test(bad_count_smaller_than_records),
		cmocka_unit_test(unsupported_versions),
		cmocka_unit_test(uptime_wrap),
		cmocka_unit_test(implausible_times_left_out),
		cmocka_unit_test(implausible_times_counted),
		cmocka_unit_test(record_lengths),
		cmocka_unit_test(error_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
