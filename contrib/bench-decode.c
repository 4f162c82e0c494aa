/* bench-decode.c - the decoder alone: records per second on one core.
 *
 * Reads datagrams written by `nfgen -w FILE` ([exporter][length][payload]...),
 * then decodes them again and again for a few seconds through the same code
 * the input module runs (nf_decode_datagram), with no syscalls and no
 * rsyslog: v9/IPFIX templates are learned once, then looked up. With -j each
 * record's fields are also rendered as JSON, as format="json" does; -e adds
 * the ECS objects with the Community ID, as ecs="on" does.
 *
 * Usage: bench-decode [-s SECONDS] [-j] [-e] FILE
 * Prints: records=N seconds=S records_per_second=R ns_per_record=X bytes_per_record=B
 * (B: the rendered line's length, 0 without -j or -e)
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nf_datagram.h"
#include "nf_render.h"

#define LINE_MAX_BYTES 16384

typedef struct bench {
	uint64_t records;
	int render;
	int ecs;
	nf_ecs_options_t ecs_options;
	size_t rendered_bytes;
	nf_time_cache_t times;
	char line[LINE_MAX_BYTES];
} bench_t;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void render(bench_t *b, const nf_datagram_info_t *info, const nf_record_t *rec,
		   const nf_template_source_t *src)
{
	nf_line_t line = {.buf = b->line, .size = sizeof(b->line)};
	(void)info;
	nf_line_str(&line, b->ecs ? "{\"netflow\":{" : "{");
	nf_render_fields(&line, NF_RENDER_JSON, rec, src, &b->times);
	nf_line_str(&line, "}");
	if (b->ecs) {
		nf_ecs_t ecs;

		nf_ecs_extract_with(rec, &b->ecs_options, &ecs);
		nf_line_str(&line, ",");
		nf_render_ecs(&line, &ecs, "192.0.2.1", &b->times);
		nf_line_str(&line, "}");
	}
	b->rendered_bytes += line.used;
}

static void on_record(void *ctx, const nf_emitted_t *e)
{
	bench_t *b = ctx;

	b->records++;
	if (b->render)
		render(b, e->info, e->record, e->templates);
}

static void decode_one(bench_t *b, nf_session_t *s, nf_record_t *rec, uint8_t exporter, const uint8_t *p,
		       size_t len, time_t now)
{
	nf_decoder_t d = {.session = s, .now = now, .emit = on_record, .emit_ctx = b, .record = rec};

	d.exporter.addr[15] = exporter;
	d.source = d.exporter;
	(void)nf_decode_datagram(&d, p, len);
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (data = malloc((size_t)n)) == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*size = (size_t)n;
	return data;
}

int main(int argc, char **argv)
{
	static bench_t b;
	double seconds = 3, start, elapsed;
	nf_limits_t limits;
	nf_session_t *s;
	nf_record_t *rec = malloc(sizeof(*rec));
	size_t size;
	uint8_t *data;
	int c;

	while ((c = getopt(argc, argv, "s:je")) != -1) {
		if (c == 's')
			seconds = atof(optarg);
		else if (c == 'j')
			b.render = 1;
		else if (c == 'e')
			b.render = b.ecs = 1;
		else
			return 2;
	}
	if (optind != argc - 1 || rec == NULL) {
		fprintf(stderr, "usage: bench-decode [-s SECONDS] [-j] [-e] FILE\n");
		return 2;
	}
	nf_ecs_options_default(&b.ecs_options);
	if (getenv("BENCH_PORTABLE_SHA1") != NULL)
		b.ecs_options.sha1 = NF_SHA1_PORTABLE;
	data = read_file(argv[optind], &size);
	nf_limits_default(&limits);
	if ((s = nf_session_new(&limits)) == NULL)
		return 1;
	start = mono();
	do {
		const uint8_t *p = data;
		size_t left = size;
		while (left >= 3) {
			size_t len = (size_t)p[1] << 8 | p[2];
			if (len > left - 3)
				len = left - 3;
			decode_one(&b, s, rec, p[0], p + 3, len, 1795870712);
			p += 3 + len;
			left -= 3 + len;
		}
	} while ((elapsed = mono() - start) < seconds);
	printf("records=%llu seconds=%.3f records_per_second=%.0f ns_per_record=%.1f bytes_per_record=%.0f%s\n",
	       (unsigned long long)b.records, elapsed, (double)b.records / elapsed, elapsed * 1e9 / (double)b.records,
	       (double)b.rendered_bytes / (double)b.records,
	       b.ecs ? " (decoded and rendered as JSON with ECS)" : b.render ? " (decoded and rendered as JSON)"
								     : " (decoded)");
	nf_session_free(s);
	free(rec);
	free(data);
	return 0;
}
