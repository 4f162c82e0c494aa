/* nf_time.c - absolute flow start and end times, whatever the exporter sent.
 *
 * Exporters state flow times in many ways: absolute stamps of four
 * precisions, uptime-relative stamps, microseconds before the export,
 * durations. Every record leaves the decoder with start_ms and end_ms.
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

static int64_t export_ms(const nf_datagram_info_t *info)
{
	return (int64_t)info->export_sec * 1000 + info->export_nsec / 1000000;
}

int64_t nf_uptime_stamp_ms(const nf_datagram_info_t *info, uint32_t stamp)
{
	return export_ms(info) - (int32_t)(info->sys_uptime_ms - stamp);
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

/* The value of a time field of a fitting type in ms since the epoch; 0 if
 * it cannot be had (an IPFIX uptime stamp while the boot time is unknown,
 * a micro- or nanosecond stamp before 1970). */
static int value_ms(const nf_field_t *f, uint8_t source, const nf_datagram_info_t *info, int64_t init_ms,
		    int64_t *ms)
{
	switch (source) {
	case ABS_SEC:
		*ms = f->v.u > INT64_MAX / 1000 ? INT64_MAX : (int64_t)f->v.u * 1000;
		return 1;
	case ABS_MILLI:
		*ms = units_ms(f->v.u, 1);
		return 1;
	case ABS_MICRO: /* signed: NTP reaches back to 1900, before any flow */
		if (f->v.i < 0)
			return 0;
		*ms = f->v.i / 1000;
		return 1;
	case ABS_NANO:
		if (f->v.i < 0)
			return 0;
		*ms = f->v.i / 1000000;
		return 1;
	case UPTIME:
		return uptime_to_ms(info, init_ms, f->v.u, ms);
	default: /* DELTA_MICRO: microseconds before the export */
		*ms = sub_ms(export_ms(info), units_ms(f->v.u, 1000));
		return 1;
	}
}

static int field_ms(const nf_field_t *f, uint8_t source, const nf_datagram_info_t *info, int64_t init_ms,
		    int64_t *ms)
{
	return type_fits(f->type, source) && value_ms(f, source, info, init_ms, ms);
}

/* The first candidate of slots the record has (the lowest slot is the
 * preferred one), as ms since the epoch. */
static int first_time(const nf_record_t *rec, uint64_t slots, const nf_datagram_info_t *info, int64_t init_ms,
		      int64_t *ms)
{
	for (uint64_t present = rec->known_mask & slots; present != 0; present &= present - 1) {
		unsigned slot = (unsigned)__builtin_ctzll(present);
		if (field_ms(&rec->field[rec->known_at[slot]], time_source[slot], info, init_ms, ms))
			return 1;
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

/* The record's start and end, also as fields when it has none of those
 * elements. */
static void set_times(nf_record_t *rec, int64_t start, int64_t end)
{
	rec->start_ms = start;
	rec->end_ms = end;
	add_time_field(rec, NF_IE_FLOW_START_MILLISECONDS, NF_K_FLOW_START_MILLISECONDS, start);
	add_time_field(rec, NF_IE_FLOW_END_MILLISECONDS, NF_K_FLOW_END_MILLISECONDS, end);
}

void nf_record_normalize_times(nf_record_t *rec, const nf_datagram_info_t *info, int64_t init_ms)
{
	int64_t start, end, duration;
	int has_start = first_time(rec, START_SLOTS, info, init_ms, &start);
	int has_end = first_time(rec, END_SLOTS, info, init_ms, &end);
	int has_duration = (rec->known_mask & (NF_KNOWN_BIT(FLOW_DURATION_MILLISECONDS) |
					       NF_KNOWN_BIT(FLOW_DURATION_MICROSECONDS))) &&
			   duration_ms(rec, &duration);

	if (!has_end && has_start && has_duration) {
		end = add_ms(start, duration);
		has_end = 1;
	}
	if (!has_end)
		end = export_ms(info);
	if (!has_start)
		start = has_duration ? sub_ms(end, duration) : end;
	set_times(rec, start, end);
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

void nf_record_times(nf_record_t *rec, const nf_time_plan_t *plan, uint64_t planned_mask,
		     const nf_datagram_info_t *info, int64_t init_ms)
{
	int64_t start, end;
	uint8_t s, e;

	/* a start and an end known to be there: durations and defaults,
	 * which nf_record_normalize_times weighs, never count; a stamp that
	 * gives no time (before 1970) leaves it to the search */
	if (plan == NULL || plan->start_slot == NF_KNOWN_SLOTS || plan->end_slot == NF_KNOWN_SLOTS ||
	    plan->version != info->version || planned_mask != rec->known_mask) {
		nf_record_normalize_times(rec, info, init_ms);
		return;
	}
	s = plan->start_slot;
	e = plan->end_slot;
	if (!value_ms(&rec->field[rec->known_at[s]], time_source[s], info, init_ms, &start) ||
	    !value_ms(&rec->field[rec->known_at[e]], time_source[e], info, init_ms, &end)) {
		nf_record_normalize_times(rec, info, init_ms);
		return;
	}
	set_times(rec, start, end);
}
