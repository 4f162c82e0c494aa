/* imn_enrich.c - enrichment in the module: the internalNetworks and
 * watchNetworks of each input and the severities they give, and what all
 * inputs share (the networks file, GeoIP/ASN databases, the sampling map),
 * loaded at start-up and again on HUP.
 *
 * The shared data is replaced on HUP while the receiving threads read it:
 * a thread takes the current data once per datagram, and the data replaced
 * is freed once every thread has finished the datagram it took it for (or
 * at the next HUP, or at shutdown). A reload that fails in a part keeps the
 * running data, whole, and says why.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "imn.h"

#include "nf_cidr.h"

#define RETIRE_WAIT_MS 2000 /* at most this long for the threads to let go of a retired db */

/* What all inputs share, replaced as one on HUP. */
typedef struct shared_data {
	nf_enrich_db_t *db;           /* networks file, GeoIP/ASN */
	nf_sampling_map_t *sampling;  /* "sampling"; NULL: none */
} shared_data_t;

static struct {
	shared_data_t *current;   /* read by the receiving threads (atomic loads) */
	shared_data_t *retired;   /* replaced by a HUP, freed once no thread can hold it */
	uint64_t retiredAt[MAX_THREADS + MAX_STREAM_INPUTS]; /* each worker's datagram count when it was replaced */
	unsigned generation;
	pthread_mutex_t mut;      /* HUP against HUP and shutdown */
} enrich = {.mut = PTHREAD_MUTEX_INITIALIZER};

/* A list parameter of prefixes as a table (internalNetworks adds
 * loopback and link-local); a malformed entry is a configuration error. */
static rsRetVal parseNetworkList(const struct cnfarray *names, const char *param, nf_cidr_t **table)
{
	char errors[NF_ENRICH_ERROR_MAX];
	const char **texts = NULL;
	DEFiRet;

	if (names == NULL)
		FINALIZE;
	CHKmalloc(texts = calloc((size_t)names->nmemb + 1, sizeof(*texts)));
	for (int i = 0; i < names->nmemb; i++)
		CHKmalloc(texts[i] = es_str2cstr(names->arr[i], NULL));
	*table = strcmp(param, "internalNetworks") == 0 ? nf_internal_networks(texts, errors, sizeof(errors))
						       : nf_cidr_table(texts, param, errors, sizeof(errors));
	if (*table == NULL) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": %s", errors[0] != '\0' ? errors : "out of memory");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
finalize_it:
	for (int i = 0; texts != NULL && texts[i] != NULL; i++)
		free((char *)texts[i]);
	free(texts);
	RETiRet;
}

rsRetVal parseNetworkLists(instanceConf_t *inst)
{
	DEFiRet;
	CHKiRet(parseNetworkList(inst->internalNames, "internalNetworks", &inst->internal));
	CHKiRet(parseNetworkList(inst->watchNames, "watchNetworks", &inst->watch));
finalize_it:
	RETiRet;
}

/* Whether an endpoint is watched: in watchNetworks, or in a network the
 * networks file gives the role "watch". info: the endpoint as enrichment
 * found it (its address too), or NULL when the flow was not enriched. */
static bool endpointWatched(const instanceConf_t *inst, const nf_record_t *rec, bool destination,
			    const nf_endpoint_info_t *info)
{
	uint8_t addr[16];
	uint32_t v;

	if (info != NULL && info->network != NULL && info->network->role != NULL &&
	    strcmp(info->network->role, "watch") == 0)
		return true;
	if (inst->watch == NULL)
		return false;
	if (info != NULL)
		return info->has_address && nf_cidr_lookup(inst->watch, info->address, &v);
	return nf_record_endpoint_address(rec, destination, addr) && nf_cidr_lookup(inst->watch, addr, &v);
}

/* A flow's severity: a firewall deny, a watched endpoint, or ordinary. */
int flowSeverity(const datagram_ctx_t *d, const nf_record_t *rec, const nf_flow_facts_t *facts)
{
	const instanceConf_t *inst = d->lstn->inst;

	if (facts->denied)
		return inst->severityDeny;
	if (endpointWatched(inst, rec, false, d->enriched ? &d->src : NULL) ||
	    endpointWatched(inst, rec, true, d->enriched ? &d->dst : NULL))
		return inst->severityWatch;
	return inst->severityFlow;
}

/* Logs each line of errors: what is left out, and why. */
static void logLoadErrors(const char *errors, const char *when)
{
	const char *line = errors;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		int n = end != NULL ? (int)(end - line) : (int)strlen(line);
		LogError(0, RS_RET_FILE_NOT_FOUND, MOD_NAME ": %s: %.*s; running without it", when, n, line);
		line = end != NULL ? end + 1 : NULL;
	}
}

static void freeShared(shared_data_t *s)
{
	if (s == NULL)
		return;
	nf_enrich_free(s->db);
	nf_sampling_map_free(s->sampling);
	free(s);
}

/* Loads every shared file; *complete false when a part failed (logged). */
static shared_data_t *loadShared(const char *when, bool *complete)
{
	char errors[4 * NF_ENRICH_ERROR_MAX];
	nf_enrich_config_t c = {.networks_file = (char *)runModConf->networksFile,
				.interface_file = (char *)runModConf->interfaceFile,
				.geoip_city = (char *)runModConf->geoipCity,
				.geoip_asn = (char *)runModConf->geoipAsn,
				.generation = ++enrich.generation};
	shared_data_t *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->db = nf_enrich_load(&c, errors, sizeof(errors))) == NULL) {
		LogError(0, RS_RET_OUT_OF_MEMORY, MOD_NAME ": %s: out of memory, running without enrichment", when);
		freeShared(s);
		*complete = false;
		return NULL;
	}
	*complete = errors[0] == '\0';
	logLoadErrors(errors, when);
	if (runModConf->samplingFile != NULL &&
	    (s->sampling = nf_sampling_map_load((char *)runModConf->samplingFile, errors, sizeof(errors))) == NULL) {
		logLoadErrors(errors, when);
		*complete = false;
	}
	return s;
}

bool enrichmentConfigured(void)
{
	return runModConf->networksFile != NULL || runModConf->geoipCity != NULL || runModConf->geoipAsn != NULL ||
	       runModConf->samplingFile != NULL || runModConf->interfaceFile != NULL;
}

void loadEnrichment(void)
{
	bool complete;

	if (!enrichmentConfigured())
		return;
	enrich.current = loadShared("start-up", &complete);
	for (int i = 0; i < workerCount(); i++)
		workerAt(i)->enrichOn = true;
}

/* Whether no worker can still hold the retired data: each has finished a
 * datagram since it was replaced, or is not in one (a worker marks itself
 * busy before it takes the data and counts the datagram when done). */
static bool retiredUnused(void)
{
	for (int i = 0; i < workerCount(); i++)
		if (__atomic_load_n(&workerAt(i)->busy, __ATOMIC_SEQ_CST) &&
		    __atomic_load_n(&workerAt(i)->datagrams, __ATOMIC_SEQ_CST) == enrich.retiredAt[i])
			return false;
	return true;
}

void enrichmentBegin(datagram_ctx_t *d, nf_decoder_t *dec)
{
	const shared_data_t *s;

	if (!d->w->enrichOn)
		return;
	__atomic_store_n(&d->w->busy, 1, __ATOMIC_SEQ_CST);
	s = __atomic_load_n(&enrich.current, __ATOMIC_SEQ_CST);
	if (s != NULL) {
		d->enrichment = s->db;
		dec->sampling_map = s->sampling;
	}
}

void enrichmentEnd(datagram_ctx_t *d)
{
	if (!d->w->enrichOn)
		return;
	__atomic_add_fetch(&d->w->datagrams, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&d->w->busy, 0, __ATOMIC_SEQ_CST);
}

static void freeRetired(void)
{
	for (int waited = 0; enrich.retired != NULL && !retiredUnused() && waited < RETIRE_WAIT_MS; waited += 10)
		usleep(10000);
	if (enrich.retired != NULL && !retiredUnused()) {
		LogError(0, RS_RET_ERR, MOD_NAME ": HUP: the data replaced last time is still in use, kept");
		return;
	}
	freeShared(enrich.retired);
	enrich.retired = NULL;
}

void reloadEnrichment(void)
{
	shared_data_t *s;
	bool complete;

	if (runModConf == NULL || !enrichmentConfigured())
		return;
	pthread_mutex_lock(&enrich.mut);
	freeRetired();
	if (enrich.retired == NULL && (s = loadShared("HUP", &complete)) != NULL) {
		if (!complete && enrich.current != NULL) {
			/* a part failed: the running data stays, whole */
			LogError(0, RS_RET_ERR, MOD_NAME ": HUP: the networks file, GeoIP databases and sampling "
						 "map were not replaced, the previous ones stay in use");
			freeShared(s);
		} else {
			enrich.retired = __atomic_exchange_n(&enrich.current, s, __ATOMIC_SEQ_CST);
			for (int i = 0; i < workerCount(); i++)
				enrich.retiredAt[i] = __atomic_load_n(&workerAt(i)->datagrams, __ATOMIC_SEQ_CST);
			freeRetired();
		}
	}
	pthread_mutex_unlock(&enrich.mut);
}

void freeEnrichment(void)
{
	pthread_mutex_lock(&enrich.mut);
	freeShared(enrich.retired);
	freeShared(enrich.current);
	enrich.retired = enrich.current = NULL;
	pthread_mutex_unlock(&enrich.mut);
}

/* Enriches a flow record in place (d->src, d->dst for ECS). */
void enrichRecord(datagram_ctx_t *d, nf_record_t *rec)
{
	const nf_enrich_db_t *db = d->enrichment;
	const instanceConf_t *inst = d->lstn->inst;
	unsigned failures = 0;

	d->enriched = false;
	if (!nf_enrich_active(db) && inst->internal == NULL)
		return;
	if (db != NULL) {
		uint8_t exporter[16];
		(void)mappedAddress(d->from, exporter);
		nf_enrich_interfaces(db, exporter, rec);
	}
	if (db != NULL && nf_enrich_has_geo(db) && d->w->enrichCache == NULL)
		d->w->enrichCache = nf_enrich_cache_new();
	nf_enrich_record(db, inst->internal, d->w->enrichCache, rec, &d->src, &d->dst, &failures);
	d->enriched = true;
	if (failures > 0)
		STATSCOUNTER_ADD(d->lstn->ctrGeoipFailed, d->lstn->mut_ctrGeoipFailed, failures);
}
