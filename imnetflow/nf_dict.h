/* nf_dict.h - further information elements, loaded from a file.
 *
 * Users add the elements of exporters the built-in dictionary lacks with a
 * tab-separated file in the format of the project's dictionaries: a header
 * line naming the columns, then one element per line. Columns: `pen`
 * (a number, or `v9` for a NetFlow v9 field type), `id`, `name`, and
 * optionally `type` (IANA abstract type names: unsigned32, ipv4Address,
 * string, ...; default octetArray) and `semantics`. Names are lowercased
 * and every character outside [a-z0-9] becomes '_'. Loaded elements take
 * precedence over the built-in ones.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_DICT_H
#define NF_DICT_H

#include <stdio.h>

#include "nf_ie.h"

typedef struct nf_dict nf_dict_t;

/* Reads a dictionary. Returns it (possibly empty), or NULL when out of
 * memory or when the header lacks pen, id or name. *skipped counts lines
 * that could not be used; *first_bad is the number of the first of them
 * (0 if none). */
nf_dict_t *nf_dict_load(FILE *f, long *loaded, long *skipped, long *first_bad);
void nf_dict_free(nf_dict_t *d);

/* The element, or NULL. d may be NULL. */
const nf_ie_t *nf_dict_lookup(const nf_dict_t *d, uint32_t pen, uint16_t id);
const nf_ie_t *nf_dict_lookup_v9(const nf_dict_t *d, uint16_t field_type);

/* The type of an IANA abstract type name, or -1 if unknown. */
int nf_type_from_name(const char *name);

#endif /* NF_DICT_H */
