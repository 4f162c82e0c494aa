/* nf_render.c - a decoded record as one line of text: JSON or key=value.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_render.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "nf_format.h"


void nf_line_put_cut(nf_line_t *l, const char *s, size_t n)
{
	if (l->size == 0)
		return;
	if (l->used + n >= l->size) {
		n = l->size - 1 - l->used;
		l->overflow = true;
	}
	memcpy(l->buf + l->used, s, n);
	l->used += n;
	l->buf[l->used] = '\0';
}

/* "00" "01" ... "99": two digits per division. */
static const char two_digits[201] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";

/* The number of decimal digits of v: from its bit length (log10 2 is
 * about 1233 / 4096), one more where v reaches the next power of ten. */
static inline unsigned decimal_digits(uint64_t v)
{
	static const uint64_t powers_of_10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
		1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull};
	unsigned n = ((64u - (unsigned)__builtin_clzll(v | 1)) * 1233u) >> 12;

	return n + (v >= powers_of_10[n]) + (v == 0);
}

/* Writes the decimal digits of v at d (at most 20, no NUL); returns the end. */
static inline char *put_digits(char *d, uint64_t v)
{
	unsigned len = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : decimal_digits(v);
	char *end = d + len;

	d = end;
	while (v >= 100) {
		unsigned pair = (unsigned)(v % 100);
		v /= 100;
		*--d = two_digits[2 * pair + 1];
		*--d = two_digits[2 * pair];
	}
	if (v >= 10) {
		*--d = two_digits[2 * v + 1];
		*--d = two_digits[2 * v];
	} else {
		*--d = (char)('0' + v);
	}
	return end;
}

void nf_line_u64(nf_line_t *l, uint64_t v)
{
	char digits[20];
	size_t n = sizeof(digits);

	if (l->used + 21 <= l->size) { /* the common case: written in place */
		char *end = put_digits(l->buf + l->used, v);
		*end = '\0';
		l->used = (size_t)(end - l->buf);
		return;
	}

	while (v >= 100) {
		unsigned pair = (unsigned)(v % 100);
		v /= 100;
		n -= 2;
		digits[n] = two_digits[2 * pair];
		digits[n + 1] = two_digits[2 * pair + 1];
	}
	if (v >= 10) {
		n -= 2;
		digits[n] = two_digits[2 * v];
		digits[n + 1] = two_digits[2 * v + 1];
	} else {
		digits[--n] = (char)('0' + v);
	}
	nf_line_put(l, digits + n, sizeof(digits) - n);
}

static void line_i64(nf_line_t *l, int64_t v)
{
	if (v < 0) {
		nf_line_put(l, "-", 1);
		nf_line_u64(l, (uint64_t)0 - (uint64_t)v); /* also right for INT64_MIN */
		return;
	}
	nf_line_u64(l, (uint64_t)v);
}

/* Writes the dotted quad of b at d (at most 15 bytes, no NUL); returns the end. */
static inline char *put_ipv4(char *d, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100) {
			*d++ = (char)('0' + v / 100);
			v %= 100;
			*d++ = two_digits[2 * v];
			*d++ = two_digits[2 * v + 1];
		} else if (v >= 10) {
			*d++ = two_digits[2 * v];
			*d++ = two_digits[2 * v + 1];
		} else {
			*d++ = (char)('0' + v);
		}
		*d++ = '.';
	}
	return d - 1;
}

static void line_ipv4(nf_line_t *l, const uint8_t *b)
{
	char text[32]; /* 15 used; the size keeps nf_line_put's long-copy branch in bounds */
	nf_line_put(l, text, (size_t)(put_ipv4(text, b) - text));
}

static void line_hex(nf_line_t *l, const uint8_t *p, size_t n, const char *sep)
{
	static const char digits[] = "0123456789abcdef";
	size_t seplen = strlen(sep);

	for (size_t i = 0; i < n; i++) {
		char pair[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
		if (i > 0 && seplen > 0)
			nf_line_put(l, sep, seplen);
		nf_line_put(l, pair, 2);
	}
}

/* Where a time text (at most NF_TIME_TEXT_MAX bytes) goes: in place when
 * the line has room for the longest, else into spare; time_written then
 * accounts for it. */
static char *time_slot(nf_line_t *l, char *spare)
{
	return l->used + NF_TIME_TEXT_MAX < l->size ? l->buf + l->used : spare;
}

static void time_written(nf_line_t *l, const char *at, const char *spare, size_t n)
{
	if (at == spare)
		nf_line_put(l, spare, n);
	else
		l->used += n;
}

void nf_render_time_ms(nf_line_t *l, int64_t ms, nf_time_cache_t *tc)
{
	char spare[NF_TIME_TEXT_MAX], *at = time_slot(l, spare);

	time_written(l, at, spare, nf_time_ms_text(ms, tc, at, NF_TIME_TEXT_MAX));
}

static void line_datetime(nf_line_t *l, const nf_field_t *f, nf_time_cache_t *tc)
{
	char spare[NF_TIME_TEXT_MAX], *at = time_slot(l, spare);

	time_written(l, at, spare, nf_datetime_text(f, tc, at, NF_TIME_TEXT_MAX));
}

/* 0x0101...01 times b: b in every byte of a word */
#define BYTES_OF(b) (UINT64_C(0x0101010101010101) * (b))

/* True if a byte of x is below 0x20 or is '"' or '\\' (the well-known
 * "has a byte less than n" and "has a zero byte" word tricks; exact as a
 * yes/no for the whole word). */
static inline bool word_needs_escape(uint64_t x)
{
	uint64_t quote = x ^ BYTES_OF('"'), backslash = x ^ BYTES_OF('\\');

	return (((x - BYTES_OF(0x20)) & ~x) | ((quote - BYTES_OF(1)) & ~quote) |
		((backslash - BYTES_OF(1)) & ~backslash)) & BYTES_OF(0x80);
}

/* How many bytes from s on (n at most) JSON takes as they are. */
static size_t json_plain_run(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t x;

	for (; i + sizeof(x) <= n; i += sizeof(x)) {
		memcpy(&x, s + i, sizeof(x));
		if (word_needs_escape(x))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	return i;
}

static const char hex_digits[] = "0123456789abcdef";

/* The escaped body of s at d, which has room for 6 * n bytes; returns
 * the end (no NUL). */
static char *json_escaped_at(char *d, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = json_plain_run(s + i, n - i);
		unsigned char c;

		memcpy(d, s + i, run);
		d += run;
		if ((i += run) == n)
			break;
		c = (unsigned char)s[i++];
		*d++ = '\\';
		if (c == '"' || c == '\\') {
			*d++ = (char)c;
		} else {
			memcpy(d, "u00", 3);
			d[3] = hex_digits[c >> 4];
			d[4] = hex_digits[c & 15];
			d += 5;
		}
	}
	return d;
}

void nf_line_json_escaped(nf_line_t *l, const char *s, size_t n)
{
	static const char *const hex = hex_digits;
	size_t i = 0;

	if (l->used + 6 * n < l->size) { /* room for the worst: written in place */
		char *end = json_escaped_at(l->buf + l->used, s, n);
		*end = '\0';
		l->used = (size_t)(end - l->buf);
		return;
	}
	while (i < n) {
		size_t run = json_plain_run(s + i, n - i);
		unsigned char c;

		nf_line_put(l, s + i, run);
		if ((i += run) == n)
			break;
		c = (unsigned char)s[i++];
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			nf_line_put(l, esc, 2);
		} else {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			nf_line_put(l, esc, 6);
		}
	}
}

/* A string field's text: without its trailing NUL padding, invalid UTF-8
 * bytes replaced by U+FFFD; a NUL inside it escaped (\u0000) in JSON, or,
 * unescaped (for C strings: the property tree's end at a NUL), U+2400
 * SYMBOL FOR NULL. */
static void line_utf8(nf_line_t *l, const uint8_t *p, size_t n, bool json_escaped)
{
	n = nf_string_length(p, n);
	for (size_t i = 0; i < n;) {
		size_t len = nf_utf8_sequence(p + i, n - i);
		if (len == 0) {
			nf_line_put(l, "\xef\xbf\xbd", 3);
			i++;
		} else if (p[i] == 0 && !json_escaped) {
			nf_line_put(l, "\xe2\x90\x80", 3);
			i++;
		} else {
			/* the ASCII after it, each byte a sequence, in the same piece */
			while (i + len < n && p[i + len] < 0x80 && (json_escaped || p[i + len] != 0))
				len++;
			if (json_escaped)
				nf_line_json_escaped(l, (const char *)p + i, len);
			else
				nf_line_put(l, (const char *)p + i, len);
			i += len;
		}
	}
}

static void line_json_string(nf_line_t *l, const uint8_t *p, size_t n)
{
	nf_line_put(l, "\"", 1);
	line_utf8(l, p, n, true);
	nf_line_put(l, "\"", 1);
}

static void line_double(nf_line_t *l, double v)
{
	char text[32];
	int n;

	if (!isfinite(v)) { /* JSON has no NaN or infinity */
		nf_line_put(l, "null", 4);
		return;
	}
	n = snprintf(text, sizeof(text), "%.17g", v);
	nf_line_put(l, text, n > 0 ? (size_t)n : 0);
}

static void field_name(nf_line_t *l, const nf_field_t *f)
{
	char name[NF_TEXT_MAX];

	if (f->ie != NULL) {
		nf_line_put(l, f->ie->name, f->ie->name_len ? f->ie->name_len : strlen(f->ie->name));
	} else {
		nf_line_put(l, name, nf_unknown_name(f->pen, f->id, name, sizeof(name)));
	}
	if (f->repeat > 0) { /* a template may carry an element twice: name_2, ... */
		nf_line_put(l, "_", 1);
		nf_line_u64(l, f->repeat + 1u);
	}
}

/* An RFC 6313 list as a JSON array, its elements at depth + 1: the record
 * walk's list (walk_list), written by the JSON document writer. */
static void line_list(nf_line_t *l, const nf_field_t *f, const nf_template_source_t *src, int depth,
		      nf_time_cache_t *tc);

/* ---- values ---- */

/* Values that are the same in both styles and need no quotes in key=value;
 * returns false for the others. */
static bool bare_value(nf_line_t *l, const nf_field_t *f, nf_time_cache_t *tc, bool quoted_text)
{
	char text[NF_TEXT_MAX];
	const char *q = "\"";
	size_t nq = quoted_text ? 1 : 0;

	switch (f->type) {
	case NF_T_U8: case NF_T_U16: case NF_T_U32: case NF_T_U64:
		nf_line_u64(l, f->v.u);
		return true;
	case NF_T_I8: case NF_T_I16: case NF_T_I32: case NF_T_I64:
		line_i64(l, f->v.i);
		return true;
	case NF_T_F32: case NF_T_F64:
		line_double(l, f->v.f);
		return true;
	case NF_T_BOOL:
		nf_line_put(l, f->v.u ? "true" : "false", f->v.u ? 4 : 5);
		return true;
	case NF_T_IPV4:
		nf_line_put(l, q, nq);
		line_ipv4(l, f->v.b);
		nf_line_put(l, q, nq);
		return true;
	case NF_T_IPV6:
		nf_line_put(l, q, nq);
		nf_line_put(l, text, nf_field_text(f, text, sizeof(text)));
		nf_line_put(l, q, nq);
		return true;
	case NF_T_MAC:
		nf_line_put(l, q, nq);
		line_hex(l, f->v.b, 6, ":");
		nf_line_put(l, q, nq);
		return true;
	case NF_T_DT_SEC: case NF_T_DT_MILLI: case NF_T_DT_MICRO: case NF_T_DT_NANO:
		nf_line_put(l, q, nq);
		line_datetime(l, f, tc);
		nf_line_put(l, q, nq);
		return true;
	default:
		return false;
	}
}

static bool is_list(const nf_field_t *f)
{
	return f->type == NF_T_BASIC_LIST || f->type == NF_T_SUBTEMPLATE_LIST ||
	       f->type == NF_T_SUBTEMPLATE_MULTILIST;
}

nf_value_kind_t nf_value_kind(const nf_field_t *f)
{
	switch (f->type) {
	case NF_T_U8: case NF_T_U16: case NF_T_U32: case NF_T_U64:
		return NF_VALUE_UNSIGNED;
	case NF_T_I8: case NF_T_I16: case NF_T_I32: case NF_T_I64:
		return NF_VALUE_SIGNED;
	case NF_T_F32: case NF_T_F64:
		return isfinite(f->v.f) ? NF_VALUE_REAL : NF_VALUE_NULL;
	case NF_T_BOOL:
		return NF_VALUE_BOOL;
	default:
		return is_list(f) ? NF_VALUE_LIST : NF_VALUE_TEXT;
	}
}

size_t nf_render_text_size(const nf_field_t *f)
{
	size_t octets = (size_t)f->len * 3 + 1; /* sanitised UTF-8 (U+FFFD per byte) or hex */

	return octets > NF_TEXT_MAX ? octets : NF_TEXT_MAX;
}

size_t nf_render_text(const nf_field_t *f, char *buf, size_t size, nf_time_cache_t *tc)
{
	nf_line_t l = {.buf = buf, .size = size};

	nf_line_reset(&l);
	if (!bare_value(&l, f, tc, false)) {
		if (f->type == NF_T_STRING)
			line_utf8(&l, f->v.p, f->len, false);
		else
			line_hex(&l, f->v.p, f->len, "");
	}
	return l.used;
}

void nf_render_json_value(nf_line_t *l, const nf_field_t *f, const nf_template_source_t *src, int depth,
			  nf_time_cache_t *tc)
{
	if (bare_value(l, f, tc, true))
		return;
	if (f->type == NF_T_STRING) {
		line_json_string(l, f->v.p, f->len);
	} else if (is_list(f) && depth < NF_LIST_MAX_DEPTH) {
		line_list(l, f, src, depth, tc);
	} else {
		nf_line_put(l, "\"", 1);
		line_hex(l, f->v.p, f->len, "");
		nf_line_put(l, "\"", 1);
	}
}

/* key=value: strings and lists become one JSON string, octets bare hex. */
static void kv_value(nf_line_t *l, const nf_field_t *f, const nf_template_source_t *src, nf_time_cache_t *tc)
{
	if (bare_value(l, f, tc, false))
		return;
	if (f->type == NF_T_STRING) {
		line_json_string(l, f->v.p, f->len);
	} else if (is_list(f)) {
		/* the array, rendered in place, then escaped as one string */
		char array[2048];
		nf_line_t inner = {.buf = array, .size = sizeof(array)};
		line_list(&inner, f, src, 0, tc);
		nf_line_put(l, "\"", 1);
		nf_line_json_escaped(l, inner.buf, inner.used);
		nf_line_put(l, "\"", 1);
		if (inner.overflow)
			l->overflow = true;
	} else {
		line_hex(l, f->v.p, f->len, "");
	}
}

/* Bytes put_key writes besides the name: at most ,"": */
#define KEY_EXTRA 4

/* Writes separator, name and assignment at d: ,"name": or " name=" (no
 * NUL); returns the end. */
static inline char *put_key(char *d, const char *name, size_t nname, nf_render_style_t style, bool first)
{
	bool json = style == NF_RENDER_JSON;

	if (!first)
		*d++ = json ? ',' : ' ';
	if (json)
		*d++ = '"';
	if (nname > 16 && nname <= 32) { /* element names: most are 8 to 32 bytes */
		memcpy(d, name, 16);
		memcpy(d + nname - 16, name + nname - 16, 16);
	} else {
		nf_copy_short(d, name, nname);
	}
	d += nname;
	if (json) {
		*d++ = '"';
		*d++ = ':';
	} else {
		*d++ = '=';
	}
	return d;
}

/* The key of a field in one piece (the common case: a dictionary name, no
 * repeat). Returns false when the field needs the general path. */
static bool line_key(nf_line_t *l, const nf_field_t *f, nf_render_style_t style, bool first)
{
	char *end;

	if (f->ie == NULL || f->repeat > 0 || f->ie->name_len == 0 ||
	    l->used + f->ie->name_len + KEY_EXTRA >= l->size)
		return false;
	end = put_key(l->buf + l->used, f->ie->name, f->ie->name_len, style, first);
	*end = '\0';
	l->used = (size_t)(end - l->buf);
	return true;
}

/* The fast path: the common fields (a dictionary name of at most
 * FAST_NAME_MAX bytes, an unsigned number, IPv4 address or time) are
 * written with one bounds check for the whole field, FAST_FIELD_ROOM bytes:
 * separator, quotes, name, and the longest of those values (a time with
 * nanoseconds, 30 bytes). */
#define FAST_NAME_MAX 64
#define FAST_FIELD_ROOM 128

static inline bool is_fast_type(uint8_t type)
{
	return (type >= NF_T_U8 && type <= NF_T_U64) || type == NF_T_IPV4 ||
	       (type >= NF_T_DT_SEC && type <= NF_T_DT_NANO);
}

static bool fast_field(nf_line_t *l, const nf_field_t *f, nf_render_style_t style, bool first, nf_time_cache_t *tc)
{
	bool json = style == NF_RENDER_JSON;
	size_t nname;
	char *d;

	if (f->ie == NULL || f->repeat > 0 || (nname = f->ie->name_len) == 0 || nname > FAST_NAME_MAX ||
	    !is_fast_type(f->type) || l->used + FAST_FIELD_ROOM >= l->size)
		return false;
	d = put_key(l->buf + l->used, f->ie->name, nname, style, first);
	if (f->type <= NF_T_U64) {
		d = put_digits(d, f->v.u);
	} else {
		if (json)
			*d++ = '"';
		if (f->type == NF_T_IPV4) {
			d = put_ipv4(d, f->v.b);
		} else { /* a time: the general writer, bounded by the room reserved */
			nf_line_t t = {.buf = d, .size = 40};
			line_datetime(&t, f, tc);
			d += t.used;
		}
		if (json)
			*d++ = '"';
	}
	*d = '\0';
	l->used = (size_t)(d - l->buf);
	return true;
}

unsigned nf_render_fields(nf_line_t *l, nf_render_style_t style, const nf_record_t *rec,
			  const nf_template_source_t *src, nf_time_cache_t *tc)
{
	unsigned n = 0;

	for (uint16_t i = 0; i < rec->nfields; i++, n++) {
		const nf_field_t *f = &rec->field[i];
		if (fast_field(l, f, style, n == 0, tc))
			continue;
		if (!line_key(l, f, style, n == 0)) {
			if (style == NF_RENDER_JSON)
				nf_line_put(l, n > 0 ? ",\"" : "\"", n > 0 ? 2 : 1);
			else if (n > 0)
				nf_line_put(l, " ", 1);
			field_name(l, f);
			nf_line_put(l, style == NF_RENDER_JSON ? "\":" : "=", style == NF_RENDER_JSON ? 2 : 1);
		}
		if (style == NF_RENDER_JSON)
			nf_render_json_value(l, f, src, 0, tc);
		else
			kv_value(l, f, src, tc);
	}
	return n;
}


/* ---- the summary line ---- */

/* " <label> [addr]:port" when there is an address (port 0 when none). */
static void summary_endpoint(nf_line_t *l, const char *label, const nf_field_t *addr, const nf_field_t *port)
{
	if (addr == NULL)
		return;
	nf_line_str(l, label);
	nf_line_put(l, "[", 1);
	bare_value(l, addr, NULL, false);
	nf_line_put(l, "]:", 2);
	nf_line_u64(l, port ? port->v.u : 0);
}

/* " <label> <value>" of element id, in decimal or as (at least) two hex digits. */
static void summary_item(nf_line_t *l, const nf_record_t *rec, uint16_t id, const char *label, bool hex)
{
	static const char digits[] = "0123456789abcdef";
	const nf_field_t *f = nf_record_find(rec, NF_PEN_IANA, id);
	char text[16];
	size_t n = sizeof(text);
	uint64_t v;

	if (f == NULL)
		return;
	nf_line_str(l, label);
	if (!hex) {
		nf_line_u64(l, f->v.u);
		return;
	}
	v = f->v.u;
	do {
		text[--n] = digits[v & 15];
		v >>= 4;
	} while (v != 0 && n > 0);
	if (n == sizeof(text) - 1)
		text[--n] = '0';
	nf_line_put(l, text + n, sizeof(text) - n);
}

/* " <packets> N <octets> M" of the counts present. */
static void summary_counts(nf_line_t *l, const nf_ecs_counts_t *c, const char *packets, const char *octets)
{
	if (c->has_packets) {
		nf_line_str(l, packets);
		nf_line_u64(l, c->packets);
	}
	if (c->has_bytes) {
		nf_line_str(l, octets);
		nf_line_u64(l, c->bytes);
	}
}

size_t nf_record_summary_with(const nf_record_t *rec, uint16_t version, const nf_ecs_options_t *opts,
			      nf_time_cache_t *tc, char *buf, size_t size)
{
	nf_line_t l = {.buf = buf, .size = size};
	nf_ecs_t e;

	nf_ecs_extract_with(rec, opts, &e);
	nf_line_reset(&l);
	nf_line_str(&l, "FLOW v");
	nf_line_u64(&l, version);
	summary_endpoint(&l, " src ", e.source.ip, e.source.port);
	summary_endpoint(&l, " dst ", e.destination.ip, e.destination.port);
	summary_item(&l, rec, NF_IE_PROTOCOL_IDENTIFIER, " proto ", false);
	summary_item(&l, rec, NF_IE_TCP_CONTROL_BITS, " tcpflags ", true);
	summary_item(&l, rec, NF_IE_IP_CLASS_OF_SERVICE, " tos ", true);
	summary_counts(&l, &e.source.counts, " packets ", " octets ");
	if (rec->start_ms >= 0) {
		nf_line_str(&l, " start ");
		nf_render_time_ms(&l, rec->start_ms, tc);
	}
	if (rec->end_ms >= 0) {
		nf_line_str(&l, " end ");
		nf_render_time_ms(&l, rec->end_ms, tc);
	}
	/* what flowd's line has no place for comes after all it has, so that
	 * a reader of those keeps reading them where they were */
	summary_counts(&l, &e.destination.counts, " rpackets ", " roctets ");
	summary_endpoint(&l, " natsrc ", e.source.nat_ip, e.source.nat_port);
	summary_endpoint(&l, " natdst ", e.destination.nat_ip, e.destination.nat_port);
	if (e.community_id[0] != '\0') {
		nf_line_str(&l, " community_id ");
		nf_line_str(&l, e.community_id);
	}
	return l.used;
}

size_t nf_record_summary(const nf_record_t *rec, uint16_t version, nf_time_cache_t *tc, char *buf, size_t size)
{
	return nf_record_summary_with(rec, version, NULL, tc, buf, size);
}

/* ---- the record as a document (nf_doc_ops_t) ---- */
typedef struct record_walk {
	const nf_template_source_t *src;
	const nf_doc_ops_t *ops;
	void *ctx;
	int depth;      /* of the list being walked */
	bool in_record; /* between a sub-record's begin and end */
} record_walk_t;

/* The key of field f: its table name, or one composed in buf (repeats,
 * unknown elements). */
static const char *field_key(const nf_field_t *f, char *buf, size_t size)
{
	nf_line_t l = {.buf = buf, .size = size};

	if (f->ie != NULL && f->repeat == 0)
		return f->ie->name;
	field_name(&l, f);
	return buf;
}

static inline void walk_field(const record_walk_t *parent, const char *key, const nf_field_t *f, int depth);

static void walk_begin_record(void *ctx)
{
	record_walk_t *w = ctx;

	w->ops->open_object(w->ctx, NULL);
	w->in_record = true;
}

static void walk_list_field(void *ctx, const nf_field_t *f)
{
	record_walk_t *w = ctx;
	char name[NF_TEXT_MAX + 8];

	walk_field(w, w->in_record ? field_key(f, name, sizeof(name)) : NULL, f, w->depth + 1);
}

static void walk_end_record(void *ctx)
{
	record_walk_t *w = ctx;

	w->ops->close(w->ctx);
	w->in_record = false;
}

static void walk_list(const record_walk_t *parent, const char *key, const nf_field_t *f, int depth);

/* Inlined into the loops: most fields are scalars, handed on at once. */
static inline void walk_field(const record_walk_t *parent, const char *key, const nf_field_t *f, int depth)
{
	if (!is_list(f) || depth >= NF_LIST_MAX_DEPTH)
		parent->ops->field(parent->ctx, key, f);
	else
		walk_list(parent, key, f, depth);
}

static void walk_list(const record_walk_t *parent, const char *key, const nf_field_t *f, int depth)
{
	record_walk_t w = {.src = parent->src, .ops = parent->ops, .ctx = parent->ctx, .depth = depth};
	const nf_list_sink_t sink = {.ctx = &w, .begin_record = walk_begin_record, .field = walk_list_field,
				     .end_record = walk_end_record};

	w.ops->open_array(w.ctx, key);
	(void)nf_list_walk(f, w.src, &sink); /* a malformed tail is left out */
	if (w.in_record)
		w.ops->close(w.ctx);
	w.ops->close(w.ctx);
}

void nf_record_walk(const nf_record_t *rec, const nf_template_source_t *src, const nf_doc_ops_t *ops, void *ctx)
{
	const record_walk_t w = {.src = src, .ops = ops, .ctx = ctx};
	char name[NF_TEXT_MAX + 8];

	for (uint16_t i = 0; i < rec->nfields; i++)
		walk_field(&w, field_key(&rec->field[i], name, sizeof(name)), &rec->field[i], 0);
}

/* ---- a document written as JSON text (nf_doc_ops_t) ---- */
#define DOC_MAX_DEPTH 16 /* lists nest at most 8 deep: NF_LIST_MAX_DEPTH arrays of objects */

typedef struct doc_writer {
	nf_line_t *l;
	nf_time_cache_t *tc;
	int depth;
	bool first[DOC_MAX_DEPTH + 1]; /* no member written yet at this depth */
	bool array[DOC_MAX_DEPTH + 1]; /* the depth is an array's, not an object's */
} doc_writer_t;

/* The separator, and "key": where there is a key. The ECS objects are
 * some forty short members a record: one check of the room and one copy
 * each, the piecewise puts only when the line is nearly full. */
static void doc_member(doc_writer_t *w, const char *key)
{
	nf_line_t *l = w->l;
	bool sep = !w->first[w->depth];
	size_t klen = key != NULL ? strlen(key) : 0;
	char *d;

	w->first[w->depth] = false;
	if (l->used + 1 + klen + 3 >= l->size) {
		if (sep)
			nf_line_put(l, ",", 1);
		if (key != NULL) {
			nf_line_put(l, "\"", 1);
			nf_line_put(l, key, klen);
			nf_line_put(l, "\":", 2);
		}
		return;
	}
	d = l->buf + l->used;
	if (sep)
		*d++ = ',';
	if (key != NULL) {
		*d++ = '"';
		memcpy(d, key, klen);
		d += klen;
		*d++ = '"';
		*d++ = ':';
	}
	*d = '\0';
	l->used = (size_t)(d - l->buf);
}

/* Opens an object or array; deeper than DOC_MAX_DEPTH the separators of
 * the innermost level are shared (no document of the core nests so). */
static void doc_open(doc_writer_t *w, const char *key, bool array)
{
	doc_member(w, key);
	nf_line_put(w->l, array ? "[" : "{", 1);
	if (w->depth < DOC_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->array[w->depth] = array;
}

static void doc_open_object(void *ctx, const char *key)
{
	doc_open(ctx, key, false);
}

static void doc_open_array(void *ctx, const char *key)
{
	doc_open(ctx, key, true);
}

static void doc_close(void *ctx)
{
	doc_writer_t *w = ctx;

	nf_line_put(w->l, w->array[w->depth] ? "]" : "}", 1);
	if (w->depth > 0)
		w->depth--;
}

static void doc_text(void *ctx, const char *key, const char *s, size_t n)
{
	doc_writer_t *w = ctx;

	doc_member(w, key);
	nf_line_put(w->l, "\"", 1);
	nf_line_json_escaped(w->l, s, n);
	nf_line_put(w->l, "\"", 1);
}

static void doc_u64(void *ctx, const char *key, uint64_t v)
{
	doc_writer_t *w = ctx;

	doc_member(w, key);
	nf_line_u64(w->l, v);
}

/* A scalar, or a list the walk did not open: hex (no src, deepest level). */
static void doc_field(void *ctx, const char *key, const nf_field_t *f)
{
	doc_writer_t *w = ctx;

	doc_member(w, key);
	nf_render_json_value(w->l, f, NULL, NF_LIST_MAX_DEPTH, w->tc);
}

static const nf_doc_ops_t doc_writer_ops = {doc_open_object, doc_open_array, doc_close,
					    doc_text, doc_u64, doc_field};

static void line_list(nf_line_t *l, const nf_field_t *f, const nf_template_source_t *src, int depth,
		      nf_time_cache_t *tc)
{
	doc_writer_t w = {.l = l, .tc = tc, .first = {true}};

	walk_list(&(const record_walk_t){.src = src, .ops = &doc_writer_ops, .ctx = &w}, NULL, f, depth);
}

void nf_render_ecs_walk(nf_line_t *l, const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc)
{
	doc_writer_t w = {.l = l, .tc = tc, .first = {true}};

	nf_ecs_walk(e, observer, tc, &doc_writer_ops, &w);
}

void nf_render_walk(nf_line_t *l, const nf_record_t *rec, const nf_template_source_t *src, nf_time_cache_t *tc)
{
	doc_writer_t w = {.l = l, .tc = tc, .first = {true}};

	nf_record_walk(rec, src, &doc_writer_ops, &w);
}

/* ---- the ECS objects as JSON, written directly ----
 *
 * What nf_ecs_walk through the document writer writes, without the walk
 * and without a check of the room for each piece: nf_render_ecs first
 * bounds what it can write (NF_ECS_JSON_FIXED_MAX, and six bytes for each
 * byte of a text it escapes), and where the line has that room, writes
 * at a cursor: keys as constant fragments of known length
 * (,"source":{"ip":), numbers, addresses, MACs and times in place, the
 * texts the ECS view holds as constants (type, transport, direction,
 * action, locality, community_id) unescaped, there being nothing in them
 * to escape. Near the end of the line it lets the walk write instead, so
 * that a cut line is cut exactly as the walk cuts it. */

#define JSON_ESCAPED_MAX(n) (6 * (n)) /* \u00XX for each byte */

/* key a string literal; tail what follows the colon ("{", "\"", "[" or "") */
#define KEY(key, tail) "\"" key "\":" tail
#define PUT_LITERAL(d, s) put_bytes((d), (s), sizeof(s) - 1)
#define PUT_MEMBER(d, first, key, tail) put_member((d), (first), KEY(key, tail), sizeof(KEY(key, tail)) - 1)

static inline char *put_bytes(char *d, const char *s, size_t n)
{
	memcpy(d, s, n);
	return d + n;
}

/* A member's separator (none before an object's first) and its key
 * fragment k. */
static inline char *put_member(char *d, bool *first, const char *k, size_t n)
{
	*d = ',';
	d += !*first;
	*first = false;
	return put_bytes(d, k, n);
}

/* A text that needs no escaping, and its closing quote. */
static inline char *put_plain_text(char *d, const char *s)
{
	d = put_bytes(d, s, strlen(s));
	*d++ = '"';
	return d;
}

/* A text that may need escaping, and its closing quote. */
static inline char *put_escaped_text(char *d, const char *s)
{
	d = json_escaped_at(d, s, strlen(s));
	*d++ = '"';
	return d;
}

/* The line up to d, for the writers that take a line (room is known). */
static inline nf_line_t *line_at(nf_line_t *l, char *d)
{
	l->used = (size_t)(d - l->buf);
	return l;
}

static inline char *line_end(const nf_line_t *l)
{
	return l->buf + l->used;
}

/* A field's value as the document writer writes it (doc_field): IPv4
 * addresses and numbers, nearly all of them, in place. */
static inline char *put_field(nf_line_t *l, char *d, const nf_field_t *f, nf_time_cache_t *tc)
{
	if (f->type == NF_T_IPV4) {
		*d++ = '"';
		d = put_ipv4(d, f->v.b);
		*d++ = '"';
		return d;
	}
	if (f->type >= NF_T_U8 && f->type <= NF_T_U64)
		return put_digits(d, f->v.u);
	nf_render_json_value(line_at(l, d), f, NULL, NF_LIST_MAX_DEPTH, tc);
	return line_end(l);
}

/* A number as a JSON string (ECS keywords that hold numbers). */
static inline char *put_number_text(char *d, uint64_t v)
{
	d = put_digits(d, v);
	*d++ = '"';
	return d;
}

static char *put_counts(char *d, bool *first, const nf_ecs_counts_t *c)
{
	if (c->has_bytes)
		d = put_digits(PUT_MEMBER(d, first, "bytes", ""), c->bytes);
	if (c->has_packets)
		d = put_digits(PUT_MEMBER(d, first, "packets", ""), c->packets);
	return d;
}

/* ip and port members, those that are there. */
static inline char *put_ip_port(nf_line_t *l, char *d, bool *first, const nf_field_t *ip, const nf_field_t *port,
				nf_time_cache_t *tc)
{
	if (ip != NULL)
		d = put_field(l, PUT_MEMBER(d, first, "ip", ""), ip, tc);
	if (port != NULL)
		d = put_field(l, PUT_MEMBER(d, first, "port", ""), port, tc);
	return d;
}

/* A geo text member, where there is one (k: its key fragment). */
static char *put_geo_text(char *d, bool *first, const char *k, size_t n, const char *text)
{
	if (text == NULL || *text == '\0')
		return d;
	return put_escaped_text(put_member(d, first, k, n), text);
}

#define PUT_GEO_TEXT(d, first, key, text) \
	put_geo_text((d), (first), KEY(key, "\""), sizeof(KEY(key, "\"")) - 1, (text))

static char *put_double(nf_line_t *l, char *d, double v)
{
	line_double(line_at(l, d), v);
	return line_end(l);
}

/* geo and as of an endpoint (ecs_geo in nf_ecs.c). */
static char *put_geo(nf_line_t *l, char *d, bool *first, const nf_endpoint_info_t *info)
{
	const nf_geo_t *g = info->geo;
	const char *site = info->network != NULL ? info->network->site : NULL;
	bool in = true;

	if (g == NULL && site == NULL)
		return d;
	d = PUT_MEMBER(d, first, "geo", "{");
	d = PUT_GEO_TEXT(d, &in, "name", site);
	if (g != NULL) {
		d = PUT_GEO_TEXT(d, &in, "country_iso_code", g->country_iso_code);
		d = PUT_GEO_TEXT(d, &in, "country_name", g->country_name);
		d = PUT_GEO_TEXT(d, &in, "continent_code", g->continent_code);
		d = PUT_GEO_TEXT(d, &in, "region_iso_code", g->region_iso_code);
		d = PUT_GEO_TEXT(d, &in, "region_name", g->region_name);
		d = PUT_GEO_TEXT(d, &in, "city_name", g->city_name);
		if (g->has_location) {
			d = put_double(l, PUT_MEMBER(d, &in, "location", "{\"lat\":"), g->lat);
			d = put_double(l, PUT_LITERAL(d, ",\"lon\":"), g->lon);
			*d++ = '}';
		}
	}
	*d++ = '}';
	if (g == NULL || !g->has_as)
		return d;
	d = put_digits(PUT_LITERAL(d, ",\"as\":{\"number\":"), g->as_number); /* geo came first */
	if (g->as_organization[0] != '\0') {
		d = put_escaped_text(PUT_LITERAL(d, ",\"organization\":{\"name\":\""), g->as_organization);
		*d++ = '}';
	}
	*d++ = '}';
	return d;
}

/* An endpoint object; k its key fragment ("\"source\":{"). */
static char *put_endpoint(nf_line_t *l, char *d, bool *first, const char *k, size_t n, const nf_ecs_endpoint_t *p,
			  nf_time_cache_t *tc)
{
	bool in = true;

	if (nf_ecs_endpoint_empty(p))
		return d;
	d = put_ip_port(l, put_member(d, first, k, n), &in, p->ip, p->port, tc);
	if (p->mac != NULL) {
		d = PUT_MEMBER(d, &in, "mac", "\"");
		nf_ecs_mac_text(p->mac, d);
		d += NF_ECS_MAC_TEXT_SIZE - 1;
		*d++ = '"';
	}
	d = put_counts(d, &in, &p->counts);
	if (p->nat_ip != NULL || p->nat_port != NULL) {
		bool nat = true;

		d = put_ip_port(l, PUT_MEMBER(d, &in, "nat", "{"), &nat, p->nat_ip, p->nat_port, tc);
		*d++ = '}';
	}
	if (p->info != NULL) {
		const char *locality = nf_locality_name(p->info->locality);

		if (locality != NULL)
			d = put_plain_text(PUT_MEMBER(d, &in, "locality", "\""), locality);
		d = put_geo(l, d, &in, p->info);
	}
	*d++ = '}';
	return d;
}

#define PUT_ENDPOINT(l, d, first, key, p, tc) \
	put_endpoint((l), (d), (first), KEY(key, "{"), sizeof(KEY(key, "{")) - 1, (p), (tc))

static char *put_network(char *d, bool *first, const nf_ecs_t *e)
{
	bool in = true;

	d = PUT_MEMBER(d, first, "network", "{");
	if (e->type != NULL)
		d = put_plain_text(PUT_MEMBER(d, &in, "type", "\""), e->type);
	if (e->has_proto)
		d = put_number_text(PUT_MEMBER(d, &in, "iana_number", "\""), e->proto);
	if (e->transport != NULL)
		d = put_plain_text(PUT_MEMBER(d, &in, "transport", "\""), e->transport);
	if (e->direction != NULL)
		d = put_plain_text(PUT_MEMBER(d, &in, "direction", "\""), e->direction);
	if (e->community_id[0] != '\0') /* "1:" and base64: nothing to escape */
		d = put_plain_text(PUT_MEMBER(d, &in, "community_id", "\""), e->community_id);
	d = put_counts(d, &in, &e->network);
	*d++ = '}';
	return d;
}

/* A time member, quoted (k: its key fragment; the text has nothing to escape). */
static char *put_time(char *d, const char *k, size_t n, int64_t ms, nf_time_cache_t *tc)
{
	if (ms < 0)
		return d;
	d = put_bytes(d, k, n);
	d += nf_time_ms_text(ms, tc, d, NF_TIME_TEXT_MAX);
	*d++ = '"';
	return d;
}

#define PUT_TIME(d, key, ms, tc) put_time((d), "," KEY(key, "\""), sizeof("," KEY(key, "\"")) - 1, (ms), (tc))

static char *put_event(char *d, bool *first, const nf_ecs_t *e, nf_time_cache_t *tc)
{
	d = PUT_MEMBER(d, first, "event", "{\"kind\":\"event\",\"category\":[\"network\"");
	if (e->biflow)
		d = PUT_LITERAL(d, ",\"session\"");
	d = PUT_LITERAL(d, "],\"type\":[\"connection\"]");
	if (e->action != NULL)
		d = put_plain_text(PUT_LITERAL(d, ",\"action\":\""), e->action);
	d = PUT_TIME(d, "start", e->start_ms, tc);
	d = PUT_TIME(d, "end", e->end_ms, tc);
	if (e->duration_ns >= 0)
		d = put_digits(PUT_LITERAL(d, ",\"duration\":"), (uint64_t)e->duration_ns);
	*d++ = '}';
	return d;
}

static char *put_interface(nf_line_t *l, char *d, bool *first, const char *k, size_t n, const nf_ecs_interface_t *i,
			   nf_time_cache_t *tc)
{
	bool in = true;

	if (i->id == NULL && i->name == NULL)
		return d;
	d = put_member(d, first, k, n);
	if (i->id != NULL)
		d = put_number_text(PUT_MEMBER(d, &in, "id", "\""), i->id->v.u);
	if (i->name != NULL)
		d = put_field(l, PUT_MEMBER(d, &in, "name", ""), i->name, tc);
	return PUT_LITERAL(d, "}}");
}

#define PUT_INTERFACE(l, d, first, key, i, tc) \
	put_interface((l), (d), (first), KEY(key, "{\"interface\":{"), sizeof(KEY(key, "{\"interface\":{")) - 1, \
		      (i), (tc))

/* The most the texts of an endpoint's enrichment take, escaped. */
static size_t info_bound(const nf_endpoint_info_t *info)
{
	size_t n = 0;

	if (info == NULL)
		return 0;
	if (info->network != NULL && info->network->site != NULL)
		n += JSON_ESCAPED_MAX(strlen(info->network->site));
	if (info->geo != NULL) /* seven names and the AS organization */
		n += JSON_ESCAPED_MAX(8 * NF_GEO_TEXT_MAX);
	return n;
}

/* The most nf_render_ecs writes of e: each endpoint twice (as client or
 * server), the strings of interface names escaped or sanitised. */
static size_t ecs_json_bound(const nf_ecs_t *e, const char *observer)
{
	size_t n = NF_ECS_JSON_FIXED_MAX + 2 * (info_bound(e->source.info) + info_bound(e->destination.info));

	if (observer != NULL)
		n += JSON_ESCAPED_MAX(strlen(observer));
	if (e->ingress.name != NULL)
		n += JSON_ESCAPED_MAX((size_t)e->ingress.name->len);
	if (e->egress.name != NULL)
		n += JSON_ESCAPED_MAX((size_t)e->egress.name->len);
	return n;
}

void nf_render_ecs(nf_line_t *l, const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc)
{
	bool first = true, in = true;
	char *d;

	if (l->used + ecs_json_bound(e, observer) >= l->size) {
		nf_render_ecs_walk(l, e, observer, tc); /* near the line's end: cut as the walk cuts */
		return;
	}
	d = line_end(l);
	d = PUT_ENDPOINT(l, d, &first, "source", &e->source, tc);
	d = PUT_ENDPOINT(l, d, &first, "destination", &e->destination, tc);
	if (e->biflow) {
		d = PUT_ENDPOINT(l, d, &first, "client", e->client_is_destination ? &e->destination : &e->source, tc);
		d = PUT_ENDPOINT(l, d, &first, "server", e->client_is_destination ? &e->source : &e->destination, tc);
	}
	d = put_network(d, &first, e);
	d = put_event(d, &first, e, tc); /* after network: never the first */
	if (e->flow_locality != NULL) {
		d = put_plain_text(PUT_LITERAL(d, ",\"flow\":{\"locality\":\""), e->flow_locality);
		*d++ = '}';
	}
	if (e->nrelated > 0) {
		d = PUT_LITERAL(d, ",\"related\":{\"ip\":[");
		for (unsigned i = 0; i < e->nrelated; i++) {
			*d = ',';
			d = put_field(l, d + (i > 0), e->related[i], tc);
		}
		d = PUT_LITERAL(d, "]}");
	}
	d = PUT_LITERAL(d, ",\"observer\":{");
	if (observer != NULL)
		d = put_escaped_text(PUT_MEMBER(d, &in, "ip", "\""), observer);
	d = PUT_INTERFACE(l, d, &in, "ingress", &e->ingress, tc);
	d = PUT_INTERFACE(l, d, &in, "egress", &e->egress, tc);
	*d++ = '}';
	*d = '\0';
	l->used = (size_t)(d - l->buf);
}
