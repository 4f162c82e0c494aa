/* nf_v9ipfix.h - NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) datagrams.
 *
 * One set walker serves both protocols; what differs (header layout, set ids
 * of templates, enterprise bits, the meaning of the sequence number) is a
 * table of parameters. Template state lives in an nf_session_t that the
 * caller owns: the decoder only knows the scope key it is given.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_V9IPFIX_H
#define NF_V9IPFIX_H

#include <time.h>

#include "nf_decode.h"
#include "nf_list.h"
#include "nf_session.h"
#include "nf_template.h"

/* Called for every record decoded: flows (t->is_options == 0) and options
 * records. rec and the bytes it points to are valid during the call only;
 * templates resolves the subTemplateLists of rec (see nf_list_walk). */
typedef void (*nf_record_fn)(void *ctx, const nf_datagram_info_t *info, const nf_template_t *t,
			     const nf_record_t *rec, const nf_template_source_t *templates);

/* What one datagram did, for the caller's counters. */
typedef struct nf_v9ipfix_result {
	uint32_t flows;            /* flow records emitted (including pending ones now decoded) */
	uint32_t options;          /* options records emitted */
	uint32_t templates;        /* template and options-template records accepted */
	uint32_t template_errors;  /* template records rejected (malformed, over a limit) */
	uint32_t sets_pending;     /* data sets kept to wait for their template */
	uint32_t sets_dropped;     /* data sets without template that could not be kept */
	uint32_t sequence_missing; /* v9: packets, IPFIX: records missing before this datagram */
	int sequence_reset;        /* the sequence number went backwards or jumped */
} nf_v9ipfix_result_t;

typedef struct nf_v9ipfix_ctx {
	nf_session_t *session;
	nf_scope_key_t exporter; /* addr and port as the scope policy wants them; the
				    decoder fills in version and domain */
	time_t now;
	nf_record_fn emit;
	void *emit_ctx;
	nf_record_t *record;     /* scratch space for one record, the caller's */
	int renormalize;         /* multiply packet and octet counts by the sampling interval */
	nf_v9ipfix_result_t result; /* zeroed by each nf_v9ipfix_decode */
} nf_v9ipfix_ctx_t;

/* Decodes one v9 or IPFIX datagram: learns its templates, emits its
 * records, keeps data sets whose template is missing.
 * Returns NF_OK; NF_ERR_SHORT when shorter than the header; NF_ERR_VERSION
 * when not 9 or 10; NF_ERR_TRUNCATED when the IPFIX length exceeds the
 * datagram; NF_ERR_SET when a set header is malformed (records before it
 * were emitted); NF_ERR_NOMEM. Malformed template records do not fail the
 * datagram: they are counted in result.template_errors. */
int nf_v9ipfix_decode(nf_v9ipfix_ctx_t *ctx, const uint8_t *buf, size_t len);

#endif /* NF_V9IPFIX_H */
