/* imn_stream.c - stream inputs: IPFIX over TCP and SCTP (RFC 7011 §10.4),
 * and the stream layer TLS (imn_tls.c) plugs into.
 *
 * A stream input (transport="tcp", "sctp" or "tls") binds its endpoints
 * through its transport (stream_transport_t, imn.h) in
 * activateCnfPrePrivDrop, while still privileged: one listener (with its
 * impstats object) per endpoint. Its connections are read by a thread of
 * its own (imnetflow:tcp<k>, sctp<k>, tls<k>) with a worker of its own
 * (imn_workers.c: template state, record, line buffer), under the seccomp
 * filter when the transport allows it (tcp, sctp). Like the receiving
 * threads it hands messages, log lines and events to the outbox.
 *
 * Framing: an IPFIX message carries its length in its header, which the
 * core reads (nf_ipfix_frame), so each complete message is accepted, copied
 * (tee) and decoded as a datagram would be. A message with another version (NetFlow v9 has no
 * length in its header, so a v9 stream cannot be framed) or a length below
 * the header's 16 bytes closes that connection alone (counted in
 * sessions.malformed, logged rate-limited). Templates are scoped per
 * connection (peer address and port, as imn_msg.c keys a stream's
 * exporter) and forgotten when it closes (nf_session_forget).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#define NETFLOW_V9_VERSION 9
#define READS_PER_ROUND 16  /* reads of one connection before the others get their turn */
#define ACCEPTS_PER_ROUND 64 /* connections one listener accepts before the others get their turn */
#define STREAM_LISTENERS_MAX 64 /* endpoints of one stream input */

/* One connection: the transport's, its peer, and the bytes of the message
 * being received. */
typedef struct stream_conn {
	void *conn;
	int fd;
	listener_t *lstn;                 /* the endpoint that accepted it */
	struct sockaddr_storage peer;
	uint8_t addr[16];                 /* the peer as the core keys it (IPv4-mapped) */
	uint16_t port;
	char peerText[INET6_ADDRSTRLEN];
	time_t lastActive;
	bool more;                        /* stopped reading before EAGAIN: read again before polling */
	size_t used;
	uint8_t buf[MAX_DATAGRAM];        /* at most one message and the start of the next */
} stream_conn_t;

typedef struct stream_input {
	instanceConf_t *inst;
	const stream_transport_t *transport;
	int index;                        /* k of the thread's name */
	listener_t *lstns[STREAM_LISTENERS_MAX];
	int lstnFds[STREAM_LISTENERS_MAX];  /* what each polls readable on */
	int nlstns;
	stream_conn_t **conns;            /* maxSessions slots, the first nconns used */
	int nconns;
	struct pollfd *fds;               /* listeners, then connections */
	worker_t w;
	bool workerReady;
	pthread_t thread;
	bool started;
	error_throttle_t closeLog;        /* connections closed for what they sent */
	error_throttle_t refuseLog;       /* connections refused: maxSessions, accept errors */
	time_t acceptResume;              /* after an accept error: no accepting before then */
} stream_input_t;

static struct {
	stream_input_t *in[MAX_STREAM_INPUTS];
	int n;
} streams;

/* ---------------------------------------------------------------------------
 * tcp and sctp: the transports on plain sockets.
 */
typedef struct sock_endpoint {
	int fd;
} sock_endpoint_t;

/* A listening stream socket of protocol bound to ai, or -1 with errno set. */
static int openStreamSocket(const struct addrinfo *ai, int protocol)
{
	int on = 1, err;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -1;
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Whether the kernel has protocol (SCTP may be missing: a module not
 * loaded, or a container that lacks it). Returns 0, or the errno. */
static int probeProtocol(int protocol)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Binds every address one port resolves to; returns how many. */
static int listenPort(instanceConf_t *inst, const char *port, int protocol,
		      rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display), void *ctx)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	const char *address = (inst->address && strcmp((char *)inst->address, "*") != 0)
				      ? (char *)inst->address : NULL;
	const char *tname = inst->transport->name;
	int nbound = 0, gai;

	if ((gai = getaddrinfo(address, port, &hints, &res)) != 0) {
		LogError(0, RS_RET_COULD_NOT_BIND, MOD_NAME ": transport=\"%s\": cannot resolve %s:%s: %s", tname,
			 address ? address : "*", port, gai_strerror(gai));
		return 0;
	}
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		char display[128];
		sock_endpoint_t *e;
		int fd = openStreamSocket(ai, protocol);
		if (fd < 0) {
			LogError(errno, RS_RET_COULD_NOT_BIND, MOD_NAME ": transport=\"%s\": cannot listen on %s port %s",
				 tname, address ? address : (ai->ai_family == AF_INET6 ? "[::]" : "0.0.0.0"), port);
			continue;
		}
		if ((e = malloc(sizeof(*e))) == NULL) {
			close(fd);
			continue;
		}
		e->fd = fd;
		snprintf(display, sizeof(display), "%s/%d", address ? address : "*", boundPort(fd));
		if (add(ctx, e, fd, display) != RS_RET_OK) {
			close(fd);
			free(e);
			continue;
		}
		nbound++;
	}
	freeaddrinfo(res);
	return nbound;
}

static rsRetVal sockListen(instanceConf_t *inst, int protocol,
			   rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display), void *ctx)
{
	int nbound = 0, err;
	DEFiRet;

	if ((err = probeProtocol(protocol)) != 0) {
		LogError(err, RS_RET_COULD_NOT_BIND,
			 MOD_NAME ": transport=\"%s\": this kernel cannot make %s sockets%s", inst->transport->name,
			 inst->transport->name,
			 protocol == IPPROTO_SCTP ? " (load the sctp kernel module, or use transport=\"tcp\")" : "");
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
	}
	for (int i = 0; i < inst->ports->nmemb; i++) {
		char *port = es_str2cstr(inst->ports->arr[i], NULL);
		CHKmalloc(port);
		nbound += listenPort(inst, port, protocol, add, ctx);
		free(port);
	}
	if (nbound == 0)
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
finalize_it:
	RETiRet;
}

static rsRetVal tcpListen(instanceConf_t *inst, rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display),
			  void *ctx)
{
	return sockListen(inst, IPPROTO_TCP, add, ctx);
}

static rsRetVal sctpListen(instanceConf_t *inst, rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display),
			   void *ctx)
{
	return sockListen(inst, IPPROTO_SCTP, add, ctx);
}

static int sockAccept(void *lstn, void **conn, int *fd, struct sockaddr_storage *peer, char *err, size_t errlen)
{
	sock_endpoint_t *e = lstn, *c;
	socklen_t len = sizeof(*peer);
	int s = accept4(e->fd, (struct sockaddr *)peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (s < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		snprintf(err, errlen, "accept failed: %s", strerror(errno));
		return -1;
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		close(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->fd = s;
	*conn = c;
	*fd = s;
	return 1;
}

static ssize_t sockRecv(void *conn, uint8_t *buf, size_t len)
{
	return recv(((sock_endpoint_t *)conn)->fd, buf, len, 0);
}

static void sockClose(void *conn)
{
	close(((sock_endpoint_t *)conn)->fd);
	free(conn);
}

const stream_transport_t tcpTransport = {"tcp", true, tcpListen, sockAccept, sockRecv, sockClose, sockClose};
const stream_transport_t sctpTransport = {"sctp", true, sctpListen, sockAccept, sockRecv, sockClose, sockClose};

/* ---------------------------------------------------------------------------
 * Stream inputs: their listeners, set up before privilege drop.
 */

/* The add callback of a transport's listen: a listener for the endpoint. */
static rsRetVal addStreamListener(void *ctx, void *lstn, int fd, const char *display)
{
	stream_input_t *si = ctx;
	const char *name = si->inst->name ? (char *)si->inst->name : MOD_NAME;
	char text[sizeof(((listener_t *)0)->display)];
	listener_t *l = NULL;
	DEFiRet;

	if (si->nlstns == STREAM_LISTENERS_MAX) {
		LogError(0, RS_RET_COULD_NOT_BIND, MOD_NAME ": transport=\"%s\": more than %d endpoints, %s not used",
			 si->transport->name, STREAM_LISTENERS_MAX, display);
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
	}
	snprintf(text, sizeof(text), "%s(%s %s)", name, si->transport->name, display);
	CHKiRet(newListener(si->inst, text, &l));
	l->streamLstn = lstn;
	l->sock = -1; /* the transport's: unlisten closes it */
	l->worker = -1;
	if (si->nlstns == 0)
		writeListenPortFile(si->inst, boundPort(fd));
	si->lstnFds[si->nlstns] = fd;
	si->lstns[si->nlstns++] = l;
finalize_it:
	RETiRet;
}

static void freeStreamInput(stream_input_t *si)
{
	for (int i = 0; i < si->nlstns; i++) {
		si->transport->unlisten(si->lstns[i]->streamLstn);
		destroyListener(si->lstns[i]);
	}
	if (si->workerReady)
		freeWorkerState(&si->w);
	free(si->conns);
	free(si->fds);
	free(si);
}

/* Binds a stream input's endpoints (activateCnfPrePrivDrop). */
rsRetVal streamListen(instanceConf_t *inst)
{
	stream_input_t *si = NULL;
	DEFiRet;

	if (streams.n == MAX_STREAM_INPUTS) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": transport=\"%s\": more than %d stream inputs",
			 inst->transport->name, MAX_STREAM_INPUTS);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	CHKmalloc(si = calloc(1, sizeof(*si)));
	si->inst = inst;
	si->transport = inst->transport;
	si->index = streams.n;
	CHKmalloc(si->conns = calloc((size_t)inst->maxSessions, sizeof(*si->conns)));
	CHKmalloc(si->fds = calloc((size_t)inst->maxSessions + STREAM_LISTENERS_MAX, sizeof(*si->fds)));
	CHKiRet(si->transport->listen(inst, addStreamListener, si));
	if (si->nlstns == 0)
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
	streams.in[streams.n++] = si;
	si = NULL;
finalize_it:
	if (si != NULL)
		freeStreamInput(si);
	RETiRet;
}

bool streamListening(void)
{
	return streams.n > 0;
}

/* The workers of the stream inputs (activateCnf): each has the module's
 * template bounds for itself. */
rsRetVal streamSetup(void)
{
	DEFiRet;

	for (int k = 0; k < streams.n; k++) {
		stream_input_t *si = streams.in[k];
		CHKiRet(setupWorkerState(&si->w, workers.n + k, &runModConf->limits));
		si->workerReady = true;
		publishSessionStats(&si->w);
	}
finalize_it:
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Connections.
 */
static bool shallStop(void)
{
	return __atomic_load_n(&workers.stop, __ATOMIC_ACQUIRE) != 0;
}

/* Logs "connection from <peer> port <port> <what>", throttled by t. */
static void logConnection(stream_input_t *si, error_throttle_t *t, const listener_t *l, const char *peer, int port,
			  const char *what)
{
	unsigned suppressed;

	if (!logAllowed(t, time(NULL), &suppressed))
		return;
	outboxLog(&si->w, 0, RS_RET_INVALID_VALUE,
		  MOD_NAME ": %s: connection from %s port %d %s (%u similar messages suppressed in the last %d "
		  "seconds; see impstats for counts)",
		  l->display, peer, port, what, suppressed, ERROR_LOG_INTERVAL);
}

static void peerText(const struct sockaddr_storage *peer, uint8_t addr[16], uint16_t *port, char *text)
{
	*port = (uint16_t)mappedAddress(peer, addr);
	addressText(addr, text, INET6_ADDRSTRLEN);
}

/* Closes connection i: the transport's, and everything the core learned
 * from it (its templates are withdrawn, its pending data dropped). */
static void closeConnection(stream_input_t *si, int i)
{
	stream_conn_t *c = si->conns[i];

	si->transport->close(c->conn);
	nf_session_forget(si->w.session, c->addr, c->port);
	STATSCOUNTER_INC(c->lstn->ctrSessionsClosed, c->lstn->mut_ctrSessionsClosed);
	free(c);
	si->conns[i] = NULL;
}

/* Closes connection i for what it sent: counted as malformed, logged. */
static void closeMalformed(stream_input_t *si, int i, const char *why)
{
	stream_conn_t *c = si->conns[i];
	char what[256];

	STATSCOUNTER_INC(c->lstn->ctrSessionsMalformed, c->lstn->mut_ctrSessionsMalformed);
	snprintf(what, sizeof(what), "closed: %s", why);
	logConnection(si, &si->closeLog, c->lstn, c->peerText, c->port, what);
	closeConnection(si, i);
}

/* Accepts what waits on listener l: a connection from outside
 * allowedExporters, or beyond maxSessions, is accepted and closed at once
 * (disallowed, sessions.refused). */
static void acceptConnections(stream_input_t *si, listener_t *l, time_t now)
{
	for (int k = 0; k < ACCEPTS_PER_ROUND; k++) {
		struct sockaddr_storage peer;
		char err[256] = "";
		void *conn = NULL;
		int fd = -1;
		stream_conn_t *c;
		int rc = si->transport->accept(l->streamLstn, &conn, &fd, &peer, err, sizeof(err));

		if (rc == 0)
			return;
		if (rc < 0) { /* out of descriptors, say: the listener would stay readable, so it rests a second */
			STATSCOUNTER_INC(l->ctrSessionsRefused, l->mut_ctrSessionsRefused);
			logConnection(si, &si->refuseLog, l, "?", 0, err);
			si->acceptResume = now + 1;
			return;
		}
		if (!exporterAllowed(si->inst, &peer)) { /* a stream's peer address is not spoofed */
			si->transport->close(conn);
			STATSCOUNTER_INC(l->ctrDisallowed, l->mut_ctrDisallowed);
			continue;
		}
		if (si->nconns == si->inst->maxSessions || (c = malloc(sizeof(*c))) == NULL) {
			uint8_t addr[16];
			uint16_t port;
			char text[INET6_ADDRSTRLEN];
			peerText(&peer, addr, &port, text);
			si->transport->close(conn);
			STATSCOUNTER_INC(l->ctrSessionsRefused, l->mut_ctrSessionsRefused);
			logConnection(si, &si->refuseLog, l, text, port, "refused: maxSessions reached");
			continue;
		}
		c->conn = conn;
		c->fd = fd;
		c->lstn = l;
		c->peer = peer;
		peerText(&peer, c->addr, &c->port, c->peerText);
		c->lastActive = now;
		c->more = false;
		c->used = 0;
		si->conns[si->nconns++] = c;
		STATSCOUNTER_INC(l->ctrSessionsOpened, l->mut_ctrSessionsOpened);
	}
}

/* Why a message cannot be framed (rc of nf_ipfix_frame), for the log. */
static const char *frameError(int rc, uint16_t version, size_t len, char *why, size_t size)
{
	if (rc == NF_ERR_VERSION && version == NETFLOW_V9_VERSION)
		return "NetFlow v9 over a stream is not supported (its header has no length to frame it)";
	if (rc == NF_ERR_VERSION)
		snprintf(why, size, "version %u where an IPFIX message (10) was expected", version);
	else
		snprintf(why, size, "IPFIX message length %zu below the header's 16 bytes", len);
	return why;
}

/* Hands every complete message in c's buffer to tee and the decoder (if
 * the input accepts it) and keeps the rest. Returns NULL, or why the connection must close. */
static const char *takeMessages(stream_input_t *si, stream_conn_t *c, char *why, size_t size)
{
	listener_t *l = c->lstn;
	struct syslogTime stTime;
	time_t ttGenTime;
	size_t off = 0;
	const char *bad = NULL;

	datetime.getCurrTime(&stTime, &ttGenTime, TIME_IN_LOCALTIME);
	for (;;) {
		const uint8_t *msg = c->buf + off;
		uint16_t version;
		size_t len;
		int rc = nf_ipfix_frame(msg, c->used - off, &len, &version);
		if (rc == NF_END)
			break;
		if (rc != NF_OK) {
			bad = frameError(rc, version, len, why, size);
			break;
		}
		datagram_ctx_t d = {.lstn = l, .w = &si->w, .rcvTime = &stTime, .ttGenTime = ttGenTime,
				    .now = ttGenTime};
		STATSCOUNTER_INC(l->ctrReceived, l->mut_ctrReceived);
		if (protocolAccepted(l, msg, len)) { /* allowedExporters: checked when it was accepted */
			tee_datagram_t copy = {.buf = msg, .len = len, .from = &c->peer};
			teeDatagrams(l, &si->w, &copy, 1); /* each message one UDP datagram, before decoding */
			decodeDatagram(l, msg, len, &c->peer, &d);
		}
		off += len;
	}
	if (off > 0 && bad == NULL) {
		memmove(c->buf, c->buf + off, c->used - off);
		c->used -= off;
	}
	return bad;
}

/* Reads connection i until it would block (at most READS_PER_ROUND reads:
 * then c->more), closing it at its end or at a bad message. */
static void serveConnection(stream_input_t *si, int i, time_t now)
{
	stream_conn_t *c = si->conns[i];
	char why[160];

	c->more = false;
	for (int k = 0; k < READS_PER_ROUND; k++) {
		ssize_t n = si->transport->recv(c->conn, c->buf + c->used, sizeof(c->buf) - c->used);
		const char *bad;
		if (n > 0) {
			c->used += (size_t)n;
			c->lastActive = now;
			sandboxSelftest(&si->w, c->buf, c->used);
			if ((bad = takeMessages(si, c, why, sizeof(why))) != NULL) {
				closeMalformed(si, i, bad);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (c->used > 0) { /* the peer ended (or failed) within a message */
			snprintf(why, sizeof(why), "ended within a message (%zu bytes of it received)", c->used);
			closeMalformed(si, i, why);
		} else {
			closeConnection(si, i);
		}
		return;
	}
	c->more = true;
}

/* Closes the connections idle for sessionTimeout seconds. */
static void closeIdle(stream_input_t *si, time_t now)
{
	int timeout = si->inst->sessionTimeout;

	if (timeout == 0)
		return;
	for (int i = 0; i < si->nconns; i++) {
		stream_conn_t *c = si->conns[i];
		if (c != NULL && now - c->lastActive > timeout) { /* whole seconds: never early */
			STATSCOUNTER_INC(c->lstn->ctrSessionsTimedout, c->lstn->mut_ctrSessionsTimedout);
			closeConnection(si, i);
		}
	}
}

/* Drops the slots of closed connections, keeping the others' order. */
static void compactConnections(stream_input_t *si)
{
	int n = 0;

	for (int i = 0; i < si->nconns; i++)
		if (si->conns[i] != NULL)
			si->conns[n++] = si->conns[i];
	si->nconns = n;
}

/* The poll set: listeners, then connections. Sets *pending when a
 * connection has bytes left to read without waiting. */
static nfds_t pollSet(stream_input_t *si, time_t now, bool *pending)
{
	nfds_t n = 0;

	*pending = false;
	for (int i = 0; i < si->nlstns; i++) /* poll passes over a negative fd */
		si->fds[n++] = (struct pollfd){.fd = now < si->acceptResume ? -1 : si->lstnFds[i], .events = POLLIN};
	for (int i = 0; i < si->nconns; i++) {
		si->fds[n++] = (struct pollfd){.fd = si->conns[i]->fd, .events = POLLIN};
		*pending = *pending || si->conns[i]->more;
	}
	return n;
}

/* Once a second: idle connections, expiry, summaries, statistics. */
static void streamHousekeeping(stream_input_t *si, time_t now)
{
	closeIdle(si, now);
	compactConnections(si);
	nf_session_expire(si->w.session, now);
	exporterHousekeeping(&si->w, now);
	publishSessionStats(&si->w);
}

static void streamLoop(stream_input_t *si)
{
	time_t lastHousekeeping = 0;

	while (!shallStop()) {
		bool pending;
		nfds_t n = pollSet(si, time(NULL), &pending);
		int ready = poll(si->fds, n, pending ? 0 : POLL_TIMEOUT_MS);
		int nconns = si->nconns; /* those in the poll set, before any is accepted */
		time_t now = time(NULL);

		if (ready < 0 && errno != EINTR) {
			outboxLog(&si->w, errno, RS_RET_ERR, MOD_NAME ": poll failed, stream input %d stops", si->index);
			break;
		}
		/* the connections first: those that ended free their slots for new ones */
		for (int i = 0; i < nconns; i++)
			if ((ready > 0 && si->fds[si->nlstns + i].revents != 0) || si->conns[i]->more)
				serveConnection(si, i, now);
		compactConnections(si);
		for (int i = 0; ready > 0 && i < si->nlstns; i++)
			if (si->fds[i].revents & POLLIN)
				acceptConnections(si, si->lstns[i], now);
		if (now != lastHousekeeping) {
			lastHousekeeping = now;
			streamHousekeeping(si, now);
		}
		outboxFlush(&si->w);
	}
	for (int i = 0; i < si->nconns; i++)
		closeConnection(si, i);
	si->nconns = 0;
	publishSessionStats(&si->w);
	outboxFlush(&si->w);
}

static void *streamThread(void *arg)
{
	stream_input_t *si = arg;
	char name[16];

	snprintf(name, sizeof(name), "imnetflow:%s%d", si->transport->name, si->index);
	pthread_setname_np(pthread_self(), name);
	if (si->transport->sandboxed && sandboxEnterStream(runModConf->sandbox) != 0) {
		outboxLog(&si->w, errno, RS_RET_ERR,
			  MOD_NAME ": stream thread %s cannot enter its sandbox (seccomp) and does not receive; "
			  "sandbox=\"off\" runs it without", name);
		outboxFlush(&si->w);
	} else {
		streamLoop(si);
	}
	outboxWorkerDone();
	return NULL;
}

/* Starts a thread per stream input (runInput, after the receiving threads). */
void streamStart(void)
{
	for (int k = 0; k < streams.n; k++) {
		stream_input_t *si = streams.in[k];
		int err;
		__atomic_add_fetch(&workers.running, 1, __ATOMIC_RELEASE);
		if ((err = pthread_create(&si->thread, NULL, streamThread, si)) != 0) {
			__atomic_sub_fetch(&workers.running, 1, __ATOMIC_RELEASE);
			LogError(err, RS_RET_ERR, MOD_NAME ": cannot start the thread of stream input %s",
				 si->lstns[0]->display);
			continue;
		}
		si->started = true;
	}
}

void streamJoin(void)
{
	for (int k = 0; k < streams.n; k++)
		if (streams.in[k]->started) {
			pthread_join(streams.in[k]->thread, NULL);
			streams.in[k]->started = false;
		}
}

void streamFree(void)
{
	for (int k = 0; k < streams.n; k++)
		freeStreamInput(streams.in[k]);
	streams.n = 0;
}

/* The stream workers' template state, for the impstats sum (under
 * workers.mut). */
void streamSessionStats(published_stats_t *sum)
{
	for (int k = 0; k < streams.n; k++)
		if (streams.in[k]->workerReady)
			addPublishedStats(sum, &streams.in[k]->w.published);
}

/* Every worker: the receiving threads', then the stream inputs'. */
int workerCount(void)
{
	return workers.n + streams.n;
}

worker_t *workerAt(int i)
{
	return i < workers.n ? &workers.w[i] : &streams.in[i - workers.n]->w;
}
