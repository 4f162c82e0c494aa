/* nf_legacy.c - NetFlow v1, v5, v6, v7 and v8 decoders.
 *
 * The versions differ only in header and record layout, so each layout is
 * a table of steps (element, width) that one loop runs per record, the
 * same way a v9/IPFIX template is run. v8 has one layout per aggregation
 * scheme, chosen by its header's aggregation byte.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_legacy.h"

#include <string.h>

/* The v5 header's sampling field: 2 bits of mode, 14 of interval. */
#define V5_SAMPLING_MODE_SHIFT 14
#define V5_SAMPLING_INTERVAL_MASK 0x3fff
/* Where the v8 header has the aggregation scheme, and its length. */
#define V8_AGGREGATION_OFFSET 22
#define V8_HEADER_LEN 28

/* A step reads an element's field: an unsigned integer of `width` bytes,
 * or a 4-byte address when the element is an IPv4 address. A step of no
 * element is `width` bytes of padding, skipped. */
typedef struct nf_legacy_step {
	const nf_ie_t *ie; /* its table entry (IANA or the decoder's own); NULL: padding */
	uint8_t width;     /* bytes on the wire */
} nf_legacy_step_t;

struct nf_legacy_layout {
	uint16_t version;
	uint8_t aggregation; /* v8's scheme; 0 for the other versions */
	uint8_t header_len;
	uint8_t record_len;
	uint8_t nsteps;
	const nf_legacy_step_t *steps;
};

/* Steps of an IANA element by name (an address or an integer of w
 * bytes), of one of the decoder's own, and padding. */
#define IANA_IE(name) (&nf_ie_table[NF_AT_##name])
#define IPV4(name) {IANA_IE(name), 4}
#define UINT(name, w) {IANA_IE(name), w}
#define LOCAL(name, w) {NF_LOCAL_IE(name), w}
#define PAD(w) {NULL, w}

/* Fields every version shares, up to and including the transport ports. */
#define COMMON_HEAD \
	IPV4(SOURCE_IPV4_ADDRESS), IPV4(DESTINATION_IPV4_ADDRESS), \
	IPV4(IP_NEXT_HOP_IPV4_ADDRESS), UINT(INGRESS_INTERFACE, 2), \
	UINT(EGRESS_INTERFACE, 2), UINT(PACKET_DELTA_COUNT, 4), \
	UINT(OCTET_DELTA_COUNT, 4), UINT(FLOW_START_SYS_UP_TIME, 4), \
	UINT(FLOW_END_SYS_UP_TIME, 4), UINT(SOURCE_TRANSPORT_PORT, 2), \
	UINT(DESTINATION_TRANSPORT_PORT, 2)

/* v5, v6 and v7 continue alike after their first byte of flags or padding. */
#define V5_V7_MIDDLE \
	UINT(TCP_CONTROL_BITS, 1), UINT(PROTOCOL_IDENTIFIER, 1), \
	UINT(IP_CLASS_OF_SERVICE, 1), UINT(BGP_SOURCE_AS_NUMBER, 2), \
	UINT(BGP_DESTINATION_AS_NUMBER, 2), UINT(SOURCE_IPV4_PREFIX_LENGTH, 1), \
	UINT(DESTINATION_IPV4_PREFIX_LENGTH, 1)

static const nf_legacy_step_t v1_steps[] = {
	COMMON_HEAD, PAD(2), UINT(PROTOCOL_IDENTIFIER, 1), UINT(IP_CLASS_OF_SERVICE, 1),
	UINT(TCP_CONTROL_BITS, 1), PAD(3), PAD(4),
};
static const nf_legacy_step_t v5_steps[] = {COMMON_HEAD, PAD(1), V5_V7_MIDDLE, PAD(2)};
/* v6: v5 with the encapsulation sizes and the peer's next hop for its
 * 2 bytes of padding and 4 more */
static const nf_legacy_step_t v6_steps[] = {
	COMMON_HEAD, PAD(1), V5_V7_MIDDLE, LOCAL(NETFLOW_V6_INPUT_ENCAPSULATION_SIZE, 1),
	LOCAL(NETFLOW_V6_OUTPUT_ENCAPSULATION_SIZE, 1), LOCAL(NETFLOW_V6_PEER_NEXT_HOP, 4),
};
static const nf_legacy_step_t v7_steps[] = {
	COMMON_HEAD, LOCAL(NETFLOW_V7_FLOW_FLAGS, 1), V5_V7_MIDDLE, LOCAL(NETFLOW_V7_FIELD_FLAGS, 2),
	IPV4(IPV4_ROUTER_SC),
};

/* v8 aggregation schemes (Cisco's NetFlow export formats; field names
 * as Filebeat's netflow input gives them where IANA has an element): the
 * router-based schemes 1-5 and the ToS-based 9-14 start with the
 * aggregated flow count, packets, octets and the uptime stamps; the
 * Catalyst 6000 schemes 6-8 have no flow count. */
#define V8_COUNTS \
	UINT(DELTA_FLOW_COUNT, 4), UINT(PACKET_DELTA_COUNT, 4), UINT(OCTET_DELTA_COUNT, 4), \
	UINT(FLOW_START_SYS_UP_TIME, 4), UINT(FLOW_END_SYS_UP_TIME, 4)
#define V8_CAT6K_COUNTS \
	UINT(PACKET_DELTA_COUNT, 4), UINT(OCTET_DELTA_COUNT, 4), \
	UINT(FLOW_START_SYS_UP_TIME, 4), UINT(FLOW_END_SYS_UP_TIME, 4)
#define V8_CAT6K_TAIL LOCAL(NETFLOW_V8_EXTRA_PACKETS, 4), IPV4(IPV4_ROUTER_SC)
#define SRC_AS UINT(BGP_SOURCE_AS_NUMBER, 2)
#define DST_AS UINT(BGP_DESTINATION_AS_NUMBER, 2)
#define INPUT UINT(INGRESS_INTERFACE, 2)
#define OUTPUT UINT(EGRESS_INTERFACE, 2)
#define TOS UINT(IP_CLASS_OF_SERVICE, 1)
#define MARKED_TOS UINT(POST_IP_CLASS_OF_SERVICE, 1)
#define PROTO UINT(PROTOCOL_IDENTIFIER, 1)
#define SRC_PORT UINT(SOURCE_TRANSPORT_PORT, 2)
#define DST_PORT UINT(DESTINATION_TRANSPORT_PORT, 2)
#define SRC_PREFIX IPV4(SOURCE_IPV4_PREFIX)
#define DST_PREFIX IPV4(DESTINATION_IPV4_PREFIX)
#define SRC_MASK UINT(SOURCE_IPV4_PREFIX_LENGTH, 1)
#define DST_MASK UINT(DESTINATION_IPV4_PREFIX_LENGTH, 1)

static const nf_legacy_step_t v8_as[] = {V8_COUNTS, SRC_AS, DST_AS, INPUT, OUTPUT};
static const nf_legacy_step_t v8_proto_port[] = {V8_COUNTS, PROTO, PAD(3), SRC_PORT, DST_PORT};
static const nf_legacy_step_t v8_src_prefix[] = {V8_COUNTS, SRC_PREFIX, SRC_MASK, PAD(1), SRC_AS, INPUT, PAD(2)};
static const nf_legacy_step_t v8_dst_prefix[] = {V8_COUNTS, DST_PREFIX, DST_MASK, PAD(1), DST_AS, OUTPUT, PAD(2)};
static const nf_legacy_step_t v8_prefix[] = {
	V8_COUNTS, SRC_PREFIX, DST_PREFIX, DST_MASK, SRC_MASK, PAD(2), SRC_AS, DST_AS, INPUT, OUTPUT,
};
static const nf_legacy_step_t v8_dest_only[] = {
	IPV4(DESTINATION_IPV4_ADDRESS), V8_CAT6K_COUNTS, OUTPUT, TOS, MARKED_TOS, V8_CAT6K_TAIL,
};
static const nf_legacy_step_t v8_src_dst[] = {
	IPV4(DESTINATION_IPV4_ADDRESS), IPV4(SOURCE_IPV4_ADDRESS), V8_CAT6K_COUNTS, OUTPUT, INPUT,
	TOS, MARKED_TOS, PAD(2), V8_CAT6K_TAIL,
};
static const nf_legacy_step_t v8_full_flow[] = {
	IPV4(DESTINATION_IPV4_ADDRESS), IPV4(SOURCE_IPV4_ADDRESS), DST_PORT, SRC_PORT, V8_CAT6K_COUNTS,
	OUTPUT, INPUT, TOS, PROTO, MARKED_TOS, PAD(1), V8_CAT6K_TAIL,
};
static const nf_legacy_step_t v8_tos_as[] = {V8_COUNTS, SRC_AS, DST_AS, INPUT, OUTPUT, TOS, PAD(3)};
static const nf_legacy_step_t v8_tos_proto_port[] = {
	V8_COUNTS, PROTO, TOS, PAD(2), SRC_PORT, DST_PORT, INPUT, OUTPUT,
};
static const nf_legacy_step_t v8_tos_src_prefix[] = {V8_COUNTS, SRC_PREFIX, SRC_MASK, TOS, SRC_AS, INPUT, PAD(2)};
static const nf_legacy_step_t v8_tos_dst_prefix[] = {V8_COUNTS, DST_PREFIX, DST_MASK, TOS, DST_AS, OUTPUT, PAD(2)};
static const nf_legacy_step_t v8_tos_prefix[] = {
	V8_COUNTS, SRC_PREFIX, DST_PREFIX, DST_MASK, SRC_MASK, TOS, PAD(1), SRC_AS, DST_AS, INPUT, OUTPUT,
};
static const nf_legacy_step_t v8_pre_port_protocol[] = {
	V8_COUNTS, SRC_PREFIX, DST_PREFIX, DST_MASK, SRC_MASK, TOS, PROTO, SRC_PORT, DST_PORT, INPUT, OUTPUT,
};

#define NSTEPS(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))
#define V8(agg, record_len, steps) {8, agg, V8_HEADER_LEN, record_len, NSTEPS(steps), steps}
static const struct nf_legacy_layout layouts[] = {
	{5, 0, 24, 48, NSTEPS(v5_steps), v5_steps}, /* first: the one most datagrams have */
	{1, 0, 16, 48, NSTEPS(v1_steps), v1_steps},
	{6, 0, 24, 52, NSTEPS(v6_steps), v6_steps},
	{7, 0, 24, 52, NSTEPS(v7_steps), v7_steps},
	V8(1, 28, v8_as),
	V8(2, 28, v8_proto_port),
	V8(3, 32, v8_src_prefix),
	V8(4, 32, v8_dst_prefix),
	V8(5, 40, v8_prefix),
	V8(6, 32, v8_dest_only),
	V8(7, 40, v8_src_dst),
	V8(8, 44, v8_full_flow),
	V8(9, 32, v8_tos_as),
	V8(10, 32, v8_tos_proto_port),
	V8(11, 32, v8_tos_src_prefix),
	V8(12, 32, v8_tos_dst_prefix),
	V8(13, 40, v8_tos_prefix),
	V8(14, 40, v8_pre_port_protocol),
};

/* The layout of a version (and for v8 of an aggregation scheme), or NULL. */
static const struct nf_legacy_layout *layout_of(uint16_t version, uint8_t aggregation)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].version == version && layouts[i].aggregation == aggregation)
			return &layouts[i];
	return NULL;
}

size_t nf_legacy_record_len(uint16_t version)
{
	const struct nf_legacy_layout *l = layout_of(version, 0);
	return l ? l->record_len : 0;
}

size_t nf_legacy_v8_record_len(uint8_t aggregation)
{
	const struct nf_legacy_layout *l = aggregation ? layout_of(8, aggregation) : NULL;
	return l ? l->record_len : 0;
}

/* Reads the parts of the header after version and count. The header length
 * was checked, so no read here can fail. */
static void read_header_rest(nf_legacy_iter_t *it)
{
	nf_datagram_info_t *info = &it->info;
	uint32_t reserved;

	(void)nf_cursor_u32(&it->cur, &info->sys_uptime_ms);
	(void)nf_cursor_u32(&it->cur, &info->export_sec);
	(void)nf_cursor_u32(&it->cur, &info->export_nsec);
	if (info->version == 1)
		return;
	(void)nf_cursor_u32(&it->cur, &info->sequence);
	info->has_sequence = true;
	if (info->version == 7) {
		(void)nf_cursor_u32(&it->cur, &reserved);
		return;
	}
	(void)nf_cursor_u8(&it->cur, &it->engine_type);
	(void)nf_cursor_u8(&it->cur, &it->engine_id);
	if (info->version == 8) {
		(void)nf_cursor_u8(&it->cur, &it->aggregation);
		(void)nf_cursor_u8(&it->cur, &it->aggregation_version);
		(void)nf_cursor_u32(&it->cur, &reserved);
	} else { /* v5, v6 */
		(void)nf_cursor_u16(&it->cur, &it->sampling);
	}
	info->source_id = (uint32_t)it->engine_type << 8 | it->engine_id;
	info->has_source_id = true;
}

/* Appends a field to the prototype and indexes it (nf_index_slot). */
static nf_field_t *add_proto_field(nf_legacy_iter_t *it, const nf_ie_t *ie, uint32_t pen, uint16_t id,
				   uint8_t type, uint16_t len)
{
	uint8_t n = it->nproto++;
	uint8_t slot = nf_index_slot(pen, id);

	it->proto[n] = (nf_field_t){.ie = ie, .pen = pen, .id = id, .type = type, .len = len};
	if (slot != NF_KNOWN_SLOTS) {
		it->known_mask |= UINT64_C(1) << slot;
		it->known_at[slot] = n;
	}
	return &it->proto[n];
}

static void add_header_field(nf_legacy_iter_t *it, const nf_ie_t *ie, uint64_t v)
{
	add_proto_field(it, ie, ie->pen, ie->id, ie->type, 0)->v.u = v;
}

/* Adds the field a step reads to the prototype, and the read. */
static void add_step(nf_legacy_iter_t *it, const nf_legacy_step_t *s, uint8_t offset)
{
	const nf_ie_t *ie = s->ie;
	bool address = ie->type == NF_T_IPV4;

	it->reads[it->nreads++] = (struct nf_legacy_read){.offset = offset, .width = s->width,
							   .field = it->nproto, .address = address};
	add_proto_field(it, ie, ie->pen, ie->id, ie->type, address ? 4 : 0);
}

/* The times of every layout: flowStart/EndSysUpTime, and no other
 * (nf_legacy_check_layouts checks). */
#define ALL_TIMES ((NF_KNOWN_BIT(OBSERVATION_TIME_SECONDS) * 2 - 1) /* time slots come first */ | \
		   NF_KNOWN_BIT(FLOW_DURATION_MILLISECONDS) | NF_KNOWN_BIT(FLOW_DURATION_MICROSECONDS))
#define UPTIME_STAMPS (NF_KNOWN_BIT(FLOW_START_SYS_UP_TIME) | NF_KNOWN_BIT(FLOW_END_SYS_UP_TIME))

/* The flow times of every record come from its two uptime stamps, and are
 * added as flow_start/end_milliseconds fields (see nf_legacy_iter_t). */
static void plan_times(nf_legacy_iter_t *it)
{
	it->start_field = (uint8_t)it->known_at[NF_K_FLOW_START_SYS_UP_TIME];
	it->end_field = (uint8_t)it->known_at[NF_K_FLOW_END_SYS_UP_TIME];
	it->time_field = it->nproto;
	add_proto_field(it, IANA_IE(FLOW_START_MILLISECONDS), NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS,
			NF_T_DT_MILLI, 8);
	add_proto_field(it, IANA_IE(FLOW_END_MILLISECONDS), NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS, NF_T_DT_MILLI, 8);
}

/* What all records of the datagram share, resolved once: the prototype
 * record and the reads (see nf_legacy_iter_t); plan_times adds the times.
 * The layouts are static and checked once (nf_legacy_check_layouts):
 * their steps cover exactly one record, so no read leaves it. */
static void resolve_steps(nf_legacy_iter_t *it)
{
	const struct nf_legacy_layout *l = it->layout;
	size_t width = 0;

	for (uint8_t i = 0; i < l->nsteps; i++) {
		if (l->steps[i].ie != NULL)
			add_step(it, &l->steps[i], (uint8_t)width);
		width += l->steps[i].width;
	}
	if (l->version == 5 || l->version == 6 || l->version == 8) {
		add_header_field(it, IANA_IE(ENGINE_TYPE), it->engine_type);
		add_header_field(it, IANA_IE(ENGINE_ID), it->engine_id);
	}
	if (l->version == 5 || l->version == 6) {
		add_header_field(it, IANA_IE(SAMPLING_ALGORITHM), it->sampling >> V5_SAMPLING_MODE_SHIFT);
		add_header_field(it, IANA_IE(SAMPLING_INTERVAL), nf_legacy_sampling_interval(it));
	} else if (l->version == 8) {
		add_header_field(it, NF_LOCAL_IE(NETFLOW_V8_AGGREGATION), it->aggregation);
		add_header_field(it, NF_LOCAL_IE(NETFLOW_V8_AGGREGATION_VERSION), it->aggregation_version);
	}
}

int nf_legacy_check_layouts(void)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct nf_legacy_layout *l = &layouts[i];
		nf_legacy_iter_t it = {.layout = l};
		size_t width = 0;

		if (l->nsteps > NF_LEGACY_MAX_STEPS)
			return NF_ERR_LIMIT;
		for (uint8_t j = 0; j < l->nsteps; j++) {
			const nf_legacy_step_t *st = &l->steps[j];
			if (st->ie != NULL && (st->ie->type == NF_T_IPV4 ? st->width != 4 : st->width > 8))
				return NF_ERR_LIMIT; /* an address is read as 4 bytes, a number as at most 8 */
			width += st->width;
		}
		if (width != l->record_len)
			return NF_ERR_LIMIT;
		resolve_steps(&it);
		if ((it.known_mask & ALL_TIMES) != UPTIME_STAMPS)
			return NF_ERR_LIMIT;
	}
	return NF_OK;
}

/* Takes the flow_start/end_milliseconds fields (the prototype's last two)
 * of the times nf_times_check dropped out of rec. */
static void drop_times(const nf_legacy_iter_t *it, nf_record_t *rec)
{
	uint8_t at = it->time_field;

	if (rec->start_ms < 0) {
		rec->known_mask &= ~NF_KNOWN_BIT(FLOW_START_MILLISECONDS);
		rec->field[at] = rec->field[at + 1]; /* the end, moved into its place */
		rec->known_at[NF_K_FLOW_END_MILLISECONDS] = at;
		rec->nfields--;
	}
	if (rec->end_ms < 0) {
		rec->known_mask &= ~NF_KNOWN_BIT(FLOW_END_MILLISECONDS);
		rec->nfields--;
	}
}

/* The record at p (record_len bytes, checked by the caller; the reads stay
 * inside it, see resolve_steps): the prototype with the record's values.
 * Returns the times nf_times_check dropped. */
static unsigned read_record(const nf_legacy_iter_t *it, const uint8_t *p, nf_record_t *rec)
{
	unsigned dropped;

	memcpy(rec->field, it->proto, it->nproto * sizeof(it->proto[0]));
	memcpy(rec->known_at, it->known_at, sizeof(rec->known_at));
	for (uint8_t i = 0; i < it->nreads; i++) {
		const struct nf_legacy_read *r = &it->reads[i];
		const uint8_t *q = p + r->offset;
		nf_field_t *f = &rec->field[r->field];
		if (r->address)
			memcpy(f->v.b, q, 4);
		else
			f->v.u = nf_be_uint(q, r->width);
	}
	rec->start_ms = nf_uptime_stamp_ms(&it->info, (uint32_t)rec->field[it->start_field].v.u);
	rec->end_ms = nf_uptime_stamp_ms(&it->info, (uint32_t)rec->field[it->end_field].v.u);
	rec->field[it->time_field].v.u = (uint64_t)rec->start_ms;
	rec->field[it->time_field + 1].v.u = (uint64_t)rec->end_ms;
	rec->nfields = it->nproto;
	rec->known_mask = it->known_mask;
	dropped = nf_times_check(&it->info, &rec->start_ms, &rec->end_ms, NF_TIME_START | NF_TIME_END);
	if (dropped != 0)
		drop_times(it, rec);
	return dropped;
}

int nf_legacy_begin(nf_legacy_iter_t *it, const uint8_t *buf, size_t len)
{
	int version = nf_peek_version(buf, len);
	uint8_t aggregation = 0;

	memset(it, 0, sizeof(*it));
	nf_cursor_init(&it->cur, buf, len);
	if (version < 0)
		return NF_ERR_SHORT;
	if (version == 8) { /* the layout depends on the aggregation scheme */
		if (len < V8_HEADER_LEN)
			return NF_ERR_SHORT;
		aggregation = buf[V8_AGGREGATION_OFFSET];
		if (aggregation == 0)
			return NF_ERR_VERSION;
	}
	it->layout = layout_of((uint16_t)version, aggregation);
	if (it->layout == NULL)
		return NF_ERR_VERSION;
	if (len < it->layout->header_len)
		return NF_ERR_SHORT;
	it->info.version = (uint16_t)version;
	(void)nf_cursor_skip(&it->cur, 2);
	(void)nf_cursor_u16(&it->cur, &it->info.count);
	read_header_rest(it);
	if ((size_t)it->info.count * it->layout->record_len > nf_cursor_left(&it->cur))
		return NF_ERR_COUNT;
	resolve_steps(it);
	plan_times(it);
	it->left = it->info.count; /* left at 0 by the error returns above: nothing to read */
	return NF_OK;
}

int nf_legacy_next(nf_legacy_iter_t *it, nf_record_t *rec)
{
	const struct nf_legacy_layout *l = it->layout;
	nf_cursor_t rc;

	if (it->left == 0)
		return NF_END;
	/* nf_legacy_begin checked that all counted records are present */
	if (!nf_cursor_sub(&it->cur, l->record_len, &rc))
		return NF_ERR_TRUNCATED;
	it->left--;
	nf_record_clear(rec);
	it->times_implausible += read_record(it, rc.p, rec);
	return NF_OK;
}

uint32_t nf_legacy_sampling_interval(const nf_legacy_iter_t *it)
{
	uint32_t stated = it->sampling & V5_SAMPLING_INTERVAL_MASK;

	return stated != 0 ? stated : it->default_rate;
}

/* A v5/v6 exporter that states no rate gets the sampling map's, in its
 * records' sampling_interval too. */
static void apply_default_rate(nf_legacy_iter_t *it, const nf_decoder_t *d)
{
	if (d->sampling_map == NULL || (it->info.version != 5 && it->info.version != 6) ||
	    (it->sampling & V5_SAMPLING_INTERVAL_MASK) != 0)
		return;
	it->default_rate = nf_sampling_map_rate(d->sampling_map, d->source.addr, it->info.source_id, 0);
	for (uint8_t i = 0; it->default_rate != 0 && i < it->nproto; i++)
		if (it->proto[i].pen == NF_PEN_IANA && it->proto[i].id == NF_IE_SAMPLING_INTERVAL)
			it->proto[i].v.u = it->default_rate;
}

int nf_legacy_decode(nf_decoder_t *d, const uint8_t *buf, size_t len)
{
	nf_legacy_iter_t it;
	int rc = nf_legacy_begin(&it, buf, len);

	memset(&d->result, 0, sizeof(d->result));
	if (rc == NF_OK) {
		d->result.info = it.info;
		apply_default_rate(&it, d);
	}
	/* v5-v8 sequence numbers count flows: this datagram's first one */
	if (rc == NF_OK && it.info.has_sequence) {
		nf_scope_key_t key = d->source;
		key.version = it.info.version;
		key.domain = it.info.has_source_id ? it.info.source_id : 0;
		key.domain |= (uint32_t)it.aggregation << 16; /* v8: each scheme's cache counts its own */
		nf_decoder_count_sequence(d, nf_decoder_stream(d, &key), it.info.sequence, it.info.count);
	}
	while (rc == NF_OK && (rc = nf_legacy_next(&it, d->record)) == NF_OK) {
		if (d->renormalize)
			nf_record_renormalize(d->record, nf_legacy_sampling_interval(&it));
		nf_decoder_emit(d, &(nf_emitted_t){.info = &it.info, .record = d->record, .kind = NF_KIND_FLOW});
	}
	d->result.times_implausible = it.times_implausible;
	return rc;
}
