/* nf_hash.h - FNV-1a (64-bit), the one hash of the core's and the module's
 * tables (scopes, shared templates, exporter statistics).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_HASH_H
#define NF_HASH_H

#include <stddef.h>
#include <stdint.h>

#define NF_FNV_OFFSET UINT64_C(14695981039346656037)
#define NF_FNV_PRIME UINT64_C(1099511628211)

/* h (NF_FNV_OFFSET to start) continued over n bytes at p. */
static inline uint64_t nf_fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * NF_FNV_PRIME;
	return h;
}

/* h continued over the four bytes of v, most significant first. */
static inline uint64_t nf_fnv1a_u32(uint64_t h, uint32_t v)
{
	const uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	return nf_fnv1a(h, b, sizeof(b));
}

#endif /* NF_HASH_H */
