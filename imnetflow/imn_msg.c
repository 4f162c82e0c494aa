/* imn_msg.c - from a datagram through the core's one entry to rsyslog
 * messages: one per flow record, its $!netflow tree or pre-rendered line,
 * its exporter object, ECS and timereported; and the datagram's counters.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

/* Adds n to a per-exporter counter of the datagram's exporter, if it has them. */
#define EXPORTER_ADD(d, ctr, n) \
	do { \
		if ((d)->exp != NULL) \
			STATSCOUNTER_ADD((d)->exp->ctr, (d)->exp->mut_##ctr, (n)); \
	} while (0)

/* ---------------------------------------------------------------------------
 * From a decoded record to an rsyslog message.
 */


struct fjson_object *jsonU64(uint64_t v)
{
	char digits[24];
	if (v <= INT64_MAX)
		return fjson_object_new_int64((int64_t)v);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return fjson_object_new_double_s((double)v, digits);
}


/* The JSON value of one scalar field (nf_record_walk opens the lists):
 * numbers stay numbers, addresses, times and MACs become their usual
 * text, octets (and lists too deep to open) become hex. */
/* A field as the core says it is shown (nf_value_kind): numbers from the
 * field, text as nf_render_text writes it; NULL for JSON null. */
static struct fjson_object *fieldToJson(const nf_field_t *f, nf_time_cache_t *tc)
{
	char text[256]; /* most values' text fits */
	char *big;
	size_t size;
	struct fjson_object *j;

	switch (nf_value_kind(f)) {
	case NF_VALUE_UNSIGNED:
		return jsonU64(f->v.u);
	case NF_VALUE_SIGNED:
		return fjson_object_new_int64(f->v.i);
	case NF_VALUE_REAL:
		return fjson_object_new_double(f->v.f);
	case NF_VALUE_BOOL:
		return fjson_object_new_boolean(f->v.u != 0);
	case NF_VALUE_NULL:
		return NULL;
	default:
		break;
	}
	if ((size = nf_render_text_size(f)) <= sizeof(text))
		return fjson_object_new_string_len(text, (int)nf_render_text(f, text, sizeof(text), tc));
	if ((big = malloc(size)) == NULL)
		return NULL;
	j = fjson_object_new_string_len(big, (int)nf_render_text(f, big, size, tc));
	free(big);
	return j;
}


/* Lists the exporter's members; agent and time are buffers of NF_TEXT_MAX
 * for the texts. Returns how many. */
static int exporterItems(const datagram_ctx_t *d, const nf_datagram_info_t *info, exporter_item_t *it,
			 char *agent, char *time)
{
	int n = 0;

	it[n++] = (exporter_item_t){"address", d->address, 0};
	it[n++] = (exporter_item_t){"port", NULL, (uint64_t)d->port};
	it[n++] = (exporter_item_t){"version", NULL, info->version};
	it[n++] = (exporter_item_t){"protocol", d->agent ? "sflow" : info->version == 10 ? "ipfix" : "netflow", 0};
	if (d->agent != NULL) {
		nf_field_t a = {.type = d->agent->addr_len == 4 ? NF_T_IPV4 : NF_T_IPV6};
		memcpy(a.v.b, d->agent->addr, d->agent->addr_len);
		nf_field_text(&a, agent, NF_TEXT_MAX);
		it[n++] = (exporter_item_t){"agent_address", agent, 0};
		it[n++] = (exporter_item_t){"sub_agent_id", NULL, d->agent->sub_agent_id};
	}
	if (info->has_source_id && info->version != 5)
		it[n++] = (exporter_item_t){info->version == 10 ? "observation_domain_id" : "source_id", NULL,
					    info->source_id};
	if (info->has_sequence)
		it[n++] = (exporter_item_t){"sequence_number", NULL, info->sequence};
	if (info->version != 10)
		it[n++] = (exporter_item_t){"uptime_millis", NULL, info->sys_uptime_ms};
	if (d->agent == NULL) { /* sFlow has no export time */
		nf_time_ms_text((int64_t)info->export_sec * 1000 + info->export_nsec / 1000000, &d->w->times, time,
				NF_TEXT_MAX);
		it[n++] = (exporter_item_t){"export_time", time, 0};
	}
	return n;
}

/* The exporter's members for this datagram header, made at its first record. */
static const exporter_item_t *datagramExporter(datagram_ctx_t *d, const nf_datagram_info_t *info, int *n)
{
	if (!d->exporterValid || memcmp(&d->exporterInfo, info, sizeof(*info)) != 0) {
		d->nitems = exporterItems(d, info, d->items, d->agentText, d->timeText);
		d->exporterInfo = *info;
		d->exporterValid = true;
		d->exporterLen = 0;
	}
	*n = d->nitems;
	return d->items;
}

static struct fjson_object *exporterJson(datagram_ctx_t *d, const nf_datagram_info_t *info)
{
	struct fjson_object *e = fjson_object_new_object();
	int n;
	const exporter_item_t *it = datagramExporter(d, info, &n);

	if (e == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		fjson_object_object_add_ex(e, it[i].key,
					   it[i].text ? fjson_object_new_string(it[i].text) : jsonU64(it[i].num),
					   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	return e;
}

/* The exporter part of a pre-rendered line, rendered once for all records
 * of a datagram: "exporter":{...} or exporter_address=... */
static const char *exporterLine(datagram_ctx_t *d, const nf_datagram_info_t *info, enum output_format format,
				size_t *len)
{
	nf_line_t l = {.buf = d->exporterText, .size = sizeof(d->exporterText)};
	int n;
	const exporter_item_t *it = datagramExporter(d, info, &n);

	if (d->exporterLen > 0) {
		*len = d->exporterLen;
		return d->exporterText;
	}
	nf_line_str(&l, format == FORMAT_JSON ? "\"exporter\":{" : "");
	for (int i = 0; i < n; i++) {
		if (format == FORMAT_JSON) {
			nf_line_str(&l, i > 0 ? ",\"" : "\"");
			nf_line_str(&l, it[i].key);
			nf_line_str(&l, "\":");
		} else {
			nf_line_str(&l, i > 0 ? " exporter_" : "exporter_");
			nf_line_str(&l, it[i].key);
			nf_line_str(&l, "=");
		}
		if (it[i].text == NULL) {
			nf_line_u64(&l, it[i].num);
		} else {
			nf_line_str(&l, "\"");
			nf_line_json_escaped(&l, it[i].text, strlen(it[i].text));
			nf_line_str(&l, "\"");
		}
	}
	nf_line_str(&l, format == FORMAT_JSON ? "}" : "");
	d->exporterLen = l.used;
	*len = l.used;
	return d->exporterText;
}

/* Appends ,<ECS objects>} to the {"netflow":{...} of a line. */
static void renderEcs(nf_line_t *l, const datagram_ctx_t *d, const nf_record_t *rec)
{
	nf_ecs_t ecs;

	nf_ecs_extract_with(rec, &d->lstn->inst->ecsOptions, &ecs);
	if (d->enriched)
		nf_ecs_set_enrichment(&ecs, &d->src, &d->dst);
	nf_line_str(l, ",");
	nf_render_ecs(l, &ecs, d->address, &d->w->times);
	nf_line_str(l, "}");
}

/* The $! tree: the core's walks of a record (nf_record_walk) and of its
 * ECS objects (nf_ecs_walk), built as libfastjson objects. */
#define TREE_MAX_DEPTH 16 /* lists nest at most 8 deep: NF_LIST_MAX_DEPTH arrays of objects */

typedef struct tree_builder {
	struct fjson_object *stack[TREE_MAX_DEPTH + 1]; /* [0] the root */
	int depth;
	bool constant_keys; /* every key is a string constant (the ECS walk's) */
	nf_time_cache_t *tc;
} tree_builder_t;

/* Adds v under key to the innermost object (with libfastjson's flags for
 * the key), or to the innermost array (key NULL). Takes v's reference.
 * Out of memory, v or its parent is NULL, and v is left out. */
/* Adds v (NULL: JSON null if null_ok, else nothing: it could not be made). */
static void treeAddValue(tree_builder_t *b, const char *key, struct fjson_object *v, unsigned flags, bool null_ok)
{
	struct fjson_object *parent = b->stack[b->depth];

	if ((v == NULL && !null_ok) || parent == NULL) {
		fjson_object_put(v);
		return;
	}
	if (key == NULL)
		fjson_object_array_add(parent, v);
	else
		fjson_object_object_add_ex(parent, key, v, flags);
}

static void treeAdd(tree_builder_t *b, const char *key, struct fjson_object *v, unsigned flags)
{
	treeAddValue(b, key, v, flags, false);
}

/* The key flags of a member the walk names: copied unless constant. */
static unsigned treeKeyFlags(const tree_builder_t *b)
{
	return b->constant_keys ? FJSON_OBJECT_KEY_IS_CONSTANT : 0;
}

/* Deeper than TREE_MAX_DEPTH members go to the innermost level (no
 * document of the core nests so). */
static void treeOpen(tree_builder_t *b, const char *key, struct fjson_object *v)
{
	bool added = v != NULL && b->stack[b->depth] != NULL;

	treeAdd(b, key, v, treeKeyFlags(b));
	if (b->depth < TREE_MAX_DEPTH)
		b->stack[++b->depth] = added ? v : NULL; /* NULL: its members go nowhere */
}

static void treeOpenObject(void *ctx, const char *key)
{
	treeOpen(ctx, key, fjson_object_new_object());
}

static void treeOpenArray(void *ctx, const char *key)
{
	treeOpen(ctx, key, fjson_object_new_array());
}

static void treeClose(void *ctx)
{
	tree_builder_t *b = ctx;

	if (b->depth > 0)
		b->depth--;
}

static void treeText(void *ctx, const char *key, const char *s, size_t n)
{
	treeAdd(ctx, key, fjson_object_new_string_len(s, (int)n), treeKeyFlags(ctx));
}

static void treeU64(void *ctx, const char *key, uint64_t v)
{
	treeAdd(ctx, key, jsonU64(v), treeKeyFlags(ctx));
}

/* An element's name from the table is a constant, and a built-in one
 * cannot repeat in a record: libfastjson then need not look for it (it
 * looks linearly, O(fields^2) compares a record). */
static void treeField(void *ctx, const char *key, const nf_field_t *f)
{
	tree_builder_t *b = ctx;
	unsigned flags = treeKeyFlags(b);

	if (f->ie != NULL && key == f->ie->name)
		flags = FJSON_OBJECT_KEY_IS_CONSTANT |
			(nf_ie_is_builtin(f->ie) ? FJSON_OBJECT_ADD_KEY_IS_NEW : 0);
	treeAddValue(b, key, fieldToJson(f, b->tc), flags, nf_value_kind(f) == NF_VALUE_NULL);
}

static const nf_doc_ops_t treeOps = {treeOpenObject, treeOpenArray, treeClose, treeText, treeU64, treeField};

static void attachEcs(struct fjson_object *root, const datagram_ctx_t *d, const nf_record_t *rec)
{
	tree_builder_t b = {.stack = {root}, .constant_keys = true, .tc = &d->w->times};
	nf_ecs_t e;

	nf_ecs_extract_with(rec, &d->lstn->inst->ecsOptions, &e);
	if (d->enriched)
		nf_ecs_set_enrichment(&e, &d->src, &d->dst);
	nf_ecs_walk(&e, d->address, &d->w->times, &treeOps, &b);
}

/* The record as one line: {fields,"type":...,"exporter":{...}} or
 * fields type=... exporter_...=...; a record too long for the buffer
 * keeps only type and exporter, with "truncated":true. */
static size_t renderLine(datagram_ctx_t *d, const nf_datagram_info_t *info, const nf_record_t *rec,
			 const char *type, enum output_format format)
{
	nf_line_t l = {.buf = d->w->line, .size = LINE_BUFFER_SIZE};
	size_t exporterLen;
	const char *exporter = exporterLine(d, info, format, &exporterLen);
	nf_render_style_t style = format == FORMAT_JSON ? NF_RENDER_JSON : NF_RENDER_KV;
	unsigned nfields;

	bool ecs = d->lstn->inst->ecs && format == FORMAT_JSON;

	nf_line_str(&l, ecs ? "{\"netflow\":{" : format == FORMAT_JSON ? "{" : "");
	nfields = nf_render_fields(&l, style, rec, d->templates, &d->w->times);
	if (l.used + exporterLen + 64 >= l.size) { /* no room left for the rest */
		nf_line_reset(&l);
		nf_line_str(&l, ecs ? "{\"netflow\":{\"truncated\":true"
				    : format == FORMAT_JSON ? "{\"truncated\":true" : "truncated=true");
		nfields = 1;
	}
	if (format == FORMAT_JSON) {
		nf_line_str(&l, nfields > 0 ? ",\"type\":\"" : "\"type\":\"");
		nf_line_str(&l, type);
		nf_line_str(&l, "\",");
		nf_line_put(&l, exporter, exporterLen);
		nf_line_str(&l, "}");
		if (ecs)
			renderEcs(&l, d, rec);
	} else {
		nf_line_str(&l, nfields > 0 ? " type=" : "type=");
		nf_line_str(&l, type);
		nf_line_str(&l, " ");
		nf_line_put(&l, exporter, exporterLen);
	}
	return l.used;
}

/* {"netflow": {<fields>, "type": ..., "exporter": {...}}}, added to the
 * message once. */
static rsRetVal attachRecord(smsg_t *pMsg, datagram_ctx_t *d, const nf_datagram_info_t *info,
			     const nf_record_t *rec, const char *type)
{
	struct fjson_object *root, *nf;
	DEFiRet;

	CHKmalloc(root = fjson_object_new_object());
	if ((nf = fjson_object_new_object()) == NULL) {
		fjson_object_put(root);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	fjson_object_object_add_ex(root, "netflow", nf, FJSON_OBJECT_KEY_IS_CONSTANT);
	nf_record_walk(rec, d->templates, &treeOps, &(tree_builder_t){.stack = {nf}, .tc = &d->w->times});
	/* no field is named so: the generator and the dictionary loader refuse these names */
	fjson_object_object_add_ex(nf, "type", fjson_object_new_string(type),
				   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	fjson_object_object_add_ex(nf, "exporter", exporterJson(d, info),
				   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	if (d->lstn->inst->ecs)
		attachEcs(root, d, rec);
	CHKiRet(msgAddJSON(pMsg, (uchar *)"!", root, 0, 0));
finalize_it:
	RETiRet;
}

/* timereported = the flow's end; the broken-down time of the last second
 * is reused (a gmtime per record is measurable at 100,000s of flows/s). */
static void setTimeReported(worker_t *w, smsg_t *pMsg, const nf_record_t *rec, enum time_reported source)
{
	struct timeval tv;

	if (source != TIME_FLOW_END || rec->end_ms < 0 || rec->end_ms >= MAX_REPORTED_MS)
		return; /* unknown, or beyond what a syslog timestamp holds */
	tv.tv_sec = (time_t)(rec->end_ms / 1000);
	tv.tv_usec = (suseconds_t)(rec->end_ms % 1000) * 1000;
	if (!w->reportedValid || w->reportedSec != tv.tv_sec) {
		datetime.timeval2syslogTime(&tv, &w->reported, TIME_IN_UTC);
		w->reportedSec = tv.tv_sec;
		w->reportedValid = 1;
	}
	pMsg->tTIMESTAMP = w->reported;
	pMsg->tTIMESTAMP.secfrac = (int)tv.tv_usec;
}

static rsRetVal submitRecord(datagram_ctx_t *d, const nf_datagram_info_t *info,
			     const nf_record_t *rec, const char *type)
{
	listener_t *l = d->lstn;
	enum output_format format = l->inst->format;
	char summary[512];
	smsg_t *pMsg = NULL;
	DEFiRet;

	CHKiRet(msgConstructWithTime(&pMsg, d->rcvTime, d->ttGenTime));
	if (format == FORMAT_STRUCTURED)
		MsgSetRawMsg(pMsg, summary,
			     nf_record_summary_with(rec, info->version, &l->inst->ecsOptions, &d->w->times, summary,
						    sizeof(summary)));
	else
		MsgSetRawMsg(pMsg, d->w->line, renderLine(d, info, rec, type, format));
	MsgSetMSGoffs(pMsg, 0);
	MsgSetInputName(pMsg, l->inputName);
	MsgSetRuleset(pMsg, l->inst->pBindRuleset);
	MsgSetFlowControlType(pMsg, eFLOWCTL_NO_DELAY);
	MsgSetHOSTNAME(pMsg, (uchar *)d->address, (int)strlen(d->address));
	MsgSetRcvFrom(pMsg, d->fromHost);
	CHKiRet(MsgSetRcvFromIP(pMsg, d->fromHost));
	/* APP-NAME is emulated from the TAG when asked for: setting it costs
	 * two allocations a message */
	MsgSetTAG(pMsg, UCHAR_CONSTANT("netflow"), 7);
	msgSetPRI(pMsg, PRI_USER(d->severity));
	pMsg->msgFlags = 0; /* fully built: no parsing, no DNS lookup */
	setTimeReported(d->w, pMsg, rec, l->inst->timeSource);
	if (format == FORMAT_STRUCTURED)
		CHKiRet(attachRecord(pMsg, d, info, rec, type));
	/* the outbox thread submits it through the rate limiter and counts it */
	outboxPut(d->w, &(outbox_item_t){.kind = OUT_RECORD, .msg = pMsg, .lstn = l, .state = d->state});
	pMsg = NULL;
finalize_it:
	if (pMsg != NULL)
		msgDestruct(&pMsg);
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Datagrams: from the socket through the core's one entry to messages.
 */
/* Whether a log line of kind t may be written now: the first in every
 * ERROR_LOG_INTERVAL seconds; then *suppressed is how many were not
 * since. */
bool logAllowed(error_throttle_t *t, time_t now, unsigned *suppressed)
{
	if (t->last != 0 && now - t->last < ERROR_LOG_INTERVAL) {
		t->suppressed++;
		return false;
	}
	*suppressed = t->suppressed;
	t->last = now;
	t->suppressed = 0;
	return true;
}

/* Logs "<what> datagram from <address> port <port>: <why>", throttled. */
static void logThrottled(error_throttle_t *t, const listener_t *l, const char *what,
			 const datagram_ctx_t *d, const char *why)
{
	unsigned suppressed;

	if (!logAllowed(t, time(NULL), &suppressed))
		return;
	outboxLog(d->w, 0, RS_RET_INVALID_VALUE,
		 MOD_NAME ": %s: %s datagram from %s port %d: %s (%u similar messages suppressed "
		 "in the last %d seconds; see impstats for counts)",
		 l->display, what, d->address, d->port, why, suppressed,
		 ERROR_LOG_INTERVAL);
}

static void exporterAddress(const struct sockaddr_storage *from, datagram_ctx_t *d)
{
	uint8_t a[16];

	d->port = mappedAddress(from, a);
	addressText(a, d->address, sizeof(d->address));
}

/* The exporter as the core keys it: its stream is the real exporter (its
 * address, and its port with templateScope="address+port"); its template
 * scope is that too, or nothing with templateScope="domain". A connection
 * of a stream transport is always keyed by address and port: its
 * templates are its own, and are forgotten when it closes. */
static void exporterKeys(const listener_t *l, const struct sockaddr_storage *from, nf_decoder_t *dec)
{
	memset(&dec->source, 0, sizeof(dec->source));
	bool perConnection = l->transport != NULL; /* a stream's templates are its connection's */

	dec->source.port = (uint16_t)mappedAddress(from, dec->source.addr);
	if (l->inst->scope != SCOPE_ADDRESS_PORT && !perConnection)
		dec->source.port = 0;
	if (l->inst->scope == SCOPE_DOMAIN && !perConnection)
		memset(&dec->exporter, 0, sizeof(dec->exporter));
	else
		dec->exporter = dec->source;
}

/* A decoded record: counted, and submitted unless it is an options record
 * the input does not emit. */
static void emitRecord(void *ctx, const nf_emitted_t *e)
{
	datagram_ctx_t *d = ctx;
	listener_t *l = d->lstn;

	STATSCOUNTER_INC(l->ctrDecoded, l->mut_ctrDecoded);
	EXPORTER_ADD(d, ctrRecords, 1);
	d->enriched = false;
	d->severity = l->inst->severityFlow;
	if (e->kind == NF_KIND_FLOW) {
		nf_flow_facts_t facts;
		nf_flow_facts(e->record, &facts);
		noteFlow(d, &facts);
		enrichRecord(d, d->w->record); /* e->record is the worker's scratch record */
		d->severity = flowSeverity(d, e->record, &facts);
	} else if (e->kind == NF_KIND_DISCARD) { /* sFlow: packets the device dropped, and why */
		d->severity = l->inst->severityDeny;
	}
	if (e->kind == NF_KIND_OPTIONS && !l->inst->emitOptions)
		return;
	d->templates = e->templates;
	d->agent = e->agent;
	if (submitRecord(d, e->info, e->record, nf_record_kind_name(e->kind)) != RS_RET_OK) {
		STATSCOUNTER_INC(l->ctrFailed, l->mut_ctrFailed);
		logThrottled(&l->failedLog, l, "a record of a", d, "the message could not be built or submitted");
	}
}

/* The counters of what the decoder found besides records. */
static void countDecodeResult(listener_t *l, datagram_ctx_t *d, const nf_decode_result_t *r)
{
	STATSCOUNTER_ADD(l->ctrTemplateErrors, l->mut_ctrTemplateErrors, r->template_errors);
	STATSCOUNTER_ADD(l->ctrSkipped, l->mut_ctrSkipped, r->skipped);
	STATSCOUNTER_ADD(l->ctrSeqMissing, l->mut_ctrSeqMissing, r->sequence_missing);
	STATSCOUNTER_ADD(l->ctrTimesImplausible, l->mut_ctrTimesImplausible, r->times_implausible);
	EXPORTER_ADD(d, ctrSeqMissing, r->sequence_missing);
	EXPORTER_ADD(d, ctrTemplates, r->templates);
	if (r->sequence_reset) {
		STATSCOUNTER_INC(l->ctrSeqResets, l->mut_ctrSeqResets);
		EXPORTER_ADD(d, ctrSeqResets, 1);
	}
}

/* Whether the input takes a datagram's protocol (parameter protocols);
 * counts the others. */
bool protocolAccepted(listener_t *l, const uint8_t *buf, size_t len)
{
	if (!(l->inst->protocols & nf_datagram_protocol(buf, len))) {
		STATSCOUNTER_INC(l->ctrUnaccepted, l->mut_ctrUnaccepted);
		return false;
	}
	return true;
}

/* Whether the input takes a datagram (allowedExporters, protocols): what
 * it decodes and what tee copies. Counts the others. */
bool datagramAccepted(listener_t *l, const uint8_t *buf, size_t len, const struct sockaddr_storage *from)
{
	if (!exporterAllowed(l->inst, from)) {
		STATSCOUNTER_INC(l->ctrDisallowed, l->mut_ctrDisallowed);
		return false;
	}
	return protocolAccepted(l, buf, len);
}

/* Decodes a datagram datagramAccepted took into messages. */
void decodeDatagram(listener_t *l, const uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		    datagram_ctx_t *d)
{
	nf_decoder_t dec = {.session = d->w->session, .now = d->now, .emit = emitRecord, .emit_ctx = d,
			    .record = d->w->record, .renormalize = l->inst->renormalize};
	int rc;

	exporterAddress(from, d);
	d->from = from;
	d->exp = exporterStats(from, d->address);
	EXPORTER_ADD(d, ctrDatagrams, 1);
	if (prop.CreateStringProp(&d->fromHost, (uchar *)d->address, (int)strlen(d->address)) != RS_RET_OK)
		return;
	d->state = trackExporter(d, from);
	exporterKeys(l, from, &dec);
	enrichmentBegin(d, &dec);
	rc = nf_decode_datagram(&dec, buf, len);
	enrichmentEnd(d);
	countDecodeResult(l, d, &dec.result);
	noteDecoded(d, &dec.result, rc != NF_OK && rc != NF_END);
	prop.Destruct(&d->fromHost);
	if (rc != NF_OK && rc != NF_END) {
		STATSCOUNTER_INC(l->ctrMalformed, l->mut_ctrMalformed);
		EXPORTER_ADD(d, ctrMalformed, 1);
		logThrottled(&l->malformedLog, l, "malformed", d, nf_strerror(rc));
	}
}
