/* imn_events.c - what the analyst learns of the exporters themselves, in
 * the message stream: per exporter and summaryInterval one summary (its
 * volume and its losses, also when its flows were shed on the way to the
 * SIEM), and health events: first seen, silent and back, restarted,
 * template changed, identity mismatch.
 *
 * Each worker keeps the exporters it reads in a table of its own (one
 * exporter address is always read by the same worker), so the per-datagram
 * work takes no lock; exporters beyond exporterTable.max share one entry,
 * "other", which gets summaries but no health events. Which sender an
 * exporter identity (an sFlow agent, a v9 source id, an IPFIX observation
 * domain) came from first is shared by all workers, under a lock taken only
 * when an exporter's identity changes. Summaries and events bypass the
 * input's rate limiter and never wait for a queue (eFLOWCTL_NO_DELAY).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "imn.h"

#define EVENTS_PER_MINUTE 10    /* health events per exporter; the rest are counted */
#define IDENTITY_BUCKETS 1024
#define IDENTITIES_PER_EXPORTER 4 /* the identity table holds exporterTable.max times this */
#define MAX_EVENT_ITEMS 16

/* The text and number members of one summary or event, in order. */
typedef struct event_msg {
	const exporter_state_t *e;
	const char *type;       /* "summary" or "exporter" */
	int nitems;
	exporter_item_t items[MAX_EVENT_ITEMS];
	char text[MAX_EVENT_ITEMS][NF_TEXT_MAX];
} event_msg_t;

/* Which sender an exporter identity was first seen from. */
typedef struct identity {
	struct identity *next;
	uint64_t key;           /* identityKey */
	uint8_t sender[16];
} identity_t;

static struct {
	identity_t *buckets[IDENTITY_BUCKETS];
	int count;
	pthread_mutex_t mut;
} identities = {.mut = PTHREAD_MUTEX_INITIALIZER};

/* ---------------------------------------------------------------------------
 * Messages: a summary or an event as a message of the exporter's input,
 * in the input's format.
 */
static void addText(event_msg_t *m, const char *key, const char *text)
{
	if (m->nitems < MAX_EVENT_ITEMS) {
		snprintf(m->text[m->nitems], NF_TEXT_MAX, "%s", text);
		m->items[m->nitems] = (exporter_item_t){key, m->text[m->nitems], 0};
		m->nitems++;
	}
}

static void addNumber(event_msg_t *m, const char *key, uint64_t num)
{
	if (m->nitems < MAX_EVENT_ITEMS)
		m->items[m->nitems++] = (exporter_item_t){key, NULL, num};
}

static void putItem(nf_line_t *l, const exporter_item_t *it, enum output_format format, const char *prefix)
{
	nf_line_str(l, format == FORMAT_JSON ? ",\"" : " ");
	nf_line_str(l, prefix);
	nf_line_str(l, it->key);
	nf_line_str(l, format == FORMAT_JSON ? "\":" : "=");
	if (it->text == NULL) {
		nf_line_u64(l, it->num);
	} else {
		nf_line_str(l, "\"");
		nf_line_json_escaped(l, it->text, strlen(it->text));
		nf_line_str(l, "\"");
	}
}

/* {"type":"summary","exporter":{"address":"…"},…} or type=summary
 * exporter_address=… …; with ecs="on" the object is "netflow"'s, as a
 * flow's is. */
static size_t renderEventLine(char *buf, size_t size, const event_msg_t *m, const instanceConf_t *inst)
{
	nf_line_t l = {.buf = buf, .size = size};
	exporter_item_t address = {"address", m->e->address, 0};
	bool json = inst->format == FORMAT_JSON, ecs = json && inst->ecs;

	nf_line_reset(&l);
	nf_line_str(&l, ecs ? "{\"netflow\":{\"type\":\"" : json ? "{\"type\":\"" : "type=");
	nf_line_str(&l, m->type);
	nf_line_str(&l, json ? "\",\"exporter\":{\"address\":\"" : "");
	if (json) {
		nf_line_json_escaped(&l, m->e->address, strlen(m->e->address));
		nf_line_str(&l, "\"}");
	} else {
		putItem(&l, &address, inst->format, "exporter_");
	}
	for (int i = 0; i < m->nitems; i++)
		putItem(&l, &m->items[i], inst->format, "");
	nf_line_str(&l, ecs ? "}}" : json ? "}" : "");
	return l.used;
}

static struct fjson_object *jsonItem(const exporter_item_t *it)
{
	return it->text != NULL ? fjson_object_new_string(it->text) : jsonU64(it->num);
}

static rsRetVal attachEvent(smsg_t *pMsg, const event_msg_t *m)
{
	struct fjson_object *root, *nf, *exporter;
	DEFiRet;

	CHKmalloc(root = fjson_object_new_object());
	nf = fjson_object_new_object();
	exporter = fjson_object_new_object();
	if (nf == NULL || exporter == NULL) {
		fjson_object_put(root);
		fjson_object_put(nf);
		fjson_object_put(exporter);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	fjson_object_object_add(root, "netflow", nf);
	fjson_object_object_add(nf, "type", fjson_object_new_string(m->type));
	fjson_object_object_add(exporter, "address", fjson_object_new_string(m->e->address));
	fjson_object_object_add(nf, "exporter", exporter);
	for (int i = 0; i < m->nitems; i++)
		fjson_object_object_add(nf, m->items[i].key, jsonItem(&m->items[i]));
	CHKiRet(msgAddJSON(pMsg, (uchar *)"!", root, 0, 0));
finalize_it:
	RETiRet;
}

/* The structured format's msg: "SUMMARY exporter <address> key value …". */
static size_t renderEventSummary(char *buf, size_t size, const event_msg_t *m)
{
	nf_line_t l = {.buf = buf, .size = size};

	nf_line_reset(&l);
	nf_line_str(&l, strcmp(m->type, "summary") == 0 ? "SUMMARY exporter " : "EXPORTER ");
	nf_line_str(&l, m->e->address);
	for (int i = 0; i < m->nitems; i++) {
		nf_line_str(&l, " ");
		nf_line_str(&l, m->items[i].key);
		nf_line_str(&l, " ");
		if (m->items[i].text != NULL)
			nf_line_str(&l, m->items[i].text);
		else
			nf_line_u64(&l, m->items[i].num);
	}
	return l.used;
}

static rsRetVal submitEvent(worker_t *w, const event_msg_t *m)
{
	listener_t *l = m->e->lstn;
	const instanceConf_t *inst = l->inst;
	char summary[1024];
	prop_t *from = NULL;
	smsg_t *pMsg = NULL;
	DEFiRet;

	CHKiRet(msgConstruct(&pMsg));
	if (inst->format == FORMAT_STRUCTURED)
		MsgSetRawMsg(pMsg, summary, renderEventSummary(summary, sizeof(summary), m));
	else
		MsgSetRawMsg(pMsg, w->line, renderEventLine(w->line, LINE_BUFFER_SIZE, m, inst));
	MsgSetMSGoffs(pMsg, 0);
	MsgSetInputName(pMsg, l->inputName);
	MsgSetRuleset(pMsg, inst->pBindRuleset);
	MsgSetFlowControlType(pMsg, eFLOWCTL_NO_DELAY);
	MsgSetHOSTNAME(pMsg, (uchar *)m->e->address, (int)strlen(m->e->address));
	CHKiRet(prop.CreateStringProp(&from, (uchar *)m->e->address, (int)strlen(m->e->address)));
	MsgSetRcvFrom(pMsg, from);
	CHKiRet(MsgSetRcvFromIP(pMsg, from));
	MsgSetTAG(pMsg, UCHAR_CONSTANT("netflow"), 7);
	msgSetPRI(pMsg, PRI_USER(inst->severityEvent));
	pMsg->msgFlags = 0;
	if (inst->format == FORMAT_STRUCTURED)
		CHKiRet(attachEvent(pMsg, m));
	/* the outbox thread submits it and counts it */
	outboxPut(w, &(outbox_item_t){.kind = OUT_EVENT, .msg = pMsg, .lstn = l});
	pMsg = NULL;
finalize_it:
	if (pMsg != NULL)
		msgDestruct(&pMsg);
	if (from != NULL)
		prop.Destruct(&from);
	if (iRet != RS_RET_OK)
		STATSCOUNTER_INC(l->ctrFailed, l->mut_ctrFailed);
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Health events, at most EVENTS_PER_MINUTE per exporter.
 */
static bool eventAllowed(exporter_state_t *e, time_t now)
{
	if (!runModConf->exporterEvents || !e->tracked)
		return false;
	if (now / 60 != e->eventMinute) {
		e->eventMinute = now / 60;
		e->eventsInMinute = 0;
	}
	if (e->eventsInMinute >= EVENTS_PER_MINUTE) {
		STATSCOUNTER_INC(e->lstn->ctrEventsSuppressed, e->lstn->mut_ctrEventsSuppressed);
		return false;
	}
	e->eventsInMinute++;
	return true;
}

static void startEvent(event_msg_t *m, const exporter_state_t *e, const char *event)
{
	m->e = e;
	m->type = "exporter";
	m->nitems = 0;
	addText(m, "event", event);
}

static void timeItem(event_msg_t *m, worker_t *w, const char *key, time_t t)
{
	char text[NF_TEXT_MAX];

	nf_time_ms_text((int64_t)t * 1000, &w->times, text, sizeof(text));
	addText(m, key, text);
}

/* ---------------------------------------------------------------------------
 * Identities: which sender an sFlow agent, a v9 source id or an IPFIX
 * observation domain was first seen from. Ids 0 are no identity: most
 * exporters that do not configure one send 0.
 */
static bool datagramIdentity(const nf_decode_result_t *r, uint64_t *key)
{
	const nf_datagram_info_t *info = &r->info;

	if (r->agent.addr_len != 0) {
		*key = nf_fnv1a(NF_FNV_OFFSET, r->agent.addr, r->agent.addr_len) ^ r->agent.sub_agent_id;
		*key = *key << 1 | 1; /* sFlow keys are odd, v9/IPFIX even: never equal */
		return true;
	}
	if ((info->version != 9 && info->version != 10) || !info->has_source_id || info->source_id == 0)
		return false;
	*key = ((uint64_t)info->version << 33 | (uint64_t)info->source_id << 1);
	return true;
}

static void identityText(const nf_decode_result_t *r, char *buf, size_t size)
{
	if (r->agent.addr_len != 0) {
		nf_field_t a = {.type = r->agent.addr_len == 4 ? NF_T_IPV4 : NF_T_IPV6};
		char addr[NF_TEXT_MAX];
		memcpy(a.v.b, r->agent.addr, r->agent.addr_len);
		nf_field_text(&a, addr, sizeof(addr));
		snprintf(buf, size, "sflow agent %s sub-agent %u", addr, r->agent.sub_agent_id);
	} else {
		snprintf(buf, size, "%s %u", r->info.version == 10 ? "ipfix observation domain" : "netflow v9 source id",
			 r->info.source_id);
	}
}

/* Whether the identity was first seen from another sender (its address
 * into previous); an identity not yet known is taken for this sender while
 * the table has room. */
static bool identityMoved(uint64_t key, const uint8_t sender[16], uint8_t previous[16])
{
	identity_t **slot, *id;
	bool moved = false;

	pthread_mutex_lock(&identities.mut);
	for (slot = &identities.buckets[key % IDENTITY_BUCKETS]; *slot != NULL; slot = &(*slot)->next)
		if ((*slot)->key == key)
			break;
	if (*slot != NULL) {
		moved = memcmp((*slot)->sender, sender, 16) != 0;
		memcpy(previous, (*slot)->sender, 16);
	} else if (identities.count < runModConf->exporterTableMax * IDENTITIES_PER_EXPORTER &&
		   (id = calloc(1, sizeof(*id))) != NULL) {
		id->key = key;
		memcpy(id->sender, sender, 16);
		*slot = id;
		identities.count++;
	}
	pthread_mutex_unlock(&identities.mut);
	return moved;
}

static void checkIdentity(datagram_ctx_t *d, exporter_state_t *e, const nf_decode_result_t *r)
{
	uint8_t previous[16];
	char text[2][NF_TEXT_MAX];
	event_msg_t m;
	uint64_t key;

	if (!datagramIdentity(r, &key) || (e->hasIdentity && e->identity == key))
		return;
	e->identity = key;
	e->hasIdentity = true;
	if (!identityMoved(key, e->addr, previous) || !eventAllowed(e, d->now))
		return;
	startEvent(&m, e, "identity_mismatch");
	identityText(r, text[0], sizeof(text[0]));
	addText(&m, "identity", text[0]);
	addressText(previous, text[1], sizeof(text[1]));
	addText(&m, "first_address", text[1]);
	(void)submitEvent(d->w, &m);
}

/* ---------------------------------------------------------------------------
 * The table of a worker's exporters.
 */
static unsigned exporterBucket(const uint8_t addr[16])
{
	return (unsigned)(nf_fnv1a(NF_FNV_OFFSET, addr, 16) % EXPORTER_BUCKETS);
}

static exporter_state_t *newExporterState(health_table_t *t, const uint8_t addr[16], const char *address)
{
	exporter_state_t *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	memcpy(e->addr, addr, 16);
	snprintf(e->address, sizeof(e->address), "%s", address);
	e->tracked = address != NULL && strcmp(address, "other") != 0;
	if (e->tracked) {
		e->next = t->buckets[exporterBucket(addr)];
		t->buckets[exporterBucket(addr)] = e;
		t->count++;
	}
	return e;
}

/* The exporter's entry, made (with a first_seen event) when new; "other"
 * once the table is full. */
static exporter_state_t *lookupExporter(datagram_ctx_t *d, const uint8_t addr[16], bool *isNew)
{
	health_table_t *t = &d->w->health;
	exporter_state_t *e;

	*isNew = false;
	for (e = t->buckets[exporterBucket(addr)]; e != NULL; e = e->next)
		if (memcmp(e->addr, addr, 16) == 0)
			return e;
	if (t->count < t->max && (e = newExporterState(t, addr, d->address)) != NULL) {
		*isNew = true;
		return e;
	}
	if (t->other == NULL)
		t->other = newExporterState(t, addr, "other");
	if (t->other != NULL)
		STATSCOUNTER_INC(d->lstn->ctrUntracked, d->lstn->mut_ctrUntracked);
	return t->other;
}

exporter_state_t *trackExporter(datagram_ctx_t *d, const struct sockaddr_storage *from)
{
	exporter_state_t *e;
	event_msg_t m;
	uint8_t addr[16];
	bool isNew;

	if (d->w->health.max == 0)
		return NULL;
	(void)mappedAddress(from, addr);
	if ((e = lookupExporter(d, addr, &isNew)) == NULL)
		return NULL;
	e->lstn = d->lstn;
	e->counts.datagrams++;
	if (isNew && eventAllowed(e, d->now)) {
		startEvent(&m, e, "first_seen");
		(void)submitEvent(d->w, &m);
	} else if (e->silent && eventAllowed(e, d->now)) {
		startEvent(&m, e, "back");
		addNumber(&m, "silent_seconds", (uint64_t)(d->now - e->lastSeen));
		(void)submitEvent(d->w, &m);
	}
	e->silent = false;
	e->lastSeen = d->now;
	return e;
}

/* Whether the exporter restarted: its sequence went back or jumped, or its
 * uptime (v1/v5/v7/v9 headers) went back. */
static const char *restartReason(exporter_state_t *e, const nf_decode_result_t *r)
{
	const nf_datagram_info_t *info = &r->info;
	bool hasUptime = info->version != 0 && info->version != 10 && r->agent.addr_len == 0;
	const char *reason = NULL;

	if (hasUptime && e->hasUptime && e->uptimeVersion == info->version && info->sys_uptime_ms < e->uptimeMs)
		reason = "uptime";
	else if (r->sequence_reset)
		reason = "sequence";
	if (hasUptime) {
		e->hasUptime = true;
		e->uptimeVersion = info->version;
		e->uptimeMs = info->sys_uptime_ms;
	}
	return reason;
}

void noteDecoded(datagram_ctx_t *d, const nf_decode_result_t *r, bool malformed)
{
	exporter_state_t *e = d->state;
	const char *reason;
	event_msg_t m;

	if (e == NULL)
		return;
	e->counts.sequenceMissing += r->sequence_missing;
	e->counts.pendingDropped += r->sets_dropped;
	e->counts.malformed += malformed;
	if (!e->tracked)
		return;
	if ((reason = restartReason(e, r)) != NULL && eventAllowed(e, d->now)) {
		startEvent(&m, e, "restarted");
		addText(&m, "reason", reason);
		addNumber(&m, "version", r->info.version);
		(void)submitEvent(d->w, &m);
	}
	if (r->templates_changed > 0 && eventAllowed(e, d->now)) {
		startEvent(&m, e, "template_changed");
		addNumber(&m, "templates_changed", r->templates_changed);
		addNumber(&m, "version", r->info.version);
		(void)submitEvent(d->w, &m);
	}
	checkIdentity(d, e, r);
}

void noteFlow(datagram_ctx_t *d, const nf_flow_facts_t *facts)
{
	if (d->state == NULL)
		return;
	d->state->counts.flows++;
	d->state->counts.octets += facts->octets;
	d->state->counts.packets += facts->packets;
}

/* ---------------------------------------------------------------------------
 * Once a second: silence, and summaries when an interval ends.
 */
static void checkSilence(worker_t *w, exporter_state_t *e, time_t now)
{
	event_msg_t m;
	int timeout = runModConf->exporterTimeout;

	if (timeout == 0 || e->silent || !e->tracked || now - e->lastSeen < timeout)
		return;
	e->silent = true;
	if (!eventAllowed(e, now))
		return;
	startEvent(&m, e, "silent");
	timeItem(&m, w, "last_seen", e->lastSeen);
	addNumber(&m, "timeout_seconds", (uint64_t)timeout);
	(void)submitEvent(w, &m);
}

/* Kernel drops of each of the worker's listeners since its last summaries. */
static void listenerDrops(worker_t *w)
{
	for (listener_t *l = listenerRoot; l != NULL; l = l->next)
		if (l->worker == w->index) {
			l->droppedInterval = l->ctrDropped - l->droppedAtSummary;
			l->droppedAtSummary = l->ctrDropped;
		}
}

static void summarize(worker_t *w, exporter_state_t *e, time_t now)
{
	event_msg_t m = {.e = e, .type = "summary"};
	summary_counts_t *c = &e->counts;

	if (e->lstn == NULL || (c->datagrams == 0 && (e->silent || !e->tracked)))
		return;
	timeItem(&m, w, "interval_end", now);
	addNumber(&m, "interval_seconds", (uint64_t)runModConf->summaryInterval);
	addNumber(&m, "datagrams", c->datagrams);
	addNumber(&m, "flows", c->flows);
	addNumber(&m, "octets", c->octets);
	addNumber(&m, "packets", c->packets);
	addNumber(&m, "flows_ratelimited", __atomic_exchange_n(&e->ratelimited, 0, __ATOMIC_RELAXED));
	addNumber(&m, "sequence_missing", c->sequenceMissing);
	addNumber(&m, "malformed", c->malformed);
	addNumber(&m, "pending_dropped", c->pendingDropped);
	addNumber(&m, "listener_dropped", e->lstn->droppedInterval);
	(void)submitEvent(w, &m);
	memset(c, 0, sizeof(*c));
}

void exporterHousekeeping(worker_t *w, time_t now)
{
	health_table_t *t = &w->health;
	int interval = runModConf->summaryInterval;
	bool summaryDue = interval > 0 && now / interval != t->lastInterval;

	if (t->max == 0)
		return;
	if (summaryDue) {
		t->lastInterval = now / interval;
		listenerDrops(w);
	}
	for (int b = 0; b < EXPORTER_BUCKETS; b++)
		for (exporter_state_t *e = t->buckets[b]; e != NULL; e = e->next) {
			checkSilence(w, e, now);
			if (summaryDue)
				summarize(w, e, now);
		}
	if (summaryDue && t->other != NULL)
		summarize(w, t->other, now);
}

void setupExporterTable(worker_t *w, time_t now)
{
	health_table_t *t = &w->health;
	int interval = runModConf->summaryInterval;

	/* neither summaries nor events: no table */
	if (interval == 0 && !runModConf->exporterEvents)
		return;
	t->max = (runModConf->exporterTableMax + workers.n - 1) / workers.n;
	t->lastInterval = interval > 0 ? now / interval : 0;
}

void freeExporterTable(worker_t *w)
{
	health_table_t *t = &w->health;

	for (int b = 0; b < EXPORTER_BUCKETS; b++)
		while (t->buckets[b] != NULL) {
			exporter_state_t *next = t->buckets[b]->next;
			free(t->buckets[b]);
			t->buckets[b] = next;
		}
	free(t->other);
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&identities.mut);
	for (int b = 0; b < IDENTITY_BUCKETS; b++)
		while (identities.buckets[b] != NULL) {
			identity_t *next = identities.buckets[b]->next;
			free(identities.buckets[b]);
			identities.buckets[b] = next;
		}
	identities.count = 0;
	pthread_mutex_unlock(&identities.mut);
}
