/* imn_tee.c - replication of accepted datagrams to other collectors
 * (input parameters "tee" and "tee.spoof").
 *
 * Every target is resolved when the configuration is read (a bad entry is a
 * configuration error naming "tee"), gets a socket of its own in
 * activateCnfPrePrivDrop, while still privileged, and a statsobj. The
 * receiving threads hand every batch of accepted datagrams to
 * teeDatagrams, which sends them unchanged to each target with sendmmsg,
 * never waiting: the sockets are non-blocking, and what the kernel does not
 * take (EAGAIN, ENOBUFS, a refusing target's ECONNREFUSED, ...) is counted
 * as dropped for that target.
 *
 * Plain targets get a connected UDP socket: the target sees the collector
 * as the sender. With tee.spoof="on" a raw socket (IPPROTO_RAW, the IP
 * header included) sends each datagram with an IP and UDP header built
 * here, from the exporter's address and port: the target sees the
 * exporter. The kernel neither fragments such packets nor picks a source
 * for them: a datagram whose packet exceeds the route's MTU is refused
 * (EMSGSIZE) and counted as dropped, as is one from an exporter of the
 * other address family than the target's.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>

#define TEE_SNDBUF (4 * 1024 * 1024) /* bytes: a burst of full batches to every target */
#define TEE_CHUNK 64                 /* datagrams per sendmmsg */
#define TEE_TTL 64
#define UDP_HEADER 8
#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define SPOOF_HEADER_MAX (IPV6_HEADER + UDP_HEADER)

/* ---------------------------------------------------------------------------
 * Configuration: "host:port", "[IPv6]:port", resolved once.
 */

/* Splits "host:port" or "[address]:port" into host and port (in buf). */
static int splitHostPort(char *buf, char **host, char **port)
{
	char *colon;

	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (close == NULL || close[1] != ':')
			return 0;
		*close = '\0';
		*host = buf + 1;
		*port = close + 2;
	} else {
		if ((colon = strchr(buf, ':')) == NULL || strchr(colon + 1, ':') != NULL)
			return 0; /* an IPv6 address needs its brackets */
		*colon = '\0';
		*host = buf;
		*port = colon + 1;
	}
	return **host != '\0' && **port != '\0' && strspn(*port, "0123456789") == strlen(*port) &&
	       strlen(*port) <= 5 && atoi(*port) >= 1 && atoi(*port) <= 65535;
}

/* One target from its text; logs what is wrong with it. */
static rsRetVal resolveTarget(const char *text, tee_target_t *t)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char buf[300], *host, *port;
	int gai;
	DEFiRet;

	if (strlen(text) >= sizeof(buf) || (strcpy(buf, text), !splitHostPort(buf, &host, &port))) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": invalid tee entry '%s': expected \"host:port\" or \"[IPv6 address]:port\" "
			 "with a port 1-65535", text);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": tee entry '%s': cannot resolve '%s': %s", text, host,
			 gai_strerror(gai));
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	snprintf(t->display, sizeof(t->display), "%s", text);
finalize_it:
	if (res != NULL)
		freeaddrinfo(res);
	RETiRet;
}

rsRetVal parseTee(instanceConf_t *inst)
{
	DEFiRet;

	if (inst->teeSpoof && inst->teeNames == NULL) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": tee.spoof=\"on\" needs tee (the targets)");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->teeNames == NULL)
		FINALIZE;
	if (inst->teeNames->nmemb > MAX_TEE_TARGETS) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": tee has %d targets, maximum is %d",
			 inst->teeNames->nmemb, MAX_TEE_TARGETS);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	CHKmalloc(inst->tee = calloc(inst->teeNames->nmemb, sizeof(*inst->tee)));
	for (int i = 0; i < inst->teeNames->nmemb; i++) {
		char *text = es_str2cstr(inst->teeNames->arr[i], NULL);
		CHKmalloc(text);
		inst->tee[i].sock = -1;
		iRet = resolveTarget(text, &inst->tee[inst->ntee]);
		free(text);
		CHKiRet(iRet);
		inst->ntee++;
	}
finalize_it:
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Sockets and counters: opened in activateCnfPrePrivDrop.
 */

static rsRetVal setupTeeStats(const instanceConf_t *inst, tee_target_t *t)
{
	char name[sizeof(t->display) + 64];
	DEFiRet;

	snprintf(name, sizeof(name), "%s tee(%s)", inst->name ? (char *)inst->name : MOD_NAME, t->display);
	CHKiRet(statsobj.Construct(&t->stats));
	CHKiRet(statsobj.SetName(t->stats, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(t->stats, (uchar *)MOD_NAME));
#define ADD_TEE_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(t->ctr, t->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(t->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_RESETTABLE, &t->ctr));
	TEE_COUNTERS(ADD_TEE_COUNTER)
	CHKiRet(statsobj.ConstructFinalize(t->stats));
finalize_it:
	RETiRet;
}

/* A non-blocking socket to t: connected UDP, or raw with the IP header
 * included (spoof). Returns it, or -1 with errno set. */
static int openTeeSocket(const tee_target_t *t, int spoof)
{
	int size = TEE_SNDBUF;
	int sock = spoof ? socket(t->addr.ss_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW)
			 : socket(t->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (sock < 0)
		return -1;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
		(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (connect(sock, (const struct sockaddr *)&t->addr, t->addrlen) != 0) {
		err = errno;
		close(sock);
		errno = err;
		return -1;
	}
	return sock;
}

rsRetVal openTee(instanceConf_t *inst)
{
	DEFiRet;

	for (int i = 0; i < inst->ntee; i++) {
		tee_target_t *t = &inst->tee[i];
		if ((t->sock = openTeeSocket(t, inst->teeSpoof)) < 0) {
			LogError(errno, RS_RET_NO_SOCKET,
				 inst->teeSpoof ? MOD_NAME ": tee.spoof=\"on\" cannot open a raw socket to tee target "
						  "'%s' (needs root or CAP_NET_RAW at start-up)"
						: MOD_NAME ": tee cannot open a socket to target '%s'",
				 t->display);
			ABORT_FINALIZE(RS_RET_NO_SOCKET);
		}
		CHKiRet(setupTeeStats(inst, t));
	}
finalize_it:
	RETiRet;
}

/* Closes the sockets and drops the counters (afterRun, freeCnf). */
void closeTee(instanceConf_t *inst)
{
	for (int i = 0; i < inst->ntee; i++) {
		tee_target_t *t = &inst->tee[i];
		if (t->stats != NULL)
			statsobj.Destruct(&t->stats);
		if (t->sock >= 0)
			close(t->sock);
		t->sock = -1;
	}
}

/* The open tee sockets of all inputs, up to max of them into fds; returns
 * how many there are. */
int teeSockets(int *fds, int max)
{
	int n = 0;

	for (instanceConf_t *inst = runModConf->root; inst != NULL; inst = inst->next)
		for (int i = 0; i < inst->ntee; i++) {
			if (inst->tee[i].sock < 0)
				continue;
			if (n < max)
				fds[n] = inst->tee[i].sock;
			n++;
		}
	return n;
}

/* ---------------------------------------------------------------------------
 * Spoofed packets: IP and UDP headers from the exporter to the target.
 */

static uint32_t sumWords(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The UDP checksum (RFC 768) from the sums of the pseudo-header and of the
 * payload (which starts at an even offset, so the sums add). */
static uint16_t udpChecksum(uint32_t sum, const uint8_t *udp, uint32_t payloadSum)
{
	uint64_t wide = (uint64_t)sumWords(sum, udp, UDP_HEADER) + payloadSum;

	while (wide >> 16)
		wide = (wide & 0xffff) + (wide >> 16);
	sum = ~(uint32_t)wide & 0xffff;
	return sum == 0 ? 0xffff : (uint16_t)sum; /* 0 would mean "no checksum" */
}

/* The UDP header of dg at udp, its checksum over the pseudo-header of the
 * two addresses (addrLen bytes each, source first at addrs) and the
 * payload, whose sum is payloadSum. */
static void putUdp(uint8_t *udp, uint16_t sport, uint16_t dport, const void *addrs, size_t addrLen,
		   const tee_datagram_t *dg, uint32_t payloadSum)
{
	struct udphdr h = {.source = sport, .dest = dport, .len = htons((uint16_t)(UDP_HEADER + dg->len))};
	uint32_t sum = sumWords(0, addrs, 2 * addrLen) + IPPROTO_UDP + UDP_HEADER + (uint32_t)dg->len;

	memcpy(udp, &h, sizeof(h));
	h.check = htons(udpChecksum(sum, udp, payloadSum));
	memcpy(udp, &h, sizeof(h));
}

/* Builds the headers of dg from its exporter to t into hdr; returns their
 * length, or 0 with *err set when it cannot be sent so (an exporter of the
 * other family, a datagram too large for one packet). */
static size_t spoofHeaders(const tee_target_t *t, const tee_datagram_t *dg, uint32_t payloadSum, uint8_t *hdr,
			   int *err)
{
	*err = EMSGSIZE;
	if (dg->from->ss_family != t->addr.ss_family) {
		*err = EAFNOSUPPORT;
		return 0;
	}
	if (t->addr.ss_family == AF_INET) {
		const struct sockaddr_in *src = (const struct sockaddr_in *)dg->from;
		const struct sockaddr_in *dst = (const struct sockaddr_in *)&t->addr;
		struct iphdr ip = {.version = 4, .ihl = IPV4_HEADER / 4, .ttl = TEE_TTL, .protocol = IPPROTO_UDP,
				   .saddr = src->sin_addr.s_addr, .daddr = dst->sin_addr.s_addr};
		if (dg->len > 0xffff - IPV4_HEADER - UDP_HEADER)
			return 0;
		ip.tot_len = htons((uint16_t)(IPV4_HEADER + UDP_HEADER + dg->len)); /* id, checksum: the kernel's */
		memcpy(hdr, &ip, sizeof(ip));
		putUdp(hdr + IPV4_HEADER, src->sin_port, dst->sin_port, &ip.saddr, 4, dg, payloadSum);
		return IPV4_HEADER + UDP_HEADER;
	} else {
		const struct sockaddr_in6 *src = (const struct sockaddr_in6 *)dg->from;
		const struct sockaddr_in6 *dst = (const struct sockaddr_in6 *)&t->addr;
		struct ip6_hdr ip;
		if (dg->len > 0xffff - UDP_HEADER)
			return 0;
		memset(&ip, 0, sizeof(ip));
		ip.ip6_flow = htonl(6u << 28);
		ip.ip6_plen = htons((uint16_t)(UDP_HEADER + dg->len));
		ip.ip6_nxt = IPPROTO_UDP;
		ip.ip6_hlim = TEE_TTL;
		ip.ip6_src = src->sin6_addr;
		ip.ip6_dst = dst->sin6_addr;
		memcpy(hdr, &ip, sizeof(ip));
		putUdp(hdr + IPV6_HEADER, src->sin6_port, dst->sin6_port, &ip.ip6_src, 16, dg, payloadSum);
		return IPV6_HEADER + UDP_HEADER;
	}
}

/* ---------------------------------------------------------------------------
 * Sending, from the receiving threads (sandboxed: sendmmsg on these sockets
 * only, no logging but through the outbox).
 */

static void countDropped(tee_target_t *t, worker_t *w, unsigned n, int err)
{
	time_t now = time(NULL);
	time_t last = __atomic_load_n(&t->lastLog, __ATOMIC_RELAXED);

	STATSCOUNTER_ADD(t->ctrDropped, t->mut_ctrDropped, n);
	if (err == 0 || now - last < ERROR_LOG_INTERVAL ||
	    !__atomic_compare_exchange_n(&t->lastLog, &last, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	outboxLog(w, err, RS_RET_ERR, MOD_NAME ": tee target '%s' drops datagrams (counted in impstats \"dropped\")",
		  t->display);
}

/* Sends n prepared messages, never waiting. sendmmsg stops at the first
 * message the kernel refuses: that one is dropped and the rest tried again,
 * unless the socket is full, which drops them all. */
static void sendPrepared(tee_target_t *t, worker_t *w, struct mmsghdr *m, unsigned n)
{
	unsigned done = 0;
	int interrupted = 0;

	while (done < n) {
		int k = sendmmsg(t->sock, m + done, n - done, MSG_DONTWAIT);
		int err = k < 0 ? errno : 0;
		if (err == EINTR && ++interrupted <= 3) /* a signal before anything was sent: again, a few times */
			continue;
		if (k > 0) {
			STATSCOUNTER_ADD(t->ctrForwarded, t->mut_ctrForwarded, (unsigned)k);
			done += (unsigned)k;
			if (done < n) { /* the error of the next one is not told */
				countDropped(t, w, 1, 0);
				done++;
			}
		} else if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
			countDropped(t, w, n - done, err);
			done = n;
		} else {
			countDropped(t, w, 1, err);
			done++;
		}
	}
}

/* Up to TEE_CHUNK datagrams to one target; spoofed, with their payloads'
 * sums (payloadSums, the same for every target). */
static void sendChunk(tee_target_t *t, int spoof, worker_t *w, const tee_datagram_t *dg, const uint32_t *payloadSums,
		      unsigned n)
{
	struct mmsghdr m[TEE_CHUNK];
	struct iovec iov[TEE_CHUNK][2];
	uint8_t hdr[TEE_CHUNK][SPOOF_HEADER_MAX];
	unsigned nm = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t hlen = 0;
		int err;
		if (spoof && (hlen = spoofHeaders(t, &dg[i], payloadSums[i], hdr[nm], &err)) == 0) {
			countDropped(t, w, 1, err);
			continue;
		}
		iov[nm][0] = (struct iovec){.iov_base = hdr[nm], .iov_len = hlen};
		iov[nm][1] = (struct iovec){.iov_base = (void *)dg[i].buf, .iov_len = dg[i].len};
		m[nm].msg_hdr = (struct msghdr){.msg_iov = spoof ? iov[nm] : iov[nm] + 1, .msg_iovlen = spoof ? 2 : 1};
		m[nm].msg_len = 0;
		nm++;
	}
	sendPrepared(t, w, m, nm);
}

void teeDatagrams(listener_t *l, worker_t *w, const tee_datagram_t *dg, unsigned n)
{
	instanceConf_t *inst = l->inst;
	uint32_t payloadSums[TEE_CHUNK];

	if (inst->ntee == 0)
		return;
	for (unsigned done = 0; done < n; done += TEE_CHUNK) {
		unsigned k = n - done < TEE_CHUNK ? n - done : TEE_CHUNK;
		for (unsigned i = 0; inst->teeSpoof && i < k; i++) /* once, whatever the number of targets */
			payloadSums[i] = sumWords(0, dg[done + i].buf, dg[done + i].len);
		for (int i = 0; i < inst->ntee; i++)
			if (inst->tee[i].sock >= 0)
				sendChunk(&inst->tee[i], inst->teeSpoof, w, dg + done, payloadSums, k);
	}
}
