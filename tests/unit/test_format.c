/* test_format.c - text renderings of values and the summary line.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nf_format.h"
#include "nf_render.h"

static nf_field_t field(uint8_t type)
{
	nf_field_t f;
	memset(&f, 0, sizeof(f));
	f.type = type;
	return f;
}

static void addresses_and_mac(void **state)
{
	char buf[NF_TEXT_MAX];
	nf_field_t f = field(NF_T_IPV4);
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	(void)state;
	memcpy(f.v.b, "\xc0\x00\x02\xff", 4);
	assert_int_equal(nf_field_text(&f, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "192.0.2.255");
	f = field(NF_T_IPV6);
	memcpy(f.v.b, v6, 16);
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	f = field(NF_T_MAC);
	memcpy(f.v.b, "\x00\x1b\x21\xab\xcd\xef", 6);
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "00:1b:21:ab:cd:ef");
}

static void times_in_every_precision(void **state)
{
	char buf[NF_TEXT_MAX];
	nf_field_t f = field(NF_T_DT_SEC);
	(void)state;
	f.v.u = 1795870712;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T12:58:32Z");
	f.type = NF_T_DT_MILLI;
	f.v.u = 1795870712007ull;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T12:58:32.007Z");
	f.type = NF_T_DT_MICRO;
	f.v.u = 1795870712000042ull;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T12:58:32.000042Z");
	f.type = NF_T_DT_NANO;
	f.v.u = 1795870712123456789ull;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T12:58:32.123456789Z");
	nf_time_ms_text(-1, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	/* micro- and nanoseconds count from 1970 signed: NTP reaches back to 1900 */
	f.type = NF_T_DT_MICRO;
	f.v.i = -1;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
	f.v.i = -INT64_C(2208988800000000) + 3996115280; /* NTP 3996.11528 s (NetScaler's) */
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "1900-01-01T01:06:36.115280Z");
	f.type = NF_T_DT_NANO;
	f.v.i = -INT64_C(2208988800000000000) + 1; /* NTP 0 and 1 ns */
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "1900-01-01T00:00:00.000000001Z");
	/* past year 9999 no RFC 3339 date: the number as sent, unclamped */
	f.type = NF_T_DT_SEC;
	f.v.u = 253402300800ull;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "253402300800");
	f.v.u = UINT64_MAX;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "18446744073709551615");
	f.type = NF_T_DT_MILLI;
	f.v.u = 253402300799999ull; /* the last millisecond of 9999 */
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
	f.v.u = 253402300800001ull;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "253402300800001");
	f.type = NF_T_DT_SEC;
	f.v.u = 1795870712;
	assert_int_equal(nf_field_text(&f, buf, 8), 7);
	assert_string_equal(buf, "2026-11");
}

static void numbers(void **state)
{
	char buf[NF_TEXT_MAX];
	nf_field_t f = field(NF_T_U64);
	(void)state;
	f.v.u = UINT64_MAX;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "18446744073709551615");
	assert_true(nf_field_is_number(&f));
	f = field(NF_T_I32);
	f.v.i = -42;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "-42");
	f = field(NF_T_BOOL);
	f.v.u = 1;
	nf_field_text(&f, buf, sizeof(buf));
	assert_string_equal(buf, "true");
	assert_false(nf_field_is_number(&f));
	f = field(NF_T_IPV4);
	assert_false(nf_field_is_number(&f));
}

static void hex_and_truncation(void **state)
{
	char buf[5];
	static const uint8_t b[] = {0xde, 0xad, 0xbe, 0xef};
	nf_field_t f = field(NF_T_IPV4);
	(void)state;
	assert_int_equal(nf_hex(b, 4, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "dead");
	assert_int_equal(nf_hex(b, 4, buf, 0), 0);
	memcpy(f.v.b, "\xc0\x00\x02\xff", 4);
	assert_int_equal(nf_field_text(&f, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "192.");
}

static void unknown_names(void **state)
{
	char buf[32];
	(void)state;
	nf_unknown_name(9, 12235, buf, sizeof(buf));
	assert_string_equal(buf, "ie9_12235");
	nf_unknown_name(0, 500, buf, sizeof(buf));
	assert_string_equal(buf, "ie0_500");
}

/* A string field's text as the property tree gets it (nf_render_text). */
static size_t string_text(const char *s, size_t n, char *out)
{
	nf_field_t f = field(NF_T_STRING);

	f.v.p = (const uint8_t *)s;
	f.len = (uint16_t)n;
	assert_true(nf_render_text_size(&f) <= 64);
	return nf_render_text(&f, out, nf_render_text_size(&f), NULL);
}

static void utf8_made_safe(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(string_text("caf\xc3\xa9", 5, out), 5);
	assert_string_equal(out, "caf\xc3\xa9");
	/* trailing NUL padding goes, invalid bytes become U+FFFD */
	string_text("ab\xff\xc0\x80z\0\0\0", 9, out);
	assert_string_equal(out, "ab\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	/* a sequence cut by the end of the field, a surrogate, beyond U+10FFFF */
	string_text("\xe2\x82", 2, out);
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd");
	string_text("\xed\xa0\x80", 3, out);
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	string_text("\xf4\x90\x80\x80\xf0\x9f\x98\x80", 8, out);
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80");
	assert_int_equal(string_text("\0\0", 2, out), 0);
	/* a NUL before other bytes is text (U+2400 in a C string), and so is
	 * what follows it */
	assert_int_equal(string_text("eth0\0\x04\xffx\0", 9, out), 12);
	assert_string_equal(out, "eth0\xe2\x90\x80\x04\xef\xbf\xbdx");
	assert_int_equal(nf_string_length((const uint8_t *)"\0\0\0\0\0\"\0\0\0\0\x04", 11), 11); /* nProbe's */
	assert_int_equal(nf_string_length((const uint8_t *)"ab\0\0", 4), 2);
}

static void summary_line(void **state)
{
	static nf_record_t rec;
	char buf[512];
	nf_field_t f;
	(void)state;
	rec.nfields = 0;
	rec.start_ms = 1795870712000ll;
	rec.end_ms = 1795870713500ll;
	f = field(NF_T_IPV4); f.id = NF_IE_SOURCE_IPV4_ADDRESS; memcpy(f.v.b, "\x0a\x01\x00\xba", 4);
	nf_record_add(&rec, &f);
	f = field(NF_T_IPV4); f.id = NF_IE_DESTINATION_IPV4_ADDRESS; memcpy(f.v.b, "\xc0\x00\x02\x1b", 4);
	nf_record_add(&rec, &f);
	f = field(NF_T_U16); f.id = NF_IE_SOURCE_TRANSPORT_PORT; f.v.u = 52534;
	nf_record_add(&rec, &f);
	f = field(NF_T_U16); f.id = NF_IE_DESTINATION_TRANSPORT_PORT; f.v.u = 3306;
	nf_record_add(&rec, &f);
	f = field(NF_T_U8); f.id = NF_IE_PROTOCOL_IDENTIFIER; f.v.u = 6;
	nf_record_add(&rec, &f);
	f = field(NF_T_U16); f.id = NF_IE_TCP_CONTROL_BITS; f.v.u = 0x1b;
	nf_record_add(&rec, &f);
	f = field(NF_T_U64); f.id = NF_IE_PACKET_DELTA_COUNT; f.v.u = 9;
	nf_record_add(&rec, &f);
	f = field(NF_T_U64); f.id = NF_IE_OCTET_DELTA_COUNT; f.v.u = 984;
	nf_record_add(&rec, &f);
	nf_record_summary(&rec, 5, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "FLOW v5 src [10.1.0.186]:52534 dst [192.0.2.27]:3306 proto 6 tcpflags 1b "
				 "packets 9 octets 984 start 2026-11-28T12:58:32.000Z end 2026-11-28T12:58:33.500Z "
				 "community_id 1:BCOgbAhXjT0xGdemMva4YKPDXcY=");
	/* never past the buffer, always terminated */
	assert_int_equal(nf_record_summary(&rec, 5, NULL, buf, 20), 19);
	assert_int_equal(strlen(buf), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses_and_mac),
		cmocka_unit_test(times_in_every_precision),
		cmocka_unit_test(numbers),
		cmocka_unit_test(hex_and_truncation),
		cmocka_unit_test(unknown_names),
		cmocka_unit_test(utf8_made_safe),
		cmocka_unit_test(summary_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
