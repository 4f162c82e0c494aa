/* nf_legacy.h - NetFlow v1, v5, v6, v7 and v8: fixed record layouts.
 *
 * nf_legacy_decode emits every record through the decoders' one contract
 * (nf_datagram.h). Underneath, a pull iterator, libfds style:
 *     nf_legacy_iter_t it;
 *     int rc = nf_legacy_begin(&it, buf, len);
 *     while (rc == NF_OK && (rc = nf_legacy_next(&it, &rec)) == NF_OK)
 *         use(&it.info, &rec);
 *     rc is now NF_END, or an error that nf_strerror() describes.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_LEGACY_H
#define NF_LEGACY_H

#include "nf_cursor.h"
#include "nf_datagram.h"
#include "nf_decode.h"

struct nf_legacy_layout;

#define NF_LEGACY_MAX_STEPS 24 /* steps of the longest layout (v7: 21) */
#define NF_LEGACY_HEADER_FIELDS 4 /* v5/v6/v8 header fields every record repeats */

typedef struct nf_legacy_iter {
	nf_datagram_info_t info;
	nf_cursor_t cur;                      /* the records not read yet */
	const struct nf_legacy_layout *layout;
	uint16_t left;                        /* records not read yet */
	uint8_t engine_type;                  /* v5, v6, v8 */
	uint8_t engine_id;                    /* v5, v6, v8 */
	uint16_t sampling;                    /* v5, v6: 2-bit mode, 14-bit interval */
	uint32_t default_rate;                /* the sampling map's, where the header says none */
	uint8_t aggregation;                  /* v8 only: the scheme */
	uint8_t aggregation_version;          /* v8 only */
	/* resolved once per datagram (every record has the same fields): a
	 * prototype record, complete but for the values the records carry,
	 * v5's header fields included, and where each value is read from */
	uint8_t nproto;
	nf_field_t proto[NF_LEGACY_MAX_STEPS + NF_LEGACY_HEADER_FIELDS + 2];
	uint8_t nreads;
	struct nf_legacy_read {
		uint8_t offset; /* in the record */
		uint8_t width;  /* bytes; 4 for an address */
		uint8_t field;  /* index in proto */
		bool address;   /* copied as bytes, not read as a number */
	} reads[NF_LEGACY_MAX_STEPS];
	uint64_t known_mask;
	uint16_t known_at[NF_KNOWN_SLOTS + 1];
	/* every layout has flowStart/EndSysUpTime and no other time: the
	 * prototype's flow_start/end_milliseconds fields (time_field and the
	 * one after it) are computed from the fields at start_field and
	 * end_field, as nf_record_normalize_times would, and left out when
	 * nf_times_check drops them */
	uint8_t start_field, end_field, time_field;
	uint32_t times_implausible; /* times dropped so, in the records read */
} nf_legacy_iter_t;

/* Reads and checks the header.
 * Returns NF_OK; NF_ERR_SHORT if the datagram is shorter than the header;
 * NF_ERR_VERSION if it is not v1, v5, v6, v7 or v8, or v8 of an aggregation
 * scheme other than 1-14; NF_ERR_COUNT if the header's
 * count needs more bytes than the datagram has. Bytes after the last
 * counted record are ignored (some exporters pad). */
int nf_legacy_begin(nf_legacy_iter_t *it, const uint8_t *buf, size_t len);

/* Decodes the next record into rec.
 * Returns NF_OK, or NF_END when all counted records were read. */
int nf_legacy_next(nf_legacy_iter_t *it, nf_record_t *rec);

/* The v5/v6 header's sampling interval (its low 14 bits; 0 when the header
 * states none or for v1/v7/v8). */
uint32_t nf_legacy_sampling_interval(const nf_legacy_iter_t *it);

/* Decodes a v1/v5/v6/v7/v8 datagram: counts v5-v8 flow sequence numbers
 * per engine (stream d->source, version, engine and, for v8, aggregation
 * scheme), renormalises by the
 * header's sampling interval when asked, and emits every record as
 * NF_KIND_FLOW. Returns NF_END after the last record, or nf_legacy_begin's
 * and nf_legacy_next's errors. */
int nf_legacy_decode(nf_decoder_t *d, const uint8_t *buf, size_t len);

/* Checks the built-in layouts once, for the tests (decoding relies on
 * them): each covers exactly its record length in at most
 * NF_LEGACY_MAX_STEPS steps, reads addresses as 4 bytes and numbers as at
 * most 8, and has flowStart/EndSysUpTime and no other time.
 * Returns NF_OK, or NF_ERR_LIMIT naming a table error. */
int nf_legacy_check_layouts(void);

/* Record length of a legacy version, 0 if not v1/v5/v6/v7 (v8's depends
 * on the scheme: nf_legacy_v8_record_len). */
size_t nf_legacy_record_len(uint16_t version);

/* Record length of a v8 aggregation scheme, 0 if not 1-14. */
size_t nf_legacy_v8_record_len(uint8_t aggregation);

#endif /* NF_LEGACY_H */
