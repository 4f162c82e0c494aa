/* test_truncation.c - every prefix of every corpus datagram, placed right
 * against an unreadable page, decodes to a clean result: a read one byte
 * past the end would fault. Templates of the capture are learned first, so
 * that data sets are decoded too. The corpus is tests/data/corpus.
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
		size_t len = read_file(path, data);
		for (size_t k = 0; k <= len; k++) {
			uint8_t *p = guarded + MAX_DATAGRAM - k;
			int rc;
			memcpy(p, data, k);
			rc = decode(s, p, k);
			assert_true(rc <= NF_END && rc > NF_ERR__LAST);
		}
	}
	nf_session_free(s);
}

static void every_prefix_of_every_datagram(void **state)
{
	const char *corpus = getenv("CORPUS_DIR");
	char captures[4096];
	DIR *d;
	struct dirent *e;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *map;
	int n = 0;
	(void)state;

	if (corpus == NULL)
		fail_msg("CORPUS_DIR is not set (make check sets it to tests/data/corpus)");
	snprintf(captures, sizeof(captures), "%s/captures", corpus);
	if ((d = opendir(captures)) == NULL)
		fail_msg("corpus not found at %s", captures);
	map = mmap(NULL, MAX_DATAGRAM + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + MAX_DATAGRAM, (size_t)page, PROT_NONE), 0);
	guarded = map;
	while ((e = readdir(d)) != NULL) {
		char dir[8192];
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", captures, e->d_name);
		sweep_capture(dir);
		n++;
	}
	closedir(d);
	munmap(map, MAX_DATAGRAM + (size_t)page);
	print_message("%d captures swept, %lu records decoded from prefixes\n", n, decoded);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(every_prefix_of_every_datagram)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
