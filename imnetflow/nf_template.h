/* nf_template.h - NetFlow v9 / IPFIX templates, compiled once into ops.
 *
 * A template record is a list of field specifiers (element, length). It is
 * compiled once into an array of ops, each knowing how to read and type one
 * field, plus the template's minimum record length; every data record is
 * then one pass over the ops (nfdump's sequencer idea). v9 and IPFIX share
 * this code: their differences are parameters of the set walker.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_TEMPLATE_H
#define NF_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "nf_cursor.h"
#include "nf_decode.h"
#include "nf_dict.h"

/* Field length meaning "variable length" (RFC 7011 section 7); H3C also
 * sends it in NetFlow v9. */
#define NF_VARLEN 65535

/* Most fields a template may have; more is a malformed template. */
#define NF_TEMPLATE_MAX_FIELDS 512

/* One field specifier as it came in the template record. */
typedef struct nf_field_spec {
	uint32_t pen; /* 0 for IANA (and for every v9 field) */
	uint16_t id;  /* element id without the enterprise bit; the v9 field type */
	uint16_t len; /* length on the wire, or NF_VARLEN */
} nf_field_spec_t;

/* How an op reads its field. */
typedef enum nf_op_kind {
	NF_OP_UINT,      /* big-endian unsigned, 1-8 bytes (reduced-size encoding) */
	NF_OP_INT,       /* big-endian signed, 1-8 bytes, sign-extended */
	NF_OP_FLOAT32,
	NF_OP_FLOAT64,
	NF_OP_BOOL,      /* RFC 7011: 1 true, 2 false */
	NF_OP_ADDR,      /* IPv4 (4), IPv6 (16), MAC (6): copied bytes */
	NF_OP_STRING,    /* UTF-8 text */
	NF_OP_OCTETS,    /* raw bytes, rendered in hex */
	NF_OP_DT_NTP,    /* dateTimeMicro/Nanoseconds: 64-bit NTP timestamp */
	NF_OP_LIST,      /* basicList / subTemplateList / subTemplateMultiList (RFC 6313) */
	/* the common widths of NF_OP_UINT and NF_OP_ADDR, read without a loop */
	NF_OP_U8, NF_OP_U16, NF_OP_U32, NF_OP_U64, NF_OP_ADDR4,
} nf_op_kind_t;

/* One compiled field. Its first NF_FIELD_HEAD (24) bytes are laid out as
 * the head of nf_field_t (ie, pen, id, type, repeat, len) and copied in
 * one block (nf_template.c checks the layout). */
typedef struct nf_op {
	const nf_ie_t *ie; /* NULL: unknown element, emitted raw */
	uint32_t pen;      /* the element it is emitted as */
	uint16_t id;
	uint8_t type;      /* nf_ie_type_t of the decoded value */
	uint8_t repeat;    /* earlier fields of the same element in this template (max 255) */
	uint16_t len;      /* wire length or NF_VARLEN */
	uint8_t kind;      /* nf_op_kind_t */
	uint8_t slot;      /* the record index slot this field fills (its element's first field
			    * in the template, nf_known_slot), else NF_KNOWN_SLOTS: the spare entry */
	uint16_t offset;   /* position in the record, for templates without varlen fields */
	uint8_t v9_scope;  /* 1-5: a v9 option scope field of that type, emitted as scope_* */
} nf_op_t;

/* The field specifier the op was compiled from, as received. */
static inline uint32_t nf_op_spec_pen(const nf_op_t *op)
{
	return op->v9_scope ? 0 : op->pen;
}

static inline uint16_t nf_op_spec_id(const nf_op_t *op)
{
	return op->v9_scope ? op->v9_scope : op->id;
}

typedef enum nf_template_flavor {
	NF_FLAVOR_V9 = 9,     /* NetFlow v9 (RFC 3954) */
	NF_FLAVOR_IPFIX = 10, /* IPFIX (RFC 7011) */
} nf_template_flavor_t;

typedef struct nf_template {
	uint16_t id;
	uint16_t nfields;
	uint16_t scope_fields;  /* options templates: the first scope_fields are scope (may be 0) */
	uint8_t is_options;
	uint8_t has_varlen;
	uint8_t fixed;          /* no varlen field: ops have offsets, one bounds check per record */
	uint32_t min_len;       /* bytes of the shortest possible record (>= 1) */
	uint8_t flavor;         /* nf_template_flavor_t it was compiled for */
	nf_time_plan_t times;   /* where its records' start and end come from (in padding) */
	uint64_t known_mask;    /* the record index slots its ops fill (nf_op_t.slot) */
	/* owned by the session store, which shares one compiled template
	 * among all exporters that sent the same one */
	uint32_t refs;
	uint32_t hash;
	struct nf_template *shared_next;
	nf_op_t ops[];          /* compiled, nfields long; they keep the specifiers too */
} nf_template_t;

/* Compiles fields into a new template (allocated with malloc; free with
 * nf_template_free). flavor selects the dictionary: v9 field types resolve
 * through nf_ie_lookup_v9, IPFIX (pen, id) through nf_ie_lookup; elements
 * of dict (may be NULL) take precedence.
 * Returns NF_OK, NF_ERR_TOO_MANY (more than NF_TEMPLATE_MAX_FIELDS fields),
 * NF_ERR_TEMPLATE (no field, or a record of zero length), NF_ERR_NOMEM. */
int nf_template_compile(nf_template_flavor_t flavor, const nf_dict_t *dict, uint16_t id,
			const nf_field_spec_t *fields,
			uint16_t nfields, int is_options, uint16_t scope_fields, nf_template_t **out);

void nf_template_free(nf_template_t *t);

/* Bytes of memory a template holds (for the memory limit). */
size_t nf_template_size(const nf_template_t *t);

/* True if a and b have the same id, kind, scope, field list and flavor. */
int nf_template_equal(const nf_template_t *a, const nf_template_t *b);

/* A hash of what nf_template_equal compares. */
uint32_t nf_template_hash(const nf_template_t *t);

/* Prepares op to read one field of spec outside a template (the element of
 * a basicList). */
void nf_op_init(nf_template_flavor_t flavor, const nf_dict_t *dict, const nf_field_spec_t *spec, nf_op_t *op);

/* Reads one field with op. Returns NF_OK, or NF_ERR_TRUNCATED (c may
 * have moved past a variable-length prefix). */
int nf_op_decode(const nf_op_t *op, nf_cursor_t *c, nf_field_t *f);

/* Decodes one data record at c into rec (empty, see nf_record_clear; times
 * are not normalised here, see nf_record_normalize_times in nf_decode.h).
 * Returns NF_OK, or NF_ERR_TRUNCATED when the record does not fit in c
 * (c is then left unchanged). */
int nf_template_decode(const nf_template_t *t, nf_cursor_t *c, nf_record_t *rec);

#endif /* NF_TEMPLATE_H */
