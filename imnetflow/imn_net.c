/* imn_net.c - UDP sockets (bound in activateCnfPrePrivDrop, while still
 * privileged), the listeners made of them, and the receiving threads that
 * read them with recvmmsg and hand each datagram to imn_msg.c.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include "nf_cidr.h"

listener_t *listenerRoot = NULL;

/* ---------------------------------------------------------------------------
 * Sockets: bound in activateCnfPrePrivDrop, while still privileged.
 */
/* A socket bound to ai's address, and to port unless it is negative (the
 * second and later sockets of a SO_REUSEPORT group take the port the
 * first got, which matters for port 0). */
static int openSocket(const struct addrinfo *ai, int rcvbufSize, int port, int reuseport)
{
	int on = 1;
	int sock = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	struct sockaddr_storage addr;

	if (sock < 0)
		return -1;
	memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
	if (port >= 0 && ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)port);
	else if (port >= 0)
		((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)port);
	/* one socket per family, so that "*" binds IPv4 and IPv6 alike */
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	(void)setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	(void)setsockopt(sock, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)); /* datagrams.dropped */
	if (reuseport && setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) {
		int err = errno;
		close(sock);
		errno = err;
		return -1;
	}
	if (rcvbufSize > 0 &&
	    setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbufSize, sizeof(rcvbufSize)) != 0)
		(void)setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbufSize, sizeof(rcvbufSize));
	if (bind(sock, (struct sockaddr *)&addr, ai->ai_addrlen) != 0) {
		int err = errno;
		close(sock);
		errno = err;
		return -1;
	}
	return sock;
}

/* The worker of an exporter address (IPv4 as IPv4-mapped IPv6) among n:
 * the IPv4 address, or the XOR of the IPv6 address's four words, modulo n.
 * attachReuseportProgram has the kernel choose the same. */
int exporterWorker(const uint8_t addr[16], int n)
{
	uint32_t h = 0;

	for (int i = nf_cidr_is_v4(addr) ? 12 : 0; i < 16; i += 4)
		h ^= (uint32_t)addr[i] << 24 | (uint32_t)addr[i + 1] << 16 | (uint32_t)addr[i + 2] << 8 | addr[i + 3];
	return (int)(h % (uint32_t)n);
}

/* Has the kernel give each datagram to socket exporterWorker(source, n) of
 * sock's SO_REUSEPORT group (its n sockets in the order they were bound),
 * instead of hashing source port too: an exporter that sends from several
 * ports still reaches one worker, which holds its templates, and restored
 * templates go to the worker that will read their exporter. A classic BPF
 * program on the IP header (SKF_NET_OFF), IPv4 or IPv6 by its version.
 * Returns 0, or -1 with errno set. */
static int attachReuseportProgram(int sock, int n)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF),      /* version, IHL */
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12), /* IPv4 source */
		BPF_STMT(BPF_JMP | BPF_JA, 9),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 8),  /* IPv6 source, 4 words */
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 16),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 20),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)n),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog;

	memset(&prog, 0, sizeof(prog)); /* its padding goes to the kernel too */
	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	return setsockopt(sock, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

/* The port the kernel gave a socket (differs from the configured one for 0). */
int boundPort(int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(sock, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void writeListenPortFile(const instanceConf_t *inst, int port)
{
	FILE *f;

	if (inst->listenPortFileName == NULL)
		return;
	f = fopen((char *)inst->listenPortFileName, "w");
	if (f == NULL || fprintf(f, "%d", port) < 0 || fclose(f) != 0) {
		LogError(errno, RS_RET_IO_ERROR, MOD_NAME ": cannot write listenPortFileName '%s'",
			 inst->listenPortFileName);
		if (f != NULL)
			fclose(f);
	}
}

/* ---------------------------------------------------------------------------
 * Listeners: one per bound socket, with its counters and rate limiter.
 */
void destroyListener(listener_t *l)
{
	if (l->stats != NULL)
		statsobj.Destruct(&l->stats);
	if (l->ratelimiter != NULL)
		ratelimitDestruct(l->ratelimiter);
	if (l->inputName != NULL)
		prop.Destruct(&l->inputName);
	if (l->sock >= 0)
		close(l->sock);
	free(l);
}

/* A listener of inst, without a socket yet (sock -1), named display in
 * logs and impstats: its input name, rate limiter and counters (those of
 * a stream listener too when inst has a stream transport). */
rsRetVal newListener(instanceConf_t *inst, const char *display, listener_t **out)
{
	const char *name = inst->name ? (char *)inst->name : MOD_NAME;
	listener_t *l;
	DEFiRet;

	CHKmalloc(l = calloc(1, sizeof(*l)));
	l->sock = -1;
	l->inst = inst;
	l->transport = inst->transport;
	snprintf(l->display, sizeof(l->display), "%s", display);
	CHKiRet(prop.Construct(&l->inputName));
	CHKiRet(prop.SetString(l->inputName, (uchar *)name, strlen(name)));
	CHKiRet(prop.ConstructFinalize(l->inputName));
	CHKiRet(ratelimitNew(&l->ratelimiter, MOD_NAME, l->display));
	ratelimitSetLinuxLike(l->ratelimiter, inst->ratelimitInterval, inst->ratelimitBurst);
	CHKiRet(setupListenerStats(l));
	*out = l;
finalize_it:
	if (iRet != RS_RET_OK && l != NULL)
		destroyListener(l);
	RETiRet;
}

/* Lists a listener for sock, which it owns from now on (closed on failure). */
static rsRetVal addListener(instanceConf_t *inst, int sock, const char *address, int port, int worker)
{
	const char *name = inst->name ? (char *)inst->name : MOD_NAME;
	char display[sizeof(((listener_t *)0)->display)];
	listener_t *l = NULL;
	DEFiRet;

	if (runModConf->threads > 1)
		snprintf(display, sizeof(display), "%s(%s/%d thread %d)", name, address, port, worker);
	else
		snprintf(display, sizeof(display), "%s(%s/%d)", name, address, port);
	if ((iRet = newListener(inst, display, &l)) != RS_RET_OK) {
		close(sock);
		FINALIZE;
	}
	l->sock = sock;
	l->worker = worker;
	l->next = listenerRoot;
	listenerRoot = l;
finalize_it:
	RETiRet;
}

/* The sockets of one address: one, or with threads="N" a SO_REUSEPORT
 * group of N whose k-th socket is worker k's. All or none: returns how
 * many (into socks), or -1 with errno set. */
static int openSockets(const struct addrinfo *ai, int rcvbufSize, int *socks)
{
	int n = runModConf->threads, port = -1, err;

	for (int k = 0; k < n; k++) {
		if ((socks[k] = openSocket(ai, rcvbufSize, port, n > 1)) < 0 ||
		    (k == 0 && n > 1 && attachReuseportProgram(socks[k], n) != 0)) {
			err = errno;
			for (int j = 0; j <= k; j++)
				if (socks[j] >= 0)
					close(socks[j]);
			errno = err;
			return -1;
		}
		if (k == 0)
			port = boundPort(socks[0]);
	}
	return n;
}

/* Binds every address the (address, port) pair resolves to. */
rsRetVal bindPort(instanceConf_t *inst, const char *port)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
	struct addrinfo *res = NULL;
	const char *address = (inst->address && strcmp((char *)inst->address, "*") != 0)
				      ? (char *)inst->address : NULL;
	int nbound = 0, gai;
	DEFiRet;

	if ((gai = getaddrinfo(address, port, &hints, &res)) != 0) {
		LogError(0, RS_RET_COULD_NOT_BIND, MOD_NAME ": cannot resolve %s:%s: %s",
			 address ? address : "*", port, gai_strerror(gai));
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
	}
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int socks[MAX_THREADS] = {0};
		int n = openSockets(ai, inst->rcvbufSize, socks);
		if (n < 0) {
			LogError(errno, RS_RET_COULD_NOT_BIND, MOD_NAME ": cannot bind %s port %s",
				 address ? address : (ai->ai_family == AF_INET6 ? "[::]" : "0.0.0.0"),
				 port);
			continue;
		}
		if (nbound++ == 0)
			writeListenPortFile(inst, boundPort(socks[0]));
		for (int k = 0; k < n; k++) {
			iRet = addListener(inst, socks[k], address ? address : "*", boundPort(socks[k]), k);
			if (iRet != RS_RET_OK) { /* no part of a group is left: its routing needs all */
				for (int j = k + 1; j < n; j++)
					close(socks[j]);
				for (int j = 0; j < k; j++) {
					listener_t *l = listenerRoot;
					listenerRoot = l->next;
					destroyListener(l);
				}
				FINALIZE;
			}
		}
	}
	if (nbound == 0)
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
finalize_it:
	if (res != NULL)
		freeaddrinfo(res);
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Receiving threads.
 */

/* Whether the receive loops should end: rsyslog tells its input thread,
 * which runs the outbox (outboxRun), which tells the receiving threads. */
static bool shallStop(void)
{
	return __atomic_load_n(&workers.stop, __ATOMIC_ACQUIRE) != 0;
}

/* Reads what the socket has, batch by batch, until it would block, into
 * its worker's buffers. */
/* Counts what the kernel dropped for a full receive buffer: each datagram
 * carries the socket's running count (SO_RXQ_OVFL), of which the last one
 * received is the newest. Drops after the last datagram are seen with the
 * next one. */
static void countKernelDrops(listener_t *l, struct msghdr *last)
{
	uint32_t total;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(last); c != NULL; c = CMSG_NXTHDR(last, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL ||
		    c->cmsg_len < CMSG_LEN(sizeof(total)))
			continue;
		memcpy(&total, CMSG_DATA(c), sizeof(total));
		if (total != l->kernelDrops) /* the kernel's count wraps at 2^32, so does the difference */
			STATSCOUNTER_ADD(l->ctrDropped, l->mut_ctrDropped, (uint32_t)(total - l->kernelDrops));
		l->kernelDrops = total;
	}
}

/* The datagrams of a batch the input takes, into accepted (their
 * selftest first); counts the others. Returns how many. */
static unsigned acceptBatch(listener_t *l, worker_t *w, int n, tee_datagram_t *accepted)
{
	unsigned nacc = 0;

	for (int i = 0; i < n; i++) {
		const uint8_t *buf = w->buf + (size_t)i * MAX_DATAGRAM;
		if (w->hdr[i].msg_hdr.msg_flags & MSG_TRUNC) {
			STATSCOUNTER_INC(l->ctrTruncated, l->mut_ctrTruncated);
			continue;
		}
		sandboxSelftest(w, buf, w->hdr[i].msg_len);
		if (datagramAccepted(l, buf, w->hdr[i].msg_len, &w->from[i]))
			accepted[nacc++] = (tee_datagram_t){.buf = buf, .len = w->hdr[i].msg_len, .from = &w->from[i]};
	}
	return nacc;
}

static void drainSocket(listener_t *l)
{
	worker_t *w = &workers.w[l->worker];
	tee_datagram_t accepted[MAX_BATCH_SIZE];
	struct syslogTime stTime;
	time_t ttGenTime;
	int batch = l->inst->batchSize;
	unsigned nacc;
	int n;

	while (!shallStop()) {
		for (int i = 0; i < batch; i++) {
			w->iov[i].iov_base = w->buf + (size_t)i * MAX_DATAGRAM;
			w->iov[i].iov_len = MAX_DATAGRAM;
			w->hdr[i].msg_hdr = (struct msghdr){.msg_name = &w->from[i],
							    .msg_namelen = sizeof(w->from[i]),
							    .msg_iov = &w->iov[i], .msg_iovlen = 1,
							    .msg_control = w->control + (size_t)i * CONTROL_SIZE,
							    .msg_controllen = CONTROL_SIZE};
		}
		n = recvmmsg(l->sock, w->hdr, (unsigned)batch, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		datetime.getCurrTime(&stTime, &ttGenTime, TIME_IN_LOCALTIME);
		STATSCOUNTER_ADD(l->ctrReceived, l->mut_ctrReceived, n);
		countKernelDrops(l, &w->hdr[n - 1].msg_hdr);
		nacc = acceptBatch(l, w, n, accepted);
		teeDatagrams(l, w, accepted, nacc); /* before decoding: the copies leave first */
		for (unsigned i = 0; i < nacc; i++) {
			datagram_ctx_t d = {.lstn = l, .w = w, .rcvTime = &stTime, .ttGenTime = ttGenTime,
					    .now = ttGenTime};
			decodeDatagram(l, accepted[i].buf, accepted[i].len, accepted[i].from, &d);
		}
		outboxFlush(w);
		if (n < batch)
			break;
	}
}

/* Whether thread runs worker w: its own, and for thread 0 also those whose
 * thread could not start (only thread 0 reads and writes servedBy). */
static bool runsWorker(int thread, const worker_t *w)
{
	return thread == 0 ? w->servedBy == 0 : w->index == thread;
}

/* Once a second, for every worker a thread runs: expiry, its statistics
 * for impstats, and a save of its changed templates. */
static void housekeeping(int thread, time_t now)
{
	for (int i = 0; i < workers.n; i++) {
		worker_t *w = &workers.w[i];
		if (!runsWorker(thread, w))
			continue;
		nf_session_expire(w->session, now);
		exporterHousekeeping(w, now);
		publishSessionStats(w);
		if (now % SAVE_INTERVAL == 0 &&
		    templateChanges(w) != __atomic_load_n(&w->savedChanges, __ATOMIC_RELAXED))
			saveTemplates(w);
		outboxFlush(w);
	}
	if (thread == 0)
		syncSessionStats();
}

/* The receive loop of one thread: enters the sandbox, then polls the
 * sockets of the workers it runs until the input stops. */
static rsRetVal receiveLoop(int thread)
{
	struct pollfd *fds = NULL;
	listener_t **byFd = NULL;
	nfds_t nfds = 0;
	time_t lastHousekeeping = 0;
	DEFiRet;

	for (listener_t *l = listenerRoot; l != NULL; l = l->next)
		nfds++;
	CHKmalloc(fds = calloc(nfds, sizeof(*fds)));
	CHKmalloc(byFd = calloc(nfds, sizeof(*byFd)));
	nfds = 0;
	for (listener_t *l = listenerRoot; l != NULL; l = l->next) {
		if (!runsWorker(thread, &workers.w[l->worker]))
			continue;
		fds[nfds] = (struct pollfd){.fd = l->sock, .events = POLLIN};
		byFd[nfds++] = l;
	}
	if (sandboxEnter(runModConf->sandbox) != 0) {
		LogError(errno, RS_RET_ERR, MOD_NAME ": receiving thread %d cannot enter its sandbox (seccomp) and "
			 "does not receive; sandbox=\"off\" runs it without", thread);
		ABORT_FINALIZE(RS_RET_ERR);
	}
	while (!shallStop()) {
		int ready = poll(fds, nfds, POLL_TIMEOUT_MS);
		if (ready < 0 && errno != EINTR) {
			outboxLog(&workers.w[thread], errno, RS_RET_ERR, MOD_NAME ": poll failed, receiving thread %d stops",
				  thread);
			outboxFlush(&workers.w[thread]);
			FINALIZE; /* logged: an error would have rsyslog log it here, in the sandbox */
		}
		for (nfds_t i = 0; ready > 0 && i < nfds; i++)
			if (fds[i].revents & POLLIN)
				drainSocket(byFd[i]);
		if (time(NULL) != lastHousekeeping) {
			lastHousekeeping = time(NULL);
			housekeeping(thread, lastHousekeeping);
		}
	}
finalize_it:
	free(fds);
	free(byFd);
	RETiRet;
}

/* A receiving thread: one the module starts and that ends by returning,
 * never rsyslog's input thread, whose end (pthread_exit, unwinding through
 * a libgcc_s that glibc may first have to load) the sandbox would refuse. */
static void *workerThread(void *arg)
{
	worker_t *w = arg;
	char name[16];

	snprintf(name, sizeof(name), "imnetflow:rx%d", w->index);
	pthread_setname_np(pthread_self(), name);
	(void)receiveLoop(w->index);
	outboxWorkerDone();
	return NULL;
}

/* Starts the receiving threads of all workers; the sockets of a worker
 * whose thread cannot start are read by thread 0, with that worker's
 * state. Fails when thread 0 cannot start. */
rsRetVal startWorkers(void)
{
	DEFiRet;

	for (int i = 0; i < workers.n; i++) {
		int err;
		__atomic_add_fetch(&workers.running, 1, __ATOMIC_RELEASE);
		if ((err = pthread_create(&workers.w[i].thread, NULL, workerThread, &workers.w[i])) != 0) {
			__atomic_sub_fetch(&workers.running, 1, __ATOMIC_RELEASE);
			if (i == 0) {
				LogError(err, RS_RET_ERR, MOD_NAME ": cannot start receiving thread 0");
				ABORT_FINALIZE(RS_RET_ERR);
			}
			LogError(err, RS_RET_ERR, MOD_NAME ": cannot start receiving thread %d, thread 0 reads its sockets",
				 i);
			workers.w[i].servedBy = 0;
			continue;
		}
		workers.w[i].started = true;
	}
finalize_it:
	RETiRet;
}

void joinWorkers(void)
{
	__atomic_store_n(&workers.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < workers.n; i++)
		if (workers.w[i].started) {
			pthread_join(workers.w[i].thread, NULL);
			workers.w[i].started = false;
		}
}

