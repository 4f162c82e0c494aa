/* nf_time.c - absolute flow start and end times, where the record and the
 * datagram determine them.
 *
 * Exporters state flow times in many ways: absolute stamps of four
 * precisions, uptime-relative stamps, microseconds before the export,
 * durations. A start or end is stated only when what the exporter sent
 * fixes it (docs/fields.md, "Times"): nothing is assumed (no export time standing
 * in for a missing end), and a derived time that cannot be right (after
 * the export, or an end before the start) is dropped and counted.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <stdbool.h>
#include <stdint.h>

#include "nf_decode.h"

/* Where a time comes from, in order of preference. */
enum time_source { ABS_SEC, ABS_MILLI, ABS_MICRO, ABS_NANO, UPTIME, DELTA_MICRO };

/* Where each time slot's value comes from (slots in nf_decode.h). */
static const uint8_t time_source[] = {
	[NF_K_FLOW_START_MILLISECONDS] = ABS_MILLI, [NF_K_FLOW_START_MICROSECONDS] = ABS_MICRO,
	[NF_K_FLOW_START_NANOSECONDS] = ABS_NANO, [NF_K_FLOW_START_SECONDS] = ABS_SEC,
	[NF_K_FLOW_START_SYS_UP_TIME] = UPTIME, [NF_K_FLOW_START_DELTA_MICROSECONDS] = DELTA_MICRO,
	[NF_K_FLOW_END_MILLISECONDS] = ABS_MILLI, [NF_K_FLOW_END_MICROSECONDS] = ABS_MICRO,
	[NF_K_FLOW_END_NANOSECONDS] = ABS_NANO, [NF_K_FLOW_END_SECONDS] = ABS_SEC,
	[NF_K_FLOW_END_SYS_UP_TIME] = UPTIME, [NF_K_FLOW_END_DELTA_MICROSECONDS] = DELTA_MICRO,
	/* event-style exporters (Cisco ASA NSEL) stamp the observation instead */
	[NF_K_OBSERVATION_TIME_MILLISECONDS] = ABS_MILLI, [NF_K_OBSERVATION_TIME_MICROSECONDS] = ABS_MICRO,
	[NF_K_OBSERVATION_TIME_NANOSECONDS] = ABS_NANO, [NF_K_OBSERVATION_TIME_SECONDS] = ABS_SEC,
};
#define TIME_SLOTS (sizeof(time_source) / sizeof(time_source[0]))
_Static_assert(TIME_SLOTS == NF_K_OBSERVATION_TIME_SECONDS + 1, "time slots come first");

/* The start candidates, and the end ones, as masks of consecutive slots. */
#define SLOTS_FROM_TO(a, b) (((UINT64_C(1) << ((b) + 1)) - 1) & ~((UINT64_C(1) << (a)) - 1))
#define START_SLOTS SLOTS_FROM_TO(NF_K_FLOW_START_MILLISECONDS, NF_K_FLOW_START_DELTA_MICROSECONDS)
#define END_SLOTS SLOTS_FROM_TO(NF_K_FLOW_END_MILLISECONDS, NF_K_OBSERVATION_TIME_SECONDS)

/* Saturating arithmetic: a hostile duration or stamp must not overflow. */
static int64_t add_ms(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t sub_ms(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* An unsigned count of units as ms, saturated at INT64_MAX. */
static int64_t units_ms(uint64_t v, uint64_t per_ms)
{
	v /= per_ms;
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

unsigned nf_times_drop(const nf_datagram_info_t *info, int64_t *start, int64_t *end, unsigned derived)
{
	int64_t latest = nf_export_ms(info) + NF_TIME_FUTURE_TOLERANCE_MS;
	unsigned dropped = 0;

	if ((derived & NF_TIME_START) && (*start < 0 || *start > latest)) {
		*start = NF_TIME_NONE;
		dropped++;
	}
	if ((derived & NF_TIME_END) && (*end < 0 || *end > latest)) {
		*end = NF_TIME_NONE;
		dropped++;
	}
	/* an end before the start: the derived ones are wrong, or may be */
	if (*start >= 0 && *end >= 0 && *end < *start) {
		if (derived & NF_TIME_START) {
			*start = NF_TIME_NONE;
			dropped++;
		}
		if (derived & NF_TIME_END) {
			*end = NF_TIME_NONE;
			dropped++;
		}
	}
	return dropped;
}

/* An uptime stamp as absolute time: v1-v9 carry the exporter's uptime at
 * export (nf_uptime_stamp_ms). IPFIX has no uptime in its header: the
 * stamp counts from the exporter's boot time, when known. */
static int uptime_to_ms(const nf_datagram_info_t *info, int64_t init_ms, uint64_t stamp, int64_t *ms)
{
	if (info->version != 10) {
		*ms = nf_uptime_stamp_ms(info, (uint32_t)stamp);
		return 1;
	}
	if (init_ms < 0)
		return 0;
	*ms = add_ms(init_ms, units_ms(stamp, 1));
	return 1;
}

/* Whether a field of type can give a time of source. */
static bool type_fits(uint8_t type, uint8_t source)
{
	switch (source) {
	case ABS_SEC: return type == NF_T_DT_SEC;
	case ABS_MILLI: return type == NF_T_DT_MILLI;
	case ABS_MICRO: return type == NF_T_DT_MICRO;
	case ABS_NANO: return type == NF_T_DT_NANO;
	default: return type >= NF_T_U8 && type <= NF_T_U64; /* UPTIME, DELTA_MICRO */
	}
}

/* An absolute micro- or nanosecond stamp (signed: their NTP form reaches
 * back to 1900) of per_ms units per ms, if it is a time from 1970 on
 * (whose ms always fit RFC 3339: NTP ends in 2036). */
static int absolute_ms(int64_t v, int64_t per_ms, int64_t *ms)
{
	if (v < 0)
		return 0;
	*ms = v / per_ms;
	return 1;
}

/* The value of a time field of a fitting type in ms since the epoch; 0 if
 * it does not give one: an absolute stamp outside 1970-9999, an IPFIX
 * uptime stamp while the boot time is unknown. */
static int value_ms(const nf_field_t *f, uint8_t source, const nf_datagram_info_t *info, int64_t init_ms,
		    int64_t *ms)
{
	switch (source) {
	case ABS_SEC: /* unsigned: from 1970, up to the end of 9999 */
		if (f->v.u > NF_TIME_MAX_MS / 1000)
			return 0;
		*ms = (int64_t)f->v.u * 1000;
		return 1;
	case ABS_MILLI:
		if (f->v.u > NF_TIME_MAX_MS)
			return 0;
		*ms = (int64_t)f->v.u;
		return 1;
	case ABS_MICRO:
		return absolute_ms(f->v.i, 1000, ms);
	case ABS_NANO:
		return absolute_ms(f->v.i, 1000000, ms);
	case UPTIME:
		return uptime_to_ms(info, init_ms, f->v.u, ms);
	default: /* DELTA_MICRO: microseconds before the export */
		*ms = sub_ms(nf_export_ms(info), units_ms(f->v.u, 1000));
		return 1;
	}
}

/* Whether a time of source is derived: worked out from the header or
 * another element, so that it can be wrong where the record is not. */
static bool is_derived(uint8_t source)
{
	return source == UPTIME || source == DELTA_MICRO;
}

/* The first candidate of slots the record has that gives a time (the
 * lowest slot is the preferred one), as ms since the epoch; *derived
 * tells whether it was worked out. */
static int first_time(const nf_record_t *rec, uint64_t slots, const nf_datagram_info_t *info, int64_t init_ms,
		      int64_t *ms, bool *derived)
{
	for (uint64_t present = rec->known_mask & slots; present != 0; present &= present - 1) {
		unsigned slot = (unsigned)__builtin_ctzll(present);
		const nf_field_t *f = &rec->field[rec->known_at[slot]];
		if (type_fits(f->type, time_source[slot]) && value_ms(f, time_source[slot], info, init_ms, ms)) {
			*derived = is_derived(time_source[slot]);
			return 1;
		}
	}
	return 0;
}

/* Flow duration in ms, if the record states it. */
static int duration_ms(const nf_record_t *rec, int64_t *ms)
{
	const nf_field_t *f = nf_record_find(rec, NF_PEN_IANA, NF_IE_FLOW_DURATION_MILLISECONDS);
	if (f != NULL && f->type >= NF_T_U8 && f->type <= NF_T_U64) {
		*ms = units_ms(f->v.u, 1);
		return 1;
	}
	f = nf_record_find(rec, NF_PEN_IANA, NF_IE_FLOW_DURATION_MICROSECONDS);
	if (f != NULL && f->type >= NF_T_U8 && f->type <= NF_T_U64) {
		*ms = units_ms(f->v.u, 1000);
		return 1;
	}
	return 0;
}

/* Adds element id (whose index slot is slot) when the record lacks it; the
 * slot is known, so the field is indexed without a lookup. */
static void add_time_field(nf_record_t *rec, uint16_t id, uint8_t slot, int64_t ms)
{
	if ((rec->known_mask & (UINT64_C(1) << slot)) || rec->nfields >= NF_RECORD_MAX_FIELDS)
		return;
	rec->field[rec->nfields] = (nf_field_t){.ie = nf_ie_lookup(NF_PEN_IANA, id), .pen = NF_PEN_IANA, .id = id,
						.type = NF_T_DT_MILLI, .len = 8, .v.u = (uint64_t)ms};
	rec->known_mask |= UINT64_C(1) << slot;
	rec->known_at[slot] = rec->nfields++;
}

/* The record's start and end (NF_TIME_NONE: not known) once the derived
 * ones (NF_TIME_START, NF_TIME_END) passed nf_times_check, also as
 * fields when it has none of those elements. Returns the times dropped. */
static inline __attribute__((always_inline)) unsigned set_times(nf_record_t *rec, const nf_datagram_info_t *info,
								  int64_t start, int64_t end, unsigned derived)
{
	unsigned dropped = derived != 0 ? nf_times_check(info, &start, &end, derived) : 0;

	rec->start_ms = start;
	rec->end_ms = end;
	if (start >= 0)
		add_time_field(rec, NF_IE_FLOW_START_MILLISECONDS, NF_K_FLOW_START_MILLISECONDS, start);
	if (end >= 0)
		add_time_field(rec, NF_IE_FLOW_END_MILLISECONDS, NF_K_FLOW_END_MILLISECONDS, end);
	return dropped;
}

unsigned nf_record_normalize_times(nf_record_t *rec, const nf_datagram_info_t *info, int64_t init_ms)
{
	int64_t start = NF_TIME_NONE, end = NF_TIME_NONE, duration;
	bool start_derived = false, end_derived = false;
	int has_start = first_time(rec, START_SLOTS, info, init_ms, &start, &start_derived);
	int has_end = first_time(rec, END_SLOTS, info, init_ms, &end, &end_derived);

	/* a duration gives the other end of one the record fixes */
	if (has_start != has_end && (rec->known_mask & (NF_KNOWN_BIT(FLOW_DURATION_MILLISECONDS) |
							NF_KNOWN_BIT(FLOW_DURATION_MICROSECONDS))) &&
	    duration_ms(rec, &duration)) {
		if (has_start) {
			end = add_ms(start, duration);
			end_derived = true;
		} else {
			start = sub_ms(end, duration);
			start_derived = true;
		}
	}
	return set_times(rec, info, start, end,
			 (start_derived ? NF_TIME_START : 0) | (end_derived ? NF_TIME_END : 0));
}

/* The slot first_time would take among slots for every record with the
 * fields of known_mask and these types, or NF_KNOWN_SLOTS when that is not
 * the same for all of them (an IPFIX uptime stamp counts only once the
 * boot time is known) or there is none. */
static uint8_t plan_first(uint64_t known_mask, uint64_t slots, const uint8_t *slot_type, uint16_t version)
{
	for (uint64_t present = known_mask & slots; present != 0; present &= present - 1) {
		unsigned slot = (unsigned)__builtin_ctzll(present);
		if (time_source[slot] == UPTIME && version == 10)
			return NF_KNOWN_SLOTS;
		if (type_fits(slot_type[slot], time_source[slot]))
			return (uint8_t)slot;
	}
	return NF_KNOWN_SLOTS;
}

void nf_time_plan_init(nf_time_plan_t *plan, uint64_t known_mask, const uint8_t *slot_type, uint16_t version)
{
	plan->start_slot = plan_first(known_mask, START_SLOTS, slot_type, version);
	plan->end_slot = plan_first(known_mask, END_SLOTS, slot_type, version);
	plan->version = version;
}

unsigned nf_record_times(nf_record_t *rec, const nf_time_plan_t *plan, uint64_t planned_mask,
			 const nf_datagram_info_t *info, int64_t init_ms)
{
	int64_t start, end;
	uint8_t s, e;

	/* a start and an end known to be there, durations never counting;
	 * a stamp that gives no time (out of range) leaves it to the search */
	if (plan == NULL || plan->start_slot == NF_KNOWN_SLOTS || plan->end_slot == NF_KNOWN_SLOTS ||
	    plan->version != info->version || planned_mask != rec->known_mask)
		return nf_record_normalize_times(rec, info, init_ms);
	s = plan->start_slot;
	e = plan->end_slot;
	if (!value_ms(&rec->field[rec->known_at[s]], time_source[s], info, init_ms, &start) ||
	    !value_ms(&rec->field[rec->known_at[e]], time_source[e], info, init_ms, &end))
		return nf_record_normalize_times(rec, info, init_ms);
	return set_times(rec, info, start, end,
			 (is_derived(time_source[s]) ? NF_TIME_START : 0) |
				 (is_derived(time_source[e]) ? NF_TIME_END : 0));
}
