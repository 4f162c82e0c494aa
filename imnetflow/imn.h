/* imn.h - what the parts of the rsyslog glue share: the configuration,
 * listener, worker and statistics types, the state of the running input,
 * and the functions one part calls in another. Everything here is hidden
 * inside the module; rsyslog sees only the entry points imnetflow.c makes.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef IMN_H
#define IMN_H

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <linux/filter.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rsyslog.h"
#include "dirty.h"
#include "module-template.h"
#include "errmsg.h"
#include "glbl.h"
#include "msg.h"
#include "datetime.h"
#include "prop.h"
#include "ruleset.h"
#include "statsobj.h"
#include "ratelimit.h"
#include "unicode-helper.h"

#include "nf_datagram.h"
#include "nf_ecs.h"
#include "nf_enrich.h"
#include "nf_decode.h"
#include "nf_dict.h"
#include "nf_format.h"
#include "nf_hash.h"
#include "nf_persist.h"
#include "nf_render.h"
#include "nf_session.h"

#pragma GCC visibility push(hidden)

/* rsyslog's core interfaces, as DEFobjCurrIf would make them in one file. */
extern glbl_if_t glbl;
extern datetime_if_t datetime;
extern prop_if_t prop;
extern ruleset_if_t ruleset;
extern statsobj_if_t statsobj;

#define MOD_NAME "imnetflow"
#define MAX_DATAGRAM 65535          /* largest UDP payload */
#define DFLT_BATCH_SIZE 32          /* datagrams per recvmmsg() */
#define MAX_BATCH_SIZE 1024
#define MAX_THREADS 64              /* module parameter "threads" */
#define MAX_STREAM_INPUTS 64        /* inputs with a stream transport, each with a thread and worker */
#define POLL_TIMEOUT_MS 200         /* how often the input checks for shutdown */
#define ERROR_LOG_INTERVAL 60       /* seconds between two logs of the same error kind */
#define FACILITY_USER 1
#define SEVERITY_WARNING 4
#define SEVERITY_NOTICE 5
#define SEVERITY_INFO 6
#define MAX_SEVERITY 7
#define PRI_USER(severity) ((FACILITY_USER << 3) | (severity))
#define TEMPLATE_FILE "imnetflow-templates.dat"
#define SAVE_INTERVAL 10            /* seconds between saves of changed templates */
#define MAX_REPORTED_MS 253402300800000LL /* 10000-01-01: later flow times keep the receive time */

enum time_reported { TIME_FLOW_END, TIME_RECEIVED };

/* What a message carries (parameter "format"). */
enum output_format {
	FORMAT_STRUCTURED, /* the $!netflow property tree; msg is a summary line */
	FORMAT_JSON,       /* msg is the record as one JSON object; no tree */
	FORMAT_KV,         /* msg is the record as key=value pairs; no tree */
};
/* Room for a datagram's ancillary data: the kernel's drop count. */
#define CONTROL_SIZE CMSG_SPACE(sizeof(uint32_t))
#define LINE_BUFFER_SIZE (1024 * 1024) /* a pre-rendered record longer than this is cut */

/* An exporter address range of allowedExporters; IPv4 as IPv4-mapped IPv6. */
typedef struct addr_range {
	uint8_t addr[16];
	unsigned bits;            /* prefix length in the 128-bit form */
} addr_range_t;

/* A collector every accepted datagram is copied to (parameter "tee",
 * imn_tee.c): resolved with the configuration, its socket and counters
 * made in activateCnfPrePrivDrop. */
#define MAX_TEE_TARGETS 16
#define TEE_COUNTERS(X) \
	X(ctrForwarded, "forwarded") \
	X(ctrDropped, "dropped")

typedef struct tee_target {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char display[256];          /* the entry as configured: "host:port" */
	int sock;                   /* -1: not open */
	statsobj_t *stats;
#define DEF_TEE_COUNTER(ctr, label) STATSCOUNTER_DEF(ctr, mut_##ctr)
	TEE_COUNTERS(DEF_TEE_COUNTER)
	time_t lastLog;             /* of its drops (atomic: the receiving threads share it) */
} tee_target_t;

/* One datagram to copy: its bytes and its exporter. */
typedef struct tee_datagram {
	const uint8_t *buf;
	size_t len;
	const struct sockaddr_storage *from;
} tee_datagram_t;

/* Protocols an input accepts (parameter "protocols"), as bits. */
#define PROTO_ALL (NF_PROTO_NETFLOW | NF_PROTO_IPFIX | NF_PROTO_SFLOW)

/* What identifies an exporter's templates besides its domain / source id. */
enum template_scope {
	SCOPE_ADDRESS,      /* exporter address (RFC 7011, RFC 3954) */
	SCOPE_ADDRESS_PORT, /* address and source port: several exporters on one host */
	SCOPE_DOMAIN,       /* domain alone: exporters behind NAT that share ids */
};

struct instanceConf_s {
	struct cnfarray *ports;     /* "port": one listener per element */
	uchar *address;             /* NULL: all addresses */
	uchar *name;                /* input name and statistics origin */
	uchar *pszBindRuleset;      /* names and pointers as im-helper.h expects */
	ruleset_t *pBindRuleset;
	uchar *listenPortFileName;
	uchar *timeReported;
	uchar *templateScope;
	uchar *formatName;
	int rcvbufSize;             /* 0: kernel default */
	int emitOptions;            /* options records become messages too */
	int renormalize;            /* packets and octets times the sampling interval */
	int ecs;                    /* add Elastic Common Schema objects */
	int communityIdSeed;        /* the Community ID seed, 0-65535 */
	nf_ecs_options_t ecsOptions; /* what the core's ECS view and the summary take */
	struct cnfarray *internalNames; /* "internalNetworks" */
	struct nf_cidr *internal;   /* made of them; NULL: no locality */
	struct cnfarray *watchNames; /* "watchNetworks" */
	struct nf_cidr *watch;      /* made of them; NULL: none */
	int severityDeny, severityWatch, severityFlow, severityEvent; /* "severity.*" */
	struct cnfarray *protocolNames; /* "protocols" */
	int protocols;              /* enum protocol_bit set */
	struct cnfarray *allowedNames; /* "allowedExporters" */
	addr_range_t *allowed;      /* NULL: every sender is accepted */
	int nallowed;
	struct cnfarray *teeNames;  /* "tee" */
	int teeSpoof;               /* "tee.spoof": the exporter's address and port as the sender */
	tee_target_t *tee;          /* made of them */
	int ntee;
	int batchSize;
	int ratelimitInterval;
	int ratelimitBurst;
	enum time_reported timeSource;
	enum template_scope scope;
	enum output_format format;
	uchar *transportName;       /* "transport": udp (default), tcp, sctp, tls */
	const struct stream_transport *transport; /* NULL: udp */
	int maxSessions;            /* stream transports: connections at once */
	int sessionTimeout;         /* stream transports: seconds idle before a close; 0: never */
	/* transport="tls" (imn_tls.c), with imtcp's parameter names */
	uchar *tlsDriver;           /* "streamDriver.name"; NULL: gtls */
	int tlsMode;                /* "streamDriver.mode"; -1: not set (1) */
	uchar *tlsAuthMode;         /* "streamDriver.authMode"; NULL: x509/name */
	uchar *tlsPermitExpired;    /* "streamDriver.permitExpiredCerts" */
	struct cnfarray *tlsPeers;  /* "permittedPeer" */
	uchar *tlsCAFile, *tlsCertFile, *tlsKeyFile; /* "streamDriver.CAFile", ".CertFile", ".KeyFile" */
	struct instanceConf_s *next;
};

/* A stream transport: tcp and sctp (imn_stream.c), tls (imn_tls.c). */
typedef struct stream_transport {
	const char *name;      /* "tcp", "sctp", "tls" */
	bool sandboxed;        /* its connections may be read by a thread under the seccomp filter */
	/* Binds inst's listening endpoints (address, ports) before privilege drop, calling
	 * add(ctx, lstn, fd, display) once per endpoint with an opaque listener and the fd that
	 * polls readable when a connection waits. Returns RS_RET_OK or an error (logged, naming the parameter). */
	rsRetVal (*listen)(instanceConf_t *inst, rsRetVal (*add)(void *ctx, void *lstn, int fd, const char *display), void *ctx);
	/* Accepts one waiting connection of lstn: 1 with *conn, *fd (to poll for reading) and *peer set;
	 * 0 when none waits; -1 when one was refused or failed (reason written to err). */
	int (*accept)(void *lstn, void **conn, int *fd, struct sockaddr_storage *peer, char *err, size_t errlen);
	/* Reads up to len bytes: >0 the count, 0 the peer closed, -1 with errno (EAGAIN/EWOULDBLOCK: nothing now).
	 * The caller reads a ready connection until EAGAIN, since a TLS layer may hold decrypted bytes poll cannot see. */
	ssize_t (*recv)(void *conn, uint8_t *buf, size_t len);
	void (*close)(void *conn);     /* closes and frees conn */
	void (*unlisten)(void *lstn);  /* closes and frees a listener */
} stream_transport_t;

extern const stream_transport_t tcpTransport, sctpTransport, tlsTransport;

#define DFLT_MAX_SESSIONS 200       /* imtcp's default */
#define DFLT_SESSION_TIMEOUT 600    /* seconds */
#define MAX_SESSIONS 65536          /* each connection has a buffer of MAX_DATAGRAM bytes */

struct modConfData_s {
	rsconf_t *pConf;
	instanceConf_t *root, *tail;
	nf_limits_t limits;         /* template state bounds (module parameters) */
	int persistTemplates;       /* save templates in workDirectory, restore at start */
	int exporterStats;          /* an impstats object per exporter */
	int exporterStatsMax;       /* how many; the rest share "other" */
	uchar *dictionaryFile;      /* further elements (module parameter "dictionary") */
	uchar *networksFile;        /* "networks": CIDR to name, site, role, tags */
	uchar *geoipCity;           /* "geoip.city": a MaxMind City or Country database */
	uchar *geoipAsn;            /* "geoip.asn": a MaxMind ASN database */
	uchar *samplingFile;        /* "sampling": rates of exporters that state none */
	uchar *interfaceFile;       /* "interfaceNames": exporter, ifIndex to name, description */
	nf_dict_t *dictionary;      /* loaded from it */
	int threads;                /* receiving threads: every address bound that many times */
	int summaryInterval;        /* seconds between exporter summaries; 0: none */
	int exporterTimeout;        /* seconds without a datagram that make an exporter silent; 0: never */
	int exporterEvents;         /* health events on */
	int exporterTableMax;       /* exporters with state of their own; the rest share "other" */
	uchar *sandboxName;         /* "sandbox": errno, kill or off */
	int sandbox;                /* enum sandbox_mode */
};

/* What a receiving thread's seccomp filter does with a system call it does
 * not allow (module parameter "sandbox", imn_sandbox.c). */
enum sandbox_mode {
	SANDBOX_ERRNO, /* fails with EPERM, counted and logged */
	SANDBOX_KILL,  /* kills rsyslogd (SIGSYS) */
	SANDBOX_OFF,   /* no filter */
};

extern modConfData_t *loadModConf; /* imnetflow.c: configuration */
extern modConfData_t *runModConf;

/* Counters of one listening socket, as impstats shows them. */
#define LISTENER_COUNTERS(X) \
	X(ctrReceived, "datagrams.received") \
	X(ctrTruncated, "datagrams.truncated") \
	X(ctrMalformed, "datagrams.malformed") \
	X(ctrDecoded, "records.decoded") \
	X(ctrSubmitted, "submitted") \
	X(ctrRatelimited, "records.ratelimited") \
	X(ctrFailed, "records.failed") \
	X(ctrTimesImplausible, "times.implausible") \
	X(ctrGeoipFailed, "geoip.failed") \
	X(ctrTemplateErrors, "templates.malformed") \
	X(ctrSeqMissing, "sequence.missing") \
	X(ctrSeqResets, "sequence.resets") \
	X(ctrSkipped, "sflow.skipped") \
	X(ctrUnaccepted, "datagrams.unaccepted") \
	X(ctrDisallowed, "disallowed") \
	X(ctrDropped, "datagrams.dropped") \
	X(ctrUntracked, "datagrams.untracked") \
	X(ctrEvents, "events") \
	X(ctrEventsSuppressed, "events.suppressed")

/* Counters of a stream listener (tcp, sctp, tls) besides those: its
 * connections. */
#define STREAM_COUNTERS(X) \
	X(ctrSessionsOpened, "sessions.opened") \
	X(ctrSessionsClosed, "sessions.closed") \
	X(ctrSessionsRefused, "sessions.refused") \
	X(ctrSessionsTimedout, "sessions.timedout") \
	X(ctrSessionsMalformed, "sessions.malformed")

/* Counters of a tls input's handshakes (imn_tls.c), one object per input. */
#define TLS_COUNTERS(X) \
	X(ctrCompleted, "handshakes.completed") \
	X(ctrFailed, "handshakes.failed")

/* Counters of the template and stream state, shared by all listeners. */
#define SESSION_COUNTERS(X) \
	X(templates_added, "templates.added") \
	X(templates_refreshed, "templates.refreshed") \
	X(templates_changed, "templates.changed") \
	X(templates_withdrawn, "templates.withdrawn") \
	X(templates_evicted, "templates.evicted") \
	X(templates_expired, "templates.expired") \
	X(scopes_evicted, "scopes.evicted") \
	X(pending_buffered, "pending.buffered") \
	X(pending_decoded, "pending.decoded") \
	X(pending_dropped, "pending.dropped") \
	X(names_dropped, "names.dropped") \
	X(streams_evicted, "streams.evicted")

/* Gauges of the template and stream state: what it holds now. */
#define SESSION_GAUGES(X) \
	X(scopes_current, "scopes.current", nf_session_scope_count) \
	X(templates_current, "templates.current", nf_session_template_count) \
	X(streams_current, "streams.current", nf_session_stream_count) \
	X(streams_memory_bytes, "streams.memory.bytes", nf_session_stream_memory) \
	X(memory_bytes, "memory.bytes", nf_session_memory)

/* Counters per exporter (module parameter exporterStats). */
#define EXPORTER_COUNTERS(X) \
	X(ctrDatagrams, "datagrams") \
	X(ctrMalformed, "datagrams.malformed") \
	X(ctrRecords, "records") \
	X(ctrTemplates, "templates") \
	X(ctrSeqMissing, "sequence.missing") \
	X(ctrSeqResets, "sequence.resets")

#define EXPORTER_BUCKETS 1024
#define DFLT_EXPORTER_STATS_MAX 1000
#define DFLT_SUMMARY_INTERVAL 60    /* seconds */
#define DFLT_EXPORTER_TIMEOUT 300   /* seconds */
#define DFLT_EXPORTER_TABLE_MAX 1000

typedef struct exporter_stats {
	struct exporter_stats *next;
	uint8_t addr[16];           /* IPv4 as IPv4-mapped IPv6 */
	statsobj_t *stats;
#define DEF_EXPORTER_COUNTER(ctr, label) STATSCOUNTER_DEF(ctr, mut_##ctr)
	EXPORTER_COUNTERS(DEF_EXPORTER_COUNTER)
} exporter_stats_t;

/* Rate-limits one kind of error log line: the first in every
 * ERROR_LOG_INTERVAL seconds is logged, with how many were suppressed. */
typedef struct error_throttle {
	time_t last;
	unsigned suppressed;
} error_throttle_t;

typedef struct listener {
	int sock;
	int worker;                 /* the receiving thread that reads it */
	instanceConf_t *inst;
	prop_t *inputName;
	ratelimit_t *ratelimiter;
	statsobj_t *stats;
	char display[128];          /* name(address/port) in logs and impstats */
#define DEF_COUNTER(ctr, label) STATSCOUNTER_DEF(ctr, mut_##ctr)
	LISTENER_COUNTERS(DEF_COUNTER)
	STREAM_COUNTERS(DEF_COUNTER)
	const stream_transport_t *transport; /* NULL: a UDP socket */
	void *streamLstn;           /* the transport's listener */
	uint32_t kernelDrops;       /* the socket's SO_RXQ_OVFL count as last seen */
	uint64_t droppedAtSummary;  /* ctrDropped at the last summaries (imn_events.c) */
	uint64_t droppedInterval;   /* and its growth in the interval they summed up */
	error_throttle_t malformedLog;
	error_throttle_t failedLog;
	struct listener *next;
} listener_t;

extern listener_t *listenerRoot; /* imn_net.c: sockets, listeners, receiving threads */

/* What a receiving thread hands to the outbox thread (imn_outbox.c), which
 * does for it what its sandbox forbids: submitting to rsyslog's queues
 * (which may start queue worker threads, and those would inherit the
 * filter), logging, and writing the template file. */
enum outbox_kind {
	OUT_RECORD, /* msg through lstn's rate limiter; state counts what it drops */
	OUT_EVENT,  /* msg as it is (summaries, health events) */
	OUT_LOG,    /* text as an error message of rsyslog's */
	OUT_SAVE,   /* text (len bytes) as worker's template file */
};

typedef struct outbox_item {
	enum outbox_kind kind;
	smsg_t *msg;
	struct listener *lstn;
	struct exporter_state *state;
	char *text;                 /* malloc'ed, freed by the outbox thread */
	size_t len;
	int worker;
	int err;                    /* OUT_LOG: errno */
	rsRetVal code;              /* OUT_LOG: rsyslog's error code */
} outbox_item_t;

#define OUTBOX_PENDING 64           /* items a worker collects before handing them over */

/* The template state's impstats values of one worker, as of its last
 * second. */
typedef struct published_stats {
	nf_session_stats_t counters;
#define DEF_PUBLISHED_GAUGE(field, label, fn) size_t field;
	SESSION_GAUGES(DEF_PUBLISHED_GAUGE)
} published_stats_t;

/* One exporter's state for summaries and health events (imn_events.c). */
typedef struct summary_counts {
	uint64_t datagrams, flows, octets, packets, sequenceMissing, malformed, pendingDropped;
} summary_counts_t;

typedef struct exporter_state {
	struct exporter_state *next;  /* hash chain */
	listener_t *lstn;             /* of its latest datagram: whose input its messages are */
	uint8_t addr[16];             /* IPv4 as IPv4-mapped IPv6 */
	char address[INET6_ADDRSTRLEN]; /* "other": the entry exporters beyond the cap share */
	bool tracked;                 /* false for "other": summaries only */
	time_t lastSeen;
	bool silent;
	bool hasUptime;               /* uptimeMs is the last v1/v5/v7/v9 header's */
	uint16_t uptimeVersion;
	uint32_t uptimeMs;
	bool hasIdentity;             /* identity is the last datagram's */
	uint64_t identity;
	time_t eventMinute;           /* events in the current minute, for the cap */
	unsigned eventsInMinute;
	summary_counts_t counts;      /* since the last summary */
	uint64_t ratelimited;         /* since the last summary; added to by the outbox thread */
} exporter_state_t;

/* A worker's exporters, by address. */
typedef struct health_table {
	exporter_state_t *buckets[EXPORTER_BUCKETS];
	int count;
	int max;                      /* 0: no summaries, no events */
	exporter_state_t *other;
	time_t lastInterval;          /* now / summaryInterval at the last summaries */
} health_table_t;

/* One receiving thread: its buffers and its template state. Every worker
 * runs on a thread runInput starts (imnetflow:rx<k>); rsyslog's input
 * thread runs the outbox (imn_outbox.c). With
 * threads="N" every address is bound N times (SO_REUSEPORT) and the kernel
 * hands all datagrams of one exporter address to the same worker
 * (attachReuseportProgram), so that a worker's template state is its own
 * and needs no lock. */
typedef struct worker {
	int index;
	pthread_t thread;
	bool started;
	uint8_t *buf;                      /* batchSize slots of MAX_DATAGRAM bytes */
	struct mmsghdr *hdr;
	struct iovec *iov;
	struct sockaddr_storage *from;
	uint8_t *control;                  /* batchSize slots of CONTROL_SIZE: SO_RXQ_OVFL */
	nf_record_t *record;               /* reused for every record */
	char *line;                        /* LINE_BUFFER_SIZE: pre-rendered messages */
	nf_time_cache_t times;             /* the last day rendered */
	struct syslogTime reported;        /* timereported of the last second set */
	time_t reportedSec;
	int reportedValid;
	int servedBy;                      /* the thread that runs it: its own, or 0 if its
					      thread could not be started */
	nf_session_t *session;             /* the templates of this worker's exporters */
	uint64_t savedChanges;             /* template changes as of the last save */
	published_stats_t published;       /* under workers.mut */
	health_table_t health;             /* its exporters' summaries and health */
	bool enrichOn;                     /* networks file or GeoIP configured (imn_enrich.c) */
	nf_enrich_cache_t *enrichCache;    /* its GeoIP lookups; made at the first */
	uint64_t datagrams;                /* with enrichOn: datagrams done, and */
	int busy;                          /* whether it is in one (both atomic): when a HUP's
					      replaced databases are free to go */
	outbox_item_t pending[OUTBOX_PENDING]; /* for the outbox thread, not yet handed over */
	int npending;
} worker_t;

typedef struct workers {
	worker_t *w;
	int n;
	int batchSize;                     /* the largest of the inputs' */
	pthread_mutex_t mut;               /* the workers' published statistics */
	int stop;                          /* set (atomically) by outboxRun when rsyslog stops the input */
	int running;                       /* receiving threads not yet ended (atomic) */
} workers_t;
extern workers_t workers; /* imn_workers.c: workers and the template file */

/* Per-exporter counters: a hash by address, at most exporterStatsMax
 * entries; exporters beyond share the entry "other". One exporter address
 * is read by one worker, but "other" and the count are shared: a lock. */
typedef struct exporters {
	exporter_stats_t *buckets[EXPORTER_BUCKETS];
	int count;
	exporter_stats_t *other;
	pthread_mutex_t mut;
} exporters_t;
extern exporters_t exporters; /* imn_stats.c: statistics */

/* The template state's persistence and impstats object; the sessions
 * themselves are the workers'. */
typedef struct core_state {
	char *templateFile;         /* worker 0's file, the others' add .<k>; NULL: not persisted */
	statsobj_t *stats;
#define DEF_SESSION_COUNTER(field, label) intctr_t field;
	SESSION_COUNTERS(DEF_SESSION_COUNTER)
#define DEF_SESSION_GAUGE(field, label, fn) intctr_t field;
	SESSION_GAUGES(DEF_SESSION_GAUGE)
} core_state_t;
extern core_state_t core; /* imn_stats.c: statistics */

/* The members of "exporter", for both the tree and the pre-rendered line. */
typedef struct exporter_item {
	const char *key;
	const char *text; /* NULL: the member is the number num */
	uint64_t num;
} exporter_item_t;

#define MAX_EXPORTER_ITEMS 10

/* What every record of one datagram shares. */
typedef struct datagram_ctx {
	listener_t *lstn;
	worker_t *w;                       /* whose buffers and templates */
	prop_t *fromHost;                  /* exporter address, shared by its records */
	char address[INET6_ADDRSTRLEN];
	int port;
	struct syslogTime *rcvTime;
	time_t ttGenTime;
	time_t now;
	const nf_template_source_t *templates; /* of the record being built */
	const nf_sflow_agent_t *agent;         /* sFlow datagrams only */
	exporter_stats_t *exp;                 /* per-exporter counters, or NULL */
	exporter_state_t *state;               /* summaries and health, or NULL */
	const nf_enrich_db_t *enrichment;      /* the shared databases for this datagram, or NULL */
	const struct sockaddr_storage *from;   /* the exporter */
	bool enriched;                         /* src and dst are the record's */
	int severity;                          /* of the record being built */
	nf_endpoint_info_t src, dst;
	/* the members of "exporter", made once for the datagram header they
	 * were made from, and their pre-rendered text (exporterLen 0: not yet) */
	nf_datagram_info_t exporterInfo;
	bool exporterValid;
	int nitems;
	exporter_item_t items[MAX_EXPORTER_ITEMS];
	char agentText[NF_TEXT_MAX], timeText[NF_TEXT_MAX];
	size_t exporterLen;
	char exporterText[512];
} datagram_ctx_t;

/* imnetflow.c: configuration */
int mappedAddress(const struct sockaddr_storage *from, uint8_t a[16]);
/* a (16 bytes, IPv4 mapped) as text: dotted IPv4 for a mapped address, else IPv6. */
void addressText(const uint8_t a[16], char *buf, size_t size);
int exporterAllowed(const instanceConf_t *inst, const struct sockaddr_storage *from);

/* imn_net.c: sockets, listeners, receiving threads */
int exporterWorker(const uint8_t addr[16], int n);
int boundPort(int sock);
void writeListenPortFile(const instanceConf_t *inst, int port);
rsRetVal newListener(instanceConf_t *inst, const char *display, listener_t **out);
void destroyListener(listener_t *l);
rsRetVal bindPort(instanceConf_t *inst, const char *port);
rsRetVal startWorkers(void);
void joinWorkers(void);

/* imn_stats.c: statistics */
rsRetVal setupListenerStats(listener_t *l);
void addPublishedStats(published_stats_t *sum, const published_stats_t *p);
rsRetVal setupSessionStats(void);
exporter_stats_t *exporterStats(const struct sockaddr_storage *from, const char *address);
void freeExporterStats(void);
void publishSessionStats(worker_t *w);
void syncSessionStats(void);

/* imn_workers.c: workers and the template file */
uint64_t templateChanges(const worker_t *w);
void saveTemplates(worker_t *w);
void writeTemplateFile(int k, const char *data, size_t len);
rsRetVal setupPersistence(void);
rsRetVal setupWorkerState(worker_t *w, int index, const nf_limits_t *limits);
rsRetVal setupWorker(worker_t *w, int index);
void freeWorkerState(worker_t *w);
void freeWorkers(void);

/* imn_tee.c: copies of the accepted datagrams to other collectors */
rsRetVal parseTee(instanceConf_t *inst);
rsRetVal openTee(instanceConf_t *inst);
void closeTee(instanceConf_t *inst);
int teeSockets(int *fds, int max);
void teeDatagrams(listener_t *l, worker_t *w, const tee_datagram_t *dg, unsigned n);

/* imn_msg.c: datagrams to messages */
bool logAllowed(error_throttle_t *t, time_t now, unsigned *suppressed);
bool protocolAccepted(listener_t *l, const uint8_t *buf, size_t len);
bool datagramAccepted(listener_t *l, const uint8_t *buf, size_t len, const struct sockaddr_storage *from);
void decodeDatagram(listener_t *l, const uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		    datagram_ctx_t *d);

/* imn_outbox.c: the thread that submits, logs and saves for the receiving threads */
void outboxPut(worker_t *w, const outbox_item_t *item);
void outboxLog(worker_t *w, int err, rsRetVal code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void outboxFlush(worker_t *w);
void outboxRun(thrdInfo_t *pThrd);
void outboxWorkerDone(void);

/* imn_sandbox.c: the receiving threads' seccomp filter */
rsRetVal sandboxSetup(int mode);
int sandboxEnter(int mode);
int sandboxEnterStream(int mode);
void sandboxReport(time_t now);
#ifdef IMN_SANDBOX_SELFTEST /* the test build only: tests/integration/test_sandbox.py */
void sandboxSelftest(worker_t *w, const uint8_t *buf, size_t len);
#else
#define sandboxSelftest(w, buf, len) ((void)0)
#endif

/* imn_events.c: summaries and health events */
exporter_state_t *trackExporter(datagram_ctx_t *d, const struct sockaddr_storage *from);
void noteDecoded(datagram_ctx_t *d, const nf_decode_result_t *r, bool malformed);
void noteFlow(datagram_ctx_t *d, const nf_flow_facts_t *facts);
void exporterHousekeeping(worker_t *w, time_t now);
void setupExporterTable(worker_t *w, time_t now);
void freeExporterTable(worker_t *w);
struct fjson_object *jsonU64(uint64_t v);

/* imn_enrich.c: internalNetworks, the networks file, GeoIP */
rsRetVal parseNetworkLists(instanceConf_t *inst);
int flowSeverity(const datagram_ctx_t *d, const nf_record_t *rec, const nf_flow_facts_t *facts);
bool enrichmentConfigured(void);
void loadEnrichment(void);
void reloadEnrichment(void);
void freeEnrichment(void);
void enrichmentBegin(datagram_ctx_t *d, nf_decoder_t *dec);
void enrichmentEnd(datagram_ctx_t *d);
void enrichRecord(datagram_ctx_t *d, nf_record_t *rec);

/* imn_tls.c: transport="tls" on rsyslog's netstream drivers */
void tlsModInit(obj_if_t *objIf);
void tlsModExit(void);
rsRetVal tlsCheckParams(instanceConf_t *inst);
void tlsFreeParams(instanceConf_t *inst);

/* imn_stream.c: stream inputs (tcp, sctp, tls): listeners, connections, framing */
rsRetVal streamListen(instanceConf_t *inst);
bool streamListening(void);
rsRetVal streamSetup(void);
void streamStart(void);
void streamJoin(void);
void streamFree(void);
void streamSessionStats(published_stats_t *sum);
int workerCount(void);
worker_t *workerAt(int i);

#pragma GCC visibility pop

#endif /* IMN_H */
