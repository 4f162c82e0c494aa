/* test_community_id.c - SHA-1 and the Community ID against the
 * specification's baseline: every vector of tests/data/community-id
 * (the JSON files and the README's tables), default seed, seed 1 and the
 * digest without base64.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nf_community_id.h"
#include "nf_format.h"
#include "nf_sha1.h"

#define FILE_MAX (64 * 1024)
#define TEXT_MAX 64

/* How a vector's expected identifier is written. */
typedef enum vector_kind {
	KIND_SEED0, /* "1:" base64, seed 0 */
	KIND_SEED1, /* "1:" base64, seed 1 */
	KIND_HEX    /* "1:" hex of the digest, seed 0 */
} vector_kind_t;

typedef struct vector {
	uint8_t saddr[16], daddr[16];
	nf_flow_tuple_t t;
	char expect[TEXT_MAX];
} vector_t;

static unsigned checked;

static char *read_data(const char *name)
{
	const char *corpus = getenv("CORPUS_DIR");
	char path[4096];
	char *buf = malloc(FILE_MAX);
	size_t n;
	FILE *f;

	if (corpus == NULL)
		fail_msg("CORPUS_DIR is not set (make check sets it to tests/data/corpus)");
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/../community-id/%s", corpus, name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s not found", path);
	n = fread(buf, 1, FILE_MAX - 1, f);
	fclose(f);
	assert_true(n < FILE_MAX - 1);
	buf[n] = '\0';
	return buf;
}

/* An address into v (the length it sets must agree for both). */
static void parse_addr(const char *text, uint8_t *out, uint8_t *len)
{
	if (inet_pton(AF_INET, text, out) == 1) {
		*len = 4;
		return;
	}
	if (inet_pton(AF_INET6, text, out) != 1)
		fail_msg("bad address %s", text);
	*len = 16;
}

/* Every vector with the portable SHA-1 and, where the CPU has them, the
 * x86 SHA extensions. */
static void check_vector(vector_t *v, vector_kind_t kind)
{
	nf_sha1_impl_t impls[2] = {NF_SHA1_PORTABLE, nf_sha1_best()};
	char got[TEXT_MAX];

	v->t.saddr = v->saddr;
	v->t.daddr = v->daddr;
	for (int i = 0; i < 2; i++) {
		if (kind == KIND_HEX) {
			uint8_t digest[NF_SHA1_DIGEST_LEN];

			nf_community_id_digest(&v->t, 0, impls[i], digest);
			memcpy(got, "1:", 2);
			nf_hex(digest, sizeof(digest), got + 2, sizeof(got) - 2);
		} else {
			assert_int_equal(nf_community_id(&v->t, kind == KIND_SEED1 ? 1 : 0, impls[i], got),
					 strlen(v->expect));
		}
		if (strcmp(got, v->expect) != 0)
			fail_msg("sha1 %d, proto %u port %u -> %u: %s, expected %s", impls[i], v->t.proto, v->t.sport,
				 v->t.dport, got, v->expect);
	}
	checked++;
}

/* The text of "key": "value" or the number of "key": n within [obj, end);
 * false for null or a missing key. */
static bool json_member(const char *obj, const char *end, const char *key, char *out, size_t size)
{
	char quoted[32];
	const char *p, *stop;
	size_t n;

	snprintf(quoted, sizeof(quoted), "\"%s\":", key);
	if ((p = strstr(obj, quoted)) == NULL || p >= end)
		fail_msg("no %s in a vector", key);
	p += strlen(quoted);
	p += strspn(p, " ");
	if (strncmp(p, "null", 4) == 0)
		return false;
	if (*p == '"')
		p++;
	stop = p + strcspn(p, "\",}");
	n = (size_t)(stop - p);
	assert_true(n < size);
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Every object of a baseline_*.json; returns how many. */
static unsigned run_json(const char *name, vector_kind_t kind)
{
	char *buf = read_data(name), *obj = buf, text[TEXT_MAX];
	unsigned n = 0;

	while ((obj = strchr(obj, '{')) != NULL) {
		char *end = strchr(obj, '}');
		vector_t v = {0};
		uint8_t dlen;

		assert_non_null(end);
		json_member(obj, end, "proto", text, sizeof(text));
		v.t.proto = (uint8_t)atoi(text);
		json_member(obj, end, "saddr", text, sizeof(text));
		parse_addr(text, v.saddr, &v.t.addr_len);
		json_member(obj, end, "daddr", text, sizeof(text));
		parse_addr(text, v.daddr, &dlen);
		assert_int_equal(dlen, v.t.addr_len);
		if (json_member(obj, end, "sport", text, sizeof(text))) {
			v.t.has_ports = true;
			v.t.sport = (uint16_t)atoi(text);
			assert_true(json_member(obj, end, "dport", text, sizeof(text)));
			v.t.dport = (uint16_t)atoi(text);
		}
		json_member(obj, end, "communityid", v.expect, sizeof(v.expect));
		check_vector(&v, kind);
		n++;
		obj = end;
	}
	free(buf);
	return n;
}

/* The next "|"-separated cell of a table row, trimmed, into out. */
static char *table_cell(char *p, char *out, size_t size)
{
	char *end = strchr(p, '|');
	size_t n;

	if (end == NULL)
		fail_msg("short table row");
	while (*p == ' ')
		p++;
	n = (size_t)(end - p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	assert_true(n < size);
	memcpy(out, p, n);
	out[n] = '\0';
	return end + 1;
}

/* The rows of the README's three tables (default seed, seed 1, no
 * base64); returns how many. */
static unsigned run_tables(void)
{
	char *buf = read_data("README.md"), *line = buf, *next;
	vector_kind_t kind = KIND_SEED0;
	bool in_table = false;
	unsigned n = 0;

	for (; line != NULL; line = next) {
		char cell[TEXT_MAX], *p;
		vector_t v = {0};
		uint8_t dlen;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "### ", 4) == 0) {
			in_table = strstr(line, "Default") || strstr(line, "seed=1") || strstr(line, "base64");
			kind = strstr(line, "seed=1") ? KIND_SEED1 : strstr(line, "base64") ? KIND_HEX : KIND_SEED0;
			continue;
		}
		if (!in_table || strncmp(line, "    | ", 6) != 0 || strstr(line, "Proto name") != NULL)
			continue;
		p = table_cell(line + 6, cell, sizeof(cell)); /* the protocol's name */
		p = table_cell(p, cell, sizeof(cell));
		v.t.proto = (uint8_t)atoi(cell);
		p = table_cell(p, cell, sizeof(cell));
		parse_addr(cell, v.saddr, &v.t.addr_len);
		p = table_cell(p, cell, sizeof(cell));
		parse_addr(cell, v.daddr, &dlen);
		assert_int_equal(dlen, v.t.addr_len);
		p = table_cell(p, cell, sizeof(cell));
		v.t.has_ports = strcmp(cell, "-") != 0;
		v.t.sport = (uint16_t)atoi(cell);
		p = table_cell(p, cell, sizeof(cell));
		v.t.dport = (uint16_t)atoi(cell);
		table_cell(p, v.expect, sizeof(v.expect));
		check_vector(&v, kind);
		n++;
	}
	free(buf);
	return n;
}

/* FIPS 180-4's examples, and a message whose length leaves no room for
 * the padding in its last block. */
static void sha1_known_answers(void **state)
{
	static const struct {
		const char *msg, *hex;
	} cases[] = {
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};
	uint8_t digest[NF_SHA1_DIGEST_LEN];
	char hex[2 * NF_SHA1_DIGEST_LEN + 1];
	(void)state;

	print_message("the CPU's fastest SHA-1: %s\n", nf_sha1_best() == NF_SHA1_X86_SHA ? "x86 SHA extensions" : "portable");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nf_sha1((const uint8_t *)cases[i].msg, strlen(cases[i].msg), digest);
		nf_hex(digest, sizeof(digest), hex, sizeof(hex));
		assert_string_equal(hex, cases[i].hex);
		nf_sha1_with(nf_sha1_best(), (const uint8_t *)cases[i].msg, strlen(cases[i].msg), digest);
		nf_hex(digest, sizeof(digest), hex, sizeof(hex));
		assert_string_equal(hex, cases[i].hex);
	}
}

static void baseline_json(void **state)
{
	(void)state;
	checked = 0;
	assert_int_equal(run_json("baseline_deflt.json", KIND_SEED0), 23);
	assert_int_equal(run_json("baseline_seed1.json", KIND_SEED1), 23);
	assert_int_equal(run_json("baseline_nob64.json", KIND_HEX), 23);
	print_message("%u JSON vectors equal\n", checked);
}

static void baseline_tables(void **state)
{
	(void)state;
	checked = 0;
	assert_int_equal(run_tables(), 3 * 16);
	print_message("%u table vectors equal\n", checked);
}

/* A flow and its reverse have one identifier; the seed changes it. */
static void both_directions_and_seed(void **state)
{
	static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	nf_flow_tuple_t out = {a, b, 4, NF_IPPROTO_TCP, true, 40000, 443};
	nf_flow_tuple_t back = {b, a, 4, NF_IPPROTO_TCP, true, 443, 40000};
	char x[NF_COMMUNITY_ID_SIZE], y[NF_COMMUNITY_ID_SIZE];
	(void)state;

	assert_int_equal(nf_community_id(&out, 0, NF_SHA1_PORTABLE, x), NF_COMMUNITY_ID_SIZE - 1);
	nf_community_id(&back, 0, NF_SHA1_PORTABLE, y);
	assert_string_equal(x, y);
	nf_community_id(&back, 7, NF_SHA1_PORTABLE, y);
	assert_string_not_equal(x, y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_known_answers),
		cmocka_unit_test(baseline_json),
		cmocka_unit_test(baseline_tables),
		cmocka_unit_test(both_directions_and_seed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
