/* nf_format.h - text renderings of decoded values and records.
 *
 * Pure functions writing into caller buffers; nothing is allocated. Every
 * function returns the length written (without the terminating NUL), always
 * NUL-terminates when size > 0, and truncates rather than overflow.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_FORMAT_H
#define NF_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nf_decode.h"

/* Longest text any single scalar rendering needs, NUL included. */
#define NF_TEXT_MAX 64

/* The last day rendered as "YYYY-MM-DD" and the last two seconds as
 * "YYYY-MM-DDTHH:MM:SS": the time of day is arithmetic, so only a new day
 * costs a gmtime_r. Zero-initialise before first use; one per thread. */
typedef struct nf_time_cache {
	int64_t day;   /* days since the epoch */
	bool valid;
	char text[48]; /* 10 used; room for snprintf's worst case */
	/* the last two seconds rendered (a flow's start and end), and their text */
	struct {
		int64_t sec;
		bool valid;
		char text[20];
	} second[2];
	unsigned next;  /* the entry the next new second replaces */
} nf_time_cache_t;

/* Longest time text, NUL included: "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", or
 * the seconds as a number. */
#define NF_TIME_TEXT_MAX 32

/* True if the field is rendered as a JSON number (integers, floats). */
int nf_field_is_number(const nf_field_t *f);

/* Renders an address (IPv4 dotted quad, IPv6 RFC 5952), MAC (aa:bb:..),
 * dateTime (RFC 3339 UTC with the type's precision), boolean or number.
 * Octet arrays and strings are not handled here (see nf_hex). */
size_t nf_field_text(const nf_field_t *f, char *buf, size_t size);

/* Lower-case hex of n bytes. Returns 2n, or less if size is too small. */
size_t nf_hex(const uint8_t *p, size_t n, char *buf, size_t size);

/* The length of a string field's text: without its trailing NULs (the
 * padding of fixed-length fields). A NUL before other bytes is part of
 * the text, and so are the bytes after it. */
size_t nf_string_length(const uint8_t *src, size_t n);

/* Length of the valid UTF-8 sequence at p (n > 0 bytes left): 1 to 4, or
 * 0 when p does not start one (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
size_t nf_utf8_sequence(const uint8_t *p, size_t n);

/* RFC 3339 UTC: sec with `digits` (at most 9) digits of frac, then "Z";
 * the plain number of seconds when the year does not fit four digits.
 * tc (may be NULL) is the cache of the last day and seconds. */
size_t nf_time_text(int64_t sec, uint64_t frac, int digits, nf_time_cache_t *tc, char *buf, size_t size);

/* nf_time_text of a dateTime field, with the precision of its type; a
 * dateTimeSeconds or -Milliseconds past year 9999 is its number as sent
 * (seconds or ms since the epoch), never a clamped or wrapped time. */
size_t nf_datetime_text(const nf_field_t *f, nf_time_cache_t *tc, char *buf, size_t size);

/* nf_time_text of ms since the epoch: 2026-11-28T17:48:55.123Z. */
size_t nf_time_ms_text(int64_t ms, nf_time_cache_t *tc, char *buf, size_t size);

/* The name of an element without a dictionary entry: "ie<pen>_<id>"
 * (e.g. ie9_12235, ie0_500) so that unknown fields are never dropped. */
size_t nf_unknown_name(uint32_t pen, uint16_t id, char *buf, size_t size);

#endif /* NF_FORMAT_H */
