/* nf_decode.c - records, error messages, version detection.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_decode.h"

#include <string.h>

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
	[-NF_ERR_FORMAT] = "malformed text",
};

const char *nf_strerror(int rc)
{
	if (rc == NF_END)
		return "end of records";
	if (rc > 0 || rc <= NF_ERR__LAST)
		return "unknown error";
	return error_text[-rc];
}

/* Slot + 1 of each indexed element (NF_KNOWN_ELEMENTS). */
const uint8_t nf_known_slot[NF_KNOWN_IDS] = {
#define NF_KNOWN_SLOT(name) [NF_IE_##name] = NF_K_##name + 1,
	NF_KNOWN_ELEMENTS(NF_KNOWN_SLOT)
#undef NF_KNOWN_SLOT
};

int nf_record_add_text(nf_record_t *rec, const nf_ie_t *ie, const char *s, size_t len)
{
	nf_field_t f = {.ie = ie, .pen = ie->pen, .id = ie->id, .type = NF_T_STRING, .len = (uint16_t)len};

	if (len > sizeof(rec->text) - rec->text_used)
		return NF_ERR_LIMIT;
	memcpy(rec->text + rec->text_used, s, len);
	f.v.p = (const uint8_t *)rec->text + rec->text_used;
	rec->text_used += (uint16_t)len;
	return nf_record_add(rec, &f);
}

/* Elements that are not indexed: a scan. */
const nf_field_t *nf_record_find_scan(const nf_record_t *rec, uint32_t pen, uint16_t id)
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

uint64_t nf_record_first_uint(const nf_record_t *rec, const uint16_t *ids, size_t nids, int *found)
{
	for (size_t i = 0; i < nids; i++) {
		const nf_field_t *f = nf_record_find(rec, NF_PEN_IANA, ids[i]);
		if (f != NULL && f->type >= NF_T_U8 && f->type <= NF_T_U64) {
			*found = 1;
			return f->v.u;
		}
	}
	*found = 0;
	return 0;
}

static uint32_t clamp_rate(double rate)
{
	return rate >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)(rate + 0.5);
}

uint32_t nf_record_sampling_interval(const nf_record_t *rec)
{
	static const uint16_t ids[] = {NF_IE_SAMPLING_INTERVAL, NF_IE_SAMPLER_RANDOM_INTERVAL};
	const nf_field_t *selected, *skipped, *p;
	int found;
	uint64_t v = nf_record_first_uint(rec, ids, sizeof(ids) / sizeof(ids[0]), &found);

	if (found)
		return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	/* RFC 5477 systematic count-based: samplingPacketInterval packets
	 * selected of every samplingPacketInterval + samplingPacketSpace */
	selected = nf_record_find(rec, NF_PEN_IANA, NF_IE_SAMPLING_PACKET_INTERVAL);
	skipped = nf_record_find(rec, NF_PEN_IANA, NF_IE_SAMPLING_PACKET_SPACE);
	if (selected != NULL && skipped != NULL && selected->type >= NF_T_U8 && selected->type <= NF_T_U64 &&
	    skipped->type >= NF_T_U8 && skipped->type <= NF_T_U64 && selected->v.u > 0)
		return clamp_rate(((double)selected->v.u + (double)skipped->v.u) / (double)selected->v.u);
	/* random n-out-of-N and probabilistic: 1 / samplingProbability */
	p = nf_record_find(rec, NF_PEN_IANA, NF_IE_SAMPLING_PROBABILITY);
	if (p != NULL && (p->type == NF_T_F64 || p->type == NF_T_F32) && p->v.f > 0 && p->v.f <= 1)
		return clamp_rate(1 / p->v.f);
	return 0;
}

void nf_record_renormalize(nf_record_t *rec, uint32_t interval)
{
	if (interval <= 1)
		return;
	for (uint16_t i = 0; i < rec->nfields; i++) {
		nf_field_t *f = &rec->field[i];
		if (f->pen == NF_PEN_IANA && (f->id == NF_IE_OCTET_DELTA_COUNT || f->id == NF_IE_PACKET_DELTA_COUNT) &&
		    f->type >= NF_T_U8 && f->type <= NF_T_U64)
			f->v.u *= interval;
	}
}

/* Field i's repeat: how many fields before it have its element. */
static void __attribute__((noinline)) count_repeat(nf_record_t *rec, uint16_t i)
{
	nf_field_t *f = &rec->field[i];
	unsigned n = 0;

	for (uint16_t j = 0; j < i; j++)
		n += rec->field[j].pen == f->pen && rec->field[j].id == f->id;
	f->repeat = (uint8_t)(n < 254 ? n : 254);
}

void nf_record_mark_repeats(nf_record_t *rec)
{
	uint64_t seen[4] = {0}; /* (pen, id) hashed to 256 bits: most fields need no count */

	for (uint16_t i = 0; i < rec->nfields; i++) {
		const nf_field_t *f = &rec->field[i];
		uint64_t key = (uint64_t)f->pen | (uint64_t)f->id << 32;
		unsigned h = (unsigned)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 56);
		uint64_t bit = UINT64_C(1) << (h & 63);

		if (seen[h >> 6] & bit)
			count_repeat(rec, i);
		seen[h >> 6] |= bit;
	}
}
