/* nf_v9ipfix.c - the set walker shared by NetFlow v9 and IPFIX.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_v9ipfix.h"

#include <string.h>

/* What differs between the two protocols. */
typedef struct protocol {
	uint16_t version;
	size_t header_len;
	uint16_t template_set;   /* set id of template sets */
	uint16_t options_set;    /* set id of options template sets */
	int enterprise_bit;      /* field ids may carry an enterprise number */
	nf_template_flavor_t flavor;
} protocol_t;

static const protocol_t netflow_v9 = {9, 20, 0, 1, 0, NF_FLAVOR_V9};
static const protocol_t ipfix = {10, 16, 2, 3, 1, NF_FLAVOR_IPFIX};

#define FIRST_DATA_SET 256
#define SET_HEADER_LEN 4

/* Reads the header into info and bounds c to the message.
 * Returns NF_OK, NF_ERR_SHORT or NF_ERR_TRUNCATED. */
static int read_header(const protocol_t *p, nf_cursor_t *c, nf_datagram_info_t *info)
{
	uint16_t ipfix_len = 0;

	if (!nf_cursor_has(c, p->header_len))
		return NF_ERR_SHORT;
	(void)nf_cursor_u16(c, &info->version);
	if (p->version == 9) {
		(void)nf_cursor_u16(c, &info->count);
		(void)nf_cursor_u32(c, &info->sys_uptime_ms);
		(void)nf_cursor_u32(c, &info->export_sec);
	} else {
		(void)nf_cursor_u16(c, &ipfix_len);
		(void)nf_cursor_u32(c, &info->export_sec);
		if (ipfix_len < p->header_len)
			return NF_ERR_SHORT;
		if ((size_t)ipfix_len - p->header_len > nf_cursor_left(c) - 8)
			return NF_ERR_TRUNCATED;
		/* A message length shorter than the datagram is not trusted to cut
		 * it: exporters have sent a last set that overruns the length they
		 * announced (telegraf issue 14370). Sets stay bounded by the
		 * datagram, and zeros after the last set are padding. */
	}
	(void)nf_cursor_u32(c, &info->sequence);
	(void)nf_cursor_u32(c, &info->source_id);
	info->has_sequence = true;
	info->has_source_id = true;
	return NF_OK;
}

/* The high bit of an IPFIX field specifier's id: a PEN follows (RFC 7011
 * section 3.2). */
#define IPFIX_ENTERPRISE_BIT 0x8000

/* One field specifier; IPFIX ids with the enterprise bit carry a PEN. */
static int read_field_spec(const protocol_t *p, nf_cursor_t *c, nf_field_spec_t *f)
{
	if (!nf_cursor_u16(c, &f->id) || !nf_cursor_u16(c, &f->len))
		return 0;
	f->pen = 0;
	if (p->enterprise_bit && (f->id & IPFIX_ENTERPRISE_BIT)) {
		f->id &= (uint16_t)~IPFIX_ENTERPRISE_BIT;
		return nf_cursor_u32(c, &f->pen);
	}
	return 1;
}

static int read_field_specs(const protocol_t *p, nf_cursor_t *c, nf_field_spec_t *specs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (!read_field_spec(p, c, &specs[i]))
			return 0;
	return 1;
}

typedef struct walk {
	nf_decoder_t *ctx;
	const protocol_t *proto;
	nf_scope_t *scope;       /* templates and pending data */
	nf_stream_t *stream;     /* the exporter's sequence, boot time, samplers, names */
	nf_datagram_info_t info;
	uint32_t records_here;   /* data records of this datagram (IPFIX sequence) */
} walk_t;

static uint64_t sampler_of(const nf_record_t *rec)
{
	static const uint16_t ids[] = {NF_IE_SAMPLER_ID, NF_IE_SELECTOR_ID};
	int found;
	return nf_record_first_uint(rec, ids, sizeof(ids) / sizeof(ids[0]), &found);
}

/* An options record stating a sampling interval (Cisco's sampler tables,
 * IPFIX selector reports) teaches the exporter's rate. */
static void learn_sampling(nf_stream_t *stream, const nf_record_t *rec)
{
	uint32_t interval = nf_record_sampling_interval(rec);
	if (interval != 0)
		nf_stream_set_sampling(stream, sampler_of(rec), interval);
}

/* A flow without a rate of its own gets its exporter's, as
 * sampling_interval; renormalised counts when asked. */
static void apply_sampling(const walk_t *w, nf_record_t *rec)
{
	const nf_decoder_t *d = w->ctx;
	uint32_t interval;

	if (!d->renormalize && !nf_stream_has_sampling(w->stream) && d->sampling_map == NULL)
		return;
	interval = nf_record_sampling_interval(rec);
	/* the rate learned (else the sampling map's) is added unless the record
	 * has a sampling_interval of its own (0 counts: it is kept as sent, not
	 * shown twice) */
	if (interval == 0 && ((interval = nf_stream_sampling(w->stream, sampler_of(rec))) != 0 ||
			      (interval = nf_sampling_map_rate(d->sampling_map, d->source.addr, w->info.source_id,
							       sampler_of(rec))) != 0) &&
	    nf_record_find(rec, NF_PEN_IANA, NF_IE_SAMPLING_INTERVAL) == NULL) {
		nf_field_t f = {.ie = nf_ie_lookup(NF_PEN_IANA, NF_IE_SAMPLING_INTERVAL), .pen = NF_PEN_IANA,
				.id = NF_IE_SAMPLING_INTERVAL, .type = NF_T_U32, .len = 4};
		f.v.u = interval;
		(void)nf_record_add(rec, &f);
	}
	if (d->renormalize)
		nf_record_renormalize(rec, interval);
}

/* Names joined into flows (ingress/egress_interface_name): interfaces have
 * no IANA element for "the name of the ingress interface", so these are
 * the decoder's own elements (NF_LOCAL_IE). */

/* An identifier field as a number: integers as they are, short octet
 * arrays (applicationId) as big-endian numbers. */
static int key_of(const nf_field_t *f, uint64_t *key)
{
	if (f == NULL)
		return 0;
	if (f->type >= NF_T_U8 && f->type <= NF_T_U64) {
		*key = f->v.u;
		return 1;
	}
	if (f->type != NF_T_OCTETS || f->len == 0 || f->len > 8)
		return 0;
	*key = 0;
	for (uint16_t i = 0; i < f->len; i++)
		*key = *key << 8 | f->v.p[i];
	return 1;
}

static void learn_names(walk_t *w, const nf_record_t *rec)
{
	const nf_field_t *ifname = nf_record_find(rec, NF_PEN_IANA, NF_IE_INTERFACE_NAME);
	const nf_field_t *appname = nf_record_find(rec, NF_PEN_IANA, NF_IE_APPLICATION_NAME);
	const nf_field_t *ifindex = nf_record_find(rec, NF_PEN_LOCAL, NF_LOCAL_ID_SCOPE_INTERFACE);
	uint64_t key;

	if (ifindex == NULL)
		ifindex = nf_record_find(rec, NF_PEN_IANA, NF_IE_INGRESS_INTERFACE);
	if (ifindex == NULL)
		ifindex = nf_record_find(rec, NF_PEN_IANA, NF_IE_EGRESS_INTERFACE);
	if (ifname != NULL && ifname->type == NF_T_STRING && key_of(ifindex, &key))
		nf_stream_set_name(w->ctx->session, w->stream, NF_NAME_INTERFACE, key, ifname->v.p, ifname->len);
	if (appname != NULL && appname->type == NF_T_STRING &&
	    key_of(nf_record_find(rec, NF_PEN_IANA, NF_IE_APPLICATION_ID), &key))
		nf_stream_set_name(w->ctx->session, w->stream, NF_NAME_APPLICATION, key, appname->v.p, appname->len);
}

/* Adds the name learned for the identifier in field id, as element ie
 * (NULL: the IANA applicationName), unless the record has that element. */
static void add_name(walk_t *w, nf_record_t *rec, uint16_t id, nf_name_kind_t kind, const nf_ie_t *ie)
{
	uint64_t key;
	size_t len;
	const uint8_t *name;
	nf_field_t f = {.type = NF_T_STRING};

	/* cheapest test first: most exporters send no names at all */
	if (!key_of(nf_record_find(rec, NF_PEN_IANA, id), &key) ||
	    (name = nf_stream_name(w->stream, kind, key, &len)) == NULL)
		return;
	if (ie == NULL && (ie = nf_ie_lookup(NF_PEN_IANA, NF_IE_APPLICATION_NAME)) == NULL)
		return;
	if (nf_record_find(rec, ie->pen, ie->id) != NULL)
		return;
	f.ie = ie;
	f.pen = ie->pen;
	f.id = ie->id;
	f.len = (uint16_t)len;
	f.v.p = name;
	(void)nf_record_add(rec, &f);
}

static void apply_names(walk_t *w, nf_record_t *rec)
{
	if (!nf_stream_has_names(w->stream))
		return;
	add_name(w, rec, NF_IE_INGRESS_INTERFACE, NF_NAME_INTERFACE, NF_LOCAL_IE(INGRESS_INTERFACE_NAME));
	add_name(w, rec, NF_IE_EGRESS_INTERFACE, NF_NAME_INTERFACE, NF_LOCAL_IE(EGRESS_INTERFACE_NAME));
	add_name(w, rec, NF_IE_APPLICATION_ID, NF_NAME_APPLICATION, NULL);
}

static void emit_record(walk_t *w, const nf_datagram_info_t *info, const nf_template_t *t)
{
	nf_decoder_t *ctx = w->ctx;
	const nf_field_t *init;

	/* an options record stating the exporter's boot time anchors the
	 * sysUpTime-relative times of its later IPFIX flows */
	if (t->is_options &&
	    (init = nf_record_find(ctx->record, NF_PEN_IANA, NF_IE_SYSTEM_INIT_TIME_MILLISECONDS)) != NULL &&
	    init->type == NF_T_DT_MILLI)
		nf_stream_set_init_ms(w->stream, (int64_t)init->v.u);
	ctx->result.times_implausible +=
		nf_record_times(ctx->record, &t->times, t->known_mask, info, nf_stream_init_ms(w->stream));
	if (t->is_options) {
		learn_sampling(w->stream, ctx->record);
		learn_names(w, ctx->record);
	} else {
		apply_sampling(w, ctx->record);
		apply_names(w, ctx->record);
	}
	nf_decoder_emit(ctx, &(nf_emitted_t){
		.info = info, .record = ctx->record, .kind = t->is_options ? NF_KIND_OPTIONS : NF_KIND_FLOW,
		.templates = &(nf_template_source_t){.session = ctx->session, .scope = w->scope, .now = ctx->now}});
}

/* Decodes the records of a data set. What is left after the last whole
 * record is padding (RFC 7011 section 3.3.1). Returns the records read. */
static uint32_t decode_data_set(walk_t *w, const nf_template_t *t, const uint8_t *body, size_t len,
				const nf_datagram_info_t *info)
{
	nf_cursor_t c;
	uint32_t n = 0;

	nf_cursor_init(&c, body, len);
	while (nf_cursor_left(&c) >= t->min_len) {
		nf_record_clear(w->ctx->record);
		if (nf_template_decode(t, &c, w->ctx->record) != NF_OK)
			break;
		emit_record(w, info, t);
		n++;
	}
	return n;
}

/* A kept data set whose template has now arrived. */
static void decode_pending(void *arg, const uint8_t *body, size_t len, const nf_datagram_info_t *info)
{
	walk_t *w = arg;
	const nf_template_t *t;
	uint16_t id;

	/* the kept copy is the whole set, header included */
	if (len < SET_HEADER_LEN)
		return;
	id = (uint16_t)(body[0] << 8 | body[1]);
	t = nf_scope_template(w->ctx->session, w->scope, id, w->ctx->now);
	if (t != NULL)
		(void)decode_data_set(w, t, body + SET_HEADER_LEN, len - SET_HEADER_LEN, info);
}

static void add_template(walk_t *w, uint16_t id, const nf_field_spec_t *specs, uint16_t n, int is_options,
			 uint16_t nscope)
{
	nf_decoder_t *ctx = w->ctx;
	nf_template_t *t;
	uint64_t changed = nf_session_stats(ctx->session)->templates_changed;

	if (id < FIRST_DATA_SET ||
	    nf_template_compile(w->proto->flavor, nf_session_dictionary(ctx->session), id, specs, n, is_options,
				nscope, &t) != NF_OK) {
		ctx->result.template_errors++;
		return;
	}
	if (nf_scope_put_template(ctx->session, w->scope, t, ctx->now) != NF_OK) {
		ctx->result.template_errors++;
		return;
	}
	ctx->result.templates++;
	if (nf_session_stats(ctx->session)->templates_changed != changed)
		ctx->result.templates_changed++;
	nf_scope_take_pending(ctx->session, w->scope, id, decode_pending, w);
}

/* IPFIX: a template record with no field withdraws; ids 2 and 3 withdraw
 * all templates of that kind (RFC 7011 section 8.1). */
static void withdraw(walk_t *w, uint16_t set_id, uint16_t id)
{
	if (id == w->proto->template_set || id == w->proto->options_set)
		nf_scope_withdraw_all(w->ctx->session, w->scope, id == w->proto->options_set);
	else if (set_id == w->proto->template_set || set_id == w->proto->options_set)
		nf_scope_withdraw(w->ctx->session, w->scope, id);
}

/* Reads one template or options template record.
 * Returns 1 when a record was consumed, 0 at the end of the set or on
 * padding, -1 when the record is malformed (the rest of the set is lost). */
static int template_record(walk_t *w, uint16_t set_id, nf_cursor_t *c)
{
	nf_field_spec_t specs[NF_TEMPLATE_MAX_FIELDS];
	uint16_t id = 0, count = 0, scope_count = 0;
	int is_options = set_id == w->proto->options_set;
	size_t rec_header = is_options ? 6 : 4;

	if (!nf_cursor_has(c, rec_header))
		return 0;
	(void)nf_cursor_u16(c, &id);
	(void)nf_cursor_u16(c, &count);
	if (is_options)
		(void)nf_cursor_u16(c, &scope_count);
	if (w->proto->version == 9 && is_options) {
		/* v9 gives the scope and option parts in bytes */
		if (count % 4 != 0 || scope_count % 4 != 0)
			return -1;
		uint16_t scope_bytes = count, option_bytes = scope_count;
		scope_count = scope_bytes / 4;
		count = (uint16_t)(scope_count + option_bytes / 4);
	}
	if (id == 0 && count == 0)
		return 0; /* zero padding */
	if (w->proto->version == 10 && count == 0) {
		withdraw(w, set_id, id);
		return 1;
	}
	/* a scope count of 0 breaks RFC 7011 but Juniper sends it in v9: the
	 * records are kept, as options records without scope */
	if (count > NF_TEMPLATE_MAX_FIELDS || scope_count > count)
		return -1;
	if (!read_field_specs(w->proto, c, specs, count))
		return -1;
	add_template(w, id, specs, count, is_options, scope_count);
	return 1;
}

static void template_set(walk_t *w, uint16_t set_id, nf_cursor_t *body)
{
	int rc;
	while ((rc = template_record(w, set_id, body)) > 0)
		;
	if (rc < 0)
		w->ctx->result.template_errors++;
}

/* Keeps a whole data set, header included, until its template comes. */
static void pend_data_set(walk_t *w, uint16_t set_id, const uint8_t *set, size_t len)
{
	nf_decoder_t *ctx = w->ctx;

	if (nf_scope_pend(ctx->session, w->scope, set_id, set, len, &w->info, ctx->now) == NF_OK)
		ctx->result.sets_pending++;
	else
		ctx->result.sets_dropped++;
}

static void data_set(walk_t *w, uint16_t set_id, const uint8_t *set, size_t set_len)
{
	const nf_template_t *t = nf_scope_template(w->ctx->session, w->scope, set_id, w->ctx->now);

	if (t == NULL) {
		pend_data_set(w, set_id, set, set_len);
		return;
	}
	w->records_here += decode_data_set(w, t, set + SET_HEADER_LEN, set_len - SET_HEADER_LEN, &w->info);
}

/* True if every byte left is zero: exporters pad datagrams with zeros. */
static int only_zeros(const nf_cursor_t *c)
{
	for (const uint8_t *p = c->p; p < c->end; p++)
		if (*p != 0)
			return 0;
	return 1;
}

static int walk_sets(walk_t *w, nf_cursor_t *c)
{
	while (nf_cursor_left(c) >= SET_HEADER_LEN) {
		const uint8_t *set = c->p;
		nf_cursor_t body;
		uint16_t set_id = 0, set_len = 0;

		(void)nf_cursor_u16(c, &set_id);
		(void)nf_cursor_u16(c, &set_len);
		if (set_len < SET_HEADER_LEN) {
			c->p = set;
			return only_zeros(c) ? NF_OK : NF_ERR_SET;
		}
		if (!nf_cursor_sub(c, set_len - SET_HEADER_LEN, &body))
			return NF_ERR_SET;
		if (set_id == w->proto->template_set || set_id == w->proto->options_set)
			template_set(w, set_id, &body);
		else if (set_id >= FIRST_DATA_SET && set_len > SET_HEADER_LEN)
			data_set(w, set_id, set, set_len);
		/* other set ids are reserved: skipped by their length */
	}
	return NF_OK;
}

int nf_v9ipfix_decode(nf_decoder_t *ctx, const uint8_t *buf, size_t len)
{
	const protocol_t *proto;
	nf_scope_key_t key = ctx->exporter, source = ctx->source;
	walk_t w = {.ctx = ctx};
	nf_cursor_t c;
	int version = nf_peek_version(buf, len), rc;

	memset(&ctx->result, 0, sizeof(ctx->result));
	if (version == 9)
		proto = &netflow_v9;
	else if (version == 10)
		proto = &ipfix;
	else
		return version < 0 ? NF_ERR_SHORT : NF_ERR_VERSION;
	nf_cursor_init(&c, buf, len);
	if ((rc = read_header(proto, &c, &w.info)) != NF_OK)
		return rc;
	ctx->result.info = w.info;
	w.proto = proto;
	key.version = source.version = proto->version;
	key.domain = source.domain = w.info.source_id;
	w.scope = nf_session_scope(ctx->session, &key, ctx->now);
	w.stream = nf_session_stream(ctx->session, &source);
	if (w.scope == NULL || w.stream == NULL)
		return NF_ERR_NOMEM;
	rc = walk_sets(&w, &c);
	nf_decoder_count_sequence(ctx, w.stream, w.info.sequence, proto->version == 9 ? 1 : w.records_here);
	return rc;
}
