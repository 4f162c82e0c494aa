/* imn_tls.c - transport="tls": a placeholder until IPFIX over TLS on
 * rsyslog's network stream drivers lands; it refuses to start.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

static rsRetVal tlsListen(instanceConf_t *inst, rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display),
			  void *ctx)
{
	(void)inst;
	(void)add;
	(void)ctx;
	LogError(0, RS_RET_NOT_IMPLEMENTED, MOD_NAME ": transport=\"tls\": not supported by this build yet");
	return RS_RET_NOT_IMPLEMENTED;
}

const stream_transport_t tlsTransport = {"tls", false, tlsListen, NULL, NULL, NULL, NULL};
