/* imn_seccomp.h - the receiving threads' seccomp filter itself: which
 * system calls a thread that receives and decodes datagrams may make. No
 * rsyslog headers: the fuzz target (tests/fuzz/fuzz_decode.c) runs the
 * decoder under the same filter.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef IMN_SECCOMP_H
#define IMN_SECCOMP_H

#include <stdint.h>

#pragma GCC visibility push(hidden)

enum imn_seccomp_action {
	IMN_SECCOMP_TRAP, /* SIGSYS: imn_seccomp_setup's handler counts it, the call fails with EPERM */
	IMN_SECCOMP_KILL, /* the process dies of SIGSYS */
};

/* What the handler has counted: refused calls (all threads), the last one's
 * number. Written in the signal handler, read with atomic loads. */
extern uint64_t imn_seccomp_refused;
extern int imn_seccomp_last;

/* Installs the process's SIGSYS handler, once before any filtered thread
 * runs. Returns 0, or -1 with errno set. */
int imn_seccomp_setup(void);

/* Installs the calling thread's filter (its own: other threads are not
 * affected; threads it starts later inherit it). sendmmsg is allowed on the
 * nsend sockets sendFds (tee's) and on no other. Returns 0, or -1 with
 * errno set. */
int imn_seccomp_enter(enum imn_seccomp_action action, const int *sendFds, int nsend);

/* The same filter for a stream thread: also accept4, recvfrom and close,
 * for its connections. */
int imn_seccomp_enter_stream(enum imn_seccomp_action action, const int *sendFds, int nsend);

/* The name of system call nr, malloc'ed (free it), or NULL. */
char *imn_seccomp_name(int nr);

#pragma GCC visibility pop

#endif
