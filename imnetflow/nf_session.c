/* nf_session.c - the state kept between datagrams, with documented bounds.
 *
 * Template scopes and streams each live in a keyed table: a chained hash
 * and an LRU list (keytab_t). Each scope keeps its templates in a small
 * chained hash and an LRU list of its own; all templates of the session
 * are also in one LRU list, so that the memory limit evicts the least
 * recently used template whichever exporter owns it. Pending data sets are
 * a FIFO per scope. Every byte held is accounted: the template state's in
 * `memory`, the streams' in `stream_memory`.
 *
 * Compiled templates are shared: exporters of one model send the same
 * templates, so a scope's entry refers to one reference-counted copy per
 * distinct template (kept in a hash by content). A template's bytes count
 * once, each entry's bytes once per scope.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_session.h"

#include "nf_hash.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_TEMPLATE_BUCKETS 16
#define NAME_BUCKETS 64

/* A doubly linked list node, for the LRU lists. */
typedef struct link {
	struct link *prev, *next;
} link_t;

typedef struct tentry {
	link_t lru;               /* session-wide template LRU; first member */
	link_t scope_lru;         /* the scope's template LRU, in the same order */
	struct tentry *next;      /* in the scope's bucket */
	struct nf_scope *scope;
	nf_template_t *t;
	time_t refreshed;         /* last put, for template_timeout */
} tentry_t;

typedef struct name_entry {
	struct name_entry *next;
	uint64_t key;
	uint8_t kind;
	uint8_t len;
	uint8_t name[NF_NAME_MAX];
} name_entry_t;

typedef struct pending {
	struct pending *next;
	uint16_t template_id;
	time_t at;
	nf_datagram_info_t info;
	size_t len;
	uint8_t data[];
} pending_t;

/* An entry of a keyed table; first member of a scope and of a stream. */
typedef struct keyed {
	link_t lru;               /* the table's LRU; first member */
	struct keyed *next;       /* in the table's bucket */
	nf_scope_key_t key;
} keyed_t;

/* Entries by key, in a chained hash sized for the table's cap, and in
 * LRU order (head: most recently used). */
typedef struct keytab {
	keyed_t **buckets;
	size_t nbuckets;          /* a power of two */
	size_t count;
	link_t lru;
} keytab_t;

struct nf_scope {
	keyed_t keyed;            /* first member */
	tentry_t *templates[SCOPE_TEMPLATE_BUCKETS];
	link_t template_lru;      /* its templates, most recently used first */
	uint32_t ntemplates;
	pending_t *pend_head, *pend_tail;
	size_t pend_bytes;
};

struct nf_stream {
	keyed_t keyed;            /* first member */
	int seq_valid;
	uint32_t seq_next;
	int64_t init_ms;          /* exporter boot time, from options; -1 unknown */
	struct {
		uint64_t sampler;
		uint32_t interval;    /* 0: slot unused */
	} sampling[NF_SAMPLERS_PER_STREAM];
	unsigned sampling_next;   /* slot the next new sampler takes */
	bool has_sampling;        /* a slot was ever used */
	name_entry_t **names;     /* NAME_BUCKETS chains, allocated at the first name */
	uint32_t nnames;
};

struct nf_session {
	nf_limits_t limits;
	nf_session_stats_t stats;
	keytab_t scopes;
	keytab_t streams;
	size_t ntemplates;
	link_t template_lru;
	size_t template_bytes;    /* entries and the distinct templates they share */
	nf_template_t **shared;   /* distinct templates by content hash, chained */
	size_t nshared_buckets;   /* a power of two, or 0 */
	size_t nshared;
	size_t pending_bytes;
	size_t memory;            /* template state: scopes, templates, pending data, the scope table */
	size_t stream_memory;     /* streams, their names, the stream table */
	const nf_dict_t *dict;    /* further elements, not owned */
};

void nf_limits_default(nf_limits_t *l)
{
	l->max_scopes = 16384;
	l->max_templates_per_scope = 1024;
	l->max_template_bytes = 64u << 20;
	l->template_timeout = 5400;
	l->max_pending_bytes_per_scope = 256u << 10;
	l->max_pending_bytes = 16u << 20;
	l->pending_timeout = 60;
	l->max_streams = 16384;
}

/* ---- lists ---- */
static void list_init(link_t *head)
{
	head->prev = head->next = head;
}

static void list_remove(link_t *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static void list_push_front(link_t *head, link_t *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void list_touch(link_t *head, link_t *n)
{
	list_remove(n);
	list_push_front(head, n);
}

/* ---- keyed tables ---- */
/* Over the fields, not the padding. */
static size_t key_hash(const nf_scope_key_t *k)
{
	const uint8_t extra[] = {(uint8_t)(k->port >> 8), (uint8_t)k->port, (uint8_t)k->version};
	uint64_t h = nf_fnv1a_u32(nf_fnv1a(nf_fnv1a(NF_FNV_OFFSET, k->addr, sizeof(k->addr)), extra, sizeof(extra)),
				  k->domain);

	return (size_t)(h ^ (h >> 29));
}

static int key_equal(const nf_scope_key_t *a, const nf_scope_key_t *b)
{
	return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 && a->port == b->port &&
	       a->version == b->version && a->domain == b->domain;
}

/* Buckets for up to max entries (at most 2^20). Returns their bytes, or 0
 * when out of memory. */
static size_t keytab_init(keytab_t *t, uint32_t max)
{
	size_t n = 64;

	while (n < max && n < (1u << 20))
		n <<= 1;
	if ((t->buckets = calloc(n, sizeof(*t->buckets))) == NULL)
		return 0;
	t->nbuckets = n;
	t->count = 0;
	list_init(&t->lru);
	return n * sizeof(*t->buckets);
}

static keyed_t **keytab_slot(const keytab_t *t, const nf_scope_key_t *key)
{
	keyed_t **p = &t->buckets[key_hash(key) & (t->nbuckets - 1)];
	while (*p != NULL && !key_equal(&(*p)->key, key))
		p = &(*p)->next;
	return p;
}

/* The entry of key, made the most recently used; NULL when absent. */
static keyed_t *keytab_find(keytab_t *t, const nf_scope_key_t *key)
{
	keyed_t *e = *keytab_slot(t, key);

	if (e != NULL)
		list_touch(&t->lru, &e->lru);
	return e;
}

/* Adds e, whose key is set and not in t, as the most recently used. */
static void keytab_insert(keytab_t *t, keyed_t *e)
{
	keyed_t **slot = keytab_slot(t, &e->key);

	e->next = *slot;
	*slot = e;
	list_push_front(&t->lru, &e->lru);
	t->count++;
}

static void keytab_remove(keytab_t *t, keyed_t *e)
{
	*keytab_slot(t, &e->key) = e->next;
	list_remove(&e->lru);
	t->count--;
}

/* The least recently used entry, or NULL. */
static keyed_t *keytab_oldest(const keytab_t *t)
{
	return t->count > 0 ? (keyed_t *)t->lru.prev : NULL;
}

/* A template entry used now: first in the session's LRU and its scope's. */
static void touch_template(nf_session_t *s, tentry_t *e)
{
	list_touch(&s->template_lru, &e->lru);
	list_touch(&e->scope->template_lru, &e->scope_lru);
}

/* ---- session ---- */
nf_session_t *nf_session_new(const nf_limits_t *limits)
{
	nf_session_t *s = calloc(1, sizeof(*s));
	size_t scope_bytes, stream_bytes = 0;

	if (s == NULL)
		return NULL;
	s->limits = *limits;
	if (s->limits.max_scopes == 0)
		s->limits.max_scopes = 1;
	if (s->limits.max_streams == 0)
		s->limits.max_streams = 1;
	if ((scope_bytes = keytab_init(&s->scopes, s->limits.max_scopes)) == 0 ||
	    (stream_bytes = keytab_init(&s->streams, s->limits.max_streams)) == 0) {
		free(s->scopes.buckets);
		free(s);
		return NULL;
	}
	list_init(&s->template_lru);
	s->memory = sizeof(*s) + scope_bytes;
	s->stream_memory = stream_bytes;
	return s;
}

const nf_session_stats_t *nf_session_stats(const nf_session_t *s)
{
	return &s->stats;
}

size_t nf_session_memory(const nf_session_t *s)
{
	return s->memory;
}

size_t nf_session_stream_memory(const nf_session_t *s)
{
	return s->stream_memory;
}

size_t nf_session_scope_count(const nf_session_t *s)
{
	return s->scopes.count;
}

size_t nf_session_stream_count(const nf_session_t *s)
{
	return s->streams.count;
}

size_t nf_session_template_count(const nf_session_t *s)
{
	return s->ntemplates;
}

const nf_scope_key_t *nf_scope_key(const nf_scope_t *scope)
{
	return &scope->keyed.key;
}

/* ---- templates ---- */
static tentry_t **template_slot(nf_scope_t *scope, uint16_t id)
{
	tentry_t **p = &scope->templates[id % SCOPE_TEMPLATE_BUCKETS];
	while (*p != NULL && (*p)->t->id != id)
		p = &(*p)->next;
	return p;
}

/* ---- shared compiled templates ---- */
static nf_template_t **shared_slot(nf_session_t *s, const nf_template_t *t)
{
	nf_template_t **p = &s->shared[t->hash & (s->nshared_buckets - 1)];
	while (*p != NULL && !nf_template_equal(*p, t))
		p = &(*p)->shared_next;
	return p;
}

static void account_templates(nf_session_t *s, size_t bytes, int add)
{
	if (add) {
		s->template_bytes += bytes;
		s->memory += bytes;
	} else {
		s->template_bytes -= bytes;
		s->memory -= bytes;
	}
}

/* Doubles the hash table of shared templates when it gets full. */
static void grow_shared(nf_session_t *s)
{
	size_t n = s->nshared_buckets ? s->nshared_buckets * 2 : 256;
	nf_template_t **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < s->nshared_buckets; i++)
		while (s->shared[i] != NULL) {
			nf_template_t *t = s->shared[i];
			s->shared[i] = t->shared_next;
			t->shared_next = b[t->hash & (n - 1)];
			b[t->hash & (n - 1)] = t;
		}
	account_templates(s, s->nshared_buckets * sizeof(*b), 0);
	account_templates(s, n * sizeof(*b), 1);
	free(s->shared);
	s->shared = b;
	s->nshared_buckets = n;
}

/* The shared copy of t, with a reference taken for the caller: an equal
 * template already held (t is freed), or t itself, now shared. NULL when
 * out of memory (t is freed). */
static nf_template_t *share_template(nf_session_t *s, nf_template_t *t)
{
	nf_template_t **slot;

	if (s->nshared >= s->nshared_buckets)
		grow_shared(s);
	if (s->nshared_buckets == 0) {
		nf_template_free(t);
		return NULL;
	}
	t->hash = nf_template_hash(t);
	slot = shared_slot(s, t);
	if (*slot != NULL) {
		nf_template_free(t);
		(*slot)->refs++;
		return *slot;
	}
	t->refs = 1;
	t->shared_next = NULL;
	*slot = t;
	s->nshared++;
	account_templates(s, nf_template_size(t), 1);
	return t;
}

static void unshare_template(nf_session_t *s, nf_template_t *t)
{
	nf_template_t **slot;

	if (--t->refs > 0)
		return;
	slot = shared_slot(s, t);
	*slot = t->shared_next;
	s->nshared--;
	account_templates(s, nf_template_size(t), 0);
	nf_template_free(t);
}

/* Unlinks and frees the template entry at slot; counts nothing. */
static void drop_template(nf_session_t *s, nf_scope_t *scope, tentry_t **slot)
{
	tentry_t *e = *slot;
	*slot = e->next;
	list_remove(&e->lru);
	list_remove(&e->scope_lru);
	scope->ntemplates--;
	s->ntemplates--;
	account_templates(s, sizeof(*e), 0);
	unshare_template(s, e->t);
	free(e);
}

static void evict_template_entry(nf_session_t *s, tentry_t *e)
{
	drop_template(s, e->scope, template_slot(e->scope, e->t->id));
	s->stats.templates_evicted++;
}

/* The least recently used template of one scope (it has one). */
static tentry_t *scope_lru_template(nf_scope_t *scope)
{
	return (tentry_t *)((char *)scope->template_lru.prev - offsetof(tentry_t, scope_lru));
}

static int expired(const nf_session_t *s, const tentry_t *e, time_t now)
{
	return s->limits.template_timeout != 0 && now - e->refreshed > (time_t)s->limits.template_timeout;
}

int nf_scope_put_template(nf_session_t *s, nf_scope_t *scope, nf_template_t *t, time_t now)
{
	size_t bytes = nf_template_size(t) + sizeof(tentry_t);
	tentry_t **slot = template_slot(scope, t->id), *e;
	nf_template_t *shared;

	if (*slot != NULL && nf_template_equal((*slot)->t, t)) {
		(*slot)->refreshed = now;
		touch_template(s, *slot);
		s->stats.templates_refreshed++;
		nf_template_free(t);
		return NF_OK;
	}
	if (bytes > s->limits.max_template_bytes) {
		nf_template_free(t);
		return NF_ERR_LIMIT;
	}
	if (*slot != NULL) {
		drop_template(s, scope, slot); /* redefinition replaces */
		s->stats.templates_changed++;
	}
	/* the reference taken here keeps the shared copy while evicting */
	if ((shared = share_template(s, t)) == NULL)
		return NF_ERR_NOMEM;
	while (scope->ntemplates >= s->limits.max_templates_per_scope && scope->ntemplates > 0)
		evict_template_entry(s, scope_lru_template(scope));
	while (s->template_bytes + sizeof(*e) > s->limits.max_template_bytes && s->ntemplates > 0)
		evict_template_entry(s, (tentry_t *)s->template_lru.prev);
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		unshare_template(s, shared);
		return NF_ERR_NOMEM;
	}
	e->scope = scope;
	e->t = shared;
	e->refreshed = now;
	slot = template_slot(scope, shared->id);
	e->next = *slot;
	*slot = e;
	list_push_front(&s->template_lru, &e->lru);
	list_push_front(&scope->template_lru, &e->scope_lru);
	scope->ntemplates++;
	s->ntemplates++;
	account_templates(s, sizeof(*e), 1);
	s->stats.templates_added++;
	return NF_OK;
}

const nf_template_t *nf_scope_template(nf_session_t *s, nf_scope_t *scope, uint16_t id, time_t now)
{
	tentry_t **slot = template_slot(scope, id);

	if (*slot == NULL)
		return NULL;
	if (expired(s, *slot, now)) {
		drop_template(s, scope, slot);
		s->stats.templates_expired++;
		return NULL;
	}
	touch_template(s, *slot);
	return (*slot)->t;
}

void nf_scope_withdraw(nf_session_t *s, nf_scope_t *scope, uint16_t id)
{
	tentry_t **slot = template_slot(scope, id);
	if (*slot == NULL)
		return;
	drop_template(s, scope, slot);
	s->stats.templates_withdrawn++;
}

void nf_scope_withdraw_all(nf_session_t *s, nf_scope_t *scope, int options)
{
	for (int b = 0; b < SCOPE_TEMPLATE_BUCKETS; b++) {
		tentry_t **slot = &scope->templates[b];
		while (*slot != NULL) {
			if (((*slot)->t->is_options != 0) == (options != 0)) {
				drop_template(s, scope, slot);
				s->stats.templates_withdrawn++;
			} else {
				slot = &(*slot)->next;
			}
		}
	}
}

/* ---- pending data ---- */
static void free_pending(nf_session_t *s, nf_scope_t *scope, pending_t *p)
{
	size_t bytes = sizeof(*p) + p->len;
	scope->pend_bytes -= bytes;
	s->pending_bytes -= bytes;
	s->memory -= bytes;
	free(p);
}

/* Drops the oldest pending set of scope (counted). */
static void drop_oldest_pending(nf_session_t *s, nf_scope_t *scope)
{
	pending_t *p = scope->pend_head;
	scope->pend_head = p->next;
	if (scope->pend_head == NULL)
		scope->pend_tail = NULL;
	free_pending(s, scope, p);
	s->stats.pending_dropped++;
}

static void expire_pending(nf_session_t *s, nf_scope_t *scope, time_t now)
{
	while (scope->pend_head != NULL && now - scope->pend_head->at > (time_t)s->limits.pending_timeout)
		drop_oldest_pending(s, scope);
}

/* Frees room in other scopes for the session-wide limit, oldest scopes
 * (least recently used) first. */
static void make_room_total(nf_session_t *s, nf_scope_t *keep, size_t bytes)
{
	for (link_t *n = s->scopes.lru.prev;
	     n != &s->scopes.lru && s->pending_bytes + bytes > s->limits.max_pending_bytes;) {
		nf_scope_t *scope = (nf_scope_t *)n;
		n = n->prev;
		while (scope != keep && scope->pend_head != NULL &&
		       s->pending_bytes + bytes > s->limits.max_pending_bytes)
			drop_oldest_pending(s, scope);
	}
	while (keep->pend_head != NULL && s->pending_bytes + bytes > s->limits.max_pending_bytes)
		drop_oldest_pending(s, keep);
}

int nf_scope_pend(nf_session_t *s, nf_scope_t *scope, uint16_t template_id, const uint8_t *body,
		  size_t len, const nf_datagram_info_t *info, time_t now)
{
	size_t bytes = sizeof(pending_t) + len;
	pending_t *p;

	expire_pending(s, scope, now);
	if (bytes > s->limits.max_pending_bytes_per_scope || bytes > s->limits.max_pending_bytes) {
		s->stats.pending_dropped++;
		return NF_ERR_LIMIT;
	}
	while (scope->pend_bytes + bytes > s->limits.max_pending_bytes_per_scope)
		drop_oldest_pending(s, scope);
	make_room_total(s, scope, bytes);
	if ((p = malloc(bytes)) == NULL) {
		s->stats.pending_dropped++;
		return NF_ERR_NOMEM;
	}
	p->next = NULL;
	p->template_id = template_id;
	p->at = now;
	p->info = *info;
	p->len = len;
	memcpy(p->data, body, len);
	if (scope->pend_tail != NULL)
		scope->pend_tail->next = p;
	else
		scope->pend_head = p;
	scope->pend_tail = p;
	scope->pend_bytes += bytes;
	s->pending_bytes += bytes;
	s->memory += bytes;
	s->stats.pending_buffered++;
	return NF_OK;
}

void nf_scope_take_pending(nf_session_t *s, nf_scope_t *scope, uint16_t template_id, nf_pending_fn fn,
			   void *ctx)
{
	pending_t *taken = NULL, **tail = &taken, **pp = &scope->pend_head;

	/* take the matching sets out first: fn may call back into the session */
	scope->pend_tail = NULL;
	while (*pp != NULL) {
		pending_t *p = *pp;
		if (p->template_id == template_id) {
			*pp = p->next;
			p->next = NULL;
			*tail = p;
			tail = &p->next;
		} else {
			scope->pend_tail = p;
			pp = &p->next;
		}
	}
	while (taken != NULL) {
		pending_t *p = taken;
		taken = p->next;
		fn(ctx, p->data, p->len, &p->info);
		free_pending(s, scope, p);
		s->stats.pending_decoded++;
	}
}

/* ---- scopes ---- */
/* Frees a scope with its templates (each counted in *counted unless it is
 * NULL) and pending sets (counted as dropped). */
static void free_scope(nf_session_t *s, nf_scope_t *scope, uint64_t *counted)
{
	for (int b = 0; b < SCOPE_TEMPLATE_BUCKETS; b++)
		while (scope->templates[b] != NULL) {
			drop_template(s, scope, &scope->templates[b]);
			if (counted != NULL)
				(*counted)++;
		}
	while (scope->pend_head != NULL)
		drop_oldest_pending(s, scope);
	keytab_remove(&s->scopes, &scope->keyed);
	s->memory -= sizeof(*scope);
	free(scope);
}

nf_scope_t *nf_session_scope(nf_session_t *s, const nf_scope_key_t *key, time_t now)
{
	nf_scope_t *scope = (nf_scope_t *)keytab_find(&s->scopes, key);

	(void)now;
	if (scope != NULL)
		return scope;
	if (s->scopes.count >= s->limits.max_scopes) {
		free_scope(s, (nf_scope_t *)keytab_oldest(&s->scopes), &s->stats.templates_evicted);
		s->stats.scopes_evicted++;
	}
	if ((scope = calloc(1, sizeof(*scope))) == NULL)
		return NULL;
	scope->keyed.key = *key;
	list_init(&scope->template_lru);
	keytab_insert(&s->scopes, &scope->keyed);
	s->memory += sizeof(*scope);
	return scope;
}

/* ---- streams ---- */
static void free_names(nf_session_t *s, nf_stream_t *stream)
{
	if (stream->names == NULL)
		return;
	for (int b = 0; b < NAME_BUCKETS; b++)
		while (stream->names[b] != NULL) {
			name_entry_t *e = stream->names[b];
			stream->names[b] = e->next;
			free(e);
		}
	free(stream->names);
	s->stream_memory -= NAME_BUCKETS * sizeof(*stream->names) + stream->nnames * sizeof(name_entry_t);
	stream->names = NULL;
	stream->nnames = 0;
}

static void free_stream(nf_session_t *s, nf_stream_t *stream)
{
	free_names(s, stream);
	keytab_remove(&s->streams, &stream->keyed);
	s->stream_memory -= sizeof(*stream);
	free(stream);
}

nf_stream_t *nf_session_stream(nf_session_t *s, const nf_scope_key_t *key)
{
	nf_stream_t *stream = (nf_stream_t *)keytab_find(&s->streams, key);

	if (stream != NULL)
		return stream;
	if (s->streams.count >= s->limits.max_streams) {
		free_stream(s, (nf_stream_t *)keytab_oldest(&s->streams));
		s->stats.streams_evicted++;
	}
	if ((stream = calloc(1, sizeof(*stream))) == NULL)
		return NULL;
	stream->keyed.key = *key;
	stream->init_ms = -1;
	keytab_insert(&s->streams, &stream->keyed);
	s->stream_memory += sizeof(*stream);
	return stream;
}

uint32_t nf_stream_sequence(nf_stream_t *stream, uint32_t seq, uint32_t advance, int *reset)
{
	uint32_t missing = 0;
	int32_t diff;

	*reset = 0;
	if (stream == NULL)
		return 0;
	diff = (int32_t)(seq - stream->seq_next);
	if (stream->seq_valid && diff != 0) {
		if (diff > 0 && diff < (1 << 30))
			missing = (uint32_t)diff;
		else
			*reset = 1;
	}
	stream->seq_valid = 1;
	stream->seq_next = seq + advance;
	return missing;
}

void nf_stream_expect_sequence(nf_stream_t *stream, uint32_t seq_next)
{
	if (stream == NULL)
		return;
	stream->seq_valid = 1;
	stream->seq_next = seq_next;
}

int64_t nf_stream_init_ms(const nf_stream_t *stream)
{
	return stream != NULL ? stream->init_ms : -1;
}

void nf_stream_set_init_ms(nf_stream_t *stream, int64_t ms)
{
	if (stream != NULL)
		stream->init_ms = ms;
}

void nf_stream_set_sampling(nf_stream_t *stream, uint64_t sampler, uint32_t interval)
{
	unsigned slot;

	if (stream == NULL)
		return;
	slot = stream->sampling_next;
	for (unsigned i = 0; i < NF_SAMPLERS_PER_STREAM; i++)
		if (stream->sampling[i].interval != 0 && stream->sampling[i].sampler == sampler)
			slot = i;
	if (slot == stream->sampling_next)
		stream->sampling_next = (stream->sampling_next + 1) % NF_SAMPLERS_PER_STREAM;
	stream->sampling[slot].sampler = sampler;
	stream->sampling[slot].interval = interval;
	stream->has_sampling |= interval != 0;
}

bool nf_stream_has_sampling(const nf_stream_t *stream)
{
	return stream != NULL && stream->has_sampling;
}

uint32_t nf_stream_sampling(const nf_stream_t *stream, uint64_t sampler)
{
	uint32_t fallback = 0;

	if (stream == NULL)
		return 0;
	for (unsigned i = 0; i < NF_SAMPLERS_PER_STREAM; i++) {
		if (stream->sampling[i].interval == 0)
			continue;
		if (stream->sampling[i].sampler == sampler)
			return stream->sampling[i].interval;
		if (stream->sampling[i].sampler == 0)
			fallback = stream->sampling[i].interval;
	}
	return fallback;
}

static name_entry_t **name_slot(const nf_stream_t *stream, nf_name_kind_t kind, uint64_t key)
{
	name_entry_t **p = &stream->names[(key * 31 + kind) % NAME_BUCKETS];
	while (*p != NULL && ((*p)->key != key || (*p)->kind != kind))
		p = &(*p)->next;
	return p;
}

void nf_stream_set_name(nf_session_t *s, nf_stream_t *stream, nf_name_kind_t kind, uint64_t key,
			const uint8_t *name, size_t len)
{
	name_entry_t **slot, *e;

	if (stream == NULL)
		return;
	if (stream->names == NULL) {
		if ((stream->names = calloc(NAME_BUCKETS, sizeof(*stream->names))) == NULL)
			return;
		s->stream_memory += NAME_BUCKETS * sizeof(*stream->names);
	}
	slot = name_slot(stream, kind, key);
	if ((e = *slot) == NULL) {
		if (stream->nnames >= NF_NAMES_PER_STREAM || (e = calloc(1, sizeof(*e))) == NULL) {
			s->stats.names_dropped++;
			return;
		}
		e->key = key;
		e->kind = (uint8_t)kind;
		*slot = e;
		stream->nnames++;
		s->stream_memory += sizeof(*e);
	}
	e->len = (uint8_t)(len < NF_NAME_MAX ? len : NF_NAME_MAX);
	memcpy(e->name, name, e->len);
}

const uint8_t *nf_stream_name(const nf_stream_t *stream, nf_name_kind_t kind, uint64_t key, size_t *len)
{
	name_entry_t *e;

	if (stream == NULL || stream->names == NULL || (e = *name_slot(stream, kind, key)) == NULL)
		return NULL;
	*len = e->len;
	return e->name;
}

bool nf_stream_has_names(const nf_stream_t *stream)
{
	return stream != NULL && stream->nnames > 0;
}

void nf_session_set_dictionary(nf_session_t *s, const nf_dict_t *d)
{
	s->dict = d;
}

const nf_dict_t *nf_session_dictionary(const nf_session_t *s)
{
	return s->dict;
}

void nf_session_expire(nf_session_t *s, time_t now)
{
	for (link_t *n = s->scopes.lru.next; n != &s->scopes.lru; n = n->next)
		expire_pending(s, (nf_scope_t *)n, now);
	if (s->limits.template_timeout == 0)
		return;
	for (link_t *n = s->template_lru.prev; n != &s->template_lru;) {
		tentry_t *e = (tentry_t *)n;
		n = n->prev;
		if (expired(s, e, now)) {
			drop_template(s, e->scope, template_slot(e->scope, e->t->id));
			s->stats.templates_expired++;
		}
	}
}

/* Whether key is the exporter addr, port's (any version, any domain). */
static int key_of_exporter(const nf_scope_key_t *key, const uint8_t addr[16], uint16_t port)
{
	return key->port == port && memcmp(key->addr, addr, sizeof(key->addr)) == 0;
}

size_t nf_session_forget(nf_session_t *s, const uint8_t addr[16], uint16_t port)
{
	size_t scopes = 0;

	for (link_t *n = s->scopes.lru.next; n != &s->scopes.lru;) {
		nf_scope_t *scope = (nf_scope_t *)n;
		n = n->next;
		if (key_of_exporter(&scope->keyed.key, addr, port)) {
			free_scope(s, scope, &s->stats.templates_withdrawn);
			scopes++;
		}
	}
	for (link_t *n = s->streams.lru.next; n != &s->streams.lru;) {
		nf_stream_t *stream = (nf_stream_t *)n;
		n = n->next;
		if (key_of_exporter(&stream->keyed.key, addr, port))
			free_stream(s, stream);
	}
	return scopes;
}

void nf_session_foreach_template(const nf_session_t *s, nf_template_visit_fn fn, void *ctx)
{
	for (const link_t *n = s->template_lru.next; n != &s->template_lru; n = n->next) {
		const tentry_t *e = (const tentry_t *)n;
		fn(ctx, &e->scope->keyed.key, e->t);
	}
}

void nf_session_foreach_sequence(const nf_session_t *s, nf_stream_visit_fn fn, void *ctx)
{
	for (const link_t *n = s->streams.lru.prev; n != &s->streams.lru; n = n->prev) {
		const nf_stream_t *stream = (const nf_stream_t *)n;
		if (stream->seq_valid)
			fn(ctx, &stream->keyed.key, stream->seq_next);
	}
}

void nf_session_free(nf_session_t *s)
{
	if (s == NULL)
		return;
	while (s->scopes.count > 0)
		free_scope(s, (nf_scope_t *)keytab_oldest(&s->scopes), NULL);
	while (s->streams.count > 0)
		free_stream(s, (nf_stream_t *)keytab_oldest(&s->streams));
	free(s->shared);
	free(s->scopes.buckets);
	free(s->streams.buckets);
	free(s);
}
