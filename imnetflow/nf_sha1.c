/* nf_sha1.c - SHA-1 as FIPS 180-4 section 6.1 describes it: the message
 * padded to whole 64-byte blocks, each block expanded to 80 words and
 * mixed into five state words. Written for this project from the standard.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_sha1.h"

#include <string.h>

#define SHA1_BLOCK 64
#define SHA1_LENGTH_BYTES 8 /* the message length in bits, big-endian, ends the last block */
#define SHA1_PAD_MARK 0x80  /* the 1 bit right after the message */

static const uint32_t sha1_init[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};

/* the constants of the four rounds of 20 steps (FIPS 180-4 4.2.1) */
#define SHA1_K0 0x5a827999u
#define SHA1_K1 0x6ed9eba1u
#define SHA1_K2 0x8f1bbcdcu
#define SHA1_K3 0xca62c1d6u

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The round functions (FIPS 180-4 4.1.1): choose, parity, majority. */
#define SHA1_CH(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define SHA1_PARITY(b, c, d) ((b) ^ (c) ^ (d))
#define SHA1_MAJ(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))

/* One step with the five working words named in their current roles:
 * instead of moving every word one place on, the next step is written
 * with the names rotated. */
#define SHA1_STEP(F, k, a, b, c, d, e, wt)                        \
	do {                                                      \
		(e) += rol32((a), 5) + F((b), (c), (d)) + (k) + (wt); \
		(b) = rol32((b), 30);                             \
	} while (0)

/* Five steps from t on, after which the names are back in place. */
#define SHA1_FIVE(F, k, t)                                     \
	do {                                                   \
		SHA1_STEP(F, k, a, b, c, d, e, w[(t)]);         \
		SHA1_STEP(F, k, e, a, b, c, d, w[(t) + 1]);     \
		SHA1_STEP(F, k, d, e, a, b, c, w[(t) + 2]);     \
		SHA1_STEP(F, k, c, d, e, a, b, w[(t) + 3]);     \
		SHA1_STEP(F, k, b, c, d, e, a, w[(t) + 4]);     \
	} while (0)

/* A flow's identifier is one block, hashed for every record: the steps
 * are unrolled by five and each round has its own loop. */
static void sha1_block(uint32_t h[5], const uint8_t *block)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	int t;

	for (t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (; t < 80; t++)
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (t = 0; t < 20; t += 5)
		SHA1_FIVE(SHA1_CH, SHA1_K0, t);
	for (; t < 40; t += 5)
		SHA1_FIVE(SHA1_PARITY, SHA1_K1, t);
	for (; t < 60; t += 5)
		SHA1_FIVE(SHA1_MAJ, SHA1_K2, t);
	for (; t < 80; t += 5)
		SHA1_FIVE(SHA1_PARITY, SHA1_K3, t);
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

/* ---- the x86 SHA extensions: four steps an instruction ---- */
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

#define CPUID_ECX_SSSE3 (1u << 9)
#define CPUID_ECX_SSE41 (1u << 19)
#define CPUID7_EBX_SHA (1u << 29)

nf_sha1_impl_t nf_sha1_best(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || (c & (CPUID_ECX_SSSE3 | CPUID_ECX_SSE41)) !=
							 (CPUID_ECX_SSSE3 | CPUID_ECX_SSE41))
		return NF_SHA1_PORTABLE;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & CPUID7_EBX_SHA))
		return NF_SHA1_PORTABLE;
	return NF_SHA1_X86_SHA;
}

/* The four state words are kept A first in the top lane, E in the top
 * lane of its own register, as the instructions want them. Group g of
 * four steps (0..19) takes the message words msg[g % 4] and advances the
 * schedule of the groups after it. */
#define NI_ATTR __attribute__((target("sha,ssse3,sse4.1")))

#define NI_GROUP(g, f)                                                                        \
	do {                                                                                  \
		__m128i *cur_ = &msg[(g) % 4];                                                \
		if ((g) % 2 == 0) {                                                           \
			e0 = (g) == 0 ? _mm_add_epi32(e0, *cur_) : _mm_sha1nexte_epu32(e0, *cur_); \
			e1 = abcd;                                                            \
			abcd = _mm_sha1rnds4_epu32(abcd, e0, f);                              \
		} else {                                                                      \
			e1 = _mm_sha1nexte_epu32(e1, *cur_);                                  \
			e0 = abcd;                                                            \
			abcd = _mm_sha1rnds4_epu32(abcd, e1, f);                              \
		}                                                                             \
		if ((g) >= 3 && (g) <= 18)                                                    \
			msg[((g) + 1) % 4] = _mm_sha1msg2_epu32(msg[((g) + 1) % 4], *cur_);   \
		if ((g) >= 1 && (g) <= 16)                                                    \
			msg[((g) + 3) % 4] = _mm_sha1msg1_epu32(msg[((g) + 3) % 4], *cur_);   \
		if ((g) >= 2 && (g) <= 17)                                                    \
			msg[((g) + 2) % 4] = _mm_xor_si128(msg[((g) + 2) % 4], *cur_);        \
	} while (0)

NI_ATTR static void sha1_block_ni(uint32_t h[5], const uint8_t *block)
{
	const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
	__m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), e1;
	__m128i abcd_in = abcd, e_in = e0, msg[4];

	for (int i = 0; i < 4; i++)
		msg[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), swap);
	NI_GROUP(0, 0); NI_GROUP(1, 0); NI_GROUP(2, 0); NI_GROUP(3, 0); NI_GROUP(4, 0);
	NI_GROUP(5, 1); NI_GROUP(6, 1); NI_GROUP(7, 1); NI_GROUP(8, 1); NI_GROUP(9, 1);
	NI_GROUP(10, 2); NI_GROUP(11, 2); NI_GROUP(12, 2); NI_GROUP(13, 2); NI_GROUP(14, 2);
	NI_GROUP(15, 3); NI_GROUP(16, 3); NI_GROUP(17, 3); NI_GROUP(18, 3); NI_GROUP(19, 3);
	e0 = _mm_sha1nexte_epu32(e0, e_in);
	abcd = _mm_add_epi32(abcd, abcd_in);
	_mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
	h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#define HAVE_SHA1_NI 1
#else
nf_sha1_impl_t nf_sha1_best(void)
{
	return NF_SHA1_PORTABLE;
}
#endif

static void hash_block(nf_sha1_impl_t impl, uint32_t h[5], const uint8_t *block)
{
#ifdef HAVE_SHA1_NI
	if (impl == NF_SHA1_X86_SHA) {
		sha1_block_ni(h, block);
		return;
	}
#else
	(void)impl;
#endif
	sha1_block(h, block);
}

void nf_sha1_with(nf_sha1_impl_t impl, const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN])
{
	uint8_t last[2 * SHA1_BLOCK];
	uint32_t h[5];
	size_t whole = n - n % SHA1_BLOCK, rest = n - whole, tail;
	uint64_t bits = (uint64_t)n * 8;

	memcpy(h, sha1_init, sizeof(h));
	for (size_t off = 0; off < whole; off += SHA1_BLOCK)
		hash_block(impl, h, p + off);
	/* the rest, the mark, zeros and the length: one block, or two when
	 * the length does not fit after the mark */
	tail = rest + 1 + SHA1_LENGTH_BYTES <= SHA1_BLOCK ? SHA1_BLOCK : 2 * SHA1_BLOCK;
	memset(last, 0, tail);
	if (rest > 0)
		memcpy(last, p + whole, rest);
	last[rest] = SHA1_PAD_MARK;
	for (int i = 0; i < SHA1_LENGTH_BYTES; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (size_t off = 0; off < tail; off += SHA1_BLOCK)
		hash_block(impl, h, last + off);
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}

void nf_sha1(const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN])
{
	nf_sha1_with(NF_SHA1_PORTABLE, p, n, digest);
}
