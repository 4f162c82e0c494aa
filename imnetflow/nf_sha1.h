/* nf_sha1.h - SHA-1 (FIPS 180-4) of a short message, for the Community
 * ID of a flow. Not for anything that needs collision resistance: SHA-1
 * is what the Community ID specification fixes.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_SHA1_H
#define NF_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define NF_SHA1_DIGEST_LEN 20

/* The digest of n bytes at p. */
void nf_sha1(const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN]);

#endif /* NF_SHA1_H */
