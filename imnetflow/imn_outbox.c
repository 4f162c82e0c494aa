/* imn_outbox.c - the outbox: what the receiving threads may not do inside
 * their sandbox (imn_sandbox.c) they hand over to rsyslog's input thread.
 *
 * A receiving thread builds its messages, but submitting them to rsyslog's
 * queues is not left to it: an enqueue may start a queue worker thread, and
 * a thread started by a filtered thread inherits its seccomp filter, so
 * rsyslog's outputs would then run sandboxed; a disk queue or a queue of
 * type Direct writes, or runs the actions, in the enqueuing thread. Logging
 * (an internal message is an enqueue too) and writing the template file
 * (open, write, fsync, rename in workDirectory: allowing open would undo the
 * sandbox, as seccomp cannot look at paths) are handed over as well.
 *
 * Each worker collects items (worker_t.pending) and hands them over in
 * batches into one bounded ring. The outbox runs on rsyslog's input thread
 * (runInput), which is never filtered: the receiving threads are threads
 * runInput starts. It takes the items in order; a full ring makes the
 * receiving threads wait, as a full queue would.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include <stdarg.h>

#define OUTBOX_SIZE 8192
#define OUTBOX_TAKE 256 /* items the outbox thread takes at once */

static struct {
	pthread_mutex_t mut;
	pthread_cond_t notEmpty, notFull;
	outbox_item_t ring[OUTBOX_SIZE];
	unsigned head, count;
} outbox = {.mut = PTHREAD_MUTEX_INITIALIZER,
	    .notEmpty = PTHREAD_COND_INITIALIZER,
	    .notFull = PTHREAD_COND_INITIALIZER};

/* ---------------------------------------------------------------------------
 * The receiving threads' side.
 */
void outboxFlush(worker_t *w)
{
	if (w->npending == 0)
		return;
	pthread_mutex_lock(&outbox.mut);
	for (int i = 0; i < w->npending; i++) {
		while (outbox.count == OUTBOX_SIZE)
			pthread_cond_wait(&outbox.notFull, &outbox.mut);
		outbox.ring[(outbox.head + outbox.count) % OUTBOX_SIZE] = w->pending[i];
		outbox.count++;
	}
	pthread_cond_signal(&outbox.notEmpty);
	pthread_mutex_unlock(&outbox.mut);
	w->npending = 0;
}

void outboxPut(worker_t *w, const outbox_item_t *item)
{
	if (w->npending == OUTBOX_PENDING)
		outboxFlush(w);
	w->pending[w->npending++] = *item;
}

/* An error message for rsyslog's log, formatted here (memory only). */
void outboxLog(worker_t *w, int err, rsRetVal code, const char *fmt, ...)
{
	outbox_item_t it = {.kind = OUT_LOG, .err = err, .code = code};
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&it.text, fmt, ap) < 0)
		it.text = NULL;
	va_end(ap);
	if (it.text != NULL)
		outboxPut(w, &it);
}

/* ---------------------------------------------------------------------------
 * The outbox thread's side.
 */
typedef struct submit_batch {
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t sub;
	ruleset_t *ruleset; /* of the messages in sub: one batch goes to one queue */
} submit_batch_t;

static void submitRecordMsg(submit_batch_t *b, const outbox_item_t *it)
{
	listener_t *l = it->lstn;
	rsRetVal r;

	if (b->sub.nElem > 0 && b->ruleset != l->inst->pBindRuleset)
		multiSubmitFlush(&b->sub);
	b->ruleset = l->inst->pBindRuleset;
	r = ratelimitAddMsg(l->ratelimiter, &b->sub, it->msg);
	if (r == RS_RET_DISCARDMSG) {
		STATSCOUNTER_INC(l->ctrRatelimited, l->mut_ctrRatelimited);
		if (it->state != NULL) /* the worker reads and resets it in its summaries */
			__atomic_fetch_add(&it->state->ratelimited, 1, __ATOMIC_RELAXED);
	} else if (r != RS_RET_OK) {
		static time_t lastLog;
		time_t now = time(NULL);
		STATSCOUNTER_INC(l->ctrFailed, l->mut_ctrFailed);
		if (now - lastLog >= ERROR_LOG_INTERVAL) { /* see impstats records.failed for the count */
			LogError(0, r, MOD_NAME ": %s: a flow message could not be handed to rsyslog", l->display);
			lastLog = now;
		}
	} else {
		STATSCOUNTER_INC(l->ctrSubmitted, l->mut_ctrSubmitted);
	}
}

static void handle(submit_batch_t *b, outbox_item_t *it)
{
	switch (it->kind) {
	case OUT_RECORD:
		submitRecordMsg(b, it);
		break;
	case OUT_EVENT:
		multiSubmitFlush(&b->sub); /* in order with the records before it */
		if (submitMsg2(it->msg) == RS_RET_OK) {
			STATSCOUNTER_INC(it->lstn->ctrEvents, it->lstn->mut_ctrEvents);
		} else {
			STATSCOUNTER_INC(it->lstn->ctrFailed, it->lstn->mut_ctrFailed);
		}
		break;
	case OUT_LOG:
		LogError(it->err, it->code, "%s", it->text);
		break;
	case OUT_SAVE:
		writeTemplateFile(it->worker, it->text, it->len);
		break;
	}
	free(it->text);
}

/* Runs on rsyslog's input thread, outside the sandbox, until rsyslog
 * stops the input and every receiving thread has ended and handed over
 * its last items. */
void outboxRun(thrdInfo_t *pThrd)
{
	submit_batch_t b = {.sub = {.maxElem = CONF_NUM_MULTISUB}};
	outbox_item_t take[OUTBOX_TAKE];
	bool stopping = false;

	b.sub.ppMsgs = b.msgs;
	pthread_mutex_lock(&outbox.mut);
	for (;;) {
		unsigned n = 0;
		struct timespec until;

		if (!stopping && pThrd->bShallStop == RSTRUE) {
			stopping = true;
			__atomic_store_n(&workers.stop, 1, __ATOMIC_RELEASE);
		}
		if (outbox.count == 0 && stopping && __atomic_load_n(&workers.running, __ATOMIC_ACQUIRE) == 0)
			break;
		if (outbox.count == 0) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += POLL_TIMEOUT_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&outbox.notEmpty, &outbox.mut, &until);
		}
		while (n < OUTBOX_TAKE && outbox.count > 0) {
			take[n++] = outbox.ring[outbox.head];
			outbox.head = (outbox.head + 1) % OUTBOX_SIZE;
			outbox.count--;
		}
		pthread_cond_broadcast(&outbox.notFull);
		pthread_mutex_unlock(&outbox.mut);
		for (unsigned i = 0; i < n; i++)
			handle(&b, &take[i]);
		multiSubmitFlush(&b.sub);
		sandboxReport(time(NULL));
		pthread_mutex_lock(&outbox.mut);
	}
	pthread_mutex_unlock(&outbox.mut);
}

/* A receiving thread's last act. */
void outboxWorkerDone(void)
{
	pthread_mutex_lock(&outbox.mut);
	__atomic_sub_fetch(&workers.running, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&outbox.notEmpty);
	pthread_mutex_unlock(&outbox.mut);
}
