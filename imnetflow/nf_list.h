/* nf_list.h - RFC 6313 structured data: basicList, subTemplateList and
 * subTemplateMultiList fields, walked element by element.
 *
 * A list field arrives from the record decoder as raw bytes (type
 * NF_T_BASIC_LIST, ...). nf_list_walk reads it and tells a sink what it
 * holds, so that the caller can build JSON arrays of values and objects.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_LIST_H
#define NF_LIST_H

#include <time.h>

#include "nf_decode.h"
#include "nf_session.h"
#include "nf_template.h"

/* Nesting of lists the outputs show as JSON arrays; a list nested deeper
 * is shown as hex, like octets. */
#define NF_LIST_MAX_DEPTH 4

/* Where the templates a subTemplateList refers to come from. */
typedef struct nf_template_source {
	nf_session_t *session;
	nf_scope_t *scope;
	time_t now;
} nf_template_source_t;

typedef struct nf_list_sink {
	void *ctx;
	void (*begin_record)(void *ctx); /* a sub-record starts */
	void (*field)(void *ctx, const nf_field_t *f); /* a basicList element, or a field of the sub-record */
	void (*end_record)(void *ctx);
} nf_list_sink_t;

/* Walks list field f. Elements that are lists themselves are handed to
 * field() as they are: the sink recurses if it wants, within its own depth
 * limit. A subTemplateList whose template is unknown yields nothing.
 * Returns NF_OK, NF_ERR_TRUNCATED when the list is malformed (what was
 * read before is delivered), or NF_ERR_NOMEM. */
int nf_list_walk(const nf_field_t *f, const nf_template_source_t *src, const nf_list_sink_t *sink);

#endif /* NF_LIST_H */
