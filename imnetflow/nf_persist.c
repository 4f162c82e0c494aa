/* nf_persist.c - templates saved to and restored from a text file.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_persist.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "imnetflow-templates 1"

typedef struct save_ctx {
	FILE *f;
	long written;
	int failed;
} save_ctx_t;

/* "<kind> <addr> <port> <version> <domain>", the start of every line. */
static void save_key(FILE *f, char kind, const nf_scope_key_t *key)
{
	fputc(kind, f);
	fputc(' ', f);
	for (size_t i = 0; i < sizeof(key->addr); i++)
		fprintf(f, "%02x", key->addr[i]);
	fprintf(f, " %u %u %" PRIu32, key->port, key->version, key->domain);
}

static void save_one(void *arg, const nf_scope_key_t *key, const nf_template_t *t)
{
	save_ctx_t *c = arg;

	if (c->failed)
		return;
	save_key(c->f, 'T', key);
	fprintf(c->f, " %u %u %u %u", t->id, t->is_options, t->scope_fields, t->nfields);
	for (uint16_t i = 0; i < t->nfields; i++)
		fprintf(c->f, " %" PRIu32 ":%u:%u", nf_op_spec_pen(&t->ops[i]), nf_op_spec_id(&t->ops[i]), t->ops[i].len);
	if (fputc('\n', c->f) == EOF)
		c->failed = 1;
	c->written++;
}

long nf_persist_save(const nf_session_t *s, FILE *f)
{
	save_ctx_t c = {.f = f};

	if (fprintf(f, "%s\n", MAGIC) < 0)
		return -1;
	nf_session_foreach_template(s, save_one, &c);
	if (c.failed || fflush(f) != 0 || ferror(f))
		return -1;
	return c.written;
}

static void save_sequence(void *arg, const nf_scope_key_t *key, uint32_t seq_next)
{
	save_ctx_t *c = arg;

	if (c->failed)
		return;
	save_key(c->f, 'S', key);
	if (fprintf(c->f, " %" PRIu32 "\n", seq_next) < 0)
		c->failed = 1;
	c->written++;
}

long nf_persist_save_sequences(const nf_session_t *s, FILE *f)
{
	save_ctx_t c = {.f = f};

	nf_session_foreach_sequence(s, save_sequence, &c);
	if (c.failed || fflush(f) != 0 || ferror(f))
		return -1;
	return c.written;
}

/* Reads the next unsigned number of at most max from *p. */
static int number(char **p, unsigned long max, unsigned long *v)
{
	char *end;
	while (**p == ' ')
		(*p)++;
	if (**p < '0' || **p > '9')
		return 0;
	*v = strtoul(*p, &end, 10);
	if (*v > max)
		return 0;
	*p = end;
	return 1;
}

static int hex_addr(char **p, uint8_t addr[16])
{
	unsigned v;
	while (**p == ' ')
		(*p)++;
	for (int i = 0; i < 16; i++) {
		if (sscanf(*p + 2 * i, "%2x", &v) != 1)
			return 0;
		addr[i] = (uint8_t)v;
	}
	*p += 32;
	return 1;
}

/* Parses the key at the start of a line of kind, leaving *p after it. */
static int load_key(char **p, char kind, nf_scope_key_t *key)
{
	unsigned long port, version, domain;

	memset(key, 0, sizeof(*key));
	if (**p != kind)
		return 0;
	(*p)++;
	if (!hex_addr(p, key->addr) || !number(p, 65535, &port) || !number(p, 65535, &version) ||
	    !number(p, UINT32_MAX, &domain))
		return 0;
	key->port = (uint16_t)port;
	key->version = (uint16_t)version;
	key->domain = (uint32_t)domain;
	return 1;
}

/* Parses one sequence line and restores it. Returns 1, or 0 if unusable. */
static int load_sequence(nf_persist_route_fn route, void *ctx, char *line)
{
	nf_scope_key_t key;
	unsigned long seq;
	char *p = line;
	nf_stream_t *stream;

	if (!load_key(&p, 'S', &key) || !number(&p, UINT32_MAX, &seq))
		return 0;
	if ((stream = nf_session_stream(route(ctx, &key), &key)) == NULL)
		return 0;
	nf_stream_expect_sequence(stream, (uint32_t)seq);
	return 1;
}

/* Parses one template line and stores it. Returns 1, or 0 if unusable. */
static int load_line(nf_persist_route_fn route, void *ctx, char *line, time_t now, nf_field_spec_t *specs)
{
	nf_session_t *s;
	nf_scope_key_t key;
	unsigned long id, options, nscope, n, pen, fid, len;
	char *p = line;
	nf_template_t *t;
	nf_scope_t *scope;

	if (!load_key(&p, 'T', &key) || (key.version != 9 && key.version != 10) || !number(&p, 65535, &id) ||
	    !number(&p, 1, &options) || !number(&p, 65535, &nscope) || !number(&p, NF_TEMPLATE_MAX_FIELDS, &n))
		return 0;
	for (unsigned long i = 0; i < n; i++) {
		if (!number(&p, UINT32_MAX, &pen) || *p++ != ':' || !number(&p, 65535, &fid) || *p++ != ':' ||
		    !number(&p, 65535, &len))
			return 0;
		specs[i] = (nf_field_spec_t){(uint32_t)pen, (uint16_t)fid, (uint16_t)len};
	}
	s = route(ctx, &key);
	if (nf_template_compile(key.version == 9 ? NF_FLAVOR_V9 : NF_FLAVOR_IPFIX, nf_session_dictionary(s), (uint16_t)id,
				specs, (uint16_t)n,
				(int)options, (uint16_t)nscope, &t) != NF_OK)
		return 0;
	if ((scope = nf_session_scope(s, &key, now)) == NULL) {
		nf_template_free(t);
		return 0;
	}
	return nf_scope_put_template(s, scope, t, now) == NF_OK;
}

long nf_persist_load_routed(FILE *f, time_t now, nf_persist_route_fn route, void *ctx, long *skipped)
{
	/* the longest line: 512 fields of "4294967295:65535:65535 " */
	static const size_t max_line = 64 + NF_TEMPLATE_MAX_FIELDS * 24;
	nf_field_spec_t *specs = malloc(sizeof(*specs) * NF_TEMPLATE_MAX_FIELDS);
	char *line = malloc(max_line);
	long loaded = -1;

	*skipped = 0;
	if (specs == NULL || line == NULL || fgets(line, (int)max_line, f) == NULL ||
	    strncmp(line, MAGIC, strlen(MAGIC)) != 0)
		goto done;
	loaded = 0;
	while (fgets(line, (int)max_line, f) != NULL) {
		if (line[0] == 'S' && load_sequence(route, ctx, line))
			continue; /* a stream's sequence number, not a template */
		if (load_line(route, ctx, line, now, specs))
			loaded++;
		else
			(*skipped)++;
	}
done:
	free(specs);
	free(line);
	return loaded;
}

static nf_session_t *the_session(void *ctx, const nf_scope_key_t *key)
{
	(void)key;
	return ctx;
}

long nf_persist_load(nf_session_t *s, FILE *f, time_t now, long *skipped)
{
	return nf_persist_load_routed(f, now, the_session, s, skipped);
}
