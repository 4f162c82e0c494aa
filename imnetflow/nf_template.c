/* nf_template.c - compiling templates into ops, and running them over records.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_template.h"

#include "nf_hash.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Seconds from the NTP era (1900) to the Unix epoch. */
#define NTP_UNIX_OFFSET 2208988800ull

static int is_unsigned(uint8_t type)
{
	return type >= NF_T_U8 && type <= NF_T_U64;
}

static int is_signed(uint8_t type)
{
	return type >= NF_T_I8 && type <= NF_T_I64;
}

/* Chooses how to read a field from its element's type and the length the
 * exporter announced. A length the type cannot have (H3C's 2-byte
 * addresses, a 5-byte MAC) makes the value raw octets: shown as sent,
 * never misread. */
static void choose_kind(nf_op_t *op)
{
	uint8_t type = op->ie ? op->ie->type : NF_T_OCTETS;
	uint16_t len = op->len;
	int fixed_int = len >= 1 && len <= 8;

	op->kind = NF_OP_OCTETS;
	op->type = NF_T_OCTETS;
	if (type == NF_T_STRING) {
		op->kind = NF_OP_STRING;
	} else if (type >= NF_T_BASIC_LIST && type <= NF_T_SUBTEMPLATE_MULTILIST) {
		op->kind = NF_OP_LIST;
	} else if (len == NF_VARLEN) {
		return; /* every other type has a fixed size */
	} else if ((is_unsigned(type) || type == NF_T_DT_SEC || type == NF_T_DT_MILLI) && fixed_int) {
		op->kind = NF_OP_UINT;
	} else if (is_signed(type) && fixed_int) {
		op->kind = NF_OP_INT;
	} else if ((type == NF_T_F32 || type == NF_T_F64) && (len == 4 || len == 8)) {
		op->kind = len == 4 ? NF_OP_FLOAT32 : NF_OP_FLOAT64;
		op->type = NF_T_F64;
		return;
	} else if (type == NF_T_BOOL && len == 1) {
		op->kind = NF_OP_BOOL;
	} else if ((type == NF_T_IPV4 && len == 4) || (type == NF_T_IPV6 && len == 16) ||
		   (type == NF_T_MAC && len == 6)) {
		op->kind = NF_OP_ADDR;
	} else if ((type == NF_T_DT_MICRO || type == NF_T_DT_NANO) && len == 8) {
		op->kind = NF_OP_DT_NTP;
	} else {
		return;
	}
	op->type = type;
	if (op->kind == NF_OP_UINT && (len == 1 || len == 2 || len == 4 || len == 8))
		op->kind = len == 1 ? NF_OP_U8 : len == 2 ? NF_OP_U16 : len == 4 ? NF_OP_U32 : NF_OP_U64;
	else if (op->kind == NF_OP_ADDR && len == 4)
		op->kind = NF_OP_ADDR4;
}

/* NetFlow v9 option scope field types (RFC 3954 section 6.1), which are
 * not information elements. */
static const nf_ie_t *const v9_scope_elements[] = {
	NF_LOCAL_IE(SCOPE_SYSTEM), NF_LOCAL_IE(SCOPE_INTERFACE), NF_LOCAL_IE(SCOPE_LINE_CARD),
	NF_LOCAL_IE(SCOPE_CACHE), NF_LOCAL_IE(SCOPE_TEMPLATE),
};

/* Resolves field i of a template to its element and the (pen, id) it is
 * emitted under. */
static void resolve(nf_template_flavor_t flavor, const nf_dict_t *dict, const nf_field_spec_t *f,
		    int is_scope, nf_op_t *op)
{
	op->pen = f->pen;
	op->id = f->id;
	op->len = f->len;
	if (flavor == NF_FLAVOR_IPFIX) {
		if ((op->ie = nf_dict_lookup(dict, f->pen, f->id)) == NULL)
			op->ie = nf_ie_lookup(f->pen, f->id);
	} else if (!is_scope) {
		if ((op->ie = nf_dict_lookup_v9(dict, f->id)) == NULL)
			op->ie = nf_ie_lookup_v9(f->id);
	} else if (f->id >= 1 && f->id <= sizeof(v9_scope_elements) / sizeof(v9_scope_elements[0])) {
		op->ie = v9_scope_elements[f->id - 1];
		op->pen = op->ie->pen;
		op->id = op->ie->id;
		op->v9_scope = (uint8_t)f->id;
	} else {
		op->ie = NULL;
	}
}

void nf_template_free(nf_template_t *t)
{
	if (t == NULL)
		return;
	free(t);
}

/* The template's time plan, from the types of the fields in index slots. */
static void plan_times(nf_template_t *t)
{
	uint8_t slot_type[NF_KNOWN_SLOTS] = {0};

	for (uint16_t i = 0; i < t->nfields; i++)
		if (t->ops[i].slot < NF_KNOWN_SLOTS)
			slot_type[t->ops[i].slot] = t->ops[i].type;
	nf_time_plan_init(&t->times, t->known_mask, slot_type, t->flavor);
}

int nf_template_compile(nf_template_flavor_t flavor, const nf_dict_t *dict, uint16_t id,
			const nf_field_spec_t *fields,
			uint16_t nfields, int is_options, uint16_t scope_fields, nf_template_t **out)
{
	nf_template_t *t;
	uint32_t min_len = 0;

	*out = NULL;
	if (nfields > NF_TEMPLATE_MAX_FIELDS)
		return NF_ERR_TOO_MANY;
	if (nfields == 0 || scope_fields > nfields)
		return NF_ERR_TEMPLATE;
	for (uint16_t i = 0; i < nfields; i++)
		min_len += fields[i].len == NF_VARLEN ? 1 : fields[i].len;
	if (min_len == 0) /* records of zero length would never end a set */
		return NF_ERR_TEMPLATE;
	t = calloc(1, sizeof(*t) + sizeof(t->ops[0]) * nfields);
	if (t == NULL)
		return NF_ERR_NOMEM;
	t->id = id;
	t->flavor = (uint8_t)flavor;
	t->nfields = nfields;
	t->scope_fields = scope_fields;
	t->is_options = is_options != 0;
	t->min_len = min_len;
	for (uint16_t i = 0; i < nfields; i++) {
		nf_op_t *op = &t->ops[i];
		resolve(flavor, dict, &fields[i], i < scope_fields, op);
		t->has_varlen |= op->len == NF_VARLEN;
		choose_kind(op);
		for (uint16_t j = 0; j < i && op->repeat < 255; j++)
			op->repeat += t->ops[j].pen == op->pen && t->ops[j].id == op->id;
		op->slot = op->repeat == 0 ? nf_index_slot(op->pen, op->id) : NF_KNOWN_SLOTS;
		if (op->slot != NF_KNOWN_SLOTS)
			t->known_mask |= UINT64_C(1) << op->slot;
	}
	plan_times(t);
	if (!t->has_varlen) { /* min_len <= 512 * 65534 but a record fits a datagram */
		uint32_t offset = 0;
		for (uint16_t i = 0; i < nfields; i++) {
			t->ops[i].offset = (uint16_t)offset;
			offset += t->ops[i].len;
		}
		t->fixed = min_len <= UINT16_MAX;
	}
	*out = t;
	return NF_OK;
}

size_t nf_template_size(const nf_template_t *t)
{
	return sizeof(*t) + (size_t)t->nfields * sizeof(t->ops[0]);
}

int nf_template_equal(const nf_template_t *a, const nf_template_t *b)
{
	if (a->id != b->id || a->nfields != b->nfields || a->scope_fields != b->scope_fields ||
	    a->is_options != b->is_options || a->flavor != b->flavor)
		return 0;
	for (uint16_t i = 0; i < a->nfields; i++)
		if (a->ops[i].pen != b->ops[i].pen || a->ops[i].id != b->ops[i].id || a->ops[i].len != b->ops[i].len ||
		    a->ops[i].v9_scope != b->ops[i].v9_scope)
			return 0;
	return 1;
}

/* FNV-1a over the fields nf_template_equal compares. */
uint32_t nf_template_hash(const nf_template_t *t)
{
	const uint32_t head[5] = {t->id, t->nfields, t->scope_fields, t->is_options, t->flavor};
	uint64_t h = NF_FNV_OFFSET;

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		h = nf_fnv1a_u32(h, head[i]);
	for (uint16_t i = 0; i < t->nfields; i++)
		h = nf_fnv1a_u32(nf_fnv1a_u32(h, t->ops[i].pen), (uint32_t)t->ops[i].id << 16 | t->ops[i].len);
	return (uint32_t)(h ^ (h >> 32));
}

/* Length of a variable-length field (RFC 7011 section 7): one byte, or 255
 * followed by two bytes. */
static int read_varlen(nf_cursor_t *c, size_t *len)
{
	uint8_t short_len;
	uint16_t long_len;

	if (!nf_cursor_u8(c, &short_len))
		return 0;
	if (short_len < 255) {
		*len = short_len;
		return 1;
	}
	if (!nf_cursor_u16(c, &long_len))
		return 0;
	*len = long_len;
	return 1;
}

/* dateTimeMicro/Nanoseconds: NTP seconds since 1900 and a binary fraction,
 * to micro- or nanoseconds since the Unix epoch, negative before 1970 (an
 * NTP stamp always fits: 2^32 s are 4.3e18 ns). */
static int64_t ntp_to_unix(const uint8_t *p, uint8_t type)
{
	int64_t sec = (int64_t)nf_be_uint(p, 4) - (int64_t)NTP_UNIX_OFFSET;
	uint64_t frac = nf_be_uint(p + 4, 4);
	int64_t scale = type == NF_T_DT_MICRO ? 1000000 : 1000000000;

	return sec * scale + (int64_t)((frac * (uint64_t)scale) >> 32);
}

static inline __attribute__((always_inline)) void read_value(const nf_op_t *op, const uint8_t *p, size_t len, nf_field_t *f)
{
	uint32_t u32;
	uint64_t u64;
	float f32;
	double f64;

	switch (op->kind) {
	case NF_OP_U8:
		f->v.u = p[0];
		break;
	case NF_OP_U16:
		f->v.u = (uint64_t)p[0] << 8 | p[1];
		break;
	case NF_OP_U32:
		f->v.u = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
		break;
	case NF_OP_U64:
		f->v.u = nf_be_uint(p, 8);
		break;
	case NF_OP_ADDR4:
		memcpy(f->v.b, p, 4);
		break;
	case NF_OP_UINT:
		f->v.u = nf_be_uint(p, len);
		break;
	case NF_OP_INT: {
		unsigned shift = 64 - 8 * (unsigned)len;
		f->v.i = (int64_t)(nf_be_uint(p, len) << shift) >> shift;
		break;
	}
	case NF_OP_FLOAT32:
		u32 = (uint32_t)nf_be_uint(p, 4);
		memcpy(&f32, &u32, sizeof(f32));
		f->v.f = f32;
		break;
	case NF_OP_FLOAT64:
		u64 = nf_be_uint(p, 8);
		memcpy(&f64, &u64, sizeof(f64));
		f->v.f = f64;
		break;
	case NF_OP_BOOL:
		f->v.u = p[0] == 1;
		break;
	case NF_OP_ADDR:
		memcpy(f->v.b, p, len);
		break;
	case NF_OP_DT_NTP:
		f->v.i = ntp_to_unix(p, op->type);
		break;
	default: /* strings, octets, lists: point into the record */
		f->v.p = p;
		break;
	}
}

void nf_op_init(nf_template_flavor_t flavor, const nf_dict_t *dict, const nf_field_spec_t *spec, nf_op_t *op)
{
	memset(op, 0, sizeof(*op));
	resolve(flavor, dict, spec, 0, op);
	choose_kind(op);
}

int nf_op_decode(const nf_op_t *op, nf_cursor_t *c, nf_field_t *f)
{
	size_t len = op->len;
	const uint8_t *p;

	if ((len == NF_VARLEN && !read_varlen(c, &len)) || (p = nf_cursor_bytes(c, len)) == NULL)
		return NF_ERR_TRUNCATED;
	*f = (nf_field_t){.ie = op->ie, .pen = op->pen, .id = op->id, .type = op->type, .repeat = op->repeat,
			  .len = (uint16_t)len};
	read_value(op, p, len, f);
	return NF_OK;
}

static int decode_checked(const nf_template_t *t, nf_cursor_t *c, nf_record_t *rec);

/* The head nf_op_t and nf_field_t share: ie, pen, id, type, repeat, len,
 * and what follows len up to the value (padding in nf_field_t). */
#define NF_FIELD_HEAD 24
_Static_assert(offsetof(nf_op_t, repeat) == offsetof(nf_field_t, repeat) &&
		       offsetof(nf_op_t, type) == offsetof(nf_field_t, type) &&
		       offsetof(nf_op_t, id) == offsetof(nf_field_t, id) &&
		       offsetof(nf_op_t, pen) == offsetof(nf_field_t, pen) &&
		       offsetof(nf_op_t, len) == offsetof(nf_field_t, len) &&
		       offsetof(nf_field_t, v) == NF_FIELD_HEAD && sizeof(nf_op_t) >= NF_FIELD_HEAD,
	       "nf_op_t and nf_field_t heads differ");

/* The common case: every field has a fixed length, so one bounds check
 * covers the record and the fields are read at their compiled offsets. */
static int decode_fixed(const nf_template_t *t, nf_cursor_t *c, nf_record_t *rec)
{
	const uint8_t *base = nf_cursor_bytes(c, t->min_len);
	nf_field_t *out = rec->field; /* the record is empty */

	const unsigned nfields = t->nfields; /* read once: the stores below may alias it */

	if (base == NULL)
		return NF_ERR_TRUNCATED;
	for (unsigned i = 0; i < nfields; i++) {
		const nf_op_t *op = &t->ops[i];
		nf_field_t *f = &out[i];
		memcpy(f, op, NF_FIELD_HEAD);
		read_value(op, base + op->offset, op->len, f);
		rec->known_at[op->slot] = (uint16_t)i; /* without a branch: see nf_op_t.slot */
	}
	rec->known_mask = t->known_mask;
	rec->nfields = (uint16_t)nfields;
	return NF_OK;
}

int nf_template_decode(const nf_template_t *t, nf_cursor_t *c, nf_record_t *rec)
{
	if (t->fixed && rec->nfields == 0)
		return decode_fixed(t, c, rec);
	return decode_checked(t, c, rec);
}

/* Field by field, each read through the cursor: varlen fields. */
static int decode_checked(const nf_template_t *t, nf_cursor_t *c, nf_record_t *rec)
{
	const nf_cursor_t start = *c;
	nf_field_t f;

	if (!nf_cursor_has(c, t->min_len))
		return NF_ERR_TRUNCATED;
	for (uint16_t i = 0; i < t->nfields; i++) {
		if (nf_op_decode(&t->ops[i], c, &f) != NF_OK) {
			*c = start;
			return NF_ERR_TRUNCATED;
		}
		(void)nf_record_add(rec, &f); /* cannot fail: nfields <= NF_RECORD_MAX_FIELDS */
	}
	return NF_OK;
}
