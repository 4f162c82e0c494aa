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

static unsigned decimal_digits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
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

void nf_line_json_escaped(nf_line_t *l, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

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
 * What nf_ecs_walk through the document writer writes, without the walk:
 * keys are constant fragments of known length (",\"source\":{\"ip\":"),
 * numbers and IPv4 addresses are written in place, and the texts the ECS
 * view holds as constants (type, transport, direction, action, locality)
 * are not run through the escaper, which would find nothing to escape.
 * Every piece goes through a checked put, so a cut line is the same
 * prefix the walk's would be. */

/* Constant lengths: nf_line_put inlines to fixed-size moves. */
#define PUT_LITERAL(l, s) nf_line_put((l), (s), sizeof(s) - 1)

/* A member's separator and key: ,"key": or, for the object's first
 * member, "key": (k is the fragment with its comma). */
static inline void put_member(nf_line_t *l, bool *first, const char *k, size_t n)
{
	if (*first) {
		*first = false;
		nf_line_put(l, k + 1, n - 1);
	} else {
		nf_line_put(l, k, n);
	}
}

/* key a string literal; tail what follows the colon ("{", "\"", "[" or "") */
#define ECS_MEMBER(l, first, key, tail) \
	put_member((l), (first), ",\"" key "\":" tail, sizeof(",\"" key "\":" tail) - 1)

/* A text that needs no escaping, and its closing quote. */
static inline void put_plain_text(nf_line_t *l, const char *s)
{
	nf_line_put(l, s, strlen(s));
	nf_line_put(l, "\"", 1);
}

/* A text that may need escaping, quoted (the opening quote written). */
static inline void put_escaped_text(nf_line_t *l, const char *s)
{
	nf_line_json_escaped(l, s, strlen(s));
	nf_line_put(l, "\"", 1);
}

/* A field's value as the document writer writes it (doc_field); IPv4
 * addresses and numbers, nearly all of them, in place. */
static inline void ecs_json_field(nf_line_t *l, const nf_field_t *f, nf_time_cache_t *tc)
{
	char *d;

	if (f->type == NF_T_IPV4 && l->used + 18 < l->size) { /* "255.255.255.255" */
		d = l->buf + l->used;
		*d++ = '"';
		d = put_ipv4(d, f->v.b);
		*d++ = '"';
		*d = '\0';
		l->used = (size_t)(d - l->buf);
	} else if (f->type >= NF_T_U8 && f->type <= NF_T_U64) {
		nf_line_u64(l, f->v.u);
	} else {
		nf_render_json_value(l, f, NULL, NF_LIST_MAX_DEPTH, tc);
	}
}

/* A number as a JSON string (ECS keywords that hold numbers). */
static inline void put_number_text(nf_line_t *l, uint64_t v)
{
	nf_line_u64(l, v);
	nf_line_put(l, "\"", 1);
}

static void ecs_json_counts(nf_line_t *l, bool *first, const nf_ecs_counts_t *c)
{
	if (c->has_bytes) {
		ECS_MEMBER(l, first, "bytes", "");
		nf_line_u64(l, c->bytes);
	}
	if (c->has_packets) {
		ECS_MEMBER(l, first, "packets", "");
		nf_line_u64(l, c->packets);
	}
}

/* A geo text member, where there is one. */
static void ecs_json_geo_text(nf_line_t *l, bool *first, const char *k, size_t n, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	put_member(l, first, k, n);
	put_escaped_text(l, text);
}

#define ECS_GEO_TEXT(l, first, key, text) \
	ecs_json_geo_text((l), (first), ",\"" key "\":\"", sizeof(",\"" key "\":\"") - 1, (text))

/* geo and as of an endpoint (ecs_geo in nf_ecs.c). */
static void ecs_json_geo(nf_line_t *l, bool *first, const nf_endpoint_info_t *info)
{
	const nf_geo_t *g = info->geo;
	const char *site = info->network != NULL ? info->network->site : NULL;
	bool in = true;

	if (g == NULL && site == NULL)
		return;
	ECS_MEMBER(l, first, "geo", "{");
	ECS_GEO_TEXT(l, &in, "name", site);
	if (g != NULL) {
		ECS_GEO_TEXT(l, &in, "country_iso_code", g->country_iso_code);
		ECS_GEO_TEXT(l, &in, "country_name", g->country_name);
		ECS_GEO_TEXT(l, &in, "continent_code", g->continent_code);
		ECS_GEO_TEXT(l, &in, "region_iso_code", g->region_iso_code);
		ECS_GEO_TEXT(l, &in, "region_name", g->region_name);
		ECS_GEO_TEXT(l, &in, "city_name", g->city_name);
		if (g->has_location) {
			ECS_MEMBER(l, &in, "location", "{\"lat\":");
			line_double(l, g->lat);
			PUT_LITERAL(l, ",\"lon\":");
			line_double(l, g->lon);
			PUT_LITERAL(l, "}");
		}
	}
	PUT_LITERAL(l, "}");
	if (g == NULL || !g->has_as)
		return;
	PUT_LITERAL(l, ",\"as\":{\"number\":"); /* geo came first */
	nf_line_u64(l, g->as_number);
	if (g->as_organization[0] != '\0') {
		PUT_LITERAL(l, ",\"organization\":{\"name\":\"");
		put_escaped_text(l, g->as_organization);
		PUT_LITERAL(l, "}");
	}
	PUT_LITERAL(l, "}");
}

/* ip and port members, those that are there. */
static inline void ecs_json_ip_port(nf_line_t *l, bool *first, const nf_field_t *ip, const nf_field_t *port,
				    nf_time_cache_t *tc)
{
	if (ip != NULL) {
		ECS_MEMBER(l, first, "ip", "");
		ecs_json_field(l, ip, tc);
	}
	if (port != NULL) {
		ECS_MEMBER(l, first, "port", "");
		ecs_json_field(l, port, tc);
	}
}

/* An endpoint object; k its key fragment (",\"source\":{"). */
static void ecs_json_endpoint(nf_line_t *l, bool *first, const char *k, size_t n, const nf_ecs_endpoint_t *p,
			      nf_time_cache_t *tc)
{
	char mac[NF_ECS_MAC_TEXT_SIZE];
	bool in = true;

	if (nf_ecs_endpoint_empty(p))
		return;
	put_member(l, first, k, n);
	ecs_json_ip_port(l, &in, p->ip, p->port, tc);
	if (p->mac != NULL) {
		ECS_MEMBER(l, &in, "mac", "\"");
		nf_ecs_mac_text(p->mac, mac);
		put_plain_text(l, mac);
	}
	ecs_json_counts(l, &in, &p->counts);
	if (p->nat_ip != NULL || p->nat_port != NULL) {
		bool nat = true;

		ECS_MEMBER(l, &in, "nat", "{");
		ecs_json_ip_port(l, &nat, p->nat_ip, p->nat_port, tc);
		PUT_LITERAL(l, "}");
	}
	if (p->info != NULL) {
		const char *locality = nf_locality_name(p->info->locality);

		if (locality != NULL) {
			ECS_MEMBER(l, &in, "locality", "\"");
			put_plain_text(l, locality);
		}
		ecs_json_geo(l, &in, p->info);
	}
	PUT_LITERAL(l, "}");
}

#define ECS_ENDPOINT(l, first, key, p, tc) \
	ecs_json_endpoint((l), (first), ",\"" key "\":{", sizeof(",\"" key "\":{") - 1, (p), (tc))

static void ecs_json_network(nf_line_t *l, bool *first, const nf_ecs_t *e)
{
	bool in = true;

	ECS_MEMBER(l, first, "network", "{");
	if (e->type != NULL) {
		ECS_MEMBER(l, &in, "type", "\"");
		put_plain_text(l, e->type);
	}
	if (e->has_proto) {
		ECS_MEMBER(l, &in, "iana_number", "\"");
		put_number_text(l, e->proto);
	}
	if (e->transport != NULL) {
		ECS_MEMBER(l, &in, "transport", "\"");
		put_plain_text(l, e->transport);
	}
	if (e->direction != NULL) {
		ECS_MEMBER(l, &in, "direction", "\"");
		put_plain_text(l, e->direction);
	}
	if (e->community_id[0] != '\0') { /* "1:" and base64: nothing to escape */
		ECS_MEMBER(l, &in, "community_id", "\"");
		put_plain_text(l, e->community_id);
	}
	ecs_json_counts(l, &in, &e->network);
	PUT_LITERAL(l, "}");
}

/* A time member, quoted (the time text has nothing to escape). */
static void ecs_json_time(nf_line_t *l, const char *k, size_t n, int64_t ms, nf_time_cache_t *tc)
{
	if (ms < 0)
		return;
	nf_line_put(l, k, n);
	nf_render_time_ms(l, ms, tc);
	nf_line_put(l, "\"", 1);
}

static void ecs_json_event(nf_line_t *l, bool *first, const nf_ecs_t *e, nf_time_cache_t *tc)
{
	ECS_MEMBER(l, first, "event", "{\"kind\":\"event\",\"category\":[\"network\"");
	if (e->biflow)
		PUT_LITERAL(l, ",\"session\"");
	PUT_LITERAL(l, "],\"type\":[\"connection\"]");
	if (e->action != NULL) {
		PUT_LITERAL(l, ",\"action\":\"");
		put_plain_text(l, e->action);
	}
	ecs_json_time(l, ",\"start\":\"", sizeof(",\"start\":\"") - 1, e->start_ms, tc);
	ecs_json_time(l, ",\"end\":\"", sizeof(",\"end\":\"") - 1, e->end_ms, tc);
	if (e->duration_ns >= 0) {
		PUT_LITERAL(l, ",\"duration\":");
		nf_line_u64(l, (uint64_t)e->duration_ns);
	}
	PUT_LITERAL(l, "}");
}

static void ecs_json_interface(nf_line_t *l, bool *first, const char *k, size_t n, const nf_ecs_interface_t *i,
			       nf_time_cache_t *tc)
{
	bool in = true;

	if (i->id == NULL && i->name == NULL)
		return;
	put_member(l, first, k, n);
	if (i->id != NULL) {
		ECS_MEMBER(l, &in, "id", "\"");
		put_number_text(l, i->id->v.u);
	}
	if (i->name != NULL) {
		ECS_MEMBER(l, &in, "name", "");
		ecs_json_field(l, i->name, tc);
	}
	PUT_LITERAL(l, "}}");
}

#define ECS_INTERFACE(l, first, key, i, tc) \
	ecs_json_interface((l), (first), ",\"" key "\":{\"interface\":{", \
			   sizeof(",\"" key "\":{\"interface\":{") - 1, (i), (tc))

void nf_render_ecs(nf_line_t *l, const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc)
{
	bool first = true, in = true;

	ECS_ENDPOINT(l, &first, "source", &e->source, tc);
	ECS_ENDPOINT(l, &first, "destination", &e->destination, tc);
	if (e->biflow) {
		ECS_ENDPOINT(l, &first, "client", e->client_is_destination ? &e->destination : &e->source, tc);
		ECS_ENDPOINT(l, &first, "server", e->client_is_destination ? &e->source : &e->destination, tc);
	}
	ecs_json_network(l, &first, e);
	ecs_json_event(l, &first, e, tc); /* after network: never the first */
	if (e->flow_locality != NULL) {
		PUT_LITERAL(l, ",\"flow\":{\"locality\":\"");
		put_plain_text(l, e->flow_locality);
		PUT_LITERAL(l, "}");
	}
	if (e->nrelated > 0) {
		PUT_LITERAL(l, ",\"related\":{\"ip\":[");
		for (unsigned i = 0; i < e->nrelated; i++) {
			if (i > 0)
				PUT_LITERAL(l, ",");
			ecs_json_field(l, e->related[i], tc);
		}
		PUT_LITERAL(l, "]}");
	}
	PUT_LITERAL(l, ",\"observer\":{");
	if (observer != NULL) {
		ECS_MEMBER(l, &in, "ip", "\"");
		put_escaped_text(l, observer);
	}
	ECS_INTERFACE(l, &in, "ingress", &e->ingress, tc);
	ECS_INTERFACE(l, &in, "egress", &e->egress, tc);
	PUT_LITERAL(l, "}");
}
