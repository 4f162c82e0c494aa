/* nf_list.c - RFC 6313 structured data.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_list.h"

#include <stdlib.h>

/* basicList: semantic (1), field id (2, enterprise bit), element length
 * (2), [enterprise number (4)], then the elements. */
static int walk_basic(nf_cursor_t *c, const nf_template_source_t *src, const nf_list_sink_t *sink)
{
	nf_field_spec_t spec = {0};
	uint8_t semantic;
	nf_op_t op;
	nf_field_t f;

	if (!nf_cursor_u8(c, &semantic) || !nf_cursor_u16(c, &spec.id) || !nf_cursor_u16(c, &spec.len))
		return NF_ERR_TRUNCATED;
	if (spec.id & 0x8000) {
		spec.id &= 0x7fff;
		if (!nf_cursor_u32(c, &spec.pen))
			return NF_ERR_TRUNCATED;
	}
	if (spec.len == 0)
		return NF_OK; /* elements of length 0: nothing to show, and no progress */
	nf_op_init(NF_FLAVOR_IPFIX, src && src->session ? nf_session_dictionary(src->session) : NULL, &spec, &op);
	while (nf_cursor_left(c) > 0) {
		if (nf_op_decode(&op, c, &f) != NF_OK)
			return NF_ERR_TRUNCATED;
		sink->field(sink->ctx, &f);
	}
	return NF_OK;
}

/* The records of one template in c, until c is used up. */
static int walk_records(nf_cursor_t *c, uint16_t template_id, const nf_template_source_t *src,
			const nf_list_sink_t *sink, nf_record_t *rec)
{
	const nf_template_t *t = nf_scope_template(src->session, src->scope, template_id, src->now);

	if (t == NULL)
		return NF_OK;
	while (nf_cursor_left(c) >= t->min_len) {
		nf_record_clear(rec);
		if (nf_template_decode(t, c, rec) != NF_OK)
			return NF_ERR_TRUNCATED;
		sink->begin_record(sink->ctx);
		for (uint16_t i = 0; i < rec->nfields; i++)
			sink->field(sink->ctx, &rec->field[i]);
		sink->end_record(sink->ctx);
	}
	return NF_OK;
}

int nf_list_walk(const nf_field_t *f, const nf_template_source_t *src, const nf_list_sink_t *sink)
{
	nf_cursor_t c;
	nf_record_t *rec;
	uint8_t semantic;
	uint16_t id, len;
	int rc = NF_OK;

	nf_cursor_init(&c, f->v.p, f->len);
	if (f->type == NF_T_BASIC_LIST)
		return walk_basic(&c, src, sink);
	if (src == NULL || src->session == NULL)
		return NF_OK;
	if ((rec = malloc(sizeof(*rec))) == NULL)
		return NF_ERR_NOMEM;
	if (!nf_cursor_u8(&c, &semantic)) {
		rc = NF_ERR_TRUNCATED;
	} else if (f->type == NF_T_SUBTEMPLATE_LIST) {
		rc = nf_cursor_u16(&c, &id) ? walk_records(&c, id, src, sink, rec) : NF_ERR_TRUNCATED;
	} else {
		/* subTemplateMultiList: {template id, length incl. this header, records}* */
		while (rc == NF_OK && nf_cursor_left(&c) > 0) {
			nf_cursor_t entry;
			if (!nf_cursor_u16(&c, &id) || !nf_cursor_u16(&c, &len) || len < 4 ||
			    !nf_cursor_sub(&c, len - 4u, &entry))
				rc = NF_ERR_TRUNCATED;
			else
				rc = walk_records(&entry, id, src, sink, rec);
		}
	}
	free(rec);
	return rc;
}
