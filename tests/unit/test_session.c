/* test_session.c - the bounded template store.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nf_persist.h"
#include "nf_session.h"

static nf_template_t *tmpl(uint16_t id, uint16_t nfields, uint16_t len)
{
	nf_field_spec_t specs[64];
	nf_template_t *t;
	for (uint16_t i = 0; i < nfields; i++)
		specs[i] = (nf_field_spec_t){0, (uint16_t)(i + 1), len};
	assert_int_equal(nf_template_compile(NF_FLAVOR_IPFIX, NULL, id, specs, nfields, 0, 0, &t), NF_OK);
	return t;
}

static nf_scope_key_t key(uint8_t host, uint32_t domain)
{
	nf_scope_key_t k;
	memset(&k, 0, sizeof(k));
	k.addr[15] = host;
	k.version = 10;
	k.domain = domain;
	return k;
}

static void scopes_are_distinct(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t a = key(1, 0), b = key(1, 1), c = key(2, 0), d = key(1, 0);
	(void)state;
	nf_limits_default(&l);
	s = nf_session_new(&l);
	d.port = 9;
	nf_scope_t *sa = nf_session_scope(s, &a, 0);
	assert_ptr_equal(sa, nf_session_scope(s, &a, 0));
	assert_ptr_not_equal(sa, nf_session_scope(s, &b, 0));
	assert_ptr_not_equal(sa, nf_session_scope(s, &c, 0));
	assert_ptr_not_equal(sa, nf_session_scope(s, &d, 0));
	assert_int_equal(nf_session_scope_count(s), 4);
	nf_session_free(s);
}

static void put_refresh_replace_expire(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t k = key(1, 0);
	nf_scope_t *sc;
	(void)state;
	nf_limits_default(&l);
	l.template_timeout = 100;
	s = nf_session_new(&l);
	sc = nf_session_scope(s, &k, 0);
	assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 3, 4), 0), NF_OK);
	assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 3, 4), 50), NF_OK);
	assert_int_equal(nf_session_stats(s)->templates_refreshed, 1);
	assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 5, 4), 60), NF_OK);
	assert_int_equal(nf_scope_template(s, sc, 256, 60)->nfields, 5);
	assert_int_equal(nf_session_stats(s)->templates_added, 2);
	assert_int_equal(nf_session_stats(s)->templates_changed, 1);
	assert_int_equal(nf_session_template_count(s), 1);
	assert_non_null(nf_scope_template(s, sc, 256, 160));
	assert_null(nf_scope_template(s, sc, 256, 161));
	assert_int_equal(nf_session_stats(s)->templates_expired, 1);
	nf_session_free(s);
}

/* A flood of templates from many exporters stays under the memory cap and
 * the scope cap; every eviction is counted. */
static void limits_hold_under_flood(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	(void)state;
	nf_limits_default(&l);
	l.max_template_bytes = 1u << 20;
	l.max_scopes = 500;
	l.max_templates_per_scope = 50;
	s = nf_session_new(&l);
	for (uint32_t i = 0; i < 100000; i++) {
		nf_scope_key_t k = key((uint8_t)(i % 251), i % 1000);
		nf_scope_t *sc = nf_session_scope(s, &k, 0);
		assert_non_null(sc);
		assert_int_equal(nf_scope_put_template(s, sc, tmpl((uint16_t)(256 + i % 300), 8, 4), 0), NF_OK);
		assert_true(nf_session_scope_count(s) <= 500);
	}
	assert_true(nf_session_memory(s) <= (1u << 20) + (1u << 20) / 4);
	assert_true(nf_session_stats(s)->templates_evicted > 0);
	assert_true(nf_session_stats(s)->scopes_evicted > 0);
	assert_int_equal(nf_session_stats(s)->templates_added,
			 nf_session_template_count(s) + nf_session_stats(s)->templates_evicted);
	nf_session_free(s);
}

/* Exporters that send the same template share one compiled copy: it
 * counts once; withdrawing it from one scope leaves the others theirs. */
/* At the per-scope cap a scope loses its own least recently used
 * template, whatever other scopes did meanwhile. */
static void per_scope_eviction_takes_the_scopes_oldest(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_t *a, *b;
	nf_scope_key_t ka = key(1, 0), kb = key(2, 0);
	(void)state;

	nf_limits_default(&l);
	l.max_templates_per_scope = 2;
	s = nf_session_new(&l);
	a = nf_session_scope(s, &ka, 0);
	assert_int_equal(nf_scope_put_template(s, a, tmpl(256, 3, 4), 0), NF_OK);
	assert_int_equal(nf_scope_put_template(s, a, tmpl(257, 3, 4), 0), NF_OK);
	b = nf_session_scope(s, &kb, 0);
	assert_int_equal(nf_scope_put_template(s, b, tmpl(300, 3, 4), 0), NF_OK); /* the session's oldest now is 256 */
	assert_non_null(nf_scope_template(s, a, 256, 0));                       /* 257 is a's oldest */
	assert_int_equal(nf_scope_put_template(s, a, tmpl(258, 3, 4), 0), NF_OK);
	assert_non_null(nf_scope_template(s, a, 256, 0));
	assert_null(nf_scope_template(s, a, 257, 0));
	assert_non_null(nf_scope_template(s, a, 258, 0));
	assert_non_null(nf_scope_template(s, b, 300, 0));
	assert_int_equal(nf_session_stats(s)->templates_evicted, 1);
	nf_session_free(s);
}

static void identical_templates_are_shared(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_t *first = NULL;
	size_t one = 0, many;
	(void)state;
	nf_limits_default(&l);
	s = nf_session_new(&l);
	for (uint32_t i = 0; i < 1000; i++) {
		nf_scope_key_t k = key((uint8_t)(i % 250), i / 250);
		nf_scope_t *sc = nf_session_scope(s, &k, 0);
		assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 40, 4), 0), NF_OK);
		if (i == 0) {
			first = sc;
			one = nf_session_memory(s);
		}
	}
	many = nf_session_memory(s);
	/* the 999 further exporters cost their scopes and entries, not 999 templates */
	assert_true(many - one < 999 * (nf_template_size(nf_scope_template(s, first, 256, 0)) / 2));
	nf_scope_key_t k2 = key(1, 0);
	assert_ptr_equal(nf_scope_template(s, first, 256, 0), nf_scope_template(s, nf_session_scope(s, &k2, 0), 256, 0));
	nf_scope_withdraw(s, first, 256);
	assert_null(nf_scope_template(s, first, 256, 0));
	assert_int_equal(nf_scope_template(s, nf_session_scope(s, &k2, 0), 256, 0)->nfields, 40);
	/* a different template of the same id stays apart */
	assert_int_equal(nf_scope_put_template(s, first, tmpl(256, 41, 4), 0), NF_OK);
	assert_int_equal(nf_scope_template(s, first, 256, 0)->nfields, 41);
	assert_int_equal(nf_scope_template(s, nf_session_scope(s, &k2, 0), 256, 0)->nfields, 40);
	nf_session_free(s);
}

static int calls;
static void count_pending(void *ctx, const uint8_t *body, size_t len, const nf_datagram_info_t *info)
{
	(void)ctx;
	(void)info;
	assert_int_equal(len, 100);
	assert_int_equal(body[0], calls + 1); /* oldest first */
	calls++;
}

static void pending_bounded_and_ordered(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t k = key(1, 0);
	nf_scope_t *sc;
	nf_datagram_info_t info = {0};
	uint8_t body[100] = {0};
	(void)state;
	nf_limits_default(&l);
	l.max_pending_bytes_per_scope = 5 * (100 + 64);
	l.pending_timeout = 10;
	s = nf_session_new(&l);
	sc = nf_session_scope(s, &k, 0);
	for (int i = 1; i <= 3; i++) {
		body[0] = (uint8_t)i;
		assert_int_equal(nf_scope_pend(s, sc, 300, body, sizeof(body), &info, 0), NF_OK);
	}
	calls = 0;
	nf_scope_take_pending(s, sc, 300, count_pending, NULL);
	assert_int_equal(calls, 3);
	assert_int_equal(nf_session_stats(s)->pending_decoded, 3);
	for (int i = 0; i < 20; i++)
		(void)nf_scope_pend(s, sc, 301, body, sizeof(body), &info, 0);
	assert_true(nf_session_stats(s)->pending_dropped >= 14);
	nf_session_expire(s, 11);
	calls = 0;
	nf_scope_take_pending(s, sc, 301, count_pending, NULL);
	assert_int_equal(calls, 0);
	assert_int_equal(nf_session_stats(s)->pending_dropped, 20 - 3 + 3);
	nf_session_free(s);
}

static void sequence_arithmetic(void **state)
{
	nf_stream_t *st;
	nf_session_t *s;
	nf_limits_t l;
	nf_scope_key_t k = key(1, 0);
	int reset;
	(void)state;
	nf_limits_default(&l);
	s = nf_session_new(&l);
	st = nf_session_stream(s, &k);
	assert_int_equal(nf_stream_sequence(st, 0xfffffffe, 1, &reset), 0);
	assert_false(reset);
	assert_int_equal(nf_stream_sequence(st, 0xffffffff, 3, &reset), 0);
	assert_int_equal(nf_stream_sequence(st, 5, 1, &reset), 3); /* 2, 3, 4 missing across the wrap */
	assert_false(reset);
	assert_int_equal(nf_stream_sequence(st, 1, 1, &reset), 0);
	assert_true(reset);
	assert_int_equal(nf_stream_sequence(NULL, 1, 1, &reset), 0); /* no stream: nothing known */
	assert_false(reset);
	nf_session_free(s);
}

/* Streams are a table of their own: many of them (v5 or sFlow exporters)
 * leave the template scopes, and a v9 exporter's templates, alone; at
 * max_streams the least recently used stream is forgotten and counted. */
static void streams_are_apart_from_templates(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t v9 = key(1, 7);
	nf_scope_t *sc;
	int reset;
	(void)state;
	nf_limits_default(&l);
	l.max_scopes = 1;
	l.max_streams = 10;
	s = nf_session_new(&l);
	sc = nf_session_scope(s, &v9, 0);
	assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 3, 4), 0), NF_OK);
	nf_stream_set_init_ms(nf_session_stream(s, &v9), 1234);
	for (int i = 0; i < 100; i++) {
		nf_scope_key_t v5 = key((uint8_t)(10 + i), 0);
		v5.version = 5;
		(void)nf_stream_sequence(nf_session_stream(s, &v5), 1, 1, &reset);
		if (i % 4 == 0) /* the v9 exporter keeps sending */
			(void)nf_session_stream(s, &v9);
	}
	assert_int_equal(nf_session_scope_count(s), 1);
	assert_non_null(nf_scope_template(s, nf_session_scope(s, &v9, 0), 256, 0));
	assert_int_equal(nf_session_stats(s)->scopes_evicted, 0);
	assert_int_equal(nf_session_stream_count(s), 10);
	assert_int_equal(nf_session_stats(s)->streams_evicted, 101 - 10);
	assert_int_equal(nf_stream_init_ms(nf_session_stream(s, &v9)), 1234); /* used recently: kept */
	assert_int_equal(nf_stream_init_ms(NULL), -1);
	nf_session_free(s);
}

/* A closed connection's state is forgotten: every scope of its address and
 * port (any version, any domain) with its templates (counted as withdrawn)
 * and pending sets (counted as dropped), and its streams; the same address
 * from another port, and other addresses, keep theirs. */
static void forget_one_connection(void **state)
{
	nf_limits_t l;
	nf_session_t *s;
	nf_scope_key_t gone[2] = {key(1, 0), key(1, 5)}, otherPort = key(1, 0), otherHost = key(2, 0);
	nf_datagram_info_t info = {0};
	uint8_t body[40] = {0};
	int reset;
	(void)state;
	nf_limits_default(&l);
	s = nf_session_new(&l);
	gone[0].port = gone[1].port = 4739;
	gone[1].version = 9;
	otherPort.port = 4740;
	otherHost.port = 4739;
	for (int i = 0; i < 2; i++) {
		nf_scope_t *sc = nf_session_scope(s, &gone[i], 0);
		assert_int_equal(nf_scope_put_template(s, sc, tmpl(256, 3, 4), 0), NF_OK);
		assert_int_equal(nf_scope_put_template(s, sc, tmpl(257, 2, 4), 0), NF_OK);
		(void)nf_stream_sequence(nf_session_stream(s, &gone[i]), 1, 1, &reset);
	}
	assert_int_equal(nf_scope_pend(s, nf_session_scope(s, &gone[0], 0), 300, body, sizeof(body), &info, 0),
			 NF_OK);
	assert_int_equal(nf_scope_put_template(s, nf_session_scope(s, &otherPort, 0), tmpl(256, 3, 4), 0), NF_OK);
	assert_int_equal(nf_scope_put_template(s, nf_session_scope(s, &otherHost, 0), tmpl(256, 5, 4), 0), NF_OK);
	(void)nf_session_stream(s, &otherPort);
	assert_int_equal(nf_session_template_count(s), 6);
	assert_int_equal(nf_session_stream_count(s), 3);

	assert_int_equal(nf_session_forget(s, gone[0].addr, 4739), 2);
	assert_int_equal(nf_session_scope_count(s), 2);
	assert_int_equal(nf_session_template_count(s), 2);
	assert_int_equal(nf_session_stream_count(s), 1);
	assert_int_equal(nf_session_stats(s)->templates_withdrawn, 4);
	assert_int_equal(nf_session_stats(s)->pending_dropped, 1);
	assert_int_equal(nf_session_stats(s)->templates_evicted, 0);
	/* a new connection from the same address and port starts with nothing */
	assert_null(nf_scope_template(s, nf_session_scope(s, &gone[0], 0), 256, 0));
	assert_non_null(nf_scope_template(s, nf_session_scope(s, &otherPort, 0), 256, 0));
	assert_int_equal(nf_scope_template(s, nf_session_scope(s, &otherHost, 0), 256, 0)->nfields, 5);
	/* nothing left of it: a second forget finds only the empty scope just made */
	assert_int_equal(nf_session_forget(s, gone[0].addr, 4739), 1);
	assert_int_equal(nf_session_stats(s)->templates_withdrawn, 4);
	assert_int_equal(nf_session_memory(s) > 0, 1);
	nf_session_free(s);
}

/* Templates written and read back are the same templates, in the same
 * scopes; unusable lines are skipped and counted. */
static void persist_round_trip(void **state)
{
	nf_limits_t l;
	nf_session_t *a, *b;
	char buf[65536];
	FILE *f;
	long skipped;
	(void)state;
	nf_limits_default(&l);
	a = nf_session_new(&l);
	b = nf_session_new(&l);
	for (uint8_t h = 1; h <= 3; h++) {
		nf_scope_key_t k = key(h, h * 1000u);
		k.port = h;
		assert_int_equal(nf_scope_put_template(a, nf_session_scope(a, &k, 0), tmpl(256 + h, h * 5, 2), 0), NF_OK);
	}
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(nf_persist_save(a, f), 3);
	fputs("T zz garbage\nT 00000000000000000000000000000001 1 10 1 300 0 0 999\n", f);
	fclose(f);
	f = fmemopen(buf, strlen(buf), "r");
	assert_int_equal(nf_persist_load(b, f, 0, &skipped), 3);
	fclose(f);
	assert_int_equal(skipped, 2);
	for (uint8_t h = 1; h <= 3; h++) {
		nf_scope_key_t k = key(h, h * 1000u);
		const nf_template_t *t;
		k.port = h;
		t = nf_scope_template(b, nf_session_scope(b, &k, 0), 256 + h, 0);
		assert_non_null(t);
		assert_true(nf_template_equal(t, nf_scope_template(a, nf_session_scope(a, &k, 0), 256 + h, 0)));
	}
	f = fmemopen((char *)"not a template file\n", 20, "r");
	assert_int_equal(nf_persist_load(b, f, 0, &skipped), -1);
	fclose(f);
	nf_session_free(a);
	nf_session_free(b);
}

/* Streams' sequence numbers saved after the templates come back: the next
 * datagram after a restart counts what was missed meanwhile as a gap; a
 * stream that never saw a sequence number is not saved. */
static void persist_sequences(void **state)
{
	nf_limits_t l;
	nf_session_t *a, *b;
	char buf[4096];
	FILE *f;
	long skipped;
	int reset;
	nf_scope_key_t k1 = key(1, 42), k2 = key(2, 43), k3 = key(3, 44);
	(void)state;
	nf_limits_default(&l);
	a = nf_session_new(&l);
	b = nf_session_new(&l);
	assert_int_equal(nf_scope_put_template(a, nf_session_scope(a, &k1, 0), tmpl(256, 3, 4), 0), NF_OK);
	assert_int_equal(nf_stream_sequence(nf_session_stream(a, &k1), 100, 1, &reset), 0);
	assert_int_equal(nf_stream_sequence(nf_session_stream(a, &k2), 4000000000u, 30, &reset), 0);
	assert_non_null(nf_session_stream(a, &k3)); /* no sequence number seen */
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(nf_persist_save(a, f), 1);
	assert_int_equal(nf_persist_save_sequences(a, f), 2);
	fclose(f);
	f = fmemopen(buf, strlen(buf), "r");
	assert_int_equal(nf_persist_load(b, f, 0, &skipped), 1);
	fclose(f);
	assert_int_equal(skipped, 0);
	assert_int_equal(nf_session_stream_count(b), 2);
	/* 101 was expected next: 101..109 missed while down */
	assert_int_equal(nf_stream_sequence(nf_session_stream(b, &k1), 110, 1, &reset), 9);
	assert_int_equal(reset, 0);
	assert_int_equal(nf_stream_sequence(nf_session_stream(b, &k2), 4000000030u, 1, &reset), 0);
	assert_int_equal(reset, 0);
	/* k3 starts anew */
	assert_int_equal(nf_stream_sequence(nf_session_stream(b, &k3), 5, 1, &reset), 0);
	nf_session_free(a);
	nf_session_free(b);
}

/* Routed loading: each template goes to the session the route picks for
 * its scope (odd hosts to one, even to the other). */
static nf_session_t *by_host_parity(void *ctx, const nf_scope_key_t *k)
{
	nf_session_t **sessions = ctx;
	return sessions[k->addr[15] & 1];
}

static void persist_routed(void **state)
{
	nf_limits_t l;
	nf_session_t *a, *to[2];
	char buf[65536];
	FILE *f;
	long skipped;
	(void)state;
	nf_limits_default(&l);
	a = nf_session_new(&l);
	to[0] = nf_session_new(&l);
	to[1] = nf_session_new(&l);
	for (uint8_t h = 1; h <= 5; h++) {
		nf_scope_key_t k = key(h, 7);
		assert_int_equal(nf_scope_put_template(a, nf_session_scope(a, &k, 0), tmpl(256, 3, 4), 0), NF_OK);
	}
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(nf_persist_save(a, f), 5);
	fclose(f);
	f = fmemopen(buf, strlen(buf), "r");
	assert_int_equal(nf_persist_load_routed(f, 0, by_host_parity, to, &skipped), 5);
	fclose(f);
	assert_int_equal(skipped, 0);
	assert_int_equal(nf_session_template_count(to[0]), 2);
	assert_int_equal(nf_session_template_count(to[1]), 3);
	for (uint8_t h = 1; h <= 5; h++) {
		nf_scope_key_t k = key(h, 7);
		assert_non_null(nf_scope_template(to[h & 1], nf_session_scope(to[h & 1], &k, 0), 256, 0));
	}
	nf_session_free(a);
	nf_session_free(to[0]);
	nf_session_free(to[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scopes_are_distinct),
		cmocka_unit_test(put_refresh_replace_expire),
		cmocka_unit_test(limits_hold_under_flood),
		cmocka_unit_test(per_scope_eviction_takes_the_scopes_oldest),
		cmocka_unit_test(identical_templates_are_shared),
		cmocka_unit_test(pending_bounded_and_ordered),
		cmocka_unit_test(sequence_arithmetic),
		cmocka_unit_test(streams_are_apart_from_templates),
		cmocka_unit_test(forget_one_connection),
		cmocka_unit_test(persist_round_trip),
		cmocka_unit_test(persist_sequences),
		cmocka_unit_test(persist_routed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
