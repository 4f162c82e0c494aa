/* render_corpus.c - every record of every corpus capture, as the core
 * decodes and renders it, one line per record and output.
 *
 * Usage: render_corpus [-r] CAPTURES_DIR [CAPTURE ...]
 *   -r  renormalise packet and octet counts by the sampling interval
 *
 * Each capture is replayed into a fresh template state, datagram by
 * datagram, from the exporter address datagrams.tsv names (scope
 * "address", the module's default). For each datagram one line gives the
 * decoder's return code and counts; for each record, lines give it as a
 * JSON line, a key=value line, its ECS objects and its summary (and
 * fails if the document walk the tree is built from differs from the JSON
 * line, or the ECS writer from the ECS walk, with made-up enrichment too
 * and in lines cut short):
 *   CAPTURE <TAB> DATAGRAM <TAB> rc|json|kv|ecs|summary <TAB> TEXT
 * tests/integration/test_corpus_render.py keeps a digest of this output
 * per capture (tests/data/corpus-render.tsv), so that a change of the
 * core that changes any field of any record, or a counter, is seen.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf_datagram.h"
#include "nf_decode.h"
#include "nf_format.h"
#include "nf_render.h"
#include "ecs_check.h"

#define LINE_SIZE (256 * 1024)
#define MAX_DATAGRAM 65536
#define EXPORT_NOW 1795870712 /* the decoder's idea of now: templates never expire during a replay */

typedef struct replay {
	const char *capture;
	unsigned datagram;
	int renormalize;
	nf_time_cache_t tc;
	char line[LINE_SIZE];
} replay_t;

static void print_line(replay_t *r, const char *what, const char *text)
{
	printf("%s\t%u\t%s\t%s\n", r->capture, r->datagram, what, text);
}

/* The document walk (which the module's tree is built from) writes what
 * the JSON line renderer wrote, the first n bytes of r->line. */
static void check_walk(replay_t *r, const nf_record_t *rec, const nf_template_source_t *src, size_t n)
{
	static char walked[LINE_SIZE];
	nf_line_t l = {.buf = walked, .size = LINE_SIZE};

	nf_render_walk(&l, rec, src, &r->tc);
	if (l.used != n || memcmp(walked, r->line, n) != 0) {
		fprintf(stderr, "%s datagram %u: the document walk differs from the JSON line\n%.*s\n%s\n",
			r->capture, r->datagram, (int)n, r->line, walked);
		exit(1);
	}
}

/* The ECS writer writes what the ECS walk writes, with each kind of
 * made-up enrichment too (the corpus has none). */
static void check_ecs(replay_t *r, const nf_ecs_t *ecs)
{
	static unsigned records;

	records++;
	for (unsigned variant = 0; variant < 5; variant++) {
		nf_ecs_t e = *ecs;

		ecs_check_enrich(&e, variant);
		if (!ecs_check(&e, variant % 2 ? "2001:db8::\"1\"" : "192.0.2.1", &r->tc, records + variant)) {
			fprintf(stderr, "%s datagram %u: the ECS writer differs from the ECS walk\n", r->capture,
				r->datagram);
			exit(1);
		}
	}
}

/* The record in every output the core renders. */
static void render_record(replay_t *r, const nf_datagram_info_t *info, const nf_record_t *rec,
			  const nf_template_source_t *src, const char *type)
{
	nf_line_t l = {.buf = r->line, .size = LINE_SIZE};
	nf_ecs_t ecs;

	nf_render_fields(&l, NF_RENDER_JSON, rec, src, &r->tc);
	check_walk(r, rec, src, l.used);
	nf_line_str(&l, " type=");
	nf_line_str(&l, type);
	print_line(r, "json", r->line);
	nf_line_reset(&l);
	nf_render_fields(&l, NF_RENDER_KV, rec, src, &r->tc);
	print_line(r, "kv", r->line);
	nf_line_reset(&l);
	nf_ecs_extract(rec, &ecs);
	nf_render_ecs(&l, &ecs, "192.0.2.1", &r->tc);
	print_line(r, "ecs", r->line);
	check_ecs(r, &ecs);
	nf_record_summary(rec, info->version, &r->tc, r->line, LINE_SIZE);
	print_line(r, "summary", r->line);
}

static void on_record(void *ctx, const nf_emitted_t *e)
{
	render_record(ctx, e->info, e->record, e->templates, nf_record_kind_name(e->kind));
}

static void decode(replay_t *r, nf_session_t *s, nf_record_t *rec, const nf_scope_key_t *exporter,
		   const uint8_t *p, size_t len)
{
	nf_decoder_t d = {.session = s, .exporter = *exporter, .source = *exporter, .now = EXPORT_NOW, .emit = on_record,
			  .emit_ctx = r, .record = rec, .renormalize = r->renormalize};
	const nf_decode_result_t *res = &d.result;
	char text[256];
	int rc = nf_decode_datagram(&d, p, len);
	int n = snprintf(text, sizeof(text),
			 "%d protocol=%d records=%u templates=%u template_errors=%u pending=%u dropped=%u "
			 "skipped=%u missing=%u reset=%d",
			 rc, res->protocol, res->records, res->templates, res->template_errors, res->sets_pending,
			 res->sets_dropped, res->skipped, res->sequence_missing, res->sequence_reset);

	/* only where there are some: the lines of the other datagrams stay as they were */
	if (res->times_implausible > 0 && n > 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, " implausible=%u", res->times_implausible);
	print_line(r, "rc", text);
}

static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/* The exporter key of a source address as templateScope="address" makes
 * it: the address, IPv4 mapped into IPv6, no port. */
static void exporter_key(const char *src, nf_scope_key_t *key)
{
	memset(key, 0, sizeof(*key));
	if (inet_pton(AF_INET6, src, key->addr) == 1)
		return;
	key->addr[10] = key->addr[11] = 0xff;
	if (inet_pton(AF_INET, src, key->addr + 12) != 1) {
		fprintf(stderr, "bad source address %s\n", src);
		exit(1);
	}
}

/* Column i (from 0) of a tab-separated row, cut out in place. */
static const char *tsv_column(char *row, int i)
{
	char *end;

	while (i-- > 0 && row != NULL)
		if ((row = strchr(row, '\t')) != NULL)
			row++;
	if (row == NULL) {
		fprintf(stderr, "datagrams.tsv: short row\n");
		exit(1);
	}
	if ((end = strpbrk(row, "\t\n")) != NULL)
		*end = '\0';
	return row;
}

static void replay_capture(replay_t *r, const char *dir)
{
	static uint8_t buf[MAX_DATAGRAM];
	char path[4096], row[1024];
	nf_limits_t limits;
	nf_session_t *s;
	nf_record_t *rec = malloc(sizeof(*rec));
	FILE *tsv;

	snprintf(path, sizeof(path), "%s/datagrams.tsv", dir);
	if (rec == NULL || (tsv = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	nf_limits_default(&limits);
	if ((s = nf_session_new(&limits)) == NULL)
		exit(1);
	memset(&r->tc, 0, sizeof(r->tc));
	if (fgets(row, sizeof(row), tsv) == NULL) /* the header */
		exit(1);
	while (fgets(row, sizeof(row), tsv) != NULL) {
		nf_scope_key_t key;
		unsigned n = (unsigned)strtoul(row, NULL, 10);

		exporter_key(tsv_column(row, 3), &key);
		snprintf(path, sizeof(path), "%s/%04u.bin", dir, n);
		r->datagram = n;
		decode(r, s, rec, &key, buf, read_file(path, buf, sizeof(buf)));
	}
	fclose(tsv);
	nf_session_free(s);
	free(rec);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	static replay_t r;
	struct dirent **names;
	char dir[4096];
	int argi = 1, n;

	if (argi < argc && strcmp(argv[argi], "-r") == 0) {
		r.renormalize = 1;
		argi++;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: render_corpus [-r] CAPTURES_DIR [CAPTURE ...]\n");
		return 2;
	}
	if (argi + 1 < argc) {
		for (int i = argi + 1; i < argc; i++) {
			r.capture = argv[i];
			snprintf(dir, sizeof(dir), "%s/%s", argv[argi], argv[i]);
			replay_capture(&r, dir);
		}
		return 0;
	}
	if ((n = scandir(argv[argi], &names, NULL, by_name)) < 0) {
		perror(argv[argi]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			r.capture = names[i]->d_name;
			snprintf(dir, sizeof(dir), "%s/%s", argv[argi], names[i]->d_name);
			replay_capture(&r, dir);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}
