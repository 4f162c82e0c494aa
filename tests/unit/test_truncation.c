/* test_truncation.c - every prefix of every corpus datagram, placed right
 * against an unreadable page, decodes to a clean result: a read one byte
 * past the end would fault. Templates of the capture are learned first, so
 * that data sets are decoded too. The corpus is tests/data/corpus; the
 * datagrams of formats it has no capture of (NetFlow v6 and v8, sFlow's
 * extended records) are built from the formats (pktsamples.h).
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "nf_datagram.h"
#include "pktsamples.h"

#define MAX_DATAGRAM 65536

static nf_record_t scratch;
static uint8_t *guarded;  /* MAX_DATAGRAM readable bytes, then a PROT_NONE page */
static unsigned long decoded;

static void on_record(void *ctx, const nf_emitted_t *e)
{
	(void)ctx; (void)e;
	decoded++;
}

/* Decodes as the module does, with renormalisation; returns the result. */
static int decode(nf_session_t *s, const uint8_t *p, size_t len)
{
	nf_decoder_t d = {.session = s, .now = 1, .emit = on_record, .record = &scratch, .renormalize = 1};

	return nf_decode_datagram(&d, p, len);
}

static size_t read_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, MAX_DATAGRAM, f);
	fclose(f);
	return n;
}

/* Every prefix of a datagram, against the guard page. */
static void sweep(nf_session_t *s, const uint8_t *data, size_t len)
{
	for (size_t k = 0; k <= len; k++) {
		uint8_t *p = guarded + MAX_DATAGRAM - k;
		int rc;
		memcpy(p, data, k);
		rc = decode(s, p, k);
		assert_true(rc <= NF_END && rc > NF_ERR__LAST);
	}
}

static void sweep_capture(const char *dir)
{
	static uint8_t data[MAX_DATAGRAM];
	char path[8448];
	nf_limits_t limits;
	nf_session_t *s;
	int n;

	nf_limits_default(&limits);
	s = nf_session_new(&limits);
	for (n = 1;; n++) { /* learn the templates */
		snprintf(path, sizeof(path), "%s/%04d.bin", dir, n);
		if (access(path, R_OK) != 0)
			break;
		size_t len = read_file(path, data);
		memcpy(guarded + MAX_DATAGRAM - len, data, len);
		(void)decode(s, guarded + MAX_DATAGRAM - len, len);
	}
	for (int i = 1; i < n; i++) { /* every prefix, against the guard page */
		snprintf(path, sizeof(path), "%s/%04d.bin", dir, i);
		sweep(s, data, read_file(path, data));
	}
	nf_session_free(s);
}

static uint8_t *guard_map(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, MAX_DATAGRAM + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + MAX_DATAGRAM, (size_t)page, PROT_NONE), 0);
	return map;
}

static void every_prefix_of_built_datagrams(void **state)
{
	static pkt_t p;
	nf_limits_t limits;
	nf_session_t *s;
	unsigned long before = decoded;
	(void)state;

	nf_limits_default(&limits);
	s = nf_session_new(&limits);
	guarded = guard_map();
	ps_v6(&p, 3);
	sweep(s, p.b, p.len);
	for (uint8_t agg = 0; agg <= 15; agg++) { /* 0 and 15: schemes that do not exist */
		ps_v8(&p, agg, 3);
		sweep(s, p.b, p.len);
	}
	ps_sflow_extended(&p);
	sweep(s, p.b, p.len);
	munmap(guarded, MAX_DATAGRAM + (size_t)sysconf(_SC_PAGESIZE));
	nf_session_free(s);
	print_message("%lu records decoded from prefixes of built datagrams\n", decoded - before);
	assert_true(decoded > before);
}

static void every_prefix_of_every_datagram(void **state)
{
	const char *corpus = getenv("CORPUS_DIR");
	char captures[4096];
	DIR *d;
	struct dirent *e;
	long page = sysconf(_SC_PAGESIZE);
	int n = 0;
	(void)state;

	if (corpus == NULL)
		fail_msg("CORPUS_DIR is not set (make check sets it to tests/data/corpus)");
	snprintf(captures, sizeof(captures), "%s/captures", corpus);
	if ((d = opendir(captures)) == NULL)
		fail_msg("corpus not found at %s", captures);
	guarded = guard_map();
	while ((e = readdir(d)) != NULL) {
		char dir[8192];
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", captures, e->d_name);
		sweep_capture(dir);
		n++;
	}
	closedir(d);
	munmap(guarded, MAX_DATAGRAM + (size_t)page);
	print_message("%d captures swept, %lu records decoded from prefixes\n", n, decoded);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(every_prefix_of_every_datagram),
					   cmocka_unit_test(every_prefix_of_built_datagrams)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
