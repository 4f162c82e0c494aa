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

void nf_sha1(const uint8_t *p, size_t n, uint8_t digest[NF_SHA1_DIGEST_LEN])
{
	uint8_t last[2 * SHA1_BLOCK];
	uint32_t h[5];
	size_t whole = n - n % SHA1_BLOCK, rest = n - whole, tail;
	uint64_t bits = (uint64_t)n * 8;

	memcpy(h, sha1_init, sizeof(h));
	for (size_t off = 0; off < whole; off += SHA1_BLOCK)
		sha1_block(h, p + off);
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
		sha1_block(h, last + off);
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}
