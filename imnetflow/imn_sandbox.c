/* imn_sandbox.c - the receiving threads' seccomp filter (module parameter
 * "sandbox"): once set up, each receiving thread allows itself only the
 * system calls that receiving, decoding and handing messages to the outbox
 * thread need. The filter is the thread's own (no TSYNC): rsyslog's other
 * threads, and the outbox thread, which runInput starts before any filter
 * exists, are not filtered.
 *
 * sandbox="errno": any other system call fails with EPERM. The filter traps
 * it (SIGSYS); the handler counts it (impstats "sandbox.refused"), notes
 * which call it was and makes it return -EPERM; the outbox thread logs it,
 * at most once a minute. sandbox="kill": rsyslogd is killed (SIGSYS, a core
 * dump where enabled). sandbox="off": no filter.
 *
 * The list is measured, not guessed: strace -f on the receiving threads of
 * an rsyslogd under load, every format, ecs, impstats, template
 * persistence, threads="2" (SECURITY.md has the figures).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (linux/signal.h) */
#endif

/* The registers a trapped system call returns in: where errno mode can
 * make it fail. Elsewhere errno mode fails it in the kernel, uncounted. */
#if defined(__x86_64__)
#define SET_SYSCALL_RESULT(uc, v) ((uc)->uc_mcontext.gregs[REG_RAX] = (greg_t)(v))
#elif defined(__aarch64__)
#define SET_SYSCALL_RESULT(uc, v) ((uc)->uc_mcontext.regs[0] = (unsigned long long)(v))
#endif

/* Seen in the receiving threads under load (strace -c, SECURITY.md): poll,
 * recvmmsg, futex, mprotect, madvise, rt_sigprocmask, rt_sigreturn,
 * restart_syscall, exit. The others are what those calls stand in for
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
	/* signals: rsyslog's SIGTTIN to its input thread, the SIGSYS handler,
	 * a poll interrupted by a signal (or a debugger) resumes */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	/* the thread's end (rsyslog's input thread too, after runInput) */
	SCMP_SYS(exit),
};

static void onSigsys(int sig, siginfo_t *si, void *context)
{
	(void)sig;
	if (si->si_code != SYS_SECCOMP)
		return;
	__atomic_fetch_add(&core.sandboxRefused, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&core.sandboxLastCall, si->si_syscall, __ATOMIC_RELAXED);
#ifdef SET_SYSCALL_RESULT
	SET_SYSCALL_RESULT((ucontext_t *)context, -EPERM);
#else
	(void)context;
#endif
}

/* Once, before the receiving threads start: the SIGSYS handler is the
 * process's (only seccomp's SIGSYS of a filtered thread reaches it). */
rsRetVal sandboxSetup(int mode)
{
	struct sigaction sa;
	DEFiRet;

	if (mode != SANDBOX_ERRNO)
		FINALIZE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = onSigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		LogError(errno, RS_RET_ERR, MOD_NAME ": cannot handle SIGSYS for the sandbox");
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
	RETiRet;
}

/* Installs the calling thread's filter. Returns 0, or -1 with errno set. */
int sandboxEnter(int mode)
{
	uint32_t deflt;
	scmp_filter_ctx ctx;
	sigset_t sigsys;
	int rc = 0;

	if (mode == SANDBOX_OFF)
		return 0;
#ifdef SET_SYSCALL_RESULT
	deflt = mode == SANDBOX_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_TRAP;
#else
	deflt = mode == SANDBOX_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
#endif
	/* rsyslog's input thread blocks all signals: the trap must get through */
	sigemptyset(&sigsys);
	sigaddset(&sigsys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sigsys, NULL);
	if ((ctx = seccomp_init(deflt)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(allowedCalls) / sizeof(allowedCalls[0]); i++)
		if (allowedCalls[i] >= 0) /* not every call exists on every architecture */
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowedCalls[i], 0);
	/* memory, but never executable memory */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_load(ctx); /* sets no_new_privs for this thread: needed without CAP_SYS_ADMIN */
	seccomp_release(ctx);
	if (rc != 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* From the outbox thread, every second: logs refused calls, at most once
 * in ERROR_LOG_INTERVAL seconds. */
void sandboxReport(time_t now)
{
	static uint64_t reported;
	static time_t lastLog;
	uint64_t refused = __atomic_load_n(&core.sandboxRefused, __ATOMIC_RELAXED);
	char *name;

	if (refused == reported || (lastLog != 0 && now - lastLog < ERROR_LOG_INTERVAL))
		return;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
						__atomic_load_n(&core.sandboxLastCall, __ATOMIC_RELAXED));
	LogError(0, RS_RET_ERR,
		 MOD_NAME ": sandbox refused %llu system call(s) of the receiving threads (%llu in all), the "
		 "last %s: a decoder bug or an attack; see SECURITY.md",
		 (unsigned long long)(refused - reported), (unsigned long long)refused, name ? name : "unknown");
	free(name);
	reported = refused;
	lastLog = now;
}

#ifdef IMN_SANDBOX_SELFTEST
/* Test build only: a datagram starting with this makes the receiving
 * thread try what a compromised decoder would, and log what it got. */
#define SELFTEST_MAGIC "imnetflow-sandbox-selftest"
#include <sys/syscall.h>

static const char *errName(int e)
{
	return e == 0 ? "allowed" : strerrorname_np(e) ? strerrorname_np(e) : "failed";
}

void sandboxSelftest(worker_t *w, const uint8_t *buf, size_t len)
{
	static char *const argv[] = {(char *)"/bin/true", NULL};
	int fd, sock, ex, eOpen, eSock, eExec;

	if (len < sizeof(SELFTEST_MAGIC) - 1 || memcmp(buf, SELFTEST_MAGIC, sizeof(SELFTEST_MAGIC) - 1) != 0)
		return;
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	eOpen = fd < 0 ? errno : 0;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	eSock = sock < 0 ? errno : 0;
	/* execve would replace rsyslogd if it were allowed: a path that does not exist */
	ex = (int)syscall(SYS_execve, "/nonexistent/imnetflow-selftest", argv, NULL);
	eExec = ex < 0 ? errno : 0;
	outboxLog(w, 0, RS_RET_ERR, MOD_NAME ": sandbox selftest: open %s, socket %s, execve %s",
		  errName(eOpen), errName(eSock), errName(eExec));
	if (fd >= 0)
		close(fd);
	if (sock >= 0)
		close(sock);
}
#endif
