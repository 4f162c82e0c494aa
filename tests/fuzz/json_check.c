/* json_check.c - a strict JSON checker for the fuzz target: the text is one
 * JSON value (RFC 8259), its strings are valid UTF-8, and no object has a
 * key twice. No allocation: the keys of the objects being read share one
 * stack.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "json_check.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define MAX_KEYS 8192 /* of all objects open at once */

typedef struct json_key {
	const char *s;
	size_t n;
} json_key_t;

typedef struct parser {
	const char *p, *end;
	int depth;
	size_t nkeys;           /* keys on the stack */
	json_key_t keys[MAX_KEYS];
} parser_t;

static int value(parser_t *ps);

static void skip_space(parser_t *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int literal(parser_t *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence at p (its first byte >= 0x80); its length, 0 if invalid. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;

	if (n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] > 0x8f))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* A string; *s and *n its raw text between the quotes. */
static int string(parser_t *ps, const char **s, size_t *n)
{
	if (ps->p >= ps->end || *ps->p != '"')
		return 0;
	*s = ++ps->p;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++ps->p >= ps->end)
				return 0;
			if (*ps->p == 'u') {
				if (ps->end - ps->p < 5 || !is_hex(ps->p[1]) || !is_hex(ps->p[2]) || !is_hex(ps->p[3]) ||
				    !is_hex(ps->p[4]))
					return 0;
				ps->p += 5;
			} else if (strchr("\"\\/bfnrt", *ps->p) != NULL && *ps->p != '\0') {
				ps->p++;
			} else {
				return 0;
			}
		} else if (c >= 0x80) {
			size_t k = utf8_sequence((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
			if (k == 0)
				return 0;
			ps->p += k;
		} else {
			ps->p++;
		}
	}
	if (ps->p >= ps->end)
		return 0;
	*n = (size_t)(ps->p - *s);
	ps->p++;
	return 1;
}

static int digits(parser_t *ps)
{
	const char *start = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > start;
}

static int number(parser_t *ps)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return 0;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return 0;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return 0;
	}
	return 1;
}

static int by_text(const void *a, const void *b)
{
	const json_key_t *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c != 0 ? c : (x->n > y->n) - (x->n < y->n);
}

/* Keys are compared as written: the renderers never escape a key. */
static int unique(json_key_t *keys, size_t n)
{
	qsort(keys, n, sizeof(*keys), by_text);
	for (size_t i = 1; i < n; i++)
		if (by_text(&keys[i - 1], &keys[i]) == 0)
			return 0;
	return 1;
}

/* An object; its keys go on the stack above those of the objects around
 * it, and are taken off when it ends. */
static int object(parser_t *ps)
{
	size_t base = ps->nkeys;
	int ok = 0;

	ps->p++; /* { */
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 1;
	}
	for (;;) {
		json_key_t *k = &ps->keys[ps->nkeys];
		skip_space(ps);
		if (ps->nkeys == MAX_KEYS || !string(ps, &k->s, &k->n))
			break;
		ps->nkeys++;
		skip_space(ps);
		if (ps->p >= ps->end || *ps->p++ != ':' || !value(ps))
			break;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			ok = unique(&ps->keys[base], ps->nkeys - base);
		}
		break;
	}
	ps->nkeys = base;
	return ok;
}

static int array(parser_t *ps)
{
	ps->p++; /* [ */
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 1;
	}
	for (;;) {
		if (!value(ps))
			return 0;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 1;
		}
		return 0;
	}
}

static int value(parser_t *ps)
{
	const char *s;
	size_t n;
	int ok;

	skip_space(ps);
	if (ps->p >= ps->end || ++ps->depth > MAX_DEPTH)
		return 0;
	switch (*ps->p) {
	case '{': ok = object(ps); break;
	case '[': ok = array(ps); break;
	case '"': ok = string(ps, &s, &n); break;
	case 't': ok = literal(ps, "true"); break;
	case 'f': ok = literal(ps, "false"); break;
	case 'n': ok = literal(ps, "null"); break;
	default: ok = number(ps); break;
	}
	ps->depth--;
	return ok;
}

int json_check(const char *text, size_t len)
{
	static parser_t ps; /* its key stack is too large for the stack */

	ps.p = text;
	ps.end = text + len;
	ps.depth = 0;
	ps.nkeys = 0;
	if (!value(&ps))
		return 0;
	skip_space(&ps);
	return ps.p == ps.end;
}
