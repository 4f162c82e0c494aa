/* nf_render.h - a decoded record as one line of text: JSON or key=value.
 *
 * The pre-rendered output modes write the line into the message itself,
 * so these functions are on the hot path: no snprintf, no allocation; a
 * record's times that fall into the same second reuse one formatted date.
 * Lines are written into a caller buffer and truncated, never overflowed:
 * nf_line_t.overflow tells that the line did not fit.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_RENDER_H
#define NF_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nf_decode.h"
#include "nf_ecs.h"
#include "nf_format.h"
#include "nf_list.h"

typedef struct nf_line {
	char *buf;
	size_t size;   /* of buf; the line is always NUL-terminated when size > 0 */
	size_t used;   /* length of the line, NUL not counted */
	bool overflow; /* something did not fit and was cut */
} nf_line_t;

typedef enum nf_render_style {
	NF_RENDER_JSON, /* "name":value,"name":value */
	NF_RENDER_KV    /* name=value name=value */
} nf_render_style_t;

static inline void nf_line_reset(nf_line_t *l)
{
	l->used = 0;
	l->overflow = false;
	if (l->size > 0)
		l->buf[0] = '\0';
}

/* Appends what fits of n bytes and sets overflow (the slow path). */
void nf_line_put_cut(nf_line_t *l, const char *s, size_t n);

/* Copies n bytes, up to 16 inline: 4 to 16 in two overlapping
 * fixed-size moves. */
static inline void nf_copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}

/* Appends n bytes; cuts and sets overflow when they do not fit. Most
 * pieces are a few bytes: copied inline (nf_copy_short). */
static inline void nf_line_put(nf_line_t *l, const char *s, size_t n)
{
	char *d;

	if (l->used + n >= l->size) {
		nf_line_put_cut(l, s, n);
		return;
	}
	d = l->buf + l->used;
	nf_copy_short(d, s, n);
	l->used += n;
	d[n] = '\0';
}

static inline void nf_line_str(nf_line_t *l, const char *s)
{
	nf_line_put(l, s, strlen(s));
}

/* Appends the decimal digits of v. */
void nf_line_u64(nf_line_t *l, uint64_t v);

/* Appends s as the body of a JSON string (quotes not included): ", \ and
 * control characters escaped. s must be valid UTF-8. */
void nf_line_json_escaped(nf_line_t *l, const char *s, size_t n);

/* Appends the fields of rec: JSON members ("name":value, comma-separated,
 * no braces) or key=value pairs (space-separated). Numbers stay numbers,
 * addresses, MACs and times become their usual text, strings are
 * sanitised UTF-8, octets hex, RFC 6313 lists JSON arrays (in key=value
 * style quoted as one JSON string). Names as in the message tree:
 * dictionary names, ie<pen>_<id> for unknown elements, name_2 for repeats.
 * src resolves subTemplateLists (NULL: none). Returns the number of fields
 * written. */
unsigned nf_render_fields(nf_line_t *l, nf_render_style_t style, const nf_record_t *rec,
			  const nf_template_source_t *src, nf_time_cache_t *tc);

/* What JSON value a field becomes, in the lines and in the property tree
 * alike: the one place that decides it. A builder of another document
 * (the module's tree) takes numbers from the field itself and text from
 * nf_render_text, and walks lists with nf_record_walk. */
typedef enum nf_value_kind {
	NF_VALUE_UNSIGNED, /* f->v.u */
	NF_VALUE_SIGNED,   /* f->v.i */
	NF_VALUE_REAL,     /* f->v.f, finite */
	NF_VALUE_NULL,     /* a NaN or infinity: JSON has neither */
	NF_VALUE_BOOL,     /* f->v.u != 0 */
	NF_VALUE_TEXT,     /* nf_render_text: addresses, MACs, times, strings, octets as hex */
	NF_VALUE_LIST,     /* an RFC 6313 list */
} nf_value_kind_t;

nf_value_kind_t nf_value_kind(const nf_field_t *f);

/* The text of a field whose kind is NF_VALUE_TEXT, as the JSON line holds
 * it between its quotes before JSON escaping (addresses, MACs and times as
 * in the lines, strings as sanitised UTF-8, octets as hex), into buf and
 * NUL-terminated, for C strings: a NUL inside a string is U+2400 here
 * where the line has \u0000. Returns its length. buf of nf_render_text_size(f) bytes
 * always holds it; a smaller one gets it cut. */
size_t nf_render_text(const nf_field_t *f, char *buf, size_t size, nf_time_cache_t *tc);
size_t nf_render_text_size(const nf_field_t *f);

/* Appends one field's value in JSON (strings quoted). */
void nf_render_json_value(nf_line_t *l, const nf_field_t *f, const nf_template_source_t *src, int depth,
			  nf_time_cache_t *tc);

/* Appends a time in ms since the epoch as RFC 3339 UTC with milliseconds. */
void nf_render_time_ms(nf_line_t *l, int64_t ms, nf_time_cache_t *tc);

/* A document built member by member, for what every output shows alike
 * (the ECS objects): the line renderer writes it as JSON text, the module
 * builds its $! tree from the same calls. key is NULL for a member of an
 * array; nf_ecs_walk's keys are string constants, nf_record_walk's are
 * where it says. Text is UTF-8, not escaped; field is an element's value,
 * which each output writes as it writes record fields. */
typedef struct nf_doc_ops {
	void (*open_object)(void *ctx, const char *key);
	void (*open_array)(void *ctx, const char *key);
	void (*close)(void *ctx); /* the innermost object or array */
	void (*text)(void *ctx, const char *key, const char *s, size_t n);
	void (*u64)(void *ctx, const char *key, uint64_t v);
	void (*field)(void *ctx, const char *key, const nf_field_t *f);
} nf_doc_ops_t;

/* Walks the fields of rec as members of one object, in order: each
 * element under its name (name_2, ... for repeats; ie<pen>_<id> for
 * unknown elements); RFC 6313 lists nested up to NF_LIST_MAX_DEPTH as
 * arrays (of values, or of objects for sub-records), a list deeper than
 * that as one field. Keys of built-in names are the table's constants;
 * others are valid during the call only. ops->field gets every scalar,
 * and a list too deep, which outputs show as hex. src resolves
 * subTemplateLists (NULL: none). */
void nf_record_walk(const nf_record_t *rec, const nf_template_source_t *src, const nf_doc_ops_t *ops, void *ctx);

/* The same walk written as JSON text, members only ("name":value,...):
 * byte for byte what nf_render_fields writes in NF_RENDER_JSON (the fuzz
 * target checks it); the outputs that build a tree use nf_record_walk. */
void nf_render_walk(nf_line_t *l, const nf_record_t *rec, const nf_template_source_t *src, nf_time_cache_t *tc);

/* Walks the ECS objects of e (nf_ecs.h) in this order, each left out
 * where it would be empty: "source", "destination" {ip, port, mac, bytes,
 * packets, nat {ip, port}}, for biflows "client" and "server" (the same
 * two, the initiator first), "network" {type, iana_number, transport,
 * direction, community_id, bytes, packets}, "event" {kind, category, type,
 * action, start, end, duration}, "related" {ip [...]}, "observer" {ip:
 * observer, ingress/egress {interface {id, name}}}. tc: the time cache of
 * the caller's thread (NULL: none). */
void nf_ecs_walk(const nf_ecs_t *ecs, const char *observer, nf_time_cache_t *tc, const nf_doc_ops_t *ops,
		 void *ctx);

/* Appends the ECS objects as JSON members: byte for byte what
 * nf_render_ecs_walk writes (cut lines too), by a writer of their own that
 * puts constant keys and values directly, with no walk (the corpus test
 * and the fuzz target check that they agree). */
void nf_render_ecs(nf_line_t *l, const nf_ecs_t *ecs, const char *observer, nf_time_cache_t *tc);

/* The most nf_render_ecs writes besides the texts it escapes (about 3,000
 * bytes: four endpoints with every member, IPv6 addresses, 20-digit
 * numbers; test_render checks a flow with all of it). It writes in place
 * where the line has room for that and for those texts escaped, else
 * through nf_render_ecs_walk. */
#define NF_ECS_JSON_FIXED_MAX 4096

/* nf_ecs_walk written as JSON text by the generic document writer: what
 * nf_render_ecs must write. */
void nf_render_ecs_walk(nf_line_t *l, const nf_ecs_t *ecs, const char *observer, nf_time_cache_t *tc);

/* One line in the spirit of flowd's FLOW lines:
 * "FLOW v5 src [10.1.0.1]:52534 dst [192.0.2.27]:3306 proto 6 tcpflags 1b
 *  tos 00 packets 9 octets 984 start <rfc3339> end <rfc3339> rpackets 7
 *  roctets 5120 natsrc [198.51.100.4]:40112 natdst [192.0.2.27]:3306
 *  community_id 1:..." (what flowd has no item for last). Endpoints, counts
 * and NAT are ECS's (nf_ecs.h): packets and octets the source's, rpackets
 * and roctets the destination's; the Community ID with opts (NULL: the
 * defaults). Fields the record lacks are left out. Written into buf
 * (size > 0), cut to fit, NUL-terminated; returns its length. tc: the
 * time cache of the caller's thread (NULL: none). */
size_t nf_record_summary_with(const nf_record_t *rec, uint16_t version, const nf_ecs_options_t *opts,
			      nf_time_cache_t *tc, char *buf, size_t size);

/* nf_record_summary_with the default options. */
size_t nf_record_summary(const nf_record_t *rec, uint16_t version, nf_time_cache_t *tc, char *buf, size_t size);

#endif /* NF_RENDER_H */
