/* imn_tls.c - transport="tls": IPFIX over TLS (RFC 7011 section 11) on
 * rsyslog's own network stream drivers (lmnsd_gtls, lmnsd_ossl), the way
 * imtcp uses them: a netstrms object per input carries the driver, its
 * mode, authentication mode, permitted peers and files; LstnInit binds the
 * listening sockets; AcceptConnReq accepts (and starts the handshake); Rcv
 * returns decrypted bytes. The stream layer (imn_stream.c) polls, frames
 * and decodes; this file only moves bytes.
 *
 * Three generations of the interface are compiled for (the *CURR_IF_VERSION
 * macros of the rsyslog headers the module is built against):
 * - netstrm before 13 (8.2102): LstnInit takes port, address and port file;
 *   netstrms before 2: no CA, certificate or key per input, only the
 *   global() defaults.
 * - netstrm before 17 (up to 8.2312): Rcv does not continue a handshake;
 *   rsyslog's select layer (nssel IsReady) does, so a connection goes
 *   through it until its first bytes arrive.
 * - netstrm 17 and later: Rcv continues the handshake itself
 *   (RS_RET_RETRY until done); from 20 AcceptConnReq takes a text buffer.
 * Drivers before 8.2504 have no GetSock: the descriptor of a listener or
 * a connection is then found among the process's sockets by its addresses
 * (findSocket), which are unique for a TCP connection.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "netstrms.h"
#include "netstrm.h"
#include "net.h"
#if netstrmCURR_IF_VERSION < 17
#include "nssel.h"
#define HANDSHAKE_BY_SELECT 1 /* Rcv does not continue a handshake */
#endif

#define DFLT_TLS_DRIVER "gtls"
#define DFLT_TLS_AUTHMODE "x509/name"

static obj_if_t *objIf; /* imnetflow.c's, for loading the netstream objects */
static netstrms_if_t netstrms = {.ifVersion = netstrmsCURR_IF_VERSION, .ifIsLoaded = 0};
static netstrm_if_t netstrm = {.ifVersion = netstrmCURR_IF_VERSION, .ifIsLoaded = 0};
static net_if_t net = {.ifVersion = netCURR_IF_VERSION, .ifIsLoaded = 0};
#ifdef HANDSHAKE_BY_SELECT
static nssel_if_t nssel = {.ifVersion = nsselCURR_IF_VERSION, .ifIsLoaded = 0};
#endif

/* One tls input's driver set-up, shared by its listeners and connections. */
typedef struct tls_input {
	netstrms_t *ns;
	permittedPeers_t *peers;
	uchar *driver;              /* the driver's name, for nssel */
	int refs;                   /* listeners and connections using it */
	statsobj_t *stats;          /* handshake counters of the input */
#define DEF_TLS_COUNTER(ctr, label) STATSCOUNTER_DEF(ctr, mut_##ctr)
	TLS_COUNTERS(DEF_TLS_COUNTER)
} tls_input_t;

typedef struct tls_listener {
	tls_input_t *in;
	netstrm_t *strm;
	int fd;
	struct sockaddr_storage local;
} tls_listener_t;

typedef struct tls_conn {
	tls_input_t *in;
	netstrm_t *strm;
	int fd;
	bool established;           /* bytes arrived: the handshake is done */
} tls_conn_t;

/* ---------------------------------------------------------------------------
 * Configuration.
 */
static const char *const auth_modes[] = {"anon", "x509/fingerprint", "x509/certvalid", "x509/name"};
static const char *const expired_modes[] = {"on", "off", "warn"};

static bool oneOf(const uchar *word, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp((const char *)word, names[i]) == 0)
			return true;
	return false;
}

static rsRetVal checkReadable(const char *param, const uchar *file)
{
	DEFiRet;
	if (file != NULL && access((const char *)file, R_OK) != 0) {
		LogError(errno, RS_RET_NO_FILE_ACCESS, MOD_NAME ": %s \"%s\" cannot be read", param, file);
		ABORT_FINALIZE(RS_RET_NO_FILE_ACCESS);
	}
finalize_it:
	RETiRet;
}

/* The name of the first TLS parameter inst sets, or NULL. */
static const char *tlsParamSet(const instanceConf_t *inst)
{
	if (inst->tlsDriver != NULL)
		return "streamDriver.name";
	if (inst->tlsMode != -1)
		return "streamDriver.mode";
	if (inst->tlsAuthMode != NULL)
		return "streamDriver.authMode";
	if (inst->tlsPermitExpired != NULL)
		return "streamDriver.permitExpiredCerts";
	if (inst->tlsPeers != NULL)
		return "permittedPeer";
	if (inst->tlsCAFile != NULL)
		return "streamDriver.CAFile";
	if (inst->tlsCertFile != NULL)
		return "streamDriver.CertFile";
	if (inst->tlsKeyFile != NULL)
		return "streamDriver.KeyFile";
	return NULL;
}

/* The TLS parameters of inst (newInpInst, after transport): errors name the
 * parameter. On an input that is not transport="tls" any of them is an error. */
rsRetVal tlsCheckParams(instanceConf_t *inst)
{
	const char *set = tlsParamSet(inst);
	DEFiRet;

	if (inst->transport != &tlsTransport) {
		if (set != NULL) {
			LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": %s is a parameter of transport=\"tls\" only", set);
			ABORT_FINALIZE(RS_RET_PARAM_ERROR);
		}
		FINALIZE;
	}
	if (inst->tlsMode == -1)
		inst->tlsMode = 1;
	if (inst->tlsMode != 1) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": streamDriver.mode=\"%d\": transport=\"tls\" needs mode 1 (TLS); "
				  "transport=\"tcp\" is plain TCP", inst->tlsMode);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->tlsAuthMode != NULL &&
	    !oneOf(inst->tlsAuthMode, auth_modes, sizeof(auth_modes) / sizeof(auth_modes[0]))) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": streamDriver.authMode=\"%s\" unknown: anon, x509/fingerprint, "
				  "x509/certvalid or x509/name", inst->tlsAuthMode);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	const char *auth = inst->tlsAuthMode ? (const char *)inst->tlsAuthMode : DFLT_TLS_AUTHMODE;
	if ((strcasecmp(auth, "x509/name") == 0 || strcasecmp(auth, "x509/fingerprint") == 0) &&
	    inst->tlsPeers == NULL) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": streamDriver.authMode=\"%s\" needs permittedPeer (the names or "
				  "fingerprints of the exporters' certificates)", auth);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->tlsPermitExpired != NULL &&
	    !oneOf(inst->tlsPermitExpired, expired_modes, sizeof(expired_modes) / sizeof(expired_modes[0]))) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": streamDriver.permitExpiredCerts=\"%s\" unknown: on, off or warn",
			 inst->tlsPermitExpired);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((inst->tlsCertFile == NULL) != (inst->tlsKeyFile == NULL)) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": %s without %s",
			 inst->tlsCertFile ? "streamDriver.CertFile" : "streamDriver.KeyFile",
			 inst->tlsCertFile ? "streamDriver.KeyFile" : "streamDriver.CertFile");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	CHKiRet(checkReadable("streamDriver.CAFile", inst->tlsCAFile));
	CHKiRet(checkReadable("streamDriver.CertFile", inst->tlsCertFile));
	CHKiRet(checkReadable("streamDriver.KeyFile", inst->tlsKeyFile));
finalize_it:
	RETiRet;
}

void tlsFreeParams(instanceConf_t *inst)
{
	free(inst->tlsDriver);
	free(inst->tlsAuthMode);
	free(inst->tlsPermitExpired);
	free(inst->tlsCAFile);
	free(inst->tlsCertFile);
	free(inst->tlsKeyFile);
	if (inst->tlsPeers != NULL)
		cnfarrayContentDestruct(inst->tlsPeers);
	free(inst->tlsPeers);
}

/* ---------------------------------------------------------------------------
 * rsyslog's netstream objects: loaded at the first tls input.
 */
void tlsModInit(obj_if_t *o)
{
	objIf = o;
}

static rsRetVal useObjects(void)
{
	DEFiRet;
	if (netstrms.ifIsLoaded)
		FINALIZE;
	CHKiRet(objIf->UseObj(__FILE__, (uchar *)"netstrms", (uchar *)LM_NETSTRMS_FILENAME, (void *)&netstrms));
	CHKiRet(objIf->UseObj(__FILE__, (uchar *)"netstrm", (uchar *)LM_NETSTRMS_FILENAME, (void *)&netstrm));
	CHKiRet(objIf->UseObj(__FILE__, (uchar *)"net", (uchar *)LM_NET_FILENAME, (void *)&net));
#ifdef HANDSHAKE_BY_SELECT
	CHKiRet(objIf->UseObj(__FILE__, (uchar *)"nssel", (uchar *)LM_NETSTRMS_FILENAME, (void *)&nssel));
#endif
finalize_it:
	if (iRet != RS_RET_OK)
		LogError(0, iRet, MOD_NAME ": transport=\"tls\": rsyslog's netstream library (%s) cannot be loaded",
			 LM_NETSTRMS_FILENAME);
	RETiRet;
}

void tlsModExit(void)
{
	if (objIf == NULL || !netstrms.ifIsLoaded)
		return;
#ifdef HANDSHAKE_BY_SELECT
	objIf->ReleaseObj(__FILE__, (uchar *)"nssel", (uchar *)LM_NETSTRMS_FILENAME, (void *)&nssel);
#endif
	objIf->ReleaseObj(__FILE__, (uchar *)"net", (uchar *)LM_NET_FILENAME, (void *)&net);
	objIf->ReleaseObj(__FILE__, (uchar *)"netstrm", (uchar *)LM_NETSTRMS_FILENAME, (void *)&netstrm);
	objIf->ReleaseObj(__FILE__, (uchar *)"netstrms", (uchar *)LM_NETSTRMS_FILENAME, (void *)&netstrms);
}

/* ---------------------------------------------------------------------------
 * Descriptors: the driver's GetSock where it has one, else the socket with
 * the addresses the driver reports.
 */
/* The port of a socket address (IPv4 or IPv6), as mappedAddress reads it. */
static int sockaddrPort(const struct sockaddr_storage *a)
{
	uint8_t addr[16];

	return mappedAddress(a, addr);
}

/* Whether two socket addresses are the same IPv4 or IPv6 address and port. */
static bool sameEndpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	uint8_t x[16], y[16];

	if (a->ss_family != b->ss_family || (a->ss_family != AF_INET && a->ss_family != AF_INET6))
		return false;
	return mappedAddress(a, x) == mappedAddress(b, y) && memcmp(x, y, sizeof(x)) == 0;
}

/* What a socket must be to be the one sought. */
typedef struct fd_match {
	bool listening;                         /* a listener (else a connection) */
	const struct sockaddr_storage *peer;    /* a connection: its peer */
	const struct sockaddr_storage *local;   /* a connection: its listener's address */
	const bool *known;                      /* a listener: descriptors below nknown it is not */
	int nknown;
} fd_match_t;

/* Whether fd is the socket arg (an fd_match_t) seeks; eachFd's callback. */
static bool fdMatches(int fd, const void *arg)
{
	const fd_match_t *m = arg;
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	int listening = 0;
	socklen_t optlen = sizeof(listening);
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || (listening != 0) != m->listening)
		return false;
	if (m->listening)
		return fd >= m->nknown || !m->known[fd];
	if (getpeername(fd, (struct sockaddr *)&a, &len) != 0 || !sameEndpoint(&a, m->peer))
		return false;
	return boundPort(fd) == sockaddrPort(m->local);
}

/* Calls fn(fd, arg) for each open descriptor until it returns true; the
 * descriptor it stopped at, or -1. */
static int eachFd(bool (*fn)(int fd, const void *arg), const void *arg)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	if (dir == NULL)
		return -1;
	while (found < 0 && (e = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end != '\0' || end == e->d_name || fd == dirfd(dir))
			continue;
		if (fn((int)fd, arg))
			found = (int)fd;
	}
	closedir(dir);
	return found;
}


/* The descriptors open now, as flags by number (the listeners LstnInit
 * makes are the listening sockets not among them). */
typedef struct fd_snapshot {
	bool *known;
	int n;
} fd_snapshot_t;

static bool noteFd(int fd, const void *arg)
{
	fd_snapshot_t *s = (fd_snapshot_t *)arg;
	if (fd < s->n)
		s->known[fd] = true;
	return false;
}

static rsRetVal snapshotFds(fd_snapshot_t *s)
{
	struct rlimit lim;
	DEFiRet;
	s->n = (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 1048576) ? (int)lim.rlim_cur : 1048576;
	CHKmalloc(s->known = calloc((size_t)s->n, sizeof(bool)));
	(void)eachFd(noteFd, s);
finalize_it:
	RETiRet;
}

static int driverSock(tls_input_t *in, netstrm_t *strm)
{
	int fd = -1;
	if (in->ns->Drvr.GetSock != NULL && netstrm.GetSock(strm, &fd) == RS_RET_OK)
		return fd;
	return -1;
}

/* ---------------------------------------------------------------------------
 * Listening.
 */
static void releaseInput(tls_input_t *in)
{
	if (--in->refs > 0)
		return;
	if (in->stats != NULL)
		statsobj.Destruct(&in->stats);
	if (in->ns != NULL)
		netstrms.Destruct(&in->ns);
	if (in->peers != NULL)
		net.DestructPermittedPeers(&in->peers);
	free(in->driver);
	free(in);
}

typedef struct listen_ctx {
	tls_input_t *in;
	instanceConf_t *inst;
	const char *port;
	fd_snapshot_t fds;
	rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display);
	void *addCtx;
} listen_ctx_t;

/* LstnInit's callback: one listening netstrm. */
static rsRetVal addListener(void *usr, netstrm_t *strm)
{
	listen_ctx_t *lc = usr;
	tls_listener_t *l = NULL;
	char display[INET6_ADDRSTRLEN + 16], host[INET6_ADDRSTRLEN];
	socklen_t len;
	DEFiRet;

	CHKmalloc(l = calloc(1, sizeof(*l)));
	l->in = lc->in;
	l->strm = strm;
	if ((l->fd = driverSock(lc->in, strm)) < 0) {
		fd_match_t m = {.listening = true, .known = lc->fds.known, .nknown = lc->fds.n};
		l->fd = eachFd(fdMatches, &m);
	}
	len = sizeof(l->local);
	if (l->fd < 0 || getsockname(l->fd, (struct sockaddr *)&l->local, &len) != 0) {
		LogError(0, RS_RET_COULD_NOT_BIND, MOD_NAME ": transport=\"tls\": the socket of port %s "
			 "cannot be found", lc->port);
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
	}
	if (l->fd < lc->fds.n)
		lc->fds.known[l->fd] = true;
	if (getnameinfo((struct sockaddr *)&l->local, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		strcpy(host, "?");
	snprintf(display, sizeof(display), "%s/%d", host, sockaddrPort(&l->local));
	lc->in->refs++;
	iRet = lc->add(lc->addCtx, l, l->fd, display);
	if (iRet != RS_RET_OK) {
		lc->in->refs--;
		FINALIZE;
	}
	l = NULL;
finalize_it:
	if (l != NULL) {
		/* LstnInit destructs strm when this fails */
		free(l);
	}
	RETiRet;
}

/* The driver's settings from inst's parameters, on a new netstrms. */
static rsRetVal configureDriver(tls_input_t *in, instanceConf_t *inst)
{
	DEFiRet;
	CHKiRet(netstrms.Construct(&in->ns));
	CHKiRet(netstrms.SetDrvrName(in->ns, in->driver));
	CHKiRet(netstrms.SetDrvrMode(in->ns, inst->tlsMode));
	CHKiRet(netstrms.SetDrvrAuthMode(in->ns, inst->tlsAuthMode ? inst->tlsAuthMode
								    : (uchar *)DFLT_TLS_AUTHMODE));
	if (inst->tlsPermitExpired != NULL)
		CHKiRet(netstrms.SetDrvrPermitExpiredCerts(in->ns, inst->tlsPermitExpired));
	for (int i = 0; inst->tlsPeers != NULL && i < inst->tlsPeers->nmemb; i++) {
		uchar *peer = (uchar *)es_str2cstr(inst->tlsPeers->arr[i], NULL);
		CHKmalloc(peer);
		iRet = net.AddPermittedPeer(&in->peers, peer);
		free(peer);
		CHKiRet(iRet);
	}
	if (in->peers != NULL)
		CHKiRet(netstrms.SetDrvrPermPeers(in->ns, in->peers));
#if netstrmsCURR_IF_VERSION >= 2
	if (inst->tlsCAFile != NULL)
		CHKiRet(netstrms.SetDrvrTlsCAFile(in->ns, inst->tlsCAFile));
	if (inst->tlsCertFile != NULL)
		CHKiRet(netstrms.SetDrvrTlsCertFile(in->ns, inst->tlsCertFile));
	if (inst->tlsKeyFile != NULL)
		CHKiRet(netstrms.SetDrvrTlsKeyFile(in->ns, inst->tlsKeyFile));
#else
	if (inst->tlsCAFile != NULL || inst->tlsCertFile != NULL || inst->tlsKeyFile != NULL)
		LogMsg(0, RS_RET_PARAM_ERROR, LOG_WARNING,
		       MOD_NAME ": streamDriver.CAFile, streamDriver.CertFile and streamDriver.KeyFile are "
				"ignored: this rsyslog takes them only from global(DefaultNetstreamDriverCAFile, "
				"DefaultNetstreamDriverCertFile, DefaultNetstreamDriverKeyFile), which are used");
#endif
	iRet = netstrms.ConstructFinalize(in->ns);
	if (iRet != RS_RET_OK) {
		LogError(0, iRet, MOD_NAME ": streamDriver.name=\"%s\": the driver lmnsd_%s cannot be loaded",
			 in->driver, in->driver);
		FINALIZE;
	}
finalize_it:
	RETiRet;
}

/* The certificate and key the driver uses: inst's, else the global defaults. */
static rsRetVal checkOwnCertificate(instanceConf_t *inst)
{
	uchar *cert = inst->tlsCertFile, *key = inst->tlsKeyFile;
	DEFiRet;
#if glblCURR_IF_VERSION >= 10
	if (cert == NULL)
		cert = glbl.GetDfltNetstrmDrvrCertFile(runModConf->pConf);
	if (key == NULL)
		key = glbl.GetDfltNetstrmDrvrKeyFile(runModConf->pConf);
#else
	if (cert == NULL)
		cert = glbl.GetDfltNetstrmDrvrCertFile();
	if (key == NULL)
		key = glbl.GetDfltNetstrmDrvrKeyFile();
#endif
	if (cert == NULL || key == NULL) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": transport=\"tls\" needs streamDriver.CertFile and streamDriver.KeyFile "
				  "(or global DefaultNetstreamDriverCertFile and DefaultNetstreamDriverKeyFile)");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
finalize_it:
	RETiRet;
}

static rsRetVal setupStats(tls_input_t *in, instanceConf_t *inst)
{
	char name[160];
	DEFiRet;
	snprintf(name, sizeof(name), "%s(tls)", inst->name ? (char *)inst->name : MOD_NAME);
	CHKiRet(statsobj.Construct(&in->stats));
	CHKiRet(statsobj.SetName(in->stats, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(in->stats, (uchar *)MOD_NAME));
#define ADD_TLS_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(in->ctr, in->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(in->stats, (uchar *)label, ctrType_IntCtr, CTR_FLAG_RESETTABLE, &in->ctr));
	TLS_COUNTERS(ADD_TLS_COUNTER)
	CHKiRet(statsobj.ConstructFinalize(in->stats));
finalize_it:
	RETiRet;
}

static rsRetVal listenPort(listen_ctx_t *lc, const char *port)
{
	DEFiRet;
	lc->port = port;
#if netstrmCURR_IF_VERSION >= 13
	tcpLstnParams_t params;
	memset(&params, 0, sizeof(params)); /* later versions add members: all zero */
	params.pszPort = (const uchar *)port;
	params.pszAddr = lc->inst->address;
	iRet = netstrm.LstnInit(lc->in->ns, lc, addListener, lc->inst->maxSessions, &params);
#else
	iRet = netstrm.LstnInit(lc->in->ns, lc, addListener, (uchar *)port, lc->inst->address,
				 lc->inst->maxSessions, NULL);
#endif
	if (iRet != RS_RET_OK)
		LogError(0, iRet, MOD_NAME ": transport=\"tls\": port %s%s%s cannot be listened on", port,
			 lc->inst->address ? " of address " : "", lc->inst->address ? (char *)lc->inst->address : "");
	RETiRet;
}

static rsRetVal tlsListen(instanceConf_t *inst, rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display),
			  void *ctx)
{
	listen_ctx_t lc = {.inst = inst, .add = add, .addCtx = ctx};
	tls_input_t *in = NULL;
	int bound = 0;
	DEFiRet;

	CHKiRet(useObjects());
	CHKiRet(checkOwnCertificate(inst));
	CHKmalloc(in = calloc(1, sizeof(*in)));
	in->refs = 1; /* this function's, until the listeners hold it */
	CHKmalloc(in->driver = (uchar *)strdup(inst->tlsDriver ? (char *)inst->tlsDriver : DFLT_TLS_DRIVER));
	CHKiRet(configureDriver(in, inst));
	CHKiRet(setupStats(in, inst));
	CHKiRet(snapshotFds(&lc.fds));
	lc.in = in;
	for (int i = 0; i < inst->ports->nmemb; i++) {
		char *port = es_str2cstr(inst->ports->arr[i], NULL);
		CHKmalloc(port);
		if (listenPort(&lc, port) == RS_RET_OK)
			bound++;
		free(port);
	}
	if (bound == 0)
		ABORT_FINALIZE(RS_RET_COULD_NOT_BIND);
finalize_it:
	free(lc.fds.known);
	if (in != NULL)
		releaseInput(in);
	RETiRet;
}

static void tlsUnlisten(void *lstn)
{
	tls_listener_t *l = lstn;
	netstrm.Destruct(&l->strm);
	releaseInput(l->in);
	free(l);
}

/* ---------------------------------------------------------------------------
 * Connections.
 */
static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0;
}

/* The descriptor of a connection just accepted on l from peer. */
static int connectionFd(tls_listener_t *l, netstrm_t *strm, const struct sockaddr_storage *peer, int guess)
{
	fd_match_t m = {.listening = false, .peer = peer, .local = &l->local};
	int fd = driverSock(l->in, strm);
	if (fd >= 0)
		return fd;
	if (guess >= 0 && fdMatches(guess, &m))
		return guess;
	return eachFd(fdMatches, &m);
}

static void countFailed(tls_input_t *in)
{
	STATSCOUNTER_INC(in->ctrFailed, in->mut_ctrFailed);
}

static int tlsAccept(void *lstn, void **conn, int *fd, struct sockaddr_storage *peer, char *err, size_t errlen)
{
	tls_listener_t *l = lstn;
	netstrm_t *strm = NULL;
	struct sockaddr_storage *remote = NULL;
	tls_conn_t *c;
	rsRetVal ret;
	int guess;

	if (!readable(l->fd))
		return 0;
	/* accept() takes the lowest free descriptor: the likely one */
	if ((guess = dup(l->fd)) >= 0)
		close(guess);
	errno = 0;
#if netstrmCURR_IF_VERSION >= 20
	char info[2 * (INET6_ADDRSTRLEN + 20)] = "";
	ret = netstrm.AcceptConnReq(l->strm, &strm, info);
#else
	ret = netstrm.AcceptConnReq(l->strm, &strm);
#endif
	if (ret != RS_RET_OK) {
		if (ret == RS_RET_ACCEPT_ERR && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED))
			return 0;
		if (ret != RS_RET_ACCEPT_ERR)
			countFailed(l->in);
		snprintf(err, errlen, "TLS: %s (rsyslog error %d)",
			 ret == RS_RET_ACCEPT_ERR ? "accept failed" : "handshake or peer check failed", (int)ret);
		return -1;
	}
	if (netstrm.GetRemAddr(strm, &remote) != RS_RET_OK || remote == NULL) {
		snprintf(err, errlen, "TLS: the peer's address is unknown");
		netstrm.Destruct(&strm);
		return -1;
	}
	*peer = *remote;
	if ((*fd = connectionFd(l, strm, peer, guess)) < 0 || (c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "TLS: the connection's socket cannot be found");
		netstrm.Destruct(&strm);
		return -1;
	}
	c->in = l->in;
	c->strm = strm;
	c->fd = *fd;
	l->in->refs++;
	*conn = c;
	return 1;
}

#ifdef HANDSHAKE_BY_SELECT
/* Before a connection's first bytes: rsyslog's select layer continues its
 * handshake and checks the peer (nssel IsReady). 1: Rcv may read now;
 * 0: nothing yet; -1: the handshake or the peer's certificate failed. */
static int continueHandshake(tls_conn_t *c)
{
	nssel_t *sel = NULL;
	int ready = 0, n = 0, rc = 0;

	if (!readable(c->fd)) /* Wait must not block */
		return 0;
	if (nssel.Construct(&sel) != RS_RET_OK)
		return -1;
	if (nssel.SetDrvrName(sel, c->in->driver) != RS_RET_OK || nssel.ConstructFinalize(sel) != RS_RET_OK ||
	    nssel.Add(sel, c->strm, NSDSEL_RD) != RS_RET_OK || nssel.Wait(sel, &n) != RS_RET_OK) {
		rc = -1;
		goto done;
	}
	/* the first IsReady may only advance the handshake; the second tells
	 * whether the bytes that woke us are application data */
	for (int k = 0; k < 2 && !ready; k++) {
		if (nssel.IsReady(sel, c->strm, NSDSEL_RD, &ready, &n) != RS_RET_OK) {
			rc = -1;
			goto done;
		}
	}
	rc = ready ? 1 : 0;
done:
	nssel.Destruct(&sel);
	return rc;
}
#endif

/* A failure before the first bytes is the handshake's (or the peer's
 * certificate's): counted, and reported as a refusal. */
static ssize_t failed(tls_conn_t *c, int err)
{
	if (!c->established) {
		countFailed(c->in);
		err = ECONNREFUSED;
	}
	errno = err ? err : ECONNRESET;
	return -1;
}

static ssize_t tlsRecv(void *conn, uint8_t *buf, size_t len)
{
	tls_conn_t *c = conn;
	ssize_t n = (ssize_t)len;
	int oserr = 0;
	rsRetVal ret;

#ifdef HANDSHAKE_BY_SELECT
	if (!c->established) {
		int step = continueHandshake(c);
		if (step < 0)
			return failed(c, 0);
		if (step == 0) {
			errno = EAGAIN;
			return -1;
		}
	}
	ret = netstrm.Rcv(c->strm, buf, &n, &oserr);
#else
	unsigned direction = 0;
	ret = netstrm.Rcv(c->strm, buf, &n, &oserr, &direction);
#endif
	switch (ret) {
	case RS_RET_OK:
		if (n <= 0) {
			errno = EAGAIN;
			return -1;
		}
		if (!c->established) {
			c->established = true;
			STATSCOUNTER_INC(c->in->ctrCompleted, c->in->mut_ctrCompleted);
		}
		return n;
	case RS_RET_RETRY:
		errno = EAGAIN;
		return -1;
	case RS_RET_CLOSED: /* an orderly end (a failed handshake is an error) */
		return 0;
	default:
		break;
	}
	return failed(c, oserr);
}

static void tlsClose(void *conn)
{
	tls_conn_t *c = conn;
	netstrm.Destruct(&c->strm);
	releaseInput(c->in);
	free(c);
}

const stream_transport_t tlsTransport = {"tls", false, tlsListen, tlsAccept, tlsRecv, tlsClose, tlsUnlisten};
