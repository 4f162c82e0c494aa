/* nf_decode.h - what the decoders produce, and how they report errors.
 *
 * The decoder core is pure C: no rsyslog headers, no logging, no globals.
 * A decoded flow record is a list of (information element, typed value)
 * pairs plus the flow's absolute start and end time. Datagram-level facts
 * (version, export time, sequence, source id) are in nf_datagram_info_t.
 *
 * Return codes: NF_OK (0) and NF_END (1) are success; every error is
 * negative and nf_strerror() gives its static description.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_DECODE_H
#define NF_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nf_ie.h"

typedef enum nf_rc {
	NF_OK = 0,               /* a record was produced / the step succeeded */
	NF_END = 1,              /* no more records in this datagram */
	NF_ERR_SHORT = -1,       /* datagram shorter than its header */
	NF_ERR_VERSION = -2,     /* version number not supported */
	NF_ERR_COUNT = -3,       /* header record count exceeds the datagram */
	NF_ERR_TRUNCATED = -4,   /* a record or set ends past the datagram */
	NF_ERR_TOO_MANY = -5,    /* more fields than NF_RECORD_MAX_FIELDS */
	NF_ERR_SET = -6,         /* set header malformed (length < 4 or past the end) */
	NF_ERR_TEMPLATE = -7,    /* template record malformed (no field, zero-length record) */
	NF_ERR_NOMEM = -8,       /* out of memory */
	NF_ERR_LIMIT = -9,       /* a configured limit refused the item */
	NF_ERR_FORMAT = -10,     /* text malformed: an address, a prefix, a line of a file */
	NF_ERR__LAST = -11
} nf_rc_t;

/* Static, never NULL, also for unknown codes. */
const char *nf_strerror(int rc);

/* Upper bound on the fields of one record: a template's fields (at most
 * 512) and the few the decoder adds (normalised times). */
#define NF_RECORD_MAX_FIELDS 528

typedef struct nf_field {
	/* the first 24 bytes (NF_FIELD_HEAD) match nf_op_t's (nf_template.h) */
	const nf_ie_t *ie; /* dictionary entry, or NULL for an unknown element */
	union {
		struct {
			uint32_t pen;   /* always set, also when ie is NULL */
			uint16_t id;
			uint8_t type;   /* nf_ie_type_t: which member of v holds the value */
			uint8_t repeat; /* 0; n for the n+1-th field of the same element in one record */
		};
		uint64_t key; /* the four in one word, written at once by nf_field_set */
	};
	uint16_t len;      /* length on the wire; for NF_T_OCTETS/STRING the byte count at v.p */
	union {
		uint64_t u;       /* unsigned, boolean, dateTimeSeconds/Milliseconds (since the epoch) */
		int64_t i;        /* signed, dateTimeMicro/Nanoseconds (since the epoch: before
				     1970 negative, their NTP form counting from 1900) */
		double f;         /* float */
		uint8_t b[16];    /* IPv4 (4 bytes), IPv6 (16), MAC (6), network order */
		const uint8_t *p; /* octets, string: into the datagram, valid until the next call */
	} v;
} nf_field_t;

/* Bytes a record can hold for text the decoder composes itself (an sFlow
 * AS path), which has no place in the datagram to point to. */
#define NF_RECORD_TEXT 1024

/* The IANA elements that the decoders and the summary line look up in
 * every record (times, addresses, ports, counters, sampling, interfaces)
 * are indexed as fields are added, so that nf_record_find needs no scan:
 * nf_known_slot[id] is the element's slot + 1, 0 for elements not indexed. */
#define NF_KNOWN_IDS 512
#define NF_KNOWN_SLOTS 64
extern const uint8_t nf_known_slot[NF_KNOWN_IDS];

/* The indexed elements (NF_IE_<name> in nf_ie.h); slot NF_K_<name>. The
 * flow start and end times come first, each group in the order of
 * preference of nf_record_normalize_times: the lowest bit present wins. */
#define NF_KNOWN_ELEMENTS(X) \
	X(FLOW_START_MILLISECONDS) X(FLOW_START_MICROSECONDS) X(FLOW_START_NANOSECONDS) \
	X(FLOW_START_SECONDS) X(FLOW_START_SYS_UP_TIME) X(FLOW_START_DELTA_MICROSECONDS) \
	X(FLOW_END_MILLISECONDS) X(FLOW_END_MICROSECONDS) X(FLOW_END_NANOSECONDS) \
	X(FLOW_END_SECONDS) X(FLOW_END_SYS_UP_TIME) X(FLOW_END_DELTA_MICROSECONDS) \
	X(OBSERVATION_TIME_MILLISECONDS) X(OBSERVATION_TIME_MICROSECONDS) \
	X(OBSERVATION_TIME_NANOSECONDS) X(OBSERVATION_TIME_SECONDS) \
	X(OCTET_DELTA_COUNT) X(PACKET_DELTA_COUNT) X(PROTOCOL_IDENTIFIER) X(IP_CLASS_OF_SERVICE) \
	X(TCP_CONTROL_BITS) X(SOURCE_TRANSPORT_PORT) X(SOURCE_IPV4_ADDRESS) X(INGRESS_INTERFACE) \
	X(DESTINATION_TRANSPORT_PORT) X(DESTINATION_IPV4_ADDRESS) X(EGRESS_INTERFACE) \
	X(SOURCE_IPV6_ADDRESS) X(DESTINATION_IPV6_ADDRESS) X(SAMPLING_INTERVAL) X(SAMPLER_ID) \
	X(SAMPLER_RANDOM_INTERVAL) X(INTERFACE_NAME) X(APPLICATION_ID) X(APPLICATION_NAME) \
	X(SYSTEM_INIT_TIME_MILLISECONDS) X(FLOW_DURATION_MILLISECONDS) X(FLOW_DURATION_MICROSECONDS) \
	X(SELECTOR_ID) X(SAMPLING_PACKET_INTERVAL) X(SAMPLING_PACKET_SPACE) X(SAMPLING_PROBABILITY)

enum nf_known_slot_id {
#define NF_KNOWN_ENUM(name) NF_K_##name,
	NF_KNOWN_ELEMENTS(NF_KNOWN_ENUM)
#undef NF_KNOWN_ENUM
	NF_K__COUNT
};
_Static_assert(NF_K__COUNT <= NF_KNOWN_SLOTS, "too many indexed elements");
#define NF_KNOWN_BIT(name) (UINT64_C(1) << NF_K_##name)

typedef struct nf_record {
	uint16_t nfields;
	uint16_t text_used;  /* of text[]; reset with nfields */
	int64_t start_ms; /* absolute flow start, ms since the epoch; NF_TIME_NONE unknown */
	int64_t end_ms;   /* absolute flow end, ms since the epoch; NF_TIME_NONE unknown */
	uint64_t known_mask;                /* bit s: an element of slot s is present */
	uint16_t known_at[NF_KNOWN_SLOTS + 1]; /* index of its first field; the last entry is spare */
	nf_field_t field[NF_RECORD_MAX_FIELDS];
	char text[NF_RECORD_TEXT];
} nf_record_t;

/* Facts from the datagram header, shared by all its records. */
typedef struct nf_datagram_info {
	uint16_t version;       /* 1, 5, 7, 9, 10 */
	uint16_t count;         /* header count field as sent */
	uint32_t sys_uptime_ms; /* exporter uptime at export (v1/v5/v7/v9) */
	uint32_t export_sec;    /* export time, seconds since the epoch */
	uint32_t export_nsec;   /* and nanoseconds (v1/v5/v7) */
	uint32_t sequence;      /* flow sequence (v5/v7), packet sequence (v9), record sequence (IPFIX) */
	uint32_t source_id;     /* v9 source id, IPFIX observation domain, v5 engine type << 8 | engine id */
	bool has_sequence;
	bool has_source_id;
} nf_datagram_info_t;

/* Empties a record before it is filled again. */
static inline void nf_record_clear(nf_record_t *rec)
{
	rec->nfields = 0;
	rec->text_used = 0;
	rec->known_mask = 0;
}

/* The record index slot of element (pen, id), or NF_KNOWN_SLOTS (the
 * spare entry of known_at) when the element is not indexed. */
static inline uint8_t nf_index_slot(uint32_t pen, uint16_t id)
{
	if (pen != 0 || id >= NF_KNOWN_IDS || nf_known_slot[id] == 0)
		return NF_KNOWN_SLOTS;
	return (uint8_t)(nf_known_slot[id] - 1);
}

/* Notes field index i as the first of its element, whose index slot is
 * slot (NF_KNOWN_SLOTS: not indexed). */
static inline __attribute__((always_inline)) void nf_record_index(nf_record_t *rec, uint8_t slot, uint16_t i)
{
	if (slot != NF_KNOWN_SLOTS && !(rec->known_mask & (UINT64_C(1) << slot))) {
		rec->known_mask |= UINT64_C(1) << slot;
		rec->known_at[slot] = i;
	}
}

/* Appends a field to a record. Returns NF_OK or NF_ERR_TOO_MANY. */
static inline int nf_record_add(nf_record_t *rec, const nf_field_t *f)
{
	if (rec->nfields >= NF_RECORD_MAX_FIELDS)
		return NF_ERR_TOO_MANY;
	rec->field[rec->nfields] = *f;
	nf_record_index(rec, nf_index_slot(f->pen, f->id), rec->nfields);
	rec->nfields++;
	return NF_OK;
}

/* The index slot of IANA element id as a switch, which folds to a constant
 * where id is one (nf_index_slot reads a table). */
static inline __attribute__((always_inline)) uint8_t nf_known_slot_of(uint16_t id)
{
	switch (id) {
#define NF_KNOWN_CASE(name) case NF_IE_##name: return NF_K_##name;
	NF_KNOWN_ELEMENTS(NF_KNOWN_CASE)
#undef NF_KNOWN_CASE
	default: return NF_KNOWN_SLOTS;
	}
}

/* Appending a block of fields with one check of the room left:
 * nf_record_reserve returns where the next field goes when n more fit
 * (NULL when not), nf_field_set writes a field there and returns where the
 * one after it goes, and nf_record_commit ends the block there. Nothing
 * else may append to the record between reserve and commit. */
static inline nf_field_t *nf_record_reserve(nf_record_t *rec, unsigned n)
{
	return rec->nfields + n <= NF_RECORD_MAX_FIELDS ? &rec->field[rec->nfields] : NULL;
}

static inline void nf_record_commit(nf_record_t *rec, const nf_field_t *next)
{
	rec->nfields = (uint16_t)(next - rec->field);
}

/* Writes reserved field f of rec from its parts (v.u = v) and indexes it
 * in slot (nf_index_slot, NF_KNOWN_SLOTS when not indexed); returns f + 1.
 * Written in place: building an nf_field_t on the stack and copying it
 * costs a store-forwarding stall per field. Inlined, so that a caller
 * passing constants gets them folded. */
static inline __attribute__((always_inline)) nf_field_t *nf_field_set(nf_record_t *rec, nf_field_t *f,
								    const nf_ie_t *ie, uint32_t pen, uint16_t id,
								    uint8_t type, uint16_t len, uint64_t v, uint8_t slot)
{
	f->ie = ie;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* with constant parts one immediate store, where GCC keeps four */
	f->key = (uint64_t)pen | (uint64_t)id << 32 | (uint64_t)type << 48;
#else
	f->pen = pen;
	f->id = id;
	f->type = type;
	f->repeat = 0;
#endif
	f->len = len;
	f->v.u = v;
	nf_record_index(rec, slot, (uint16_t)(f - rec->field));
	return f + 1;
}

/* Appends one field (nf_field_set's parts). Returns NF_OK or
 * NF_ERR_TOO_MANY. */
static inline __attribute__((always_inline)) int nf_record_put(nf_record_t *rec, const nf_ie_t *ie, uint32_t pen,
							     uint16_t id, uint8_t type, uint16_t len, uint64_t v,
							     uint8_t slot)
{
	nf_field_t *f = nf_record_reserve(rec, 1);

	if (f == NULL)
		return NF_ERR_TOO_MANY;
	nf_record_commit(rec, nf_field_set(rec, f, ie, pen, id, type, len, v, slot));
	return NF_OK;
}

/* nf_record_put, the slot looked up. Returns NF_OK or NF_ERR_TOO_MANY. */
static inline int nf_record_add_u(nf_record_t *rec, const nf_ie_t *ie, uint32_t pen, uint16_t id, uint8_t type,
				  uint16_t len, uint64_t v)
{
	return nf_record_put(rec, ie, pen, id, type, len, v, nf_index_slot(pen, id));
}

/* Appends a string field whose bytes are kept in rec->text. Returns
 * NF_OK, NF_ERR_TOO_MANY, or NF_ERR_LIMIT when text is full. */
int nf_record_add_text(nf_record_t *rec, const nf_ie_t *ie, const char *s, size_t len);

/* Marks every field that repeats an element earlier in the record: its
 * repeat is how many came before (emitted as name_2, name_3...), so that
 * no output shows a name twice. For records a decoder composes from parts
 * that may each carry an element (sFlow's flow records and sampled
 * headers); a template's repeats are known when it is compiled. The
 * fields' repeat must be 0 before (as nf_field_set and nf_record_add
 * leave it). */
void nf_record_mark_repeats(nf_record_t *rec);

/* The first field of element (pen, id), or NULL. */
const nf_field_t *nf_record_find_scan(const nf_record_t *rec, uint32_t pen, uint16_t id);
static inline const nf_field_t *nf_record_find(const nf_record_t *rec, uint32_t pen, uint16_t id)
{
	uint8_t slot = nf_index_slot(pen, id);

	if (slot != NF_KNOWN_SLOTS)
		return (rec->known_mask & (UINT64_C(1) << slot)) ? &rec->field[rec->known_at[slot]] : NULL;
	return nf_record_find_scan(rec, pen, id);
}

/* Flow times (docs/fields.md, "Times"). A start or end is stated only when the
 * record and what the exporter told us fix it: absolute elements (seconds,
 * milli-, micro-, nanoseconds, between 1970 and the end of 9999);
 * sysUpTime-relative stamps with the header's uptime (v1-v9) or, in
 * IPFIX, a learned boot time (init_ms); delta microseconds before the
 * export; the other end of one so fixed plus or minus a flowDuration.
 * Nothing else: no export time stands in for a missing one. The derived
 * ones (all but absolute elements) are dropped, and counted, when they
 * fall more than NF_TIME_FUTURE_TOLERANCE_MS after the export time or put
 * the end before the start (nf_times_check). */
#define NF_TIME_NONE (-1)   /* start_ms, end_ms: not known */
#define NF_TIME_START 1u    /* derived-ness bits of nf_times_check */
#define NF_TIME_END 2u
/* How far after the export time a derived time may fall: v9 and IPFIX
 * state the export in whole seconds, and exporters' uptime and wall
 * clocks drift apart a little. */
#define NF_TIME_FUTURE_TOLERANCE_MS 2000
/* 9999-12-31T23:59:59.999Z, the last time RFC 3339 text holds. */
#define NF_TIME_MAX_MS INT64_C(253402300799999)

/* The export time, ms since the epoch. */
static inline int64_t nf_export_ms(const nf_datagram_info_t *info)
{
	return (int64_t)info->export_sec * 1000 + info->export_nsec / 1000000;
}

/* nf_times_check's work once the common case is ruled out. */
unsigned nf_times_drop(const nf_datagram_info_t *info, int64_t *start, int64_t *end, unsigned derived);

/* Checks a record's start and end (NF_TIME_NONE: none), derived telling
 * which were worked out rather than sent (NF_TIME_START, NF_TIME_END): a
 * derived one before 1970 or more than NF_TIME_FUTURE_TOLERANCE_MS after
 * the export, or making the end fall before the start, becomes
 * NF_TIME_NONE. Returns how many were dropped so. Inline: the common case,
 * both known and in order up to the export, is three comparisons. */
static inline unsigned nf_times_check(const nf_datagram_info_t *info, int64_t *start, int64_t *end,
				      unsigned derived)
{
	if (*start >= 0 && *start <= *end && *end <= nf_export_ms(info) + NF_TIME_FUTURE_TOLERANCE_MS)
		return 0;
	return nf_times_drop(info, start, end, derived);
}

/* Fills rec->start_ms / end_ms by the rule above from whichever time
 * fields the record has (NF_TIME_NONE where it gives none), and adds
 * flow_start_milliseconds / flow_end_milliseconds fields for those the
 * record has not as such elements. The fields it was derived from stay.
 * init_ms: the exporter's boot time in ms since the epoch (IPFIX
 * systemInitTimeMilliseconds learned from options), or -1 if unknown.
 * Returns the derived times dropped (nf_times_check). */
unsigned nf_record_normalize_times(nf_record_t *rec, const nf_datagram_info_t *info, int64_t init_ms);

/* Where the times of a template's records come from, worked out once when
 * the template is compiled (its fields' index slots and types are the same
 * in every record): the slots nf_record_normalize_times would take the
 * start and the end from, NF_KNOWN_SLOTS where that depends on the record
 * or the datagram. */
typedef struct nf_time_plan {
	uint16_t version; /* 9 or 10: of the datagrams planned for */
	uint8_t start_slot, end_slot;
} nf_time_plan_t;

/* Plans for records with the fields of known_mask, slot_type[s] being the
 * type of the field in slot s (NF_KNOWN_SLOTS entries), in datagrams of
 * version. */
void nf_time_plan_init(nf_time_plan_t *plan, uint64_t known_mask, const uint8_t *slot_type, uint16_t version);

/* nf_record_normalize_times, taking the start and the end where plan (may
 * be NULL) says when rec and info are what it was made for (planned_mask:
 * the known_mask it was made with, which the template keeps): the same
 * result, without looking for them. */
unsigned nf_record_times(nf_record_t *rec, const nf_time_plan_t *plan, uint64_t planned_mask,
			 const nf_datagram_info_t *info, int64_t init_ms);

/* A v1-v9 uptime stamp (flowStartSysUpTime, flowEndSysUpTime) as ms since
 * the epoch, with the header's uptime and export time: the difference is
 * taken modulo 2^32 and read as signed, so a stamp from before an uptime
 * wrap, or slightly after the export (clock skew), stays next to the
 * export time. */
static inline int64_t nf_uptime_stamp_ms(const nf_datagram_info_t *info, uint32_t stamp)
{
	return nf_export_ms(info) - (int32_t)(info->sys_uptime_ms - stamp);
}

/* The first unsigned value of any of the (IANA) elements ids, in the
 * order given; 0 when the record has none. */
uint64_t nf_record_first_uint(const nf_record_t *rec, const uint16_t *ids, size_t nids, int *found);

/* Sampling: the rate (one packet in N) the record states itself:
 * samplingInterval (34) or samplerRandomInterval (50) as sent; else
 * (samplingPacketInterval + samplingPacketSpace) / samplingPacketInterval
 * (305/306, RFC 5477 count-based: both needed); else 1 / samplingProbability
 * (311); rounded; 0 if none. */
uint32_t nf_record_sampling_interval(const nf_record_t *rec);

/* Multiplies the record's packet and octet delta counts by interval (an
 * estimate of the unsampled traffic). */
void nf_record_renormalize(nf_record_t *rec, uint32_t interval);

/* Returns the datagram's version: the first 16 bits (NetFlow, IPFIX), or
 * -1 when fewer than 2 bytes are given. */
int nf_peek_version(const uint8_t *buf, size_t len);

#endif /* NF_DECODE_H */
