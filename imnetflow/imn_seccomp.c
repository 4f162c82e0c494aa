/* imn_seccomp.c - the receiving threads' seccomp filter (imn_seccomp.h).
 * imn_sandbox.c applies it in the module (parameter "sandbox"), the fuzz
 * target to the decoder.
 *
 * The list is measured, not guessed: strace on the receiving threads of an
 * rsyslogd under load, every format, ecs, impstats, template persistence,
 * threads="2" (SECURITY.md has the figures). Anything else is trapped
 * (SIGSYS): the handler counts it and makes it fail with EPERM; or the
 * process is killed.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "imn_seccomp.h"

#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <ucontext.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (linux/signal.h) */
#endif

/* The register a trapped system call returns in: where the handler can
 * make it fail. Elsewhere the filter fails it in the kernel, uncounted. */
#if defined(__x86_64__)
#define SET_SYSCALL_RESULT(uc, v) ((uc)->uc_mcontext.gregs[REG_RAX] = (greg_t)(v))
#elif defined(__aarch64__)
#define SET_SYSCALL_RESULT(uc, v) ((uc)->uc_mcontext.regs[0] = (unsigned long long)(v))
#endif

uint64_t imn_seccomp_refused;
int imn_seccomp_last;

/* Seen in the receiving threads under load (contrib/sandbox-strace.py,
 * SECURITY.md): poll, recvmmsg, futex, mprotect, madvise, rt_sigprocmask,
 * restart_syscall, exit; rt_sigreturn returns from the SIGSYS handler (seen
 * in test_sandbox.py). The others are what those calls stand in for
 * elsewhere: ppoll is poll on architectures without it; malloc grows and
 * trims its heaps with mmap, munmap, mremap and brk (the main arena, or
 * every thread with MALLOC_ARENA_MAX=1); the clocks are system calls where
 * the vDSO cannot read the clock source. */
static const int allowedCalls[] = {
	/* receiving */
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(recvmmsg),
	/* locks, condition variables: the outbox, statistics, rsyslog's objects */
	SCMP_SYS(futex),
	/* memory (mmap and mprotect without PROT_EXEC: below) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* clocks */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	/* signals: the SIGSYS handler returns, a poll interrupted by a signal
	 * (or a debugger) resumes */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	/* the thread's end (it returns: no pthread_exit, no unwinding) */
	SCMP_SYS(exit),
};

/* What a stream thread (imn_stream.c: tcp, sctp) needs besides: accepting
 * connections, reading them (recv is recvfrom where there is no recv
 * call), closing them. */
static const int streamCalls[] = {
	SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(close),
};

static void onSigsys(int sig, siginfo_t *si, void *context)
{
	(void)sig;
	if (si->si_code != SYS_SECCOMP)
		return;
	__atomic_fetch_add(&imn_seccomp_refused, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&imn_seccomp_last, si->si_syscall, __ATOMIC_RELAXED);
#ifdef SET_SYSCALL_RESULT
	SET_SYSCALL_RESULT((ucontext_t *)context, -EPERM);
#else
	(void)context;
#endif
}

int imn_seccomp_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = onSigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

/* glibc state that is set up at its first use, by reading a file: done
 * here, before the filter, so that no filtered thread is the first.
 *  - the time zone (the first local time conversion reads TZ's file);
 *  - whether a thread arena's heap may shrink (its first shrink reads
 *    /proc/sys/vm/overcommit_memory): a megabyte taken from this thread's
 *    arena in blocks below the mmap threshold and given back in reverse
 *    order coalesces into the top of the heap, above the trim threshold,
 *    and free shrinks it.
 * Seen as refused openat calls (a backtrace from the SIGSYS handler) when
 * the test suite ran with sandbox="kill". */
static void initGlibcState(void)
{
	enum { BLOCKS = 16, BLOCK = 64 * 1024 };
	void *block[BLOCKS];
	time_t now = time(NULL);
	struct tm tm;

	tzset();
	(void)localtime_r(&now, &tm);
	for (int i = 0; i < BLOCKS; i++)
		block[i] = malloc(BLOCK);
	for (int i = BLOCKS - 1; i >= 0; i--)
		free(block[i]);
}

/* Allows every call of list (n entries) in ctx. Returns 0 or libseccomp's error. */
static int allowAll(scmp_filter_ctx ctx, const int *list, size_t n)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		if (list[i] >= 0) /* not every call exists on every architecture */
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i], 0);
	return rc;
}

/* The filter: allowedCalls, streamCalls too for a stream thread, and sendmmsg on
 * sendFds (the tee sockets) only. */
static int enterFilter(enum imn_seccomp_action action, bool stream, const int *sendFds, int nsend)
{
	uint32_t deflt;
	scmp_filter_ctx ctx;
	sigset_t sigsys;
	int rc = 0;

#ifdef SET_SYSCALL_RESULT
	deflt = action == IMN_SECCOMP_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_TRAP;
#else
	deflt = action == IMN_SECCOMP_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
#endif
	/* rsyslog's threads block all signals (the receiving threads inherit
	 * that from its input thread): the trap must get through */
	sigemptyset(&sigsys);
	sigaddset(&sigsys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sigsys, NULL);
	initGlibcState();
	if ((ctx = seccomp_init(deflt)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = allowAll(ctx, allowedCalls, sizeof(allowedCalls) / sizeof(allowedCalls[0]));
	if (rc == 0 && stream)
		rc = allowAll(ctx, streamCalls, sizeof(streamCalls) / sizeof(streamCalls[0]));
	/* memory, but never executable memory */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* tee (imn_tee.c): copies of the datagrams, on its own sockets only */
	for (int i = 0; rc == 0 && i < nsend; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmmsg), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sendFds[i]));
	if (rc == 0)
		rc = seccomp_load(ctx); /* sets no_new_privs for this thread: needed without CAP_SYS_ADMIN */
	seccomp_release(ctx);
	if (rc != 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int imn_seccomp_enter(enum imn_seccomp_action action, const int *sendFds, int nsend)
{
	return enterFilter(action, false, sendFds, nsend);
}

int imn_seccomp_enter_stream(enum imn_seccomp_action action, const int *sendFds, int nsend)
{
	return enterFilter(action, true, sendFds, nsend);
}

char *imn_seccomp_name(int nr)
{
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}
