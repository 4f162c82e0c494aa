/* nf_persist.h - templates saved to and restored from a text file.
 *
 * Cisco re-sends templates only every 30 minutes by default: without the
 * templates of before a restart, the data of that half hour would wait.
 * One line per template:
 *   T <addr: 32 hex digits> <port> <version> <domain> <id> <options 0|1>
 *     <scope fields> <fields> <pen>:<id>:<len> ...
 * after a first line "imnetflow-templates 1"; and streams' sequence
 * numbers (nf_persist_save_sequences), which the load restores too.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_PERSIST_H
#define NF_PERSIST_H

#include <stdio.h>
#include <time.h>

#include "nf_session.h"

/* Writes every template of s to f. Returns the number written, or -1 on a
 * write error. */
long nf_persist_save(const nf_session_t *s, FILE *f);

/* Appends to f, after nf_persist_save, the sequence number every stream of
 * s expects next, one line each:
 *   S <addr: 32 hex digits> <port> <version> <domain> <sequence>
 * Saved at shutdown only: restored, the datagrams missed while the
 * collector was down count as missing, not as a new start. Returns the
 * number written, or -1 on a write error. */
long nf_persist_save_sequences(const nf_session_t *s, FILE *f);

/* Reads templates from f into s, as if received at now. Lines that do not
 * parse, or whose template does not compile, are skipped and counted in
 * *skipped. Returns the number restored, or -1 if f is not such a file. */
long nf_persist_load(nf_session_t *s, FILE *f, time_t now, long *skipped);

/* The session a restored template of scope key goes to (one of several:
 * a session per receiving thread). Never NULL. */
typedef nf_session_t *(*nf_persist_route_fn)(void *ctx, const nf_scope_key_t *key);

/* nf_persist_load, each template put into the session route chooses for
 * its scope. Same return codes. */
long nf_persist_load_routed(FILE *f, time_t now, nf_persist_route_fn route, void *ctx, long *skipped);

#endif /* NF_PERSIST_H */
