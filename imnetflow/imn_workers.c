/* imn_workers.c - the workers (one per receiving thread: its template and
 * stream state, its buffers) and the template file they are saved to and
 * restored from (module parameter persistTemplates).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

workers_t workers = {.mut = PTHREAD_MUTEX_INITIALIZER};

/* Changes to a worker's template set since start: what makes a save
 * worthwhile. */
uint64_t templateChanges(const worker_t *w)
{
	const nf_session_stats_t *st = nf_session_stats(w->session);
	return st->templates_added + st->templates_withdrawn + st->templates_evicted + st->templates_expired;
}

/* Worker k's template file: worker 0's is TEMPLATE_FILE, as with one
 * thread; worker k's TEMPLATE_FILE.k. */
static void templateFileName(int k, char *buf, size_t size)
{
	if (k == 0)
		snprintf(buf, size, "%s", core.templateFile);
	else
		snprintf(buf, size, "%s.%d", core.templateFile, k);
}

/* Writes the templates of worker k (data, len bytes) to a temporary file
 * and renames it over its file, so that a crash never leaves a
 * half-written file. Runs outside the sandbox: in the outbox thread, or at
 * shutdown. Returns 0, or -1 (logged). */
static int writeTemplates(int k, const char *data, size_t len)
{
	char path[4096], tmp[4200];
	FILE *f;
	int ok = 0;

	templateFileName(k, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) != NULL) {
		ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
		if (fclose(f) != 0)
			ok = 0;
	}
	if (!ok || rename(tmp, path) != 0) {
		LogError(errno, RS_RET_IO_ERROR, MOD_NAME ": cannot save templates to %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

void writeTemplateFile(int k, const char *data, size_t len)
{
	if (writeTemplates(k, data, len) != 0) /* saved again at the next interval */
		__atomic_store_n(&workers.w[k].savedChanges, UINT64_MAX, __ATOMIC_RELAXED);
}

/* Worker w's templates as the file holds them (and, withSequences, at
 * shutdown, its streams' sequence numbers), in memory (open_memstream
 * needs no system call beyond memory): a malloc'ed buffer, or NULL. */
static char *templateSnapshot(worker_t *w, bool withSequences, size_t *len)
{
	char *data = NULL;
	FILE *f = open_memstream(&data, len);
	long n;

	if (f == NULL)
		return NULL;
	n = nf_persist_save(w->session, f);
	if (n >= 0 && withSequences && nf_persist_save_sequences(w->session, f) < 0)
		n = -1;
	if (fclose(f) != 0 || n < 0) {
		free(data);
		return NULL;
	}
	return data;
}

/* From a receiving thread: the snapshot goes to the outbox thread, which
 * writes the file. */
void saveTemplates(worker_t *w)
{
	outbox_item_t it = {.kind = OUT_SAVE, .worker = w->index};
	uint64_t changes = templateChanges(w);

	if (core.templateFile == NULL || w->session == NULL)
		return;
	if ((it.text = templateSnapshot(w, false, &it.len)) == NULL) {
		outboxLog(w, ENOMEM, RS_RET_IO_ERROR, MOD_NAME ": cannot save the templates of thread %d", w->index);
		return;
	}
	__atomic_store_n(&w->savedChanges, changes, __ATOMIC_RELAXED);
	outboxPut(w, &it);
}

/* The session a restored template goes to: its exporter's worker's. */
static nf_session_t *restoredSession(void *ctx, const nf_scope_key_t *key)
{
	(void)ctx;
	return workers.w[exporterWorker(key->addr, workers.n)].session;
}

/* Restores the templates of every worker's file, each into the session of
 * the worker that will read its exporter: the number of threads may differ
 * from when they were saved. Files of workers that no longer exist are
 * removed once read; every worker then saves its own at the next save. */
static void restoreTemplates(void)
{
	for (int k = 0; k < MAX_THREADS; k++) {
		char path[4096];
		FILE *f;
		long n, skipped = 0;

		templateFileName(k, path, sizeof(path));
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = nf_persist_load_routed(f, time(NULL), restoredSession, NULL, &skipped);
		fclose(f);
		if (n < 0 || skipped > 0)
			LogMsg(0, RS_RET_OK, LOG_WARNING, MOD_NAME ": %s: %ld templates restored, %ld lines unusable",
			       path, n < 0 ? 0 : n, n < 0 ? 1 : skipped);
		if (k >= workers.n)
			unlink(path);
	}
	/* saved again at the first chance, without the sequence numbers: after
	 * a crash, old ones would count what arrived since as missing */
	for (int i = 0; i < workers.n; i++)
		workers.w[i].savedChanges = UINT64_MAX;
}

rsRetVal setupPersistence(void)
{
	/* glbl interface 10 (rsyslog 8.2202 on) passes the configuration */
#if glblCURR_IF_VERSION >= 10
	const uchar *workDir = glbl.GetWorkDir(runModConf->pConf);
#else
	const uchar *workDir = glbl.GetWorkDir();
#endif
	DEFiRet;

	if (!runModConf->persistTemplates || workDir == NULL)
		FINALIZE;
	CHKmalloc(core.templateFile = malloc(strlen((const char *)workDir) + sizeof(TEMPLATE_FILE) + 1));
	sprintf(core.templateFile, "%s/%s", (const char *)workDir, TEMPLATE_FILE);
	restoreTemplates();
finalize_it:
	RETiRet;
}

/* A worker's share of the module's template bounds: the totals are split
 * evenly, so that all workers together stay within them (per-scope bounds
 * stay as they are). */
static nf_limits_t workerLimits(int n)
{
	nf_limits_t l = runModConf->limits;

	l.max_scopes = (l.max_scopes + (uint32_t)n - 1) / (uint32_t)n;
	l.max_streams = (l.max_streams + (uint32_t)n - 1) / (uint32_t)n;
	l.max_template_bytes = (l.max_template_bytes + (size_t)n - 1) / (size_t)n;
	l.max_pending_bytes = (l.max_pending_bytes + (size_t)n - 1) / (size_t)n;
	return l;
}

/* What every worker has, receiving datagrams or reading a stream input's
 * connections (imn_stream.c): its record, line buffer, template state
 * (within limits) and exporter table. */
rsRetVal setupWorkerState(worker_t *w, int index, const nf_limits_t *limits)
{
	DEFiRet;

	w->index = index;
	w->servedBy = index;
	CHKmalloc(w->record = malloc(sizeof(*w->record)));
	CHKmalloc(w->line = malloc(LINE_BUFFER_SIZE));
	CHKmalloc(w->session = nf_session_new(limits));
	nf_session_set_dictionary(w->session, runModConf->dictionary);
	setupExporterTable(w, time(NULL));
finalize_it:
	RETiRet;
}

rsRetVal setupWorker(worker_t *w, int index)
{
	nf_limits_t limits = workerLimits(workers.n);
	DEFiRet;

	CHKiRet(setupWorkerState(w, index, &limits));
	CHKmalloc(w->buf = malloc((size_t)workers.batchSize * MAX_DATAGRAM));
	CHKmalloc(w->hdr = calloc(workers.batchSize, sizeof(*w->hdr)));
	CHKmalloc(w->iov = calloc(workers.batchSize, sizeof(*w->iov)));
	CHKmalloc(w->from = calloc(workers.batchSize, sizeof(*w->from)));
	CHKmalloc(w->control = calloc(workers.batchSize, CONTROL_SIZE));
finalize_it:
	RETiRet;
}

/* Frees what a worker holds, not the worker itself. */
void freeWorkerState(worker_t *w)
{
	nf_session_free(w->session);
	freeExporterTable(w);
	nf_enrich_cache_free(w->enrichCache);
	free(w->buf);
	free(w->hdr);
	free(w->iov);
	free(w->from);
	free(w->control);
	free(w->record);
	free(w->line);
}

/* Saves what changed and frees every worker (their threads have ended). */
void freeWorkers(void)
{
	for (int i = 0; i < workers.n; i++) {
		worker_t *w = &workers.w[i];
		if (core.templateFile != NULL && w->session != NULL &&
		    (templateChanges(w) != w->savedChanges || nf_session_stream_count(w->session) > 0)) {
			size_t len;
			char *data = templateSnapshot(w, true, &len); /* at shutdown: with the sequences */
			if (data == NULL) /* writeTemplates logs its own errors */
				LogError(ENOMEM, RS_RET_IO_ERROR, MOD_NAME ": templates of thread %d not saved", w->index);
			else
				(void)writeTemplates(w->index, data, len);
			free(data);
		}
		freeWorkerState(w);
	}
	free(workers.w);
	workers.w = NULL;
	workers.n = 0;
}

