/* nf_dict.c - further information elements, loaded from a file.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_dict.h"

#include <stdlib.h>
#include <string.h>

#define PEN_V9 0x100000000ull /* sorts the v9 field types after every PEN */
#define MAX_COLUMNS 32
#define MAX_LINE 4096

typedef struct dict_entry {
	uint64_t pen;   /* PEN, or PEN_V9 */
	nf_ie_t ie;
} dict_entry_t;

struct nf_dict {
	dict_entry_t *e;
	size_t n;
};

static const struct { const char *name; int type; } type_names[] = {
	{"octetArray", NF_T_OCTETS}, {"unsigned8", NF_T_U8}, {"unsigned16", NF_T_U16},
	{"unsigned32", NF_T_U32}, {"unsigned64", NF_T_U64}, {"unsigned", NF_T_U64},
	{"signed8", NF_T_I8}, {"signed16", NF_T_I16}, {"signed32", NF_T_I32}, {"signed64", NF_T_I64},
	{"float32", NF_T_F32}, {"float64", NF_T_F64}, {"boolean", NF_T_BOOL}, {"macAddress", NF_T_MAC},
	{"string", NF_T_STRING}, {"dateTimeSeconds", NF_T_DT_SEC}, {"dateTimeMilliseconds", NF_T_DT_MILLI},
	{"dateTimeMicroseconds", NF_T_DT_MICRO}, {"dateTimeNanoseconds", NF_T_DT_NANO},
	{"ipv4Address", NF_T_IPV4}, {"ipv6Address", NF_T_IPV6}, {"basicList", NF_T_BASIC_LIST},
	{"subTemplateList", NF_T_SUBTEMPLATE_LIST}, {"subTemplateMultiList", NF_T_SUBTEMPLATE_MULTILIST},
};

static const char *const semantics_names[] = {
	[NF_S_DEFAULT] = "default", [NF_S_QUANTITY] = "quantity", [NF_S_TOTAL_COUNTER] = "totalCounter",
	[NF_S_DELTA_COUNTER] = "deltaCounter", [NF_S_IDENTIFIER] = "identifier", [NF_S_FLAGS] = "flags",
	[NF_S_LIST] = "list", [NF_S_SNMP_COUNTER] = "snmpCounter", [NF_S_SNMP_GAUGE] = "snmpGauge",
};

int nf_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i].name) == 0)
			return type_names[i].type;
	return -1;
}

static int semantics_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(semantics_names) / sizeof(semantics_names[0]); i++)
		if (strcmp(name, semantics_names[i]) == 0)
			return (int)i;
	return NF_S_DEFAULT;
}

/* Splits line at tabs (in place); returns the number of cells. */
static int split(char *line, char **cells)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	cells[n++] = line;
	for (char *p = line; *p != '\0' && n < MAX_COLUMNS; p++)
		if (*p == '\t') {
			*p = '\0';
			cells[n++] = p + 1;
		}
	return n;
}

static int column(char **cells, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(cells[i], name) == 0)
			return i;
	return -1;
}

/* Lowercase, and '_' for anything outside [a-z0-9], no repeats or ends. */
static char *normalized_name(const char *s)
{
	char *out = malloc(strlen(s) + 1), *w = out;

	if (out == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		char c = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			*w++ = c;
		else if (w > out && w[-1] != '_')
			*w++ = '_';
	}
	while (w > out && w[-1] == '_')
		w--;
	*w = '\0';
	return out;
}

static int parse_number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;
	if (*s < '0' || *s > '9')
		return 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && *v <= max;
}

typedef struct columns {
	int pen, id, name, type, semantics;
} columns_t;

static int parse_entry(char **cells, int n, const columns_t *col, dict_entry_t *e)
{
	unsigned long long pen, id;
	int type = NF_T_OCTETS;

	if (col->pen >= n || col->id >= n || col->name >= n)
		return 0;
	if (strcmp(cells[col->pen], "v9") == 0)
		pen = PEN_V9;
	else if (!parse_number(cells[col->pen], UINT32_MAX, &pen))
		return 0;
	if (!parse_number(cells[col->id], pen == PEN_V9 ? 65535 : 32767, &id))
		return 0;
	if (col->type >= 0 && col->type < n && cells[col->type][0] != '\0' &&
	    (type = nf_type_from_name(cells[col->type])) < 0)
		return 0;
	e->pen = pen;
	e->ie.pen = pen == PEN_V9 ? 0 : (uint32_t)pen;
	e->ie.id = (uint16_t)id;
	e->ie.type = (uint8_t)type;
	e->ie.semantics = (uint8_t)(col->semantics >= 0 && col->semantics < n
					    ? semantics_from_name(cells[col->semantics]) : NF_S_DEFAULT);
	e->ie.name = normalized_name(cells[col->name]);
	/* "type" and "exporter" are the record's own members (see nf_dict.h) */
	if (e->ie.name == NULL || e->ie.name[0] == '\0' || strcmp(e->ie.name, "type") == 0 ||
	    strcmp(e->ie.name, "exporter") == 0)
		return 0;
	e->ie.name_len = strlen(e->ie.name) < 256 ? (uint8_t)strlen(e->ie.name) : 0;
	return 1;
}

static int entry_cmp(const void *a, const void *b)
{
	const dict_entry_t *x = a, *y = b;
	if (x->pen != y->pen)
		return x->pen < y->pen ? -1 : 1;
	return (int)x->ie.id - (int)y->ie.id;
}

nf_dict_t *nf_dict_load(FILE *f, long *loaded, long *skipped, long *first_bad)
{
	char line[MAX_LINE], *cells[MAX_COLUMNS];
	nf_dict_t *d = calloc(1, sizeof(*d));
	size_t cap = 0;
	columns_t col;
	long lineno = 1;
	int n;

	*loaded = *skipped = *first_bad = 0;
	if (d == NULL || fgets(line, sizeof(line), f) == NULL)
		goto fail;
	n = split(line, cells);
	col = (columns_t){column(cells, n, "pen"), column(cells, n, "id"), column(cells, n, "name"),
			  column(cells, n, "type"), column(cells, n, "semantics")};
	if (col.pen < 0 || col.id < 0 || col.name < 0)
		goto fail;
	while (fgets(line, sizeof(line), f) != NULL) {
		dict_entry_t e;
		lineno++;
		n = split(line, cells);
		if (n == 1 && cells[0][0] == '\0')
			continue;
		if (d->n == cap) {
			dict_entry_t *grown = realloc(d->e, (cap = cap ? cap * 2 : 64) * sizeof(*grown));
			if (grown == NULL)
				goto fail;
			d->e = grown;
		}
		memset(&e, 0, sizeof(e));
		if (!parse_entry(cells, n, &col, &e)) {
			free((char *)e.ie.name);
			if ((*skipped)++ == 0)
				*first_bad = lineno;
			continue;
		}
		d->e[d->n++] = e;
	}
	qsort(d->e, d->n, sizeof(*d->e), entry_cmp);
	*loaded = (long)d->n;
	return d;
fail:
	nf_dict_free(d);
	return NULL;
}

void nf_dict_free(nf_dict_t *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free((char *)d->e[i].ie.name);
	free(d->e);
	free(d);
}

static const nf_ie_t *find(const nf_dict_t *d, uint64_t pen, uint16_t id)
{
	dict_entry_t key = {.pen = pen, .ie = {.id = id}};
	const dict_entry_t *e;

	if (d == NULL || d->n == 0)
		return NULL;
	e = bsearch(&key, d->e, d->n, sizeof(*d->e), entry_cmp);
	return e ? &e->ie : NULL;
}

const nf_ie_t *nf_dict_lookup(const nf_dict_t *d, uint32_t pen, uint16_t id)
{
	return find(d, pen, id);
}

const nf_ie_t *nf_dict_lookup_v9(const nf_dict_t *d, uint16_t field_type)
{
	return find(d, PEN_V9, field_type);
}
