/* test_list.c - RFC 6313 basicList, subTemplateList, subTemplateMultiList.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nf_list.h"
#include "pktbuild.h"

/* What the sink saw, as a compact trace: "{" "}" and "id=value" items. */
static char trace[1024];

static void on_begin(void *ctx) { (void)ctx; strcat(trace, "{"); }
static void on_end(void *ctx) { (void)ctx; strcat(trace, "}"); }
static void on_field(void *ctx, const nf_field_t *f)
{
	char item[64];
	(void)ctx;
	if (f->type == NF_T_STRING)
		snprintf(item, sizeof(item), "%u=%.*s ", f->id, f->len, (const char *)f->v.p);
	else if (f->type == NF_T_IPV4)
		snprintf(item, sizeof(item), "%u=%u.%u.%u.%u ", f->id, f->v.b[0], f->v.b[1], f->v.b[2], f->v.b[3]);
	else
		snprintf(item, sizeof(item), "%u=%llu ", f->id, (unsigned long long)f->v.u);
	strcat(trace, item);
}

static const nf_list_sink_t sink = {NULL, on_begin, on_field, on_end};
static pkt_t p;

static nf_field_t list_field(uint8_t type)
{
	nf_field_t f = {.type = type, .len = (uint16_t)p.len};
	f.v.p = p.b;
	return f;
}

static void basic_list_of_ports(void **state)
{
	nf_field_t f;
	(void)state;
	trace[0] = 0;
	p.len = 0;
	pb_u8(&p, 3);           /* semantic: allOf */
	pb_u16(&p, 7);          /* sourceTransportPort */
	pb_u16(&p, 2);
	pb_u16(&p, 80);
	pb_u16(&p, 443);
	f = list_field(NF_T_BASIC_LIST);
	assert_int_equal(nf_list_walk(&f, NULL, &sink), NF_OK);
	assert_string_equal(trace, "7=80 7=443 ");
	/* variable-length strings, with an enterprise number */
	trace[0] = 0;
	p.len = 0;
	pb_u8(&p, 3);
	pb_u16(&p, 0x8000 | 82);
	pb_u16(&p, NF_VARLEN);
	pb_u32(&p, 0);
	pb_varlen(&p, "eth0", 4);
	pb_varlen(&p, "eth1", 4);
	f = list_field(NF_T_BASIC_LIST);
	assert_int_equal(nf_list_walk(&f, NULL, &sink), NF_OK);
	assert_string_equal(trace, "82=eth0 82=eth1 ");
}

static void malformed_lists_end_cleanly(void **state)
{
	nf_field_t f;
	(void)state;
	trace[0] = 0;
	p.len = 0;
	pb_u8(&p, 3);
	pb_u16(&p, 7);
	pb_u16(&p, 2);
	pb_u16(&p, 80);
	pb_u8(&p, 1);           /* half an element */
	f = list_field(NF_T_BASIC_LIST);
	assert_int_equal(nf_list_walk(&f, NULL, &sink), NF_ERR_TRUNCATED);
	assert_string_equal(trace, "7=80 ");
	/* elements of length 0 would never advance */
	p.len = 0;
	pb_u8(&p, 3);
	pb_u16(&p, 7);
	pb_u16(&p, 0);
	pb_u16(&p, 80);
	f = list_field(NF_T_BASIC_LIST);
	assert_int_equal(nf_list_walk(&f, NULL, &sink), NF_OK);
	/* header cut short */
	for (size_t len = 0; len < 5; len++) {
		p.len = 0;
		pb_u8(&p, 3);
		pb_u16(&p, 7);
		pb_u16(&p, 2);
		p.len = len;
		f = list_field(NF_T_BASIC_LIST);
		assert_true(nf_list_walk(&f, NULL, &sink) <= NF_OK);
	}
}

static void sub_template_lists(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t key = {.version = 10};
	nf_template_source_t src;
	nf_template_t *t;
	nf_field_t f;
	const nf_field_spec_t specs[] = {{0, 8, 4}, {0, 7, 2}};
	(void)state;
	nf_limits_default(&l);
	s = nf_session_new(&l);
	src = (nf_template_source_t){s, nf_session_scope(s, &key, 0), 0};
	assert_int_equal(nf_template_compile(NF_FLAVOR_IPFIX, NULL, 300, specs, 2, 0, 0, &t), NF_OK);
	assert_int_equal(nf_scope_put_template(s, src.scope, t, 0), NF_OK);
	trace[0] = 0;
	p.len = 0;
	pb_u8(&p, 3);
	pb_u16(&p, 300);
	pb_ipv4(&p, 10, 0, 0, 1);
	pb_u16(&p, 53);
	pb_ipv4(&p, 10, 0, 0, 2);
	pb_u16(&p, 54);
	f = list_field(NF_T_SUBTEMPLATE_LIST);
	assert_int_equal(nf_list_walk(&f, &src, &sink), NF_OK);
	assert_string_equal(trace, "{8=10.0.0.1 7=53 }{8=10.0.0.2 7=54 }");
	/* multi-list: an entry of a known template, one of an unknown one */
	trace[0] = 0;
	p.len = 0;
	pb_u8(&p, 3);
	pb_u16(&p, 300);
	pb_u16(&p, 10);
	pb_ipv4(&p, 10, 0, 0, 3);
	pb_u16(&p, 55);
	pb_u16(&p, 999);
	pb_u16(&p, 6);
	pb_u16(&p, 0);
	f = list_field(NF_T_SUBTEMPLATE_MULTILIST);
	assert_int_equal(nf_list_walk(&f, &src, &sink), NF_OK);
	assert_string_equal(trace, "{8=10.0.0.3 7=55 }");
	/* an entry whose length runs past the list */
	pb_put16(&p, 1 + 10 + 2, 60);
	f = list_field(NF_T_SUBTEMPLATE_MULTILIST);
	assert_int_equal(nf_list_walk(&f, &src, &sink), NF_ERR_TRUNCATED);
	nf_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(basic_list_of_ports),
		cmocka_unit_test(malformed_lists_end_cleanly),
		cmocka_unit_test(sub_template_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
