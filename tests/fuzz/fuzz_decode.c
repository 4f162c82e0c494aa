/* fuzz_decode.c - libFuzzer target for every decoder of the core.
 *
 * Stateful: one input is a sequence of datagrams from several exporters,
 * so that templates learned from one datagram are used by the next:
 *   [exporter (1 byte)] [length (2 bytes, big-endian)] [payload] ...
 * Each datagram goes through the core's one entry, nf_decode_datagram, as
 * in the input module. Every record is rendered as the module renders it:
 * its format="json" line (with ECS) must be valid JSON with no key twice
 * and say what the document walk the tree is built from says, its ECS
 * objects what the ECS walk says (also enriched, also cut short), no line may hold a line break, and every field is also rendered as text
 * (UTF-8, RFC 6313 lists). At the end the template state is saved and
 * restored, and must stay within its limits.
 *
 * Sandboxed: each input runs twice, first as it is (so that a sanitizer's
 * report and the crash input are written as usual), then again in a thread
 * under the receiving threads' seccomp filter (imnetflow/imn_seccomp.c).
 * A system call the filter refuses there is a crash: the decoder (or the
 * rendering and persistence the module's receiving threads do) needs a
 * call its sandbox would refuse.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined ... -lseccomp
 * (make fuzz), or with AFL++: afl-clang-fast ... tests/fuzz/fuzz_decode.c
 * tests/fuzz/afl_main.c
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imn_seccomp.h"
#include "nf_datagram.h"
#include "nf_format.h"
#include "nf_list.h"
#include "nf_persist.h"
#include "nf_render.h"
#include "json_check.h"
#include "ecs_check.h"

static nf_record_t scratch;

static void render(const nf_field_t *f, const nf_template_source_t *src, int depth);

static void list_field(void *ctx, const nf_field_t *f)
{
	render(f, ctx, 1);
}

static void list_mark(void *ctx)
{
	(void)ctx;
}

/* Renders a field as the module's tree does (nf_value_kind, then the
 * field's number or nf_render_text); lists one level deep. The tree and
 * the JSON line must agree: a text value is quoted in the line, a number
 * is not, and nf_render_text_size is enough for the text. */
static void render(const nf_field_t *f, const nf_template_source_t *src, int depth)
{
	static char big[3 * 65536 + 1], value[4 * 65536 + 3];
	static nf_time_cache_t tc;
	nf_line_t l = {.buf = value, .size = sizeof(value)};
	nf_value_kind_t kind = nf_value_kind(f);
	size_t size = nf_render_text_size(f);

	if (kind == NF_VALUE_LIST) {
		nf_list_sink_t sink = {(void *)src, list_mark, list_field, list_mark};
		if (depth < 2)
			(void)nf_list_walk(f, src, &sink);
		return;
	}
	nf_render_json_value(&l, f, src, 0, &tc);
	if (l.used == 0 || (value[0] == '"') != (kind == NF_VALUE_TEXT))
		abort();
	if (kind == NF_VALUE_TEXT && (size > sizeof(big) || nf_render_text(f, big, size, &tc) + 1 > size))
		abort();
}

/* A line as the module's format="json" (with ecs="on") and format="kv"
 * write it: the JSON must parse, with no key twice in any object; neither
 * line may hold a line break. A line cut for its length is not checked. */
static void render_lines(const nf_record_t *rec, const nf_template_source_t *src, uint16_t version)
{
	static char buf[1 << 20];
	static nf_time_cache_t tc;
	nf_line_t l = {.buf = buf, .size = sizeof(buf)};
	nf_ecs_t ecs;

	static char walked[sizeof(buf)];
	nf_line_t w = {.buf = walked, .size = sizeof(walked)};

	nf_line_str(&l, "{\"netflow\":{");
	nf_render_fields(&l, NF_RENDER_JSON, rec, src, &tc);
	/* the walk the module's tree is built from says the same */
	nf_render_walk(&w, rec, src, &tc);
	if (!l.overflow && (w.used != l.used - 12 || memcmp(walked, buf + 12, w.used) != 0))
		abort();
	nf_line_str(&l, "},");
	nf_ecs_extract(rec, &ecs);
	nf_render_ecs(&l, &ecs, "192.0.2.1", &tc);
	{ /* the ECS writer writes what the ECS walk writes */
		nf_ecs_t enriched = ecs;

		ecs_check_enrich(&enriched, rec->nfields);
		if (!ecs_check(&enriched, "192.0.2.1", &tc, (unsigned)l.used))
			abort();
	}
	nf_line_str(&l, "}");
	if (!l.overflow && (!json_check(buf, l.used) || memchr(buf, '\n', l.used) != NULL))
		abort();
	nf_line_reset(&l);
	nf_render_fields(&l, NF_RENDER_KV, rec, src, &tc);
	if (!l.overflow && memchr(buf, '\n', l.used) != NULL)
		abort();
	if (memchr(buf, '\n', nf_record_summary(rec, version, &tc, buf, 512)) != NULL)
		abort();
}

static void render_record(const nf_record_t *rec, const nf_template_source_t *src, uint16_t version)
{
	for (uint16_t i = 0; i < rec->nfields; i++)
		render(&rec->field[i], src, 0);
	render_lines(rec, src, version);
}

static void on_record(void *ctx, const nf_emitted_t *e)
{
	(void)ctx;
	render_record(e->record, e->templates, e->info->version);
}

/* Decodes through the core's one entry, as the module does. */
static void decode_one(nf_session_t *s, uint8_t exporter, const uint8_t *p, size_t len, time_t now)
{
	nf_decoder_t d = {.session = s, .now = now, .emit = on_record, .record = &scratch, .renormalize = 1};

	d.exporter.addr[15] = exporter & 3; /* a few exporters, so scopes collide and differ */
	d.source = d.exporter;
	(void)nf_decode_datagram(&d, p, len);
}

/* Saves and restores the templates: the file format must round-trip. */
static void persist_round_trip(const nf_session_t *s, const nf_limits_t *limits)
{
	char *buf = NULL;
	size_t size = 0;
	long skipped;
	FILE *f = open_memstream(&buf, &size);
	nf_session_t *copy;

	if (f == NULL)
		return;
	(void)nf_persist_save(s, f);
	fclose(f);
	copy = nf_session_new(limits);
	f = fmemopen(buf, size, "r");
	if (copy != NULL && f != NULL && nf_persist_load(copy, f, 0, &skipped) >= 0 && skipped != 0)
		abort(); /* what we wrote, we must read */
	if (f != NULL)
		fclose(f);
	nf_session_free(copy);
	free(buf);
}

static int run_input(const uint8_t *data, size_t size)
{
	nf_limits_t limits;
	nf_session_t *s;
	time_t now = 1795870712;

	nf_limits_default(&limits);
	limits.max_template_bytes = 256 << 10; /* small caps: eviction paths run */
	limits.max_scopes = 3;
	limits.max_templates_per_scope = 16;
	limits.max_pending_bytes = 64 << 10;
	limits.max_pending_bytes_per_scope = 16 << 10;
	s = nf_session_new(&limits);
	if (s == NULL)
		return 0;
	while (size >= 3) {
		uint8_t exporter = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];
		if (len > size - 3)
			len = size - 3;
		decode_one(s, exporter, data + 3, len, now);
		data += 3 + len;
		size -= 3 + len;
		now += exporter >> 6; /* let time pass: expiry paths run */
		nf_session_expire(s, now);
	}
	if (nf_session_memory(s) > limits.max_template_bytes + limits.max_pending_bytes + (1u << 20))
		abort(); /* the limits must hold */
	persist_round_trip(s, &limits);
	nf_session_free(s);
	return 0;
}

/* The sandboxed thread: runs what it is handed under the filter. */
static struct {
	pthread_mutex_t mut;
	pthread_cond_t cond;
	const uint8_t *data;
	size_t size;
	int pending, done;
} sandbox = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, 0};

static void *sandboxed(void *arg)
{
	(void)arg;
	if (imn_seccomp_enter(IMN_SECCOMP_TRAP, NULL, 0) != 0) {
		fprintf(stderr, "fuzz_decode: cannot enter the sandbox: %s\n", strerror(errno));
		abort();
	}
	pthread_mutex_lock(&sandbox.mut);
	for (;;) {
		while (!sandbox.pending)
			pthread_cond_wait(&sandbox.cond, &sandbox.mut);
		pthread_mutex_unlock(&sandbox.mut);
		run_input(sandbox.data, sandbox.size);
		pthread_mutex_lock(&sandbox.mut);
		sandbox.pending = 0;
		sandbox.done = 1;
		pthread_cond_broadcast(&sandbox.cond);
	}
	return NULL;
}

static void run_sandboxed(const uint8_t *data, size_t size)
{
	static pthread_t thread;
	static int started;
	uint64_t refused;

	if (!started) {
		if (imn_seccomp_setup() != 0 || pthread_create(&thread, NULL, sandboxed, NULL) != 0)
			abort();
		started = 1;
	}
	pthread_mutex_lock(&sandbox.mut);
	sandbox.data = data;
	sandbox.size = size;
	sandbox.done = 0;
	sandbox.pending = 1;
	pthread_cond_broadcast(&sandbox.cond);
	while (!sandbox.done)
		pthread_cond_wait(&sandbox.cond, &sandbox.mut);
	pthread_mutex_unlock(&sandbox.mut);
	refused = __atomic_load_n(&imn_seccomp_refused, __ATOMIC_RELAXED);
	if (refused != 0) {
		char *name = imn_seccomp_name(__atomic_load_n(&imn_seccomp_last, __ATOMIC_RELAXED));
		fprintf(stderr, "fuzz_decode: the sandbox refused %llu system call(s), the last %s\n",
			(unsigned long long)refused, name ? name : "unknown");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_input(data, size);
	run_sandboxed(data, size);
	return 0;
}
