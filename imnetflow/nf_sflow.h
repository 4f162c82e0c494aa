/* nf_sflow.h - sFlow version 5 datagrams (sflow.org sflow_version_5.txt).
 *
 * One record per sample: flow samples (and expanded ones) with their flow
 * records, the sampled packet header decoded down to the transport layer;
 * counter samples (and expanded ones); discarded-packet samples. Unknown
 * sample and record formats are skipped by their length and counted.
 * Every length field is checked against the bytes around it.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_SFLOW_H
#define NF_SFLOW_H

#include "nf_cursor.h"
#include "nf_decode.h"

typedef enum nf_sflow_kind {
	NF_SFLOW_FLOW = 1,     /* flow sample, expanded or not */
	NF_SFLOW_COUNTERS = 2, /* counter sample, expanded or not */
	NF_SFLOW_DISCARD = 3,  /* discarded-packet sample */
} nf_sflow_kind_t;

/* The agent, from the datagram header. */
typedef struct nf_sflow_agent {
	uint8_t addr[16];
	uint8_t addr_len;      /* 4 or 16 */
	uint32_t sub_agent_id;
} nf_sflow_agent_t;

typedef void (*nf_sflow_fn)(void *ctx, const nf_datagram_info_t *info, const nf_sflow_agent_t *agent,
			    nf_sflow_kind_t kind, nf_record_t *rec);

typedef struct nf_sflow_result {
	uint32_t samples;         /* samples emitted */
	uint32_t skipped;         /* samples and records of unknown formats, skipped */
	int has_header;           /* agent and sequence below were read */
	nf_sflow_agent_t agent;
	uint32_t sequence;        /* datagram sequence number of the agent */
} nf_sflow_result_t;

/* True if buf starts like an sFlow v5 datagram (32-bit version 5), which
 * a NetFlow v5 datagram (16-bit version 5, then a count) never does. */
int nf_sflow_detect(const uint8_t *buf, size_t len);

/* Decodes one datagram, calling emit once per sample with rec (scratch
 * space of the caller) filled. info->version is 5, info->sequence the
 * datagram sequence number, info->sys_uptime_ms the agent's uptime and
 * info->export_sec/nsec are left 0 (sFlow carries no wall-clock time).
 * Returns NF_OK; NF_ERR_SHORT when shorter than the header; NF_ERR_VERSION;
 * NF_ERR_TRUNCATED when a sample or record length runs past its container
 * (samples before it were emitted). */
int nf_sflow_decode(const uint8_t *buf, size_t len, nf_record_t *rec, nf_sflow_fn emit, void *ctx,
		    nf_sflow_result_t *result);

#endif /* NF_SFLOW_H */
