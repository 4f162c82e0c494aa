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
#include "nf_datagram.h"
#include "nf_decode.h"

/* True if buf starts like an sFlow v5 datagram (32-bit version 5), which
 * a NetFlow v5 datagram (16-bit version 5, then a count) never does. */
int nf_sflow_detect(const uint8_t *buf, size_t len);

/* Decodes one datagram, emitting one record per sample (flow samples as
 * NF_KIND_FLOW, renormalised by their sampling rate when asked; counter
 * samples as NF_KIND_COUNTERS; discarded-packet samples as
 * NF_KIND_DISCARD), with the agent. info->version is 5, info->sequence the
 * datagram sequence number, info->sys_uptime_ms the agent's uptime and
 * info->export_sec/nsec are left 0 (sFlow carries no wall-clock time).
 * With a session, the datagram sequence numbers are counted per agent and
 * sub-agent (whoever sent the datagram). d->result.skipped counts the
 * samples and records of unknown formats.
 * Returns NF_OK; NF_ERR_SHORT when shorter than the header; NF_ERR_VERSION;
 * NF_ERR_TRUNCATED when a sample or record length runs past its container
 * (samples before it were emitted). */
int nf_sflow_decode(nf_decoder_t *d, const uint8_t *buf, size_t len);

#endif /* NF_SFLOW_H */
