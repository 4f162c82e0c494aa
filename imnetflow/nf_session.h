/* nf_session.h - the state kept between datagrams, with documented bounds.
 *
 * Two tables apart. Template scopes (the RFC 7011 / RFC 3954 template
 * scope: exporter address + observation domain or source id, optionally
 * the exporter's port, as the input's templateScope says) hold templates
 * and the data sets waiting for one; only v9 and IPFIX use them. Streams
 * (nf_stream_t: one exporter's export stream, keyed by the real exporter)
 * hold what every protocol learns per exporter: sequence numbers, the boot
 * time, sampling rates and names from options records. So v5 and sFlow
 * exporters never take a template scope, and a flood of them cannot evict
 * a v9 exporter's templates. Everything is bounded (nf_limits_t) and
 * evicted least recently used first; every eviction, expiry and drop is
 * counted in nf_session_stats_t. Not thread-safe: one session per
 * receiving thread.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_SESSION_H
#define NF_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nf_decode.h"
#include "nf_template.h"

typedef struct nf_limits {
	uint32_t max_scopes;              /* scopes held at once (default 16384) */
	uint32_t max_templates_per_scope; /* default 1024 */
	size_t max_template_bytes;        /* memory of all templates together (default 64 MiB) */
	uint32_t template_timeout;        /* seconds without refresh before a template expires;
					     0 = never (default 5400: 3 x Cisco's 30 min refresh) */
	size_t max_pending_bytes_per_scope; /* data sets waiting for their template (default 256 KiB) */
	size_t max_pending_bytes;         /* all scopes together (default 16 MiB) */
	uint32_t pending_timeout;         /* seconds a waiting data set is kept (default 60) */
	uint32_t max_streams;             /* exporter streams held at once (default 16384) */
} nf_limits_t;

/* Fills l with the defaults above. */
void nf_limits_default(nf_limits_t *l);

/* The key of a template scope, and of a stream. */
typedef struct nf_scope_key {
	uint8_t addr[16];  /* exporter address, IPv6 or IPv4-mapped IPv6; zero when not part of the key */
	uint16_t port;     /* exporter port, 0 when not part of the key */
	uint16_t version;  /* 9 or 10: a v9 source id and an IPFIX domain are different scopes;
			      streams: 1, 5, 7, 9, 10, or an sFlow agent's (not a NetFlow version) */
	uint32_t domain;   /* v9 source id, IPFIX observation domain id, v5 engine, sFlow sub-agent */
} nf_scope_key_t;

typedef struct nf_session_stats {
	uint64_t templates_added;     /* new templates and changed redefinitions */
	uint64_t templates_refreshed; /* identical re-sends */
	uint64_t templates_changed;   /* of templates_added, redefinitions with another layout */
	uint64_t templates_withdrawn; /* IPFIX withdrawals */
	uint64_t templates_evicted;   /* dropped for a limit (per scope, memory, scope eviction) */
	uint64_t templates_expired;   /* dropped for template_timeout */
	uint64_t scopes_evicted;      /* scopes dropped for max_scopes */
	uint64_t pending_buffered;    /* data sets stored to wait for their template */
	uint64_t pending_decoded;     /* of those, handed back when the template came */
	uint64_t pending_dropped;     /* of those, dropped: expired, or a limit */
	uint64_t names_dropped;       /* interface/application names over NF_NAMES_PER_STREAM */
	uint64_t streams_evicted;     /* streams forgotten for max_streams */
} nf_session_stats_t;

typedef struct nf_session nf_session_t;
typedef struct nf_scope nf_scope_t;
typedef struct nf_stream nf_stream_t;

/* Returns a new, empty session, or NULL when out of memory. */
nf_session_t *nf_session_new(const nf_limits_t *limits);
void nf_session_free(nf_session_t *s);
const nf_session_stats_t *nf_session_stats(const nf_session_t *s);

/* Bytes held by the template state (scopes, templates, pending data), and
 * by the streams. */
size_t nf_session_memory(const nf_session_t *s);
size_t nf_session_stream_memory(const nf_session_t *s);
size_t nf_session_scope_count(const nf_session_t *s);
size_t nf_session_template_count(const nf_session_t *s);
size_t nf_session_stream_count(const nf_session_t *s);

/* Finds the scope of key, creating it (and evicting the least recently used
 * scope when max_scopes is reached). Returns NULL only when out of memory. */
nf_scope_t *nf_session_scope(nf_session_t *s, const nf_scope_key_t *key, time_t now);

const nf_scope_key_t *nf_scope_key(const nf_scope_t *scope);

/* Stores t in scope (the session takes ownership), replacing a template of
 * the same id. An identical re-send only refreshes the stored one (t is
 * freed). Evicts least recently used templates to honour the limits.
 * Returns NF_OK, or NF_ERR_LIMIT when t alone exceeds max_template_bytes
 * (t is freed). */
int nf_scope_put_template(nf_session_t *s, nf_scope_t *scope, nf_template_t *t, time_t now);

/* The template id of scope, or NULL. A template past template_timeout is
 * removed (counted as expired) and NULL returned. */
const nf_template_t *nf_scope_template(nf_session_t *s, nf_scope_t *scope, uint16_t id, time_t now);

/* IPFIX withdrawals: one template, or all data (options=0) or all options
 * (options=1) templates of the scope. */
void nf_scope_withdraw(nf_session_t *s, nf_scope_t *scope, uint16_t id);
void nf_scope_withdraw_all(nf_session_t *s, nf_scope_t *scope, int options);

/* Keeps a copy of a data set whose template has not arrived (body: opaque
 * bytes the decoder wants back; it keeps the whole set, header included),
 * with the facts of its datagram. Returns NF_OK,
 * or NF_ERR_LIMIT when it cannot be kept (counted as dropped). */
int nf_scope_pend(nf_session_t *s, nf_scope_t *scope, uint16_t template_id, const uint8_t *body,
		  size_t len, const nf_datagram_info_t *info, time_t now);

/* Hands every kept data set of template_id to fn, oldest first, then
 * forgets them (counted as decoded). */
typedef void (*nf_pending_fn)(void *ctx, const uint8_t *body, size_t len, const nf_datagram_info_t *info);
void nf_scope_take_pending(nf_session_t *s, nf_scope_t *scope, uint16_t template_id, nf_pending_fn fn,
			   void *ctx);

/* Drops expired templates and pending data sets. Cheap enough to call once
 * a second. */
void nf_session_expire(nf_session_t *s, time_t now);

/* Finds the stream of key (the real exporter: its address, its port where
 * exporters are told apart by port, the version and domain), creating it
 * and forgetting the least recently used stream when max_streams is
 * reached. Returns NULL only when out of memory; every nf_stream_*
 * function takes NULL as a stream that knows nothing. */
nf_stream_t *nf_session_stream(nf_session_t *s, const nf_scope_key_t *key);

/* Sequence tracking (RFC 3954: v9 counts export packets; RFC 7011: IPFIX
 * counts data records; v5/v7 flows; sFlow datagrams). seq: the header's
 * sequence number; advance: what this datagram adds. Serial-number
 * arithmetic: returns the records or packets missing before this datagram
 * (0 when in order), and sets *reset when the number went backwards or
 * jumped by more than 2^30 (an exporter restart); the first datagram of a
 * stream is never a gap. */
uint32_t nf_stream_sequence(nf_stream_t *stream, uint32_t seq, uint32_t advance, int *reset);

/* The sequence number a stream expects next, as if its last datagram had
 * just been seen (restored after a restart: the datagrams missed while the
 * collector was down are then a gap). */
void nf_stream_expect_sequence(nf_stream_t *stream, uint32_t seq_next);

/* What options records taught about the exporter of a stream: its boot
 * time (IPFIX systemInitTimeMilliseconds), for sysUpTime-relative flow
 * times. -1 until learned. */
int64_t nf_stream_init_ms(const nf_stream_t *stream);
void nf_stream_set_init_ms(nf_stream_t *stream, int64_t ms);

/* Sampling rates learned from options records, per sampler (samplerId or
 * selectorId; 0 when the options record names none). At most
 * NF_SAMPLERS_PER_STREAM are kept; a new one replaces the oldest. */
#define NF_SAMPLERS_PER_STREAM 8
void nf_stream_set_sampling(nf_stream_t *stream, uint64_t sampler, uint32_t interval);
/* The interval of sampler, else of sampler 0, else 0 (unknown). */
uint32_t nf_stream_sampling(const nf_stream_t *stream, uint64_t sampler);
/* True once the stream has learned any sampling rate (a cheap test for
 * the per-record path). */
bool nf_stream_has_sampling(const nf_stream_t *stream);

/* Names learned from options records: interface names (ifIndex ->
 * interfaceName) and application names (applicationId -> applicationName),
 * at most NF_NAMES_PER_STREAM per stream, each cut to NF_NAME_MAX bytes; a
 * name beyond the cap is not kept (counted in names_dropped). */
#define NF_NAMES_PER_STREAM 4096
#define NF_NAME_MAX 64
typedef enum nf_name_kind { NF_NAME_INTERFACE = 1, NF_NAME_APPLICATION = 2 } nf_name_kind_t;
void nf_stream_set_name(nf_session_t *s, nf_stream_t *stream, nf_name_kind_t kind, uint64_t key,
			const uint8_t *name, size_t len);
/* The name, or NULL; *len is set to its length. */
const uint8_t *nf_stream_name(const nf_stream_t *stream, nf_name_kind_t kind, uint64_t key, size_t *len);
/* True once the stream has learned any name. */
bool nf_stream_has_names(const nf_stream_t *stream);

/* Elements loaded from a file, used when templates are compiled; the
 * session does not own d. NULL: the built-in dictionary alone. */
void nf_session_set_dictionary(nf_session_t *s, const nf_dict_t *d);
const nf_dict_t *nf_session_dictionary(const nf_session_t *s);

/* Forgets everything of the exporter addr, port (a closed connection of a
 * stream transport): its template scopes of every version and domain, with
 * their templates (counted as withdrawn) and pending data sets (counted as
 * dropped), and its streams. Walks every scope and stream: for a
 * connection's end, not for every datagram. Returns the scopes forgotten. */
size_t nf_session_forget(nf_session_t *s, const uint8_t addr[16], uint16_t port);

/* Visits every template (for persistence), scope by scope. */
typedef void (*nf_template_visit_fn)(void *ctx, const nf_scope_key_t *key, const nf_template_t *t);
void nf_session_foreach_template(const nf_session_t *s, nf_template_visit_fn fn, void *ctx);
/* Calls fn for every stream that has seen a sequence number, least
 * recently used first: its key and the sequence number it expects next. */
typedef void (*nf_stream_visit_fn)(void *ctx, const nf_scope_key_t *key, uint32_t seq_next);
void nf_session_foreach_sequence(const nf_session_t *s, nf_stream_visit_fn fn, void *ctx);

#endif /* NF_SESSION_H */
