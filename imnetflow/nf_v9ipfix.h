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

#include "nf_datagram.h"
#include "nf_decode.h"
#include "nf_list.h"
#include "nf_session.h"
#include "nf_template.h"

/* Decodes one v9 or IPFIX datagram: learns its templates in the scope of
 * d->exporter, version and source id / domain, emits its flow and options
 * records (renormalised when asked), keeps data sets whose template is
 * missing, and counts the sequence gap before it in the stream of
 * d->source, version and source id / domain (which also keeps what options
 * records teach: boot time, sampling rates, names).
 * Returns NF_OK; NF_ERR_SHORT when shorter than the header; NF_ERR_VERSION
 * when not 9 or 10; NF_ERR_TRUNCATED when the IPFIX length exceeds the
 * datagram; NF_ERR_SET when a set header is malformed (records before it
 * were emitted); NF_ERR_NOMEM. Malformed template records do not fail the
 * datagram: they are counted in d->result.template_errors. */
int nf_v9ipfix_decode(nf_decoder_t *d, const uint8_t *buf, size_t len);

#endif /* NF_V9IPFIX_H */
