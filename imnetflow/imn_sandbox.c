/* imn_sandbox.c - the receiving threads' seccomp filter (module parameter
 * "sandbox"): once set up, each receiving thread allows itself only the
 * system calls that receiving, decoding and handing messages to the outbox
 * thread need. The filter is the thread's own (no TSYNC): rsyslog's other
 * threads are not filtered, among them its input thread, which starts the
 * receiving threads and runs the outbox (imn_outbox.c).
 *
 * sandbox="errno": any other system call fails with EPERM. The filter traps
 * it (SIGSYS); the handler counts it (impstats "sandbox.refused"), notes
 * which call it was and makes it return -EPERM; the outbox thread logs it,
 * at most once a minute. sandbox="kill": rsyslogd is killed (SIGSYS, a core
 * dump where enabled). sandbox="off": no filter.
 *
 * The filter itself, and the list of allowed calls, is imn_seccomp.c.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include <fcntl.h>

#include "imn_seccomp.h"

/* Once, before the receiving threads start: the SIGSYS handler is the
 * process's (only seccomp's SIGSYS of a filtered thread reaches it). */
rsRetVal sandboxSetup(int mode)
{
	DEFiRet;

	if (mode == SANDBOX_ERRNO && imn_seccomp_setup() != 0) {
		LogError(errno, RS_RET_ERR, MOD_NAME ": cannot handle SIGSYS for the sandbox");
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
	RETiRet;
}

/* Installs the calling thread's filter: a receiving thread's, or with
 * stream a stream thread's. The tee sockets are the only ones it may send
 * on. Returns 0, or -1 with errno set. */
static int enterFilter(int mode, bool stream)
{
	enum imn_seccomp_action action = mode == SANDBOX_KILL ? IMN_SECCOMP_KILL : IMN_SECCOMP_TRAP;
	int nTee = teeSockets(NULL, 0);
	int *teeFds = NULL;
	int rc, err;

	if (mode == SANDBOX_OFF)
		return 0;
	if (nTee > 0 && (teeFds = calloc((size_t)nTee, sizeof(*teeFds))) == NULL)
		return -1;
	nTee = teeSockets(teeFds, nTee);
	rc = stream ? imn_seccomp_enter_stream(action, teeFds, nTee) : imn_seccomp_enter(action, teeFds, nTee);
	err = errno;
	free(teeFds);
	errno = err;
	return rc;
}

int sandboxEnter(int mode)
{
	return enterFilter(mode, false);
}

/* The same for a stream thread (imn_stream.c), which also accepts, reads
 * and closes connections. */
int sandboxEnterStream(int mode)
{
	return enterFilter(mode, true);
}

/* From the outbox thread, every second: logs refused calls, at most once
 * in ERROR_LOG_INTERVAL seconds. */
void sandboxReport(time_t now)
{
	static uint64_t reported;
	static time_t lastLog;
	uint64_t refused = __atomic_load_n(&imn_seccomp_refused, __ATOMIC_RELAXED);
	char *name;

	if (refused == reported || (lastLog != 0 && now - lastLog < ERROR_LOG_INTERVAL))
		return;
	name = imn_seccomp_name(__atomic_load_n(&imn_seccomp_last, __ATOMIC_RELAXED));
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
