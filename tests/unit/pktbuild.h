/* pktbuild.h - a tiny builder of export datagrams for unit tests.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pkt {
	uint8_t b[65536];
	size_t len;
} pkt_t;

static inline void pb_u8(pkt_t *p, uint8_t v) { p->b[p->len++] = v; }
static inline void pb_u16(pkt_t *p, uint16_t v) { pb_u8(p, (uint8_t)(v >> 8)); pb_u8(p, (uint8_t)v); }
static inline void pb_u32(pkt_t *p, uint32_t v) { pb_u16(p, (uint16_t)(v >> 16)); pb_u16(p, (uint16_t)v); }
static inline void pb_bytes(pkt_t *p, const void *src, size_t n) { memcpy(p->b + p->len, src, n); p->len += n; }
static inline void pb_zero(pkt_t *p, size_t n) { memset(p->b + p->len, 0, n); p->len += n; }
static inline void pb_ipv4(pkt_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	pb_u8(p, a); pb_u8(p, b); pb_u8(p, c); pb_u8(p, d);
}
/* Overwrites a 16-bit value at offset off (e.g. a count or length). */
static inline void pb_put16(pkt_t *p, size_t off, uint16_t v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

/* NetFlow v9 header (20 bytes). */
static inline void pb_v9_header(pkt_t *p, uint16_t count, uint32_t uptime, uint32_t secs, uint32_t seq,
				uint32_t source_id)
{
	p->len = 0;
	pb_u16(p, 9); pb_u16(p, count); pb_u32(p, uptime); pb_u32(p, secs); pb_u32(p, seq);
	pb_u32(p, source_id);
}

/* IPFIX header (16 bytes); its length is written by pb_ipfix_end. */
static inline void pb_ipfix_header(pkt_t *p, uint32_t export_time, uint32_t seq, uint32_t domain)
{
	p->len = 0;
	pb_u16(p, 10); pb_u16(p, 0); pb_u32(p, export_time); pb_u32(p, seq); pb_u32(p, domain);
}

static inline void pb_ipfix_end(pkt_t *p)
{
	pb_put16(p, 2, (uint16_t)p->len);
}

/* Starts a set; returns where its header is, for pb_set_end. */
static inline size_t pb_set_begin(pkt_t *p, uint16_t id)
{
	size_t at = p->len;
	pb_u16(p, id);
	pb_u16(p, 0);
	return at;
}

static inline void pb_set_end(pkt_t *p, size_t at)
{
	pb_put16(p, at + 2, (uint16_t)(p->len - at));
}

/* A field specifier; pen != 0 sets the enterprise bit (IPFIX only). */
static inline void pb_field(pkt_t *p, uint32_t pen, uint16_t id, uint16_t len)
{
	pb_u16(p, pen ? (uint16_t)(id | 0x8000) : id);
	pb_u16(p, len);
	if (pen)
		pb_u32(p, pen);
}

/* A variable-length field value (RFC 7011 section 7). */
static inline void pb_varlen(pkt_t *p, const void *v, size_t n)
{
	if (n < 255) {
		pb_u8(p, (uint8_t)n);
	} else {
		pb_u8(p, 255);
		pb_u16(p, (uint16_t)n);
	}
	pb_bytes(p, v, n);
}

#endif
