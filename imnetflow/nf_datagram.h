/* nf_datagram.h - the one contract of the decoders, and the one entry into
 * the core.
 *
 * A datagram of any supported protocol goes in through nf_decode_datagram;
 * every record it holds comes out through one callback type, nf_emit_fn,
 * with what it is (flow, options, counters, discard) and what a renderer
 * needs beside it. The core does the per-protocol policy itself: sequence
 * accounting (v5/v7 flows, v9 packets, IPFIX records, sFlow datagrams per
 * agent) and renormalisation by the sampling interval. Each protocol's
 * decoder (nf_legacy.h, nf_v9ipfix.h, nf_sflow.h) has the same signature,
 * int decode(nf_decoder_t *, buf, len), for callers that already know the
 * protocol.
 *
 * Return codes are those of nf_decode.h: NF_OK or NF_END on success (all
 * records emitted), a negative NF_ERR_* when the datagram is malformed
 * (records before the fault have been emitted).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_DATAGRAM_H
#define NF_DATAGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nf_decode.h"
#include "nf_list.h"
#include "nf_sampling.h"
#include "nf_session.h"

/* The protocol families, as bits (a listener accepts a set of them). */
typedef enum nf_protocol {
	NF_PROTO_NETFLOW = 1, /* NetFlow v1, v5, v7, v9, and anything malformed */
	NF_PROTO_IPFIX = 2,
	NF_PROTO_SFLOW = 4,
} nf_protocol_t;

/* What a record is. */
typedef enum nf_record_kind {
	NF_KIND_FLOW = 0,     /* a flow record, or an sFlow flow sample */
	NF_KIND_OPTIONS = 1,  /* a v9/IPFIX options record */
	NF_KIND_COUNTERS = 2, /* an sFlow counter sample */
	NF_KIND_DISCARD = 3,  /* an sFlow discarded-packet sample */
	NF_KIND__COUNT
} nf_record_kind_t;

/* "flow", "options", "counters", "discard"; static, never NULL. */
const char *nf_record_kind_name(nf_record_kind_t kind);

/* The sFlow agent, from the datagram header. */
typedef struct nf_sflow_agent {
	uint8_t addr[16];
	uint8_t addr_len; /* 4 or 16 */
	uint32_t sub_agent_id;
} nf_sflow_agent_t;

/* One record, as handed to the callback. Everything it points to is valid
 * during the call only. */
typedef struct nf_emitted {
	const nf_datagram_info_t *info;
	const nf_record_t *record;
	nf_record_kind_t kind;
	const nf_template_source_t *templates; /* v9/IPFIX: resolves subTemplateLists
						  (nf_list_walk); NULL otherwise */
	const nf_sflow_agent_t *agent;         /* sFlow: the agent; NULL otherwise */
} nf_emitted_t;

typedef void (*nf_emit_fn)(void *ctx, const nf_emitted_t *e);

/* What one datagram did, for the caller's counters. */
typedef struct nf_decode_result {
	nf_protocol_t protocol;
	uint32_t records;          /* records emitted, every kind (v9/IPFIX: pending ones now decoded too) */
	uint32_t kind[NF_KIND__COUNT]; /* of those, how many of each nf_record_kind_t */
	uint32_t templates;        /* v9/IPFIX template and options-template records accepted */
	uint32_t template_errors;  /* template records rejected (malformed, over a limit) */
	uint32_t templates_changed; /* of templates, redefinitions of an id with another layout */
	uint32_t sets_pending;     /* data sets kept to wait for their template */
	uint32_t sets_dropped;     /* data sets without template that could not be kept */
	uint32_t skipped;          /* sFlow samples and records of unknown formats, skipped */
	uint32_t sequence_missing; /* v5/v7: flows, v9: packets, IPFIX: records, sFlow: datagrams missing */
	int sequence_reset;        /* the sequence number went backwards or jumped */
	nf_datagram_info_t info;   /* the datagram's header as read (version 0: unreadable) */
	nf_sflow_agent_t agent;    /* sFlow: the agent (addr_len 0 otherwise) */
	uint32_t times_implausible; /* derived flow times dropped (nf_times_check) */
} nf_decode_result_t;

/* The decoder's inputs, and its result. */
typedef struct nf_decoder {
	nf_session_t *session;   /* templates and stream state; NULL: no stream state
				    (v9/IPFIX need one) */
	nf_scope_key_t exporter; /* the template scope: address and port as the input's
				    templateScope wants them; the decoder fills in version
				    and domain */
	nf_scope_key_t source;   /* the real exporter: its address, and its port where the
				    input tells exporters apart by port; keys the streams
				    (version and domain filled in likewise) */
	time_t now;
	nf_emit_fn emit;
	void *emit_ctx;
	nf_record_t *record;        /* scratch space for one record, the caller's */
	int renormalize;            /* multiply packet and octet counts by the sampling interval */
	const struct nf_sampling_map *sampling_map; /* rates of exporters that state none; NULL: none */
	nf_decode_result_t result;  /* zeroed by each decode */
} nf_decoder_t;

/* The protocol of a datagram, from its first bytes; NF_PROTO_NETFLOW for
 * anything not IPFIX or sFlow, so that malformed datagrams reach the
 * NetFlow decoder's error. */
nf_protocol_t nf_datagram_protocol(const uint8_t *buf, size_t len);

/* Frames the IPFIX message at the start of a stream's bytes (RFC 7011
 * §10.4: messages back to back, each framed by its header's length).
 * Returns NF_OK with *msg_len when the whole message is in buf[0..avail);
 * NF_END when more bytes are needed to tell; NF_ERR_VERSION when the
 * version is not 10 (*version says which: 9 is NetFlow v9, whose header has
 * no length to frame it); NF_ERR_SHORT when the length is below the
 * 16-byte header (*msg_len is that length). A bad header is reported as
 * soon as its first 4 bytes are in, before the rest of the message. */
int nf_ipfix_frame(const uint8_t *buf, size_t avail, size_t *msg_len, uint16_t *version);

/* Decodes one datagram of any protocol, emitting every record through
 * d->emit. Returns NF_OK or NF_END, or a negative NF_ERR_* (nf_strerror). */
int nf_decode_datagram(nf_decoder_t *d, const uint8_t *buf, size_t len);

/* The stream of key (nf_session_stream); NULL without a session. */
nf_stream_t *nf_decoder_stream(nf_decoder_t *d, const nf_scope_key_t *key);

/* Sequence accounting of a stream: the missing count and reset flag into
 * d->result. Nothing for a NULL stream. */
void nf_decoder_count_sequence(nf_decoder_t *d, nf_stream_t *stream, uint32_t seq, uint32_t advance);

/* Hands the record to d->emit and counts it. */
static inline void nf_decoder_emit(nf_decoder_t *d, const nf_emitted_t *e)
{
	d->result.records++;
	d->result.kind[e->kind]++;
	d->emit(d->emit_ctx, e);
}

#endif /* NF_DATAGRAM_H */
