/* imn_stats.c - impstats objects: one per listener, one per exporter
 * (module parameter exporterStats), and the template and stream state of
 * all workers summed into one.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"
#include "imn_seccomp.h"

exporters_t exporters = {.mut = PTHREAD_MUTEX_INITIALIZER};
core_state_t core;

rsRetVal setupListenerStats(listener_t *l)
{
	DEFiRet;
	CHKiRet(statsobj.Construct(&l->stats));
	CHKiRet(statsobj.SetName(l->stats, (uchar *)l->display));
	CHKiRet(statsobj.SetOrigin(l->stats, (uchar *)MOD_NAME));
#define ADD_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(l->ctr, l->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(l->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, \
				    CTR_FLAG_RESETTABLE, &l->ctr));
	LISTENER_COUNTERS(ADD_COUNTER)
	if (l->transport != NULL) {
		STREAM_COUNTERS(ADD_COUNTER)
	}
	CHKiRet(statsobj.ConstructFinalize(l->stats));
finalize_it:
	RETiRet;
}

rsRetVal setupSessionStats(void)
{
	DEFiRet;
	CHKiRet(statsobj.Construct(&core.stats));
	CHKiRet(statsobj.SetName(core.stats, UCHAR_CONSTANT(MOD_NAME "(templates)")));
	CHKiRet(statsobj.SetOrigin(core.stats, UCHAR_CONSTANT(MOD_NAME)));
#define ADD_SESSION_COUNTER(field, label) \
	CHKiRet(statsobj.AddCounter(core.stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_NONE, \
				    &core.field));
	SESSION_COUNTERS(ADD_SESSION_COUNTER)
#define ADD_SESSION_GAUGE(field, label, fn) \
	CHKiRet(statsobj.AddCounter(core.stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_NONE, \
				    &core.field));
	SESSION_GAUGES(ADD_SESSION_GAUGE)
	/* counted by the SIGSYS handler (imn_seccomp.c) */
	CHKiRet(statsobj.AddCounter(core.stats, UCHAR_CONSTANT("sandbox.refused"), ctrType_IntCtr, CTR_FLAG_NONE,
				    (intctr_t *)&imn_seccomp_refused));
	CHKiRet(statsobj.ConstructFinalize(core.stats));
finalize_it:
	RETiRet;
}

/* Per exporter: a hash by address, at most exporterStatsMax entries. */
static rsRetVal setupExporterStats(exporter_stats_t *e, const char *name)
{
	char objName[INET6_ADDRSTRLEN + 32];
	DEFiRet;

	snprintf(objName, sizeof(objName), MOD_NAME "(exporter %s)", name);
	CHKiRet(statsobj.Construct(&e->stats));
	CHKiRet(statsobj.SetName(e->stats, (uchar *)objName));
	CHKiRet(statsobj.SetOrigin(e->stats, (uchar *)MOD_NAME));
#define ADD_EXPORTER_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(e->ctr, e->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(e->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, \
				    CTR_FLAG_RESETTABLE, &e->ctr));
	EXPORTER_COUNTERS(ADD_EXPORTER_COUNTER)
	CHKiRet(statsobj.ConstructFinalize(e->stats));
finalize_it:
	RETiRet;
}

static exporter_stats_t *newExporterStats(const uint8_t *addr, const char *name)
{
	exporter_stats_t *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	memcpy(e->addr, addr, sizeof(e->addr));
	if (setupExporterStats(e, name) != RS_RET_OK) {
		if (e->stats != NULL)
			statsobj.Destruct(&e->stats);
		free(e);
		return NULL;
	}
	return e;
}

/* The entry of address key in bucket h, made if it is new (or "other"
 * beyond exporterStatsMax); NULL when out of memory. Under exporters.mut. */
static exporter_stats_t *findExporterStats(const uint8_t *key, unsigned h, const char *address)
{
	exporter_stats_t *e;

	for (e = exporters.buckets[h]; e != NULL; e = e->next)
		if (memcmp(e->addr, key, sizeof(e->addr)) == 0)
			return e;
	if (exporters.count >= runModConf->exporterStatsMax) {
		if (exporters.other == NULL)
			exporters.other = newExporterStats(key, "other");
		return exporters.other;
	}
	if ((e = newExporterStats(key, address)) == NULL)
		return NULL;
	e->next = exporters.buckets[h];
	exporters.buckets[h] = e;
	exporters.count++;
	return e;
}

/* The counters of the sender of a datagram, made at its first datagram;
 * NULL when exporterStats is off (or out of memory). */
exporter_stats_t *exporterStats(const struct sockaddr_storage *from, const char *address)
{
	uint8_t key[16];
	uint64_t h;
	exporter_stats_t *e;

	if (!runModConf->exporterStats)
		return NULL;
	(void)mappedAddress(from, key);
	h = nf_fnv1a(NF_FNV_OFFSET, key, sizeof(key));
	pthread_mutex_lock(&exporters.mut);
	e = findExporterStats(key, h % EXPORTER_BUCKETS, address);
	pthread_mutex_unlock(&exporters.mut);
	return e;
}

void freeExporterStats(void)
{
	for (int b = 0; b < EXPORTER_BUCKETS; b++)
		while (exporters.buckets[b] != NULL) {
			exporter_stats_t *e = exporters.buckets[b];
			exporters.buckets[b] = e->next;
			statsobj.Destruct(&e->stats);
			free(e);
		}
	if (exporters.other != NULL) {
		statsobj.Destruct(&exporters.other->stats);
		free(exporters.other);
	}
	memset(exporters.buckets, 0, sizeof(exporters.buckets));
	exporters.count = 0;
	exporters.other = NULL;
}

/* A worker's template state as impstats shows it, copied for worker 0. */
void publishSessionStats(worker_t *w)
{
	published_stats_t p = {.counters = *nf_session_stats(w->session)};
#define PUBLISH_GAUGE(field, label, fn) p.field = fn(w->session);
	SESSION_GAUGES(PUBLISH_GAUGE)
	pthread_mutex_lock(&workers.mut);
	w->published = p;
	pthread_mutex_unlock(&workers.mut);
}

/* Adds one worker's published values to sum (under workers.mut). */
void addPublishedStats(published_stats_t *sum, const published_stats_t *p)
{
#define SUM_SESSION_COUNTER(field, label) sum->counters.field += p->counters.field;
	SESSION_COUNTERS(SUM_SESSION_COUNTER)
#define SUM_SESSION_GAUGE(field, label, fn) sum->field += p->field;
	SESSION_GAUGES(SUM_SESSION_GAUGE)
}

/* The impstats values of the template state: the workers' summed, into
 * locals first. Only thread 0 writes the counters; impstats reads them
 * meanwhile, as whole 64-bit words. */
void syncSessionStats(void)
{
	published_stats_t sum;

	memset(&sum, 0, sizeof(sum));
	pthread_mutex_lock(&workers.mut);
	for (int i = 0; i < workers.n; i++)
		addPublishedStats(&sum, &workers.w[i].published);
	streamSessionStats(&sum);
	pthread_mutex_unlock(&workers.mut);
#define SYNC_SESSION_COUNTER(field, label) core.field = (intctr_t)sum.counters.field;
	SESSION_COUNTERS(SYNC_SESSION_COUNTER)
#define SYNC_SESSION_GAUGE(field, label, fn) core.field = (intctr_t)sum.field;
	SESSION_GAUGES(SYNC_SESSION_GAUGE)
}

