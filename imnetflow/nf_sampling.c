/* nf_sampling.c - the sampling map: an open-addressing hash of (exporter,
 * domain, sampler, which of them count) to rate.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_sampling.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf_cidr.h"
#include "nf_decode.h"
#include "nf_hash.h"

#define LINE_MAX_BYTES 512

enum match { BY_EXPORTER, BY_DOMAIN, BY_SAMPLER }; /* how much of the key an entry gives */

typedef struct entry {
	uint8_t addr[16];
	uint32_t domain;
	uint64_t sampler;
	uint8_t match;
	uint32_t rate;      /* 0: the slot is free */
} entry_t;

struct nf_sampling_map {
	entry_t *slot;
	size_t size;        /* a power of two, at least twice the entries */
	size_t count;
};

static uint64_t key_hash(const uint8_t addr[16], uint32_t domain, uint64_t sampler, uint8_t match)
{
	uint64_t h = nf_fnv1a(NF_FNV_OFFSET, addr, 16);

	h = nf_fnv1a_u32(h, match);
	if (match >= BY_DOMAIN)
		h = nf_fnv1a_u32(h, domain);
	if (match == BY_SAMPLER)
		h = nf_fnv1a(h, &sampler, sizeof(sampler));
	return h;
}

static bool same_key(const entry_t *e, const uint8_t addr[16], uint32_t domain, uint64_t sampler, uint8_t match)
{
	return e->match == match && memcmp(e->addr, addr, 16) == 0 && (match < BY_DOMAIN || e->domain == domain) &&
	       (match < BY_SAMPLER || e->sampler == sampler);
}

static entry_t *find_slot(const nf_sampling_map_t *m, const uint8_t addr[16], uint32_t domain, uint64_t sampler,
			  uint8_t match)
{
	size_t i = (size_t)key_hash(addr, domain, sampler, match) & (m->size - 1);

	while (m->slot[i].rate != 0 && !same_key(&m->slot[i], addr, domain, sampler, match))
		i = (i + 1) & (m->size - 1);
	return &m->slot[i];
}

static bool grow(nf_sampling_map_t *m)
{
	nf_sampling_map_t bigger = {.size = m->size * 2};

	if ((bigger.slot = calloc(bigger.size, sizeof(entry_t))) == NULL)
		return false;
	for (size_t i = 0; i < m->size; i++)
		if (m->slot[i].rate != 0)
			*find_slot(&bigger, m->slot[i].addr, m->slot[i].domain, m->slot[i].sampler, m->slot[i].match) =
				m->slot[i];
	free(m->slot);
	m->slot = bigger.slot;
	m->size = bigger.size;
	return true;
}

static bool parse_number(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (errno != 0 || *end != '\0' || n > max)
		return false;
	*v = n;
	return true;
}

/* A bare address (surrounding blanks allowed), not a prefix. */
static bool parse_address(char *s, uint8_t addr[16])
{
	char *end;
	unsigned bits;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return strchr(s, '/') == NULL && nf_cidr_parse(s, addr, &bits) == NF_OK;
}

/* One line into e; false if it does not parse. */
static bool parse_line(char *line, entry_t *e)
{
	char *col[4];
	int n = 0;
	uint64_t v;

	for (char *p = line; n < 4 && (col[n] = strsep(&p, ",")) != NULL; n++)
		if (n == 3 && p != NULL)
			return false; /* a fifth column */
	if (n < 2 || !parse_address(col[0], e->addr) || !parse_number(col[n - 1], UINT32_MAX, &v) || v == 0)
		return false;
	e->rate = (uint32_t)v;
	e->match = (uint8_t)(n - 2);
	if (n >= 3) {
		if (!parse_number(col[1], UINT32_MAX, &v))
			return false;
		e->domain = (uint32_t)v;
	}
	return n < 4 || parse_number(col[2], UINT64_MAX, &e->sampler);
}

static bool add_entry(nf_sampling_map_t *m, const entry_t *e)
{
	entry_t *slot;

	if ((m->count + 1) * 2 > m->size && !grow(m))
		return false;
	slot = find_slot(m, e->addr, e->domain, e->sampler, e->match);
	m->count += slot->rate == 0;
	*slot = *e;
	return true;
}

nf_sampling_map_t *nf_sampling_map_load(const char *path, char *errors, size_t size)
{
	nf_sampling_map_t *m = calloc(1, sizeof(*m));
	char line[LINE_MAX_BYTES];
	unsigned lineno = 0;
	const char *why = NULL;
	FILE *f = NULL;

	if (m == NULL || (m->slot = calloc(m->size = 64, sizeof(entry_t))) == NULL)
		why = "out of memory";
	else if ((f = fopen(path, "r")) == NULL)
		why = strerror(errno);
	while (why == NULL && fgets(line, sizeof(line), f) != NULL) {
		entry_t e = {0};
		char *s = line;
		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
			continue;
		if (strchr(s, '\n') == NULL && !feof(f))
			why = "line too long";
		else if (!parse_line(s, &e))
			why = "expected exporter[,domain[,sampler]],rate with a rate of 1 or more";
		else if (m->count >= NF_SAMPLING_MAX)
			why = "too many entries";
		else if (!add_entry(m, &e))
			why = "out of memory";
	}
	if (f != NULL)
		fclose(f);
	if (why == NULL)
		return m;
	if (errors != NULL && size > 0) {
		if (lineno > 0)
			snprintf(errors, size, "%s:%u: %s", path, lineno, why);
		else
			snprintf(errors, size, "%s: %s", path, why);
	}
	nf_sampling_map_free(m);
	return NULL;
}

void nf_sampling_map_free(nf_sampling_map_t *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m);
}

uint32_t nf_sampling_map_rate(const nf_sampling_map_t *m, const uint8_t addr[16], uint32_t domain, uint64_t sampler)
{
	if (m == NULL || m->count == 0)
		return 0;
	for (int match = BY_SAMPLER; match >= BY_EXPORTER; match--) {
		const entry_t *e = find_slot(m, addr, domain, sampler, (uint8_t)match);
		if (e->rate != 0)
			return e->rate;
	}
	return 0;
}
