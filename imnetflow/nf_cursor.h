/* nf_cursor.h - a bounds-checked reader over a byte buffer.
 *
 * Every read of datagram bytes in the decoder goes through a cursor. A read
 * that would pass the end fails, leaves the cursor where it was and returns
 * false: truncation is a clean error, never a read past the end. Multi-byte
 * integers are big-endian (network order), assembled byte by byte so that no
 * alignment is assumed.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_CURSOR_H
#define NF_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct nf_cursor {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last readable byte */
} nf_cursor_t;

static inline void nf_cursor_init(nf_cursor_t *c, const uint8_t *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
}

static inline size_t nf_cursor_left(const nf_cursor_t *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool nf_cursor_has(const nf_cursor_t *c, size_t n)
{
	return nf_cursor_left(c) >= n;
}

/* Advances by n bytes; false (and no move) if fewer are left. */
static inline bool nf_cursor_skip(nf_cursor_t *c, size_t n)
{
	if (!nf_cursor_has(c, n))
		return false;
	c->p += n;
	return true;
}

/* Splits off the next n bytes as a cursor of their own and advances past
 * them; false (and no move) if fewer are left. */
static inline bool nf_cursor_sub(nf_cursor_t *c, size_t n, nf_cursor_t *sub)
{
	if (!nf_cursor_has(c, n))
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

/* Returns a pointer to the next n bytes and advances past them, or NULL
 * (and no move) if fewer are left. */
static inline const uint8_t *nf_cursor_bytes(nf_cursor_t *c, size_t n)
{
	const uint8_t *b = c->p;
	if (!nf_cursor_skip(c, n))
		return NULL;
	return b;
}

static inline bool nf_cursor_u8(nf_cursor_t *c, uint8_t *v)
{
	if (!nf_cursor_has(c, 1))
		return false;
	*v = c->p[0];
	c->p += 1;
	return true;
}

static inline bool nf_cursor_u16(nf_cursor_t *c, uint16_t *v)
{
	if (!nf_cursor_has(c, 2))
		return false;
	*v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool nf_cursor_u32(nf_cursor_t *c, uint32_t *v)
{
	if (!nf_cursor_has(c, 4))
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return true;
}

/* The unsigned big-endian integer in the n bytes at p (n <= 8, bytes the
 * caller has checked). */
static inline uint64_t nf_be_uint(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	switch (n) { /* the common widths without a loop */
	case 1:
		return p[0];
	case 2:
		return (uint64_t)p[0] << 8 | p[1];
	case 4:
		return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
	case 8: /* compilers read this as one load and a byte swap */
		return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
		       (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 8 | p[7];
	default:
		for (size_t i = 0; i < n; i++)
			v = v << 8 | p[i];
		return v;
	}
}

/* Reads an unsigned big-endian integer of 1 to 8 bytes (the reduced-size
 * encoding of RFC 7011 section 6.2 uses every width). */
static inline bool nf_cursor_uint(nf_cursor_t *c, size_t width, uint64_t *v)
{
	if (width == 0 || width > 8 || !nf_cursor_has(c, width))
		return false;
	*v = nf_be_uint(c->p, width);
	c->p += width;
	return true;
}

/* Copies the next n bytes into dst. */
static inline bool nf_cursor_copy(nf_cursor_t *c, void *dst, size_t n)
{
	if (!nf_cursor_has(c, n))
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	return true;
}

#endif /* NF_CURSOR_H */
