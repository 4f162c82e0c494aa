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

/* How blocks are hashed: in portable C, or with the x86 SHA extensions
 * (sha1rnds4...), five to ten times faster. The core keeps no state, so
 * the choice is the caller's: asked once (nf_sha1_best), kept in its
 * configuration, passed with every call. */
typedef enum nf_sha1_impl {
	NF_SHA1_PORTABLE = 0,
	NF_SHA1_X86_SHA = 1
} nf_sha1_impl_t;

/* The fastest implementation this CPU runs (asks the CPU: call it once,
 * at configuration, not per hash). */
nf_sha1_impl_t nf_sha1_best(void);

/* The digest of n bytes at p. */
void nf_sha1(const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN]);

/* The same with impl (one nf_sha1_best returned). */
void nf_sha1_with(nf_sha1_impl_t impl, const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN]);

#endif /* NF_SHA1_H */
