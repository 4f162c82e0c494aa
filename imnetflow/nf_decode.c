/* nf_decode.c - records, error messages, version detection.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_decode.h"

static const char *const error_text[] = {
	[0] = "no error",
	[-NF_ERR_SHORT] = "datagram shorter than its header",
	[-NF_ERR_VERSION] = "unsupported version",
	[-NF_ERR_COUNT] = "record count in header exceeds the datagram",
	[-NF_ERR_TRUNCATED] = "record or set extends past the end of the datagram",
	[-NF_ERR_TOO_MANY] = "record has more fields than supported",
	[-NF_ERR_SET] = "set header malformed: length below 4 or past the end of the datagram",
	[-NF_ERR_TEMPLATE] = "template record malformed",
	[-NF_ERR_NOMEM] = "out of memory",
	[-NF_ERR_LIMIT] = "refused by a configured limit",
};

const char *nf_strerror(int rc)
{
	if (rc == NF_END)
		return "end of records";
	if (rc > 0 || rc <= NF_ERR__LAST)
		return "unknown error";
	return error_text[-rc];
}

int nf_record_add(nf_record_t *rec, const nf_field_t *f)
{
	if (rec->nfields >= NF_RECORD_MAX_FIELDS)
		return NF_ERR_TOO_MANY;
	rec->field[rec->nfields++] = *f;
	return NF_OK;
}

const nf_field_t *nf_record_find(const nf_record_t *rec, uint32_t pen, uint16_t id)
{
	for (uint16_t i = 0; i < rec->nfields; i++)
		if (rec->field[i].id == id && rec->field[i].pen == pen)
			return &rec->field[i];
	return NULL;
}

int nf_peek_version(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return -1;
	return buf[0] << 8 | buf[1];
}
