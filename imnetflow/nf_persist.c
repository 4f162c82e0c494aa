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

static void save_one(void *arg, const nf_scope_key_t *key, const nf_template_t *t)
{
	save_ctx_t *c = arg;

	if (c->failed)
		return;
	fputs("T ", c->f);
	for (size_t i = 0; i < sizeof(key->addr); i++)
		fprintf(c->f, "%02x", key->addr[i]);
	fprintf(c->f, " %u %u %" PRIu32 " %u %u %u %u", key->port, key->version, key->domain, t->id,
		t->is_options, t->scope_fields, t->nfields);
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

/* Parses one template line and stores it. Returns 1, or 0 if unusable. */
static int load_line(nf_persist_route_fn route, void *ctx, char *line, time_t now, nf_field_spec_t *specs)
{
	nf_session_t *s;
	nf_scope_key_t key;
	unsigned long port, version, domain, id, options, nscope, n, pen, fid, len;
	char *p = line + 1;
	nf_template_t *t;
	nf_scope_t *scope;

	memset(&key, 0, sizeof(key));
	if (line[0] != 'T' || !hex_addr(&p, key.addr) || !number(&p, 65535, &port) ||
	    !number(&p, 10, &version) || (version != 9 && version != 10) || !number(&p, UINT32_MAX, &domain) ||
	    !number(&p, 65535, &id) || !number(&p, 1, &options) || !number(&p, 65535, &nscope) ||
	    !number(&p, NF_TEMPLATE_MAX_FIELDS, &n))
		return 0;
	for (unsigned long i = 0; i < n; i++) {
		if (!number(&p, UINT32_MAX, &pen) || *p++ != ':' || !number(&p, 65535, &fid) || *p++ != ':' ||
		    !number(&p, 65535, &len))
			return 0;
		specs[i] = (nf_field_spec_t){(uint32_t)pen, (uint16_t)fid, (uint16_t)len};
	}
	key.port = (uint16_t)port;
	key.version = (uint16_t)version;
	key.domain = (uint32_t)domain;
	s = route(ctx, &key);
	if (nf_template_compile(version == 9 ? NF_FLAVOR_V9 : NF_FLAVOR_IPFIX, nf_session_dictionary(s), (uint16_t)id,
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
