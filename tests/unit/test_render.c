/* test_render.c - records as JSON and key=value lines; the record index.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nf_format.h"
#include "nf_render.h"
#include "nf_template.h"

static nf_record_t *new_record(void)
{
	nf_record_t *rec = malloc(sizeof(*rec));
	assert_non_null(rec);
	nf_record_clear(rec);
	return rec;
}

static void add(nf_record_t *rec, uint16_t id, uint8_t type, uint64_t v)
{
	assert_int_equal(nf_record_add_u(rec, nf_ie_lookup(NF_PEN_IANA, id), NF_PEN_IANA, id, type, 0, v), NF_OK);
}

static void add_bytes(nf_record_t *rec, uint32_t pen, uint16_t id, uint8_t type, const void *p, uint16_t len)
{
	nf_field_t f = {.ie = nf_ie_lookup(pen, id), .pen = pen, .id = id, .type = type, .len = len};
	if (type == NF_T_IPV4 || type == NF_T_IPV6 || type == NF_T_MAC)
		memcpy(f.v.b, p, len);
	else
		f.v.p = p;
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
}

static const char *render(const nf_record_t *rec, nf_render_style_t style, char *buf, size_t size)
{
	nf_line_t l = {.buf = buf, .size = size};
	nf_time_cache_t tc = {0};
	nf_render_fields(&l, style, rec, NULL, &tc);
	return buf;
}

static void json_and_kv_of_a_flow(void **state)
{
	nf_record_t *rec = new_record();
	char buf[512];
	(void)state;
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, "\xc0\x00\x02\x01", 4);
	add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U16, 443);
	add(rec, NF_IE_FLOW_END_MILLISECONDS, NF_T_DT_MILLI, 1795870712007ull);
	add(rec, NF_IE_OCTET_DELTA_COUNT, NF_T_U64, UINT64_MAX);
	/* a NUL inside stays, escaped; the trailing ones are padding */
	add_bytes(rec, NF_PEN_IANA, NF_IE_INTERFACE_NAME, NF_T_STRING, "ge-0/0/1 \"up\"\n\0pad\0\0", 20);
	add_bytes(rec, 99999, 7, NF_T_OCTETS, "\x01\xab", 2); /* unknown: raw */
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_OCTETS, "\x00\x50", 2); /* a repeat */
	rec->field[rec->nfields - 1].repeat = 1;
	assert_string_equal(render(rec, NF_RENDER_JSON, buf, sizeof(buf)),
			    "\"source_ipv4_address\":\"192.0.2.1\",\"source_transport_port\":443,"
			    "\"flow_end_milliseconds\":\"2026-11-28T12:58:32.007Z\","
			    "\"octet_delta_count\":18446744073709551615,"
			    "\"interface_name\":\"ge-0/0/1 \\\"up\\\"\\u000a\\u0000pad\",\"ie99999_7\":\"01ab\","
			    "\"source_transport_port_2\":\"0050\"");
	assert_string_equal(render(rec, NF_RENDER_KV, buf, sizeof(buf)),
			    "source_ipv4_address=192.0.2.1 source_transport_port=443 "
			    "flow_end_milliseconds=2026-11-28T12:58:32.007Z octet_delta_count=18446744073709551615 "
			    "interface_name=\"ge-0/0/1 \\\"up\\\"\\u000a\\u0000pad\" ie99999_7=01ab "
			    "source_transport_port_2=0050");
	free(rec);
}

static void values_of_every_kind(void **state)
{
	nf_record_t *rec = new_record();
	char buf[512];
	nf_field_t f = {.pen = NF_PEN_IANA, .id = 500, .type = NF_T_F64};
	(void)state;
	add(rec, NF_IE_TCP_CONTROL_BITS, NF_T_BOOL, 1);
	f.v.f = 0.5;
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
	f.v.f = 1.0 / 0.0; /* JSON has no infinity */
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
	f.type = NF_T_I32;
	f.v.i = INT64_MIN;
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV6_ADDRESS, NF_T_IPV6,
		  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	add_bytes(rec, NF_PEN_IANA, 56, NF_T_MAC, "\x00\x1b\x21\xab\xcd\xef", 6);
	add_bytes(rec, NF_PEN_IANA, NF_IE_APPLICATION_NAME, NF_T_STRING, "caf\xc3\xa9\xff", 6);
	assert_string_equal(render(rec, NF_RENDER_JSON, buf, sizeof(buf)),
			    "\"tcp_control_bits\":true,\"ie0_500\":0.5,\"ie0_500\":null,"
			    "\"ie0_500\":-9223372036854775808,\"source_ipv6_address\":\"2001:db8::1\","
			    "\"source_mac_address\":\"00:1b:21:ab:cd:ef\",\"application_name\":\"caf\xc3\xa9\xef\xbf\xbd\"");
	free(rec);
}

/* The property tree takes each value as nf_value_kind says (a number from
 * the field, text from nf_render_text): the JSON line must say the same. */
static void tree_values_agree_with_the_line(void **state)
{
	nf_record_t *rec = new_record();
	nf_field_t f = {.pen = NF_PEN_IANA, .id = 500, .type = NF_T_F64};
	nf_time_cache_t tc = {0};
	char text[64], json[64];
	(void)state;
	add(rec, NF_IE_OCTET_DELTA_COUNT, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_TCP_CONTROL_BITS, NF_T_BOOL, 0);
	add(rec, NF_IE_FLOW_END_MILLISECONDS, NF_T_DT_MILLI, 1795870712007ull);
	f.v.f = 0.0 / 0.0;
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, "\xc0\x00\x02\x01", 4);
	add_bytes(rec, NF_PEN_IANA, 56, NF_T_MAC, "\x00\x1b\x21\xab\xcd\xef", 6);
	add_bytes(rec, NF_PEN_IANA, NF_IE_APPLICATION_NAME, NF_T_STRING, "eth\xff", 4);
	add_bytes(rec, 99999, 7, NF_T_OCTETS, "\x01\xab", 2);
	for (unsigned i = 0; i < rec->nfields; i++) {
		const nf_field_t *g = &rec->field[i];
		nf_line_t l = {.buf = json, .size = sizeof(json)};
		nf_value_kind_t kind = nf_value_kind(g);

		nf_render_json_value(&l, g, NULL, 0, &tc);
		if (kind != NF_VALUE_TEXT) {
			assert_true(json[0] != '"');
			continue;
		}
		assert_true(nf_render_text_size(g) <= sizeof(text));
		nf_render_text(g, text, nf_render_text_size(g), &tc);
		assert_int_equal(l.used, strlen(text) + 2); /* no value here needs a JSON escape */
		assert_memory_equal(json + 1, text, strlen(text));
	}
	assert_int_equal(nf_value_kind(&rec->field[0]), NF_VALUE_UNSIGNED);
	assert_int_equal(nf_value_kind(&rec->field[1]), NF_VALUE_BOOL);
	assert_int_equal(nf_value_kind(&rec->field[3]), NF_VALUE_NULL);
	free(rec);
}

static void lines_are_cut_not_overflowed(void **state)
{
	nf_record_t *rec = new_record();
	char buf[40];
	nf_line_t l = {.buf = buf, .size = sizeof(buf)};
	(void)state;
	for (int i = 0; i < 10; i++)
		add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U16, 65535);
	nf_render_fields(&l, NF_RENDER_JSON, rec, NULL, NULL);
	assert_true(l.overflow);
	assert_int_equal(l.used, sizeof(buf) - 1);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	free(rec);
}

static void add_pen(nf_record_t *rec, uint32_t pen, uint16_t id, uint64_t v)
{
	assert_int_equal(nf_record_add_u(rec, nf_ie_lookup(pen, id), pen, id, NF_T_U64, 0, v), NF_OK);
}

/* Both directions: the first present of delta, total, initiator/responder;
 * and the firewall action. */
static void volume_of_both_directions(void **state)
{
	nf_record_t *rec = new_record();
	nf_flow_facts_t facts;
	(void)state;
	nf_flow_facts(rec, &facts);
	assert_true(facts.octets == 0 && facts.packets == 0 && facts.action == NULL && !facts.denied);
	/* NSEL (Cisco ASA): initiator and responder only */
	add_pen(rec, NF_PEN_IANA, NF_IE_INITIATOR_OCTETS, 1000);
	add_pen(rec, NF_PEN_IANA, NF_IE_RESPONDER_OCTETS, 5000);
	add_pen(rec, NF_PEN_IANA, NF_IE_INITIATOR_PACKETS, 10);
	add_pen(rec, NF_PEN_IANA, NF_IE_RESPONDER_PACKETS, 7);
	nf_flow_facts(rec, &facts);
	assert_true(facts.octets == 6000 && facts.packets == 17);
	/* a delta present wins, zero or not; reverse (RFC 5103) total before responder */
	add_pen(rec, NF_PEN_IANA, NF_IE_OCTET_DELTA_COUNT, 0);
	add_pen(rec, NF_PEN_REVERSE, NF_IE_OCTET_TOTAL_COUNT, 300);
	add_pen(rec, NF_PEN_IANA, NF_IE_PACKET_TOTAL_COUNT, 4);
	nf_flow_facts(rec, &facts);
	assert_true(facts.octets == 300 && facts.packets == 11);
	/* firewallEvent 3: a deny */
	assert_int_equal(nf_record_add_u(rec, nf_ie_lookup(NF_PEN_IANA, NF_IE_FIREWALL_EVENT), NF_PEN_IANA,
					 NF_IE_FIREWALL_EVENT, NF_T_U8, 1, 3), NF_OK);
	nf_flow_facts(rec, &facts);
	assert_true(facts.denied);
	assert_string_equal(facts.action, "denied");
	free(rec);
}

/* The rate a record states: interval, packet interval and space, probability. */
static void sampling_rates(void **state)
{
	nf_record_t *rec = new_record();
	nf_field_t f = {.pen = NF_PEN_IANA, .id = NF_IE_SAMPLING_PROBABILITY, .type = NF_T_F64, .len = 8};
	(void)state;
	assert_int_equal(nf_record_sampling_interval(rec), 0);
	f.ie = nf_ie_lookup(NF_PEN_IANA, NF_IE_SAMPLING_PROBABILITY);
	f.v.f = 0.001;
	assert_int_equal(nf_record_add(rec, &f), NF_OK);
	assert_int_equal(nf_record_sampling_interval(rec), 1000);
	/* 1 of every 1 + 99: the packet interval alone says nothing */
	add_pen(rec, NF_PEN_IANA, NF_IE_SAMPLING_PACKET_INTERVAL, 1);
	assert_int_equal(nf_record_sampling_interval(rec), 1000);
	add_pen(rec, NF_PEN_IANA, NF_IE_SAMPLING_PACKET_SPACE, 99);
	assert_int_equal(nf_record_sampling_interval(rec), 100);
	add_pen(rec, NF_PEN_IANA, NF_IE_SAMPLING_INTERVAL, 512);
	assert_int_equal(nf_record_sampling_interval(rec), 512);
	free(rec);
}

static void times_share_the_cached_date(void **state)
{
	char buf[128];
	nf_line_t l = {.buf = buf, .size = sizeof(buf)};
	nf_time_cache_t tc = {0};
	(void)state;
	nf_render_time_ms(&l, 1795870712007ll, &tc);
	nf_line_put(&l, " ", 1);
	nf_render_time_ms(&l, 1795870712999ll, &tc); /* same second: from the cache */
	nf_line_put(&l, " ", 1);
	nf_render_time_ms(&l, -1, &tc);
	assert_string_equal(buf, "2026-11-28T12:58:32.007Z 2026-11-28T12:58:32.999Z 1969-12-31T23:59:59.999Z");
}

/* nf_record_find answers from the index exactly as a scan would. */
static void index_agrees_with_scan(void **state)
{
	nf_record_t *rec = new_record();
	(void)state;
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 6);
	add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U16, 1);
	add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U16, 2); /* the first one is found */
	add(rec, 300, NF_T_U32, 7);                         /* not indexed: scanned */
	for (uint16_t id = 0; id < NF_KNOWN_IDS; id++)
		assert_ptr_equal(nf_record_find(rec, NF_PEN_IANA, id), nf_record_find_scan(rec, NF_PEN_IANA, id));
	assert_int_equal(nf_record_find(rec, NF_PEN_IANA, NF_IE_SOURCE_TRANSPORT_PORT)->v.u, 1);
	nf_record_clear(rec);
	assert_null(nf_record_find(rec, NF_PEN_IANA, NF_IE_PROTOCOL_IDENTIFIER));
	free(rec);
}

/* Hostile times saturate instead of overflowing (found by libFuzzer); an
 * absolute stamp past year 9999 gives no time, and a derived one that
 * saturates is after the export: none is made up. */
static void times_saturate(void **state)
{
	nf_record_t *rec = new_record();
	nf_datagram_info_t info = {.version = 10, .export_sec = 1795870712};
	(void)state;
	add(rec, NF_IE_FLOW_START_MILLISECONDS, NF_T_DT_MILLI, 6283178224861266249ull);
	add(rec, NF_IE_FLOW_DURATION_MILLISECONDS, NF_T_U64, 5643904516616962384ull);
	assert_int_equal(nf_record_normalize_times(rec, &info, -1), 0);
	assert_true(rec->start_ms == NF_TIME_NONE && rec->end_ms == NF_TIME_NONE);
	assert_int_equal(rec->nfields, 2);
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_SECONDS, NF_T_DT_SEC, UINT64_MAX);
	assert_int_equal(nf_record_normalize_times(rec, &info, -1), 0);
	assert_true(rec->start_ms == NF_TIME_NONE);
	assert_int_equal(rec->nfields, 1);
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_MILLISECONDS, NF_T_DT_MILLI, 1795870700000ull);
	add(rec, NF_IE_FLOW_DURATION_MILLISECONDS, NF_T_U64, UINT64_MAX);
	assert_int_equal(nf_record_normalize_times(rec, &info, -1), 1);
	assert_int_equal(rec->start_ms, 1795870700000ll);
	assert_true(rec->end_ms == NF_TIME_NONE);
	assert_int_equal(rec->nfields, 2);
	free(rec);
}

/* The record's flow times, normalized: returns the times dropped. */
static unsigned times_of(nf_record_t *rec, const nf_datagram_info_t *info, int64_t init_ms, int64_t start,
			 int64_t end)
{
	unsigned dropped = nf_record_normalize_times(rec, info, init_ms);
	const nf_field_t *s = nf_record_find(rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS);
	const nf_field_t *e = nf_record_find(rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS);

	assert_true(rec->start_ms == start);
	assert_true(rec->end_ms == end);
	/* a time is a field exactly when it is known */
	assert_int_equal(s != NULL, start != NF_TIME_NONE);
	assert_int_equal(e != NULL, end != NF_TIME_NONE);
	return dropped;
}

/* README "Times": a start or end only where the record and the exporter
 * fix it, derived ones dropped when after the export or reversed. */
static void times_only_where_determined(void **state)
{
	nf_record_t *rec = new_record();
	const int64_t export_ms = 1795870712000ll, boot_ms = 1795870000000ll;
	nf_datagram_info_t ipfix = {.version = 10, .export_sec = 1795870712};
	nf_datagram_info_t v9 = {.version = 9, .sys_uptime_ms = 20412178, .export_sec = 1795870712};
	(void)state;

	/* IPFIX uptime stamps without the boot time (MikroTik's): none */
	add(rec, NF_IE_FLOW_START_SYS_UP_TIME, NF_T_U32, 1000);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 5300);
	assert_int_equal(times_of(rec, &ipfix, -1, NF_TIME_NONE, NF_TIME_NONE), 0);
	assert_int_equal(rec->nfields, 2);
	/* and a duration (Barracuda's): still none, no end to count from */
	add(rec, NF_IE_FLOW_DURATION_MILLISECONDS, NF_T_U32, 4300);
	assert_int_equal(times_of(rec, &ipfix, -1, NF_TIME_NONE, NF_TIME_NONE), 0);
	assert_int_equal(rec->nfields, 3);
	/* with the boot time: both */
	assert_int_equal(times_of(rec, &ipfix, boot_ms, boot_ms + 1000, boot_ms + 5300), 0);
	assert_int_equal(rec->nfields, 5);

	/* a start only (Nokia's, 148 ms into the export second): no end */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_MILLISECONDS, NF_T_DT_MILLI, (uint64_t)export_ms + 148);
	assert_int_equal(times_of(rec, &ipfix, -1, export_ms + 148, NF_TIME_NONE), 0);
	assert_int_equal(rec->nfields, 1);
	/* with a duration: the end */
	add(rec, NF_IE_FLOW_DURATION_MICROSECONDS, NF_T_U32, 20000);
	assert_int_equal(times_of(rec, &ipfix, -1, export_ms + 148, export_ms + 168), 0);
	/* an end and a duration: the start */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_END_SECONDS, NF_T_DT_SEC, 1795870712);
	add(rec, NF_IE_FLOW_DURATION_MILLISECONDS, NF_T_U32, 4300);
	assert_int_equal(times_of(rec, &ipfix, -1, export_ms - 4300, export_ms), 0);

	/* no time (an options record): none */
	nf_record_clear(rec);
	add(rec, NF_IE_SAMPLING_INTERVAL, NF_T_U32, 100);
	assert_int_equal(times_of(rec, &v9, -1, NF_TIME_NONE, NF_TIME_NONE), 0);
	assert_int_equal(rec->nfields, 1);

	/* v9 stamps beyond the header's uptime (Fortigate's, 7 days): dropped */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_SYS_UP_TIME, NF_T_U32, 621761700);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 621770700);
	assert_int_equal(times_of(rec, &v9, -1, NF_TIME_NONE, NF_TIME_NONE), 2);
	assert_int_equal(rec->nfields, 2);
	/* an end within the tolerance stays, one past it goes */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_SYS_UP_TIME, NF_T_U32, 20412178 - 1000);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 20412178 + NF_TIME_FUTURE_TOLERANCE_MS);
	assert_int_equal(times_of(rec, &v9, -1, export_ms - 1000, export_ms + NF_TIME_FUTURE_TOLERANCE_MS), 0);
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_SYS_UP_TIME, NF_T_U32, 20412178 - 1000);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 20412178 + NF_TIME_FUTURE_TOLERANCE_MS + 1);
	assert_int_equal(times_of(rec, &v9, -1, export_ms - 1000, NF_TIME_NONE), 1);
	/* derived, the end before the start: both go */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_SYS_UP_TIME, NF_T_U32, 20412178 - 100);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 20412178 - 200);
	assert_int_equal(times_of(rec, &v9, -1, NF_TIME_NONE, NF_TIME_NONE), 2);
	/* an absolute start and a derived end before it: the end goes */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_MILLISECONDS, NF_T_DT_MILLI, (uint64_t)export_ms);
	add(rec, NF_IE_FLOW_END_SYS_UP_TIME, NF_T_U32, 20412178 - 5000);
	assert_int_equal(times_of(rec, &v9, -1, export_ms, NF_TIME_NONE), 1);
	/* both absolute: what the exporter said, reversed or not */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_MILLISECONDS, NF_T_DT_MILLI, (uint64_t)export_ms + 99000);
	add(rec, NF_IE_FLOW_END_MILLISECONDS, NF_T_DT_MILLI, (uint64_t)export_ms);
	assert_int_equal(times_of(rec, &v9, -1, export_ms + 99000, export_ms), 0);
	/* delta microseconds before the export */
	nf_record_clear(rec);
	add(rec, NF_IE_FLOW_START_DELTA_MICROSECONDS, NF_T_U32, 3000000);
	add(rec, NF_IE_FLOW_END_DELTA_MICROSECONDS, NF_T_U32, 1000000);
	assert_int_equal(times_of(rec, &ipfix, -1, export_ms - 3000, export_ms - 1000), 0);
	free(rec);
}

/* dateTimeMicro/Nanoseconds before 1970 (NetScaler sends NTP stamps of
 * 1900) keep their value: not clamped to the epoch, nor made the same as
 * zero; and they give no flow time. */
static void ntp_before_1970_keeps_its_value(void **state)
{
	static const nf_field_spec_t spec[] = {{0, 154, 8}, {0, 156, 8}}; /* flowStartMicro/Nanoseconds */
	static const uint8_t bytes[] = {0, 0, 0x0f, 0x9c, 0x1d, 0x82, 0xfd, 0x76, /* 3996.11528 s */
					0, 0, 0, 0, 0, 0, 0, 0};                 /* zero */
	nf_datagram_info_t info = {.version = 10, .export_sec = 1795870712};
	nf_record_t *rec = new_record();
	nf_template_t *t;
	nf_cursor_t c;
	char buf[512];
	(void)state;

	assert_int_equal(nf_template_compile(NF_FLAVOR_IPFIX, NULL, 256, spec, 2, 0, 0, &t), NF_OK);
	nf_cursor_init(&c, bytes, sizeof(bytes));
	assert_int_equal(nf_template_decode(t, &c, rec), NF_OK);
	assert_true(rec->field[0].v.i == -INT64_C(2208988800000000) + 3996115280);
	assert_true(rec->field[1].v.i == -INT64_C(2208988800000000000));
	assert_int_equal(nf_record_normalize_times(rec, &info, -1), 0);
	assert_true(rec->start_ms == NF_TIME_NONE);
	assert_string_equal(render(rec, NF_RENDER_JSON, buf, sizeof(buf)),
			    "\"flow_start_microseconds\":\"1900-01-01T01:06:36.115280Z\","
			    "\"flow_start_nanoseconds\":\"1900-01-01T00:00:00.000000000Z\"");
	nf_template_free(t);
	free(rec);
}

/* A template's time plan gives what nf_record_normalize_times gives, for
 * templates with every kind of time, with and without the exporter's boot
 * time; and the common templates do get a plan. */
static void planned_times_match_normalized(void **state)
{
	static const struct {
		uint16_t version;
		int planned; /* a plan is expected */
		uint16_t n;
		nf_field_spec_t f[4];
	} cases[] = {
		{9, 1, 2, {{0, 22, 4}, {0, 21, 4}}},            /* sysUpTime start and end (v9) */
		{10, 1, 2, {{0, 152, 8}, {0, 153, 8}}},         /* absolute ms */
		{10, 1, 3, {{0, 150, 4}, {0, 153, 8}, {0, 154, 8}}}, /* seconds, ms, micro (NTP) */
		{10, 1, 2, {{0, 156, 8}, {0, 157, 8}}},         /* nano (NTP) */
		{10, 1, 2, {{0, 158, 4}, {0, 159, 4}}},         /* delta microseconds */
		{10, 1, 2, {{0, 152, 4}, {0, 323, 8}}},         /* reduced-size start, observation time */
		{10, 0, 2, {{0, 22, 4}, {0, 21, 4}}},           /* IPFIX sysUpTime: needs the boot time */
		{10, 0, 2, {{0, 152, 8}, {0, 161, 4}}},         /* start and duration */
		{10, 0, 1, {{0, 153, 8}}},                      /* end only */
		{10, 0, 1, {{0, 7, 2}}},                        /* no time */
		{9, 1, 3, {{0, 21, 4}, {0, 22, 4}, {0, 8, 4}}}, /* end before start */
	};
	/* the exporter's boot time unknown, and known */
	static const int64_t boot_times[] = {-1, 1795860000000ll};
	nf_record_t *planned = new_record(), *normalized = new_record();
	uint8_t bytes[64];
	(void)state;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 37 + 11);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		nf_template_t *t;
		nf_datagram_info_t info = {.version = cases[k].version, .sys_uptime_ms = 3600000,
					   .export_sec = 1795870712};
		assert_int_equal(nf_template_compile((nf_template_flavor_t)cases[k].version, NULL, 256, cases[k].f,
						     cases[k].n, 0, 0, &t),
				 NF_OK);
		assert_int_equal(t->times.start_slot != NF_KNOWN_SLOTS && t->times.end_slot != NF_KNOWN_SLOTS,
				 cases[k].planned);
		for (size_t j = 0; j < sizeof(boot_times) / sizeof(boot_times[0]); j++) {
			int64_t init_ms = boot_times[j];
			nf_cursor_t a, b;
			nf_cursor_init(&a, bytes, t->min_len);
			nf_cursor_init(&b, bytes, t->min_len);
			nf_record_clear(planned);
			nf_record_clear(normalized);
			assert_int_equal(nf_template_decode(t, &a, planned), NF_OK);
			assert_int_equal(nf_template_decode(t, &b, normalized), NF_OK);
			assert_int_equal(nf_record_times(planned, &t->times, t->known_mask, &info, init_ms),
					 nf_record_normalize_times(normalized, &info, init_ms));
			assert_true(planned->start_ms == normalized->start_ms);
			assert_true(planned->end_ms == normalized->end_ms);
			assert_int_equal(planned->nfields, normalized->nfields);
			assert_true(planned->known_mask == normalized->known_mask);
			assert_memory_equal(planned->field, normalized->field, planned->nfields * sizeof(nf_field_t));
		}
		nf_template_free(t);
	}
	free(planned);
	free(normalized);
}

/* The ECS objects of rec as JSON members, with opts (NULL: defaults). */
static const char *ecs_text(const nf_record_t *rec, const nf_ecs_options_t *opts, char *buf, size_t size)
{
	nf_line_t l = {.buf = buf, .size = size};
	nf_ecs_t e;

	nf_line_reset(&l);
	nf_ecs_extract_with(rec, opts, &e);
	nf_render_ecs(&l, &e, "192.0.2.1", NULL);
	assert_false(l.overflow);
	return buf;
}

/* An NSEL-style biflow: initiator/responder counts, translations in
 * NSEL's and IANA's elements, a denial, the responder as initiator. */
static void ecs_of_a_firewall_biflow(void **state)
{
	static const uint8_t src[4] = {192, 168, 0, 2}, dst[4] = {192, 168, 0, 17}, xsrc[4] = {198, 51, 100, 4},
			     xdst[4] = {192, 168, 0, 17}, mac[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0x0c};
	nf_record_t *rec = new_record();
	char buf[2048];
	(void)state;

	rec->start_ms = rec->end_ms = -1;
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, src, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, dst, 4);
	add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U16, 61775);
	add(rec, NF_IE_DESTINATION_TRANSPORT_PORT, NF_T_U16, 80);
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 6);
	add(rec, NF_IE_INITIATOR_OCTETS, NF_T_U64, 81);
	add(rec, NF_IE_RESPONDER_OCTETS, NF_T_U64, 763);
	add(rec, NF_IE_PACKET_TOTAL_COUNT, NF_T_U64, 2);
	add_bytes(rec, NF_PEN_IANA, 40001, NF_T_IPV4, xsrc, 4);      /* NSEL xlate_src_addr_ipv4 */
	add(rec, 40003, NF_T_U16, 40112);                            /* NSEL xlate_src_port */
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, xdst, 4);
	add(rec, 40005, NF_T_U8, 3);                                 /* NSEL fw_event: denied */
	add(rec, NF_IE_BIFLOW_DIRECTION, NF_T_U8, 2);                /* reverseInitiator */
	add(rec, NF_IE_FLOW_DIRECTION, NF_T_U8, 1);
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_MAC_ADDRESS, NF_T_MAC, mac, 6);
	add(rec, NF_IE_INGRESS_INTERFACE, NF_T_U32, 3);
	assert_string_equal(
		ecs_text(rec, NULL, buf, sizeof(buf)),
		"\"source\":{\"ip\":\"192.168.0.2\",\"port\":61775,\"mac\":\"00-1B-21-AA-BB-0C\",\"bytes\":81,"
		"\"packets\":2,\"nat\":{\"ip\":\"198.51.100.4\",\"port\":40112}},"
		"\"destination\":{\"ip\":\"192.168.0.17\",\"port\":80,\"bytes\":763,\"nat\":{\"ip\":\"192.168.0.17\"}},"
		"\"client\":{\"ip\":\"192.168.0.17\",\"port\":80,\"bytes\":763,\"nat\":{\"ip\":\"192.168.0.17\"}},"
		"\"server\":{\"ip\":\"192.168.0.2\",\"port\":61775,\"mac\":\"00-1B-21-AA-BB-0C\",\"bytes\":81,"
		"\"packets\":2,\"nat\":{\"ip\":\"198.51.100.4\",\"port\":40112}},"
		"\"network\":{\"type\":\"ipv4\",\"iana_number\":\"6\",\"transport\":\"tcp\",\"direction\":\"outbound\","
		"\"community_id\":\"1:XaNCBbXLPvRPq4YmlYj+3C8LbyE=\",\"bytes\":844,\"packets\":2},"
		"\"event\":{\"kind\":\"event\",\"category\":[\"network\",\"session\"],\"type\":[\"connection\"],"
		"\"action\":\"denied\"},"
		"\"related\":{\"ip\":[\"192.168.0.2\",\"192.168.0.17\",\"198.51.100.4\"]},"
		"\"observer\":{\"ip\":\"192.0.2.1\",\"ingress\":{\"interface\":{\"id\":\"3\"}}}");
	free(rec);
}

/* ICMP's type and code: the combined element, or NetFlow v5's convention
 * of both in the destination port; the seed; community_id off. The
 * identifiers are the specification's baseline for these flows. */
static void ecs_icmp_and_seed(void **state)
{
	static const uint8_t a[4] = {192, 168, 0, 89}, b[4] = {192, 168, 0, 1}, c[4] = {10, 0, 0, 1},
			     d[4] = {10, 0, 0, 2};
	nf_record_t *rec = new_record();
	nf_ecs_options_t opts;
	nf_ecs_t e;
	(void)state;

	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, a, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, b, 4);
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 1);
	add(rec, NF_IE_DESTINATION_TRANSPORT_PORT, NF_T_U16, 8 << 8); /* echo request, code 0 */
	nf_ecs_extract(rec, &e);
	assert_string_equal(e.community_id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	nf_ecs_options_default(&opts);
	opts.community_id_seed = 1;
	nf_ecs_extract_with(rec, &opts, &e);
	assert_string_equal(e.community_id, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=");
	opts.community_id = false;
	nf_ecs_extract_with(rec, &opts, &e);
	assert_string_equal(e.community_id, "");

	nf_record_clear(rec);
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, c, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, d, 4);
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 1);
	add(rec, NF_IE_DESTINATION_TRANSPORT_PORT, NF_T_U16, 8 << 8);
	add(rec, NF_IE_ICMP_TYPE_CODE_IPV4, NF_T_U16, 11 << 8); /* the element wins: time exceeded */
	nf_ecs_extract(rec, &e);
	assert_string_equal(e.community_id, "1:YHxtAirCG//0OzkcVAukqKQN9xM=");
	free(rec);
}

/* FortiOS translates one side and sends 0.0.0.0 and port 0 for the other:
 * that side has no translation, and related.ip no 0.0.0.0. */
static void ecs_unspecified_nat_is_none(void **state)
{
	static const uint8_t src[4] = {192, 168, 100, 151}, dst[4] = {182, 50, 136, 239}, xsrc[4] = {10, 0, 0, 250},
			     zero[4] = {0};
	nf_record_t *rec = new_record();
	nf_ecs_t e;
	(void)state;

	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, src, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, dst, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_SOURCE_IPV4_ADDRESS, NF_T_IPV4, xsrc, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, zero, 4);
	add(rec, NF_IE_POST_NAPT_SOURCE_TRANSPORT_PORT, NF_T_U16, 45380);
	add(rec, NF_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT, NF_T_U16, 0);
	nf_ecs_extract(rec, &e);
	assert_non_null(e.source.nat_ip);
	assert_int_equal(e.source.nat_port->v.u, 45380);
	assert_null(e.destination.nat_ip);
	assert_null(e.destination.nat_port);
	assert_int_equal(e.nrelated, 3);
	free(rec);
}

/* An enriched flow with times, interfaces and IPv6 NAT: the ECS writer
 * writes the expected objects, and what the ECS walk through the generic
 * document writer writes in every line size, cut lines included. */
static void ecs_writer_agrees_with_the_walk(void **state)
{
	static const uint8_t src[4] = {10, 1, 2, 3}, dst[4] = {81, 2, 69, 160},
			     nat6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const char *const none[] = {NULL};
	static const nf_network_t office = {.site = "HQ \"A\"", .tags = none};
	nf_geo_t geo = {.country_iso_code = "GB", .continent_code = "EU", .has_location = true, .lat = 51.75,
			.lon = -1.25, .has_as = true, .as_number = 64496};
	nf_endpoint_info_t in = {.locality = NF_LOCALITY_INTERNAL, .network = &office}, out = {
		.locality = NF_LOCALITY_EXTERNAL, .geo = &geo};
	nf_record_t *rec = new_record();
	static char fast[1 << 15], walked[1 << 15]; /* room for the in-place writer: with geo, ~22,000 bytes */
	nf_line_t l = {.buf = fast, .size = sizeof(fast)};
	nf_ecs_t e;
	(void)state;

	snprintf(geo.city_name, sizeof(geo.city_name), "Oxford\n");
	snprintf(geo.as_organization, sizeof(geo.as_organization), "Example \\ Net");
	rec->start_ms = 1795870000123;
	rec->end_ms = 1795870001500;
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV4_ADDRESS, NF_T_IPV4, src, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV4_ADDRESS, NF_T_IPV4, dst, 4);
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_SOURCE_IPV6_ADDRESS, NF_T_IPV6, nat6, 16);
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 17);
	add(rec, NF_IE_OCTET_DELTA_COUNT, NF_T_U64, 1500);
	add(rec, NF_IE_EGRESS_INTERFACE, NF_T_U32, 7);
	nf_ecs_extract(rec, &e);
	nf_ecs_set_enrichment(&e, &in, &out);
	nf_line_reset(&l);
	nf_render_ecs(&l, &e, NULL, NULL);
	assert_string_equal(
		fast,
		"\"source\":{\"ip\":\"10.1.2.3\",\"bytes\":1500,\"nat\":{\"ip\":\"2001:db8::1\"},"
		"\"locality\":\"internal\",\"geo\":{\"name\":\"HQ \\\"A\\\"\"}},"
		"\"destination\":{\"ip\":\"81.2.69.160\",\"locality\":\"external\",\"geo\":{\"country_iso_code\":\"GB\","
		"\"continent_code\":\"EU\",\"city_name\":\"Oxford\\u000a\",\"location\":{\"lat\":51.75,\"lon\":-1.25}},"
		"\"as\":{\"number\":64496,\"organization\":{\"name\":\"Example \\\\ Net\"}}},"
		"\"network\":{\"type\":\"ipv4\",\"iana_number\":\"17\",\"transport\":\"udp\",\"direction\":\"outbound\","
		"\"community_id\":\"1:uRtxWIontw6cy37WDcdSW7nx7JA=\",\"bytes\":1500},"
		"\"event\":{\"kind\":\"event\",\"category\":[\"network\"],\"type\":[\"connection\"],"
		"\"action\":\"netflow_flow\",\"start\":\"2026-11-28T12:46:40.123Z\",\"end\":\"2026-11-28T12:46:41.500Z\","
		"\"duration\":1377000000},"
		"\"flow\":{\"locality\":\"external\"},"
		"\"related\":{\"ip\":[\"10.1.2.3\",\"81.2.69.160\",\"2001:db8::1\"]},"
		"\"observer\":{\"egress\":{\"interface\":{\"id\":\"7\"}}}");
	for (size_t size = 1; size <= sizeof(fast); size++) {
		nf_line_t f = {.buf = fast, .size = size}, w = {.buf = walked, .size = size};

		nf_line_reset(&f);
		nf_line_reset(&w);
		nf_render_ecs(&f, &e, "192.0.2.1", NULL);
		nf_render_ecs_walk(&w, &e, "192.0.2.1", NULL);
		assert_int_equal(f.used, w.used);
		assert_int_equal(f.overflow, w.overflow);
		assert_memory_equal(fast, walked, f.used + 1);
	}
	free(rec);
}

/* The longest ECS objects but for texts (a biflow, IPv6 everywhere, every
 * counter and number at its widest, geo with a location and AS but empty
 * names) fit NF_ECS_JSON_FIXED_MAX, the room nf_render_ecs counts on. */
static void ecs_longest_fits_the_bound(void **state)
{
	static const uint8_t a[16] = {0xfe, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
			     b[16] = {0xfd, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44,
				      0x33, 0x22},
			     c[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34,
				      0x56, 0x78},
			     d[16] = {0x20, 0x01, 0x0d, 0xb9, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34,
				      0x56, 0x79},
			     mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	nf_geo_t geo = {.has_location = true, .lat = -0.12345678901234567, .lon = -179.12345678901234,
			.has_as = true, .as_number = 4294967295u};
	nf_endpoint_info_t in = {.locality = NF_LOCALITY_EXTERNAL, .geo = &geo};
	nf_record_t *rec = new_record();
	static char buf[1 << 16];
	nf_line_t l = {.buf = buf, .size = sizeof(buf)};
	nf_ecs_t e;
	(void)state;

	rec->start_ms = INT64_MAX / 4;
	rec->end_ms = INT64_MAX / 2;
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_IPV6_ADDRESS, NF_T_IPV6, a, 16);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_IPV6_ADDRESS, NF_T_IPV6, b, 16);
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_SOURCE_IPV6_ADDRESS, NF_T_IPV6, c, 16);
	add_bytes(rec, NF_PEN_IANA, NF_IE_POST_NAT_DESTINATION_IPV6_ADDRESS, NF_T_IPV6, d, 16);
	add_bytes(rec, NF_PEN_IANA, NF_IE_SOURCE_MAC_ADDRESS, NF_T_MAC, mac, 6);
	add_bytes(rec, NF_PEN_IANA, NF_IE_DESTINATION_MAC_ADDRESS, NF_T_MAC, mac, 6);
	add(rec, NF_IE_SOURCE_TRANSPORT_PORT, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_DESTINATION_TRANSPORT_PORT, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_POST_NAPT_SOURCE_TRANSPORT_PORT, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_PROTOCOL_IDENTIFIER, NF_T_U8, 58);
	add(rec, NF_IE_OCTET_DELTA_COUNT, NF_T_U64, UINT64_MAX / 2);
	add(rec, NF_IE_PACKET_DELTA_COUNT, NF_T_U64, UINT64_MAX / 2);
	add(rec, NF_IE_BIFLOW_DIRECTION, NF_T_U8, 1);
	add(rec, NF_IE_INGRESS_INTERFACE, NF_T_U64, UINT64_MAX);
	add(rec, NF_IE_EGRESS_INTERFACE, NF_T_U64, UINT64_MAX);
	assert_int_equal(nf_record_add_u(rec, nf_ie_lookup(NF_PEN_REVERSE, NF_IE_OCTET_DELTA_COUNT), NF_PEN_REVERSE,
					 NF_IE_OCTET_DELTA_COUNT, NF_T_U64, 0, UINT64_MAX / 2),
			 NF_OK);
	assert_int_equal(nf_record_add_u(rec, nf_ie_lookup(NF_PEN_REVERSE, NF_IE_PACKET_DELTA_COUNT), NF_PEN_REVERSE,
					 NF_IE_PACKET_DELTA_COUNT, NF_T_U64, 0, UINT64_MAX / 2),
			 NF_OK);
	nf_ecs_extract(rec, &e);
	nf_ecs_set_enrichment(&e, &in, &in);
	e.action = "netflow_flow";
	e.direction = "outbound";
	nf_line_reset(&l);
	nf_render_ecs(&l, &e, "", NULL);
	assert_false(l.overflow);
	assert_int_equal(e.nrelated, 4);
	assert_true(e.biflow);
	assert_non_null(strstr(buf, "\"client\""));
	assert_true(l.used > 2000); /* 2,183 bytes */
	assert_true(l.used < NF_ECS_JSON_FIXED_MAX);
	free(rec);
}

/* Numbers of every length, at the edges of each: powers of ten and of
 * two, one below and one above. */
static void numbers_of_every_length(void **state)
{
	char buf[64], expected[32];
	nf_line_t l = {.buf = buf, .size = sizeof(buf)};
	uint64_t p10 = 1;
	(void)state;

	for (int k = 0; k < 64; k++) {
		uint64_t p2 = (uint64_t)1 << k;
		const uint64_t values[] = {p2 - 1, p2, p2 + 1, p10 - 1, p10, p10 + 1, UINT64_MAX - (uint64_t)k};

		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			nf_line_reset(&l);
			nf_line_u64(&l, values[i]);
			snprintf(expected, sizeof(expected), "%llu", (unsigned long long)values[i]);
			assert_string_equal(buf, expected);
		}
		if (k < 19)
			p10 *= 10;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_and_kv_of_a_flow),
		cmocka_unit_test(values_of_every_kind),
		cmocka_unit_test(tree_values_agree_with_the_line),
		cmocka_unit_test(lines_are_cut_not_overflowed),
		cmocka_unit_test(volume_of_both_directions),
		cmocka_unit_test(sampling_rates),
		cmocka_unit_test(times_share_the_cached_date),
		cmocka_unit_test(index_agrees_with_scan),
		cmocka_unit_test(times_saturate),
		cmocka_unit_test(times_only_where_determined),
		cmocka_unit_test(ntp_before_1970_keeps_its_value),
		cmocka_unit_test(planned_times_match_normalized),
		cmocka_unit_test(ecs_of_a_firewall_biflow),
		cmocka_unit_test(ecs_icmp_and_seed),
		cmocka_unit_test(ecs_unspecified_nat_is_none),
		cmocka_unit_test(ecs_writer_agrees_with_the_walk),
		cmocka_unit_test(ecs_longest_fits_the_bound),
		cmocka_unit_test(numbers_of_every_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
