/* nf_format.c - text renderings of decoded values and records.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* snprintf that reports what it really wrote, never more than size - 1. */
static size_t put(size_t size, int n)
{
	if (n < 0 || size == 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

int nf_field_is_number(const nf_field_t *f)
{
	return (f->type >= NF_T_U8 && f->type <= NF_T_F64);
}

size_t nf_hex(const uint8_t *p, size_t n, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t w = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < n && w + 2 < size; i++) {
		buf[w++] = digits[p[i] >> 4];
		buf[w++] = digits[p[i] & 15];
	}
	buf[w] = '\0';
	return w;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
size_t nf_utf8_sequence(const uint8_t *p, size_t n)
{
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

size_t nf_string_length(const uint8_t *src, size_t n)
{
	while (n > 0 && src[n - 1] == 0)
		n--;
	return n;
}

/* The 19 bytes "YYYY-MM-DDTHH:MM:SS" (UTC) of sec, from the cache or made
 * into it: only a new day costs a gmtime_r. NULL when the year does not fit
 * four digits. */
static const char *second_text(nf_time_cache_t *tc, int64_t sec)
{
	int64_t day, rest;
	struct tm tm;
	time_t t = (time_t)sec;
	char *text;

	for (int i = 0; i < 2; i++) /* the flows of a datagram mostly start and end in few seconds */
		if (tc->second[i].valid && tc->second[i].sec == sec)
			return tc->second[i].text;
	day = sec / 86400;
	rest = sec % 86400;
	if (rest < 0) { /* floor, for times before 1970 */
		rest += 86400;
		day -= 1;
	}
	if (!tc->valid || tc->day != day) {
		if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
			return NULL;
		snprintf(tc->text, sizeof(tc->text), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		tc->day = day;
		tc->valid = true;
	}
	text = tc->second[tc->next].text;
	tc->second[tc->next].sec = sec;
	tc->second[tc->next].valid = true;
	tc->next ^= 1;
	memcpy(text, tc->text, 10);
	text[10] = 'T';
	text[11] = (char)('0' + rest / 36000);
	text[12] = (char)('0' + rest / 3600 % 10);
	text[13] = ':';
	text[14] = (char)('0' + rest % 3600 / 600);
	text[15] = (char)('0' + rest % 3600 / 60 % 10);
	text[16] = ':';
	text[17] = (char)('0' + rest % 60 / 10);
	text[18] = (char)('0' + rest % 10);
	return text;
}

size_t nf_time_text(int64_t sec, uint64_t frac, int digits, nf_time_cache_t *tc, char *buf, size_t size)
{
	nf_time_cache_t local;
	char spare[NF_TIME_TEXT_MAX];
	char *start = size >= NF_TIME_TEXT_MAX ? buf : spare, *d = start;
	const char *text;
	size_t n;

	if (tc == NULL) {
		memset(&local, 0, sizeof(local));
		tc = &local;
	}
	if (digits > 9)
		digits = 9;
	if ((text = second_text(tc, sec)) == NULL) {
		n = put(NF_TIME_TEXT_MAX, snprintf(start, NF_TIME_TEXT_MAX, "%" PRId64, sec));
	} else {
		memcpy(d, text, 19);
		d += 19;
		if (digits > 0) {
			*d++ = '.';
			for (int i = digits - 1; i >= 0; i--, frac /= 10)
				d[i] = (char)('0' + frac % 10);
			d += digits;
		}
		*d++ = 'Z';
		*d = '\0';
		n = (size_t)(d - start);
	}
	if (start == spare) { /* a small buffer: the text cut to fit */
		if (size == 0)
			return 0;
		n = n < size ? n : size - 1;
		memcpy(buf, spare, n);
		buf[n] = '\0';
	}
	return n;
}

size_t nf_time_ms_text(int64_t ms, nf_time_cache_t *tc, char *buf, size_t size)
{
	int64_t sec = ms / 1000, frac = ms % 1000;
	if (frac < 0) { /* floor, for times before 1970 */
		frac += 1000;
		sec -= 1;
	}
	return nf_time_text(sec, (uint64_t)frac, 3, tc, buf, size);
}

/* The text of a signed count of units per second since the epoch. */
static size_t signed_time_text(int64_t v, int64_t per_sec, int digits, nf_time_cache_t *tc, char *buf,
			       size_t size)
{
	int64_t sec = v / per_sec, frac = v % per_sec;

	if (frac < 0) { /* floor, for times before 1970 */
		frac += per_sec;
		sec -= 1;
	}
	return nf_time_text(sec, (uint64_t)frac, digits, tc, buf, size);
}

size_t nf_datetime_text(const nf_field_t *f, nf_time_cache_t *tc, char *buf, size_t size)
{
	uint64_t u = f->v.u;

	switch (f->type) {
	case NF_T_DT_SEC:
		if (u > (uint64_t)NF_TIME_MAX_MS / 1000)
			break;
		return nf_time_text((int64_t)u, 0, 0, tc, buf, size);
	case NF_T_DT_MILLI:
		if (u > (uint64_t)NF_TIME_MAX_MS)
			break;
		return nf_time_text((int64_t)(u / 1000), u % 1000, 3, tc, buf, size);
	case NF_T_DT_MICRO: /* NTP: 1900 to 2036, always within RFC 3339 */
		return signed_time_text(f->v.i, 1000000, 6, tc, buf, size);
	default:
		return signed_time_text(f->v.i, 1000000000, 9, tc, buf, size);
	}
	/* beyond year 9999: the exporter's number as it is */
	return put(size, snprintf(buf, size, "%" PRIu64, u));
}

size_t nf_field_text(const nf_field_t *f, char *buf, size_t size)
{
	const uint8_t *b = f->v.b;

	switch (f->type) {
	case NF_T_IPV4:
		return put(size, snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]));
	case NF_T_IPV6:
		if (size < INET6_ADDRSTRLEN || inet_ntop(AF_INET6, b, buf, (socklen_t)size) == NULL)
			return nf_hex(b, 16, buf, size);
		return strlen(buf);
	case NF_T_MAC:
		return put(size, snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1],
					       b[2], b[3], b[4], b[5]));
	case NF_T_BOOL:
		return put(size, snprintf(buf, size, "%s", f->v.u ? "true" : "false"));
	case NF_T_DT_SEC:
	case NF_T_DT_MILLI:
	case NF_T_DT_MICRO:
	case NF_T_DT_NANO:
		return nf_datetime_text(f, NULL, buf, size);
	case NF_T_I8:
	case NF_T_I16:
	case NF_T_I32:
	case NF_T_I64:
		return put(size, snprintf(buf, size, "%" PRId64, f->v.i));
	case NF_T_F32:
	case NF_T_F64:
		return put(size, snprintf(buf, size, "%.17g", f->v.f));
	default:
		return put(size, snprintf(buf, size, "%" PRIu64, f->v.u));
	}
}

size_t nf_unknown_name(uint32_t pen, uint16_t id, char *buf, size_t size)
{
	return put(size, snprintf(buf, size, "ie%" PRIu32 "_%u", pen, id));
}
