/* nf_datagram.c - the one entry into the core: protocol detection and
 * dispatch, and what every decoder shares (emitting, sequence accounting).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_datagram.h"

#include "nf_cursor.h"
#include "nf_legacy.h"
#include "nf_sflow.h"
#include "nf_v9ipfix.h"

#define IPFIX_VERSION 10
#define NETFLOW_V9_VERSION 9
#define IPFIX_HEADER_LEN 16

const char *nf_record_kind_name(nf_record_kind_t kind)
{
	static const char *const names[] = {[NF_KIND_FLOW] = "flow", [NF_KIND_OPTIONS] = "options",
					    [NF_KIND_COUNTERS] = "counters", [NF_KIND_DISCARD] = "discard"};

	return (unsigned)kind < NF_KIND__COUNT ? names[kind] : "flow";
}

/* The protocol of a datagram whose version field reads version. */
static nf_protocol_t protocol_of(const uint8_t *buf, size_t len, int version)
{
	if (nf_sflow_detect(buf, len))
		return NF_PROTO_SFLOW;
	return version == IPFIX_VERSION ? NF_PROTO_IPFIX : NF_PROTO_NETFLOW;
}

nf_protocol_t nf_datagram_protocol(const uint8_t *buf, size_t len)
{
	return protocol_of(buf, len, nf_peek_version(buf, len));
}

int nf_ipfix_frame(const uint8_t *buf, size_t avail, size_t *msg_len, uint16_t *version)
{
	nf_cursor_t c;
	uint16_t len;

	nf_cursor_init(&c, buf, avail);
	if (!nf_cursor_u16(&c, version) || !nf_cursor_u16(&c, &len))
		return NF_END;
	*msg_len = len;
	if (*version != IPFIX_VERSION)
		return NF_ERR_VERSION;
	if (len < IPFIX_HEADER_LEN)
		return NF_ERR_SHORT;
	return avail >= len ? NF_OK : NF_END;
}

int nf_decode_datagram(nf_decoder_t *d, const uint8_t *buf, size_t len)
{
	int version = nf_peek_version(buf, len);
	nf_protocol_t protocol = protocol_of(buf, len, version);
	int rc;

	if (protocol == NF_PROTO_SFLOW)
		rc = nf_sflow_decode(d, buf, len);
	else if (version == NETFLOW_V9_VERSION || version == IPFIX_VERSION)
		rc = nf_v9ipfix_decode(d, buf, len);
	else
		rc = nf_legacy_decode(d, buf, len);
	d->result.protocol = protocol;
	return rc;
}

nf_stream_t *nf_decoder_stream(nf_decoder_t *d, const nf_scope_key_t *key)
{
	return d->session != NULL ? nf_session_stream(d->session, key) : NULL;
}

void nf_decoder_count_sequence(nf_decoder_t *d, nf_stream_t *stream, uint32_t seq, uint32_t advance)
{
	d->result.sequence_missing = nf_stream_sequence(stream, seq, advance, &d->result.sequence_reset);
}
