/* nf_ie.c - lookups in the generated information-element tables.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_ie.h"

/* Binary search of a table sorted by (pen, id). NULL when absent. */
static const nf_ie_t *search(const nf_ie_t *table, size_t len, uint32_t pen, uint16_t id)
{
	size_t lo = 0, hi = len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const nf_ie_t *e = &table[mid];
		if (e->pen == pen && e->id == id)
			return e;
		if (e->pen < pen || (e->pen == pen && e->id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Elements outside the IANA index: a binary search. The decoder's own
 * elements are not found: an exporter sending PEN 4294967295 must not
 * produce their names. */
const nf_ie_t *nf_ie_lookup_search(uint32_t pen, uint16_t id)
{
	if (pen == NF_PEN_LOCAL)
		return NULL;
	return search(nf_ie_table, nf_ie_table_len, pen, id);
}

const nf_ie_t *nf_ie_lookup_v9(uint16_t field_type)
{
	const nf_ie_t *e = search(nf_ie_v9_table, nf_ie_v9_table_len, 0, field_type);
	return e != NULL ? e : nf_ie_lookup(NF_PEN_IANA, field_type);
}
