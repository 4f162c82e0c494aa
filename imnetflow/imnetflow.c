/* imnetflow.c - rsyslog input module for NetFlow/IPFIX/sFlow export datagrams.
 *
 * The thin glue between rsyslog and the pure decoder core: configuration
 * tables, UDP sockets bound before privileges are dropped, recvmmsg loops
 * (one per receiving thread), one rsyslog message per flow record with the
 * record under $!netflow, and impstats counters for every datagram and
 * record that is not delivered. Sections, in order: configuration,
 * sockets, statistics, listeners, workers and the template file, messages,
 * datagrams, receiving threads and the module's entry points.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
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
#include "nf_decode.h"
#include "nf_dict.h"
#include "nf_format.h"
#include "nf_hash.h"
#include "nf_persist.h"
#include "nf_render.h"
#include "nf_session.h"

MODULE_TYPE_INPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("imnetflow")

DEF_IMOD_STATIC_DATA
DEFobjCurrIf(glbl)
DEFobjCurrIf(datetime)
DEFobjCurrIf(prop)
DEFobjCurrIf(ruleset)
DEFobjCurrIf(statsobj)

#define MOD_NAME "imnetflow"
#define MAX_DATAGRAM 65535          /* largest UDP payload */
#define DFLT_BATCH_SIZE 32          /* datagrams per recvmmsg() */
#define MAX_BATCH_SIZE 1024
#define MAX_THREADS 64              /* module parameter "threads" */
#define POLL_TIMEOUT_MS 200         /* how often the input checks for shutdown */
#define ERROR_LOG_INTERVAL 60       /* seconds between two logs of the same error kind */
#define PRI_USER_INFO ((1 << 3) | 6)
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
#define LINE_BUFFER_SIZE (1024 * 1024) /* a pre-rendered record longer than this is cut */

/* An exporter address range of allowedExporters; IPv4 as IPv4-mapped IPv6. */
typedef struct addr_range {
	uint8_t addr[16];
	unsigned bits;            /* prefix length in the 128-bit form */
} addr_range_t;

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
	struct cnfarray *protocolNames; /* "protocols" */
	int protocols;              /* enum protocol_bit set */
	struct cnfarray *allowedNames; /* "allowedExporters" */
	addr_range_t *allowed;      /* NULL: every sender is accepted */
	int nallowed;
	int batchSize;
	int ratelimitInterval;
	int ratelimitBurst;
	enum time_reported timeSource;
	enum template_scope scope;
	enum output_format format;
	struct instanceConf_s *next;
};

struct modConfData_s {
	rsconf_t *pConf;
	instanceConf_t *root, *tail;
	nf_limits_t limits;         /* template state bounds (module parameters) */
	int persistTemplates;       /* save templates in workDirectory, restore at start */
	int exporterStats;          /* an impstats object per exporter */
	int exporterStatsMax;       /* how many; the rest share "other" */
	uchar *dictionaryFile;      /* further elements (module parameter "dictionary") */
	nf_dict_t *dictionary;      /* loaded from it */
	int threads;                /* receiving threads: every address bound that many times */
};

static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;

/* Counters of one listening socket, as impstats shows them. */
#define LISTENER_COUNTERS(X) \
	X(ctrReceived, "datagrams.received") \
	X(ctrTruncated, "datagrams.truncated") \
	X(ctrMalformed, "datagrams.malformed") \
	X(ctrDecoded, "records.decoded") \
	X(ctrSubmitted, "submitted") \
	X(ctrRatelimited, "records.ratelimited") \
	X(ctrFailed, "records.failed") \
	X(ctrTemplateErrors, "templates.malformed") \
	X(ctrSeqMissing, "sequence.missing") \
	X(ctrSeqResets, "sequence.resets") \
	X(ctrSkipped, "sflow.skipped") \
	X(ctrUnaccepted, "datagrams.unaccepted") \
	X(ctrDisallowed, "disallowed")

/* Counters of the template and stream state, shared by all listeners. */
#define SESSION_COUNTERS(X) \
	X(templates_added, "templates.added") \
	X(templates_refreshed, "templates.refreshed") \
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
	error_throttle_t malformedLog;
	error_throttle_t failedLog;
	struct listener *next;
} listener_t;

static listener_t *listenerRoot = NULL;

/* The template state's impstats values of one worker, as of its last
 * second. */
typedef struct published_stats {
	nf_session_stats_t counters;
#define DEF_PUBLISHED_GAUGE(field, label, fn) size_t field;
	SESSION_GAUGES(DEF_PUBLISHED_GAUGE)
} published_stats_t;

/* One receiving thread: its buffers and its template state. Worker 0 runs
 * on rsyslog's input thread, the others on threads runInput starts. With
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
} worker_t;

static struct {
	worker_t *w;
	int n;
	int batchSize;                     /* the largest of the inputs' */
	pthread_mutex_t mut;               /* the workers' published statistics */
	int stop;                          /* set (atomically) by worker 0 when rsyslog stops the input */
} workers = {.mut = PTHREAD_MUTEX_INITIALIZER};

/* Per-exporter counters: a hash by address, at most exporterStatsMax
 * entries; exporters beyond share the entry "other". One exporter address
 * is read by one worker, but "other" and the count are shared: a lock. */
static struct {
	exporter_stats_t *buckets[EXPORTER_BUCKETS];
	int count;
	exporter_stats_t *other;
	pthread_mutex_t mut;
} exporters = {.mut = PTHREAD_MUTEX_INITIALIZER};

/* The template state's persistence and impstats object; the sessions
 * themselves are the workers'. */
static struct {
	char *templateFile;         /* worker 0's file, the others' add .<k>; NULL: not persisted */
	statsobj_t *stats;
#define DEF_SESSION_COUNTER(field, label) intctr_t field;
	SESSION_COUNTERS(DEF_SESSION_COUNTER)
#define DEF_SESSION_GAUGE(field, label, fn) intctr_t field;
	SESSION_GAUGES(DEF_SESSION_GAUGE)
} core;

/* ---------------------------------------------------------------------------
 * Configuration: input parameters as one declarative table.
 */
enum param_kind { P_ARRAY, P_STRING, P_INT, P_UINT32, P_SIZE };

#define INPUT_PARAMS(X) \
	X("port", eCmdHdlrArray, CNFPARAM_REQUIRED, P_ARRAY, ports) \
	X("address", eCmdHdlrString, 0, P_STRING, address) \
	X("name", eCmdHdlrGetWord, 0, P_STRING, name) \
	X("ruleset", eCmdHdlrString, 0, P_STRING, pszBindRuleset) \
	X("rcvbufsize", eCmdHdlrSize, 0, P_INT, rcvbufSize) \
	X("batchsize", eCmdHdlrPositiveInt, 0, P_INT, batchSize) \
	X("ratelimit.interval", eCmdHdlrNonNegInt, 0, P_INT, ratelimitInterval) \
	X("ratelimit.burst", eCmdHdlrPositiveInt, 0, P_INT, ratelimitBurst) \
	X("listenportfilename", eCmdHdlrString, 0, P_STRING, listenPortFileName) \
	X("timereported", eCmdHdlrGetWord, 0, P_STRING, timeReported) \
	X("templatescope", eCmdHdlrGetWord, 0, P_STRING, templateScope) \
	X("format", eCmdHdlrGetWord, 0, P_STRING, formatName) \
	X("emitoptions", eCmdHdlrBinary, 0, P_INT, emitOptions) \
	X("renormalize", eCmdHdlrBinary, 0, P_INT, renormalize) \
	X("ecs", eCmdHdlrBinary, 0, P_INT, ecs) \
	X("protocols", eCmdHdlrArray, 0, P_ARRAY, protocolNames) \
	X("allowedexporters", eCmdHdlrArray, 0, P_ARRAY, allowedNames)

#define PARAM_DESCR(name, type, flags, kind, field) {name, type, flags},
static struct cnfparamdescr inppdescr[] = {INPUT_PARAMS(PARAM_DESCR)};
static struct cnfparamblk inppblk = {CNFPARAMBLK_VERSION, sizeof(inppdescr) / sizeof(inppdescr[0]),
				     inppdescr};

static const struct param_target {
	enum param_kind kind;
	size_t offset;
} inpptarget[] = {
#define PARAM_TARGET(name, type, flags, kind, field) {kind, offsetof(instanceConf_t, field)},
	INPUT_PARAMS(PARAM_TARGET)
};

/* Module parameters: the bounds of the template state. */
#define MODULE_PARAMS(X) \
	X("template.timeout", eCmdHdlrNonNegInt, 0, P_UINT32, limits.template_timeout) \
	X("template.maxscopes", eCmdHdlrPositiveInt, 0, P_UINT32, limits.max_scopes) \
	X("template.maxperscope", eCmdHdlrPositiveInt, 0, P_UINT32, limits.max_templates_per_scope) \
	X("template.maxmemory", eCmdHdlrSize, 0, P_SIZE, limits.max_template_bytes) \
	X("pending.maxmemory", eCmdHdlrSize, 0, P_SIZE, limits.max_pending_bytes) \
	X("pending.maxperscope", eCmdHdlrSize, 0, P_SIZE, limits.max_pending_bytes_per_scope) \
	X("pending.timeout", eCmdHdlrNonNegInt, 0, P_UINT32, limits.pending_timeout) \
	X("stream.max", eCmdHdlrPositiveInt, 0, P_UINT32, limits.max_streams) \
	X("template.persist", eCmdHdlrBinary, 0, P_INT, persistTemplates) \
	X("exporterstats", eCmdHdlrBinary, 0, P_INT, exporterStats) \
	X("exporterstats.max", eCmdHdlrPositiveInt, 0, P_INT, exporterStatsMax) \
	X("dictionary", eCmdHdlrString, 0, P_STRING, dictionaryFile) \
	X("threads", eCmdHdlrPositiveInt, 0, P_INT, threads)

static struct cnfparamdescr modpdescr[] = {MODULE_PARAMS(PARAM_DESCR)};
static struct cnfparamblk modpblk = {CNFPARAMBLK_VERSION, sizeof(modpdescr) / sizeof(modpdescr[0]),
				     modpdescr};

static const struct param_target modptarget[] = {
#define MOD_PARAM_TARGET(name, type, flags, kind, field) {kind, offsetof(modConfData_t, field)},
	MODULE_PARAMS(MOD_PARAM_TARGET)
};

#include "im-helper.h" /* needs instanceConf_t and modConfData_t */

static const char *const time_reported_names[] = {
	[TIME_FLOW_END] = "flowend",
	[TIME_RECEIVED] = "received",
};

static const char *const template_scope_names[] = {
	[SCOPE_ADDRESS] = "address",
	[SCOPE_ADDRESS_PORT] = "address+port",
	[SCOPE_DOMAIN] = "domain",
};

static const char *const format_names[] = {
	[FORMAT_STRUCTURED] = "structured",
	[FORMAT_JSON] = "json",
	[FORMAT_KV] = "kv",
};

static rsRetVal createInstance(instanceConf_t **pinst)
{
	instanceConf_t *inst;
	DEFiRet;

	CHKmalloc(inst = calloc(1, sizeof(*inst)));
	inst->batchSize = DFLT_BATCH_SIZE;
	inst->ratelimitBurst = 10000;
	inst->ratelimitInterval = 0;
	inst->timeSource = TIME_FLOW_END;
	inst->scope = SCOPE_ADDRESS;
	inst->emitOptions = 1;
	inst->protocols = PROTO_ALL;
	if (loadModConf->tail == NULL)
		loadModConf->root = inst;
	else
		loadModConf->tail->next = inst;
	loadModConf->tail = inst;
	*pinst = inst;
finalize_it:
	RETiRet;
}

/* Stores one parameter value into a config struct, as its table row says. */
static rsRetVal applyParam(void *conf, const struct param_target *t, struct cnfparamvals *v)
{
	char *field = (char *)conf + t->offset;
	DEFiRet;

	switch (t->kind) {
	case P_ARRAY:
		*(struct cnfarray **)field = cnfarrayDup(v->val.d.ar);
		CHKmalloc(*(struct cnfarray **)field);
		break;
	case P_STRING:
		CHKmalloc(*(uchar **)field = (uchar *)es_str2cstr(v->val.d.estr, NULL));
		break;
	case P_INT:
		*(int *)field = (int)v->val.d.n;
		break;
	case P_UINT32:
		*(uint32_t *)field = (uint32_t)v->val.d.n;
		break;
	case P_SIZE:
		*(size_t *)field = (size_t)v->val.d.n;
		break;
	}
finalize_it:
	RETiRet;
}

/* Port must be a number from 0 (any free port) to 65535. */
static rsRetVal checkPort(const char *port)
{
	char *end;
	long n;
	DEFiRet;

	errno = 0;
	n = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || n < 0 || n > 65535) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": invalid port '%s': expected a number 0-65535",
			 port);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
finalize_it:
	RETiRet;
}

/* Address must be "*" or a numeric IPv4 or IPv6 address. */
static rsRetVal checkAddress(const char *address)
{
	struct in6_addr a6;
	struct in_addr a4;
	DEFiRet;

	if (strcmp(address, "*") != 0 && inet_pton(AF_INET, address, &a4) != 1 &&
	    inet_pton(AF_INET6, address, &a6) != 1) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": invalid address '%s': expected an IPv4 or IPv6 address or \"*\"",
			 address);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
finalize_it:
	RETiRet;
}

/* Maps a keyword parameter to its index in names; an unknown word is a
 * configuration error naming the accepted ones. */
static rsRetVal parseKeyword(const char *param, const uchar *word, const char *const *names, size_t n,
			     int *index)
{
	char accepted[256] = "";
	DEFiRet;

	if (word == NULL)
		FINALIZE;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp((const char *)word, names[i]) == 0) {
			*index = (int)i;
			FINALIZE;
		}
		snprintf(accepted + strlen(accepted), sizeof(accepted) - strlen(accepted), "%s\"%s\"",
			 i ? ", " : "", names[i]);
	}
	LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": invalid %s '%s': expected one of %s", param, word,
		 accepted);
	ABORT_FINALIZE(RS_RET_PARAM_ERROR);
finalize_it:
	RETiRet;
}

#define PARSE_KEYWORD(param, word, names, target) \
	do { \
		int index_ = (int)(target); \
		CHKiRet(parseKeyword(param, word, names, sizeof(names) / sizeof(names[0]), &index_)); \
		target = index_; \
	} while (0)

static const char *const protocol_names[] = {"netflow", "ipfix", "sflow"};

/* protocols=["netflow", "ipfix", "sflow"]: the set of accepted protocols. */
static rsRetVal parseProtocols(instanceConf_t *inst)
{
	DEFiRet;
	if (inst->protocolNames == NULL)
		FINALIZE;
	inst->protocols = 0;
	for (int i = 0; i < inst->protocolNames->nmemb; i++) {
		char *word = es_str2cstr(inst->protocolNames->arr[i], NULL);
		int index = -1;
		CHKmalloc(word);
		iRet = parseKeyword("protocols", (uchar *)word, protocol_names,
				    sizeof(protocol_names) / sizeof(protocol_names[0]), &index);
		free(word);
		CHKiRet(iRet);
		inst->protocols |= 1 << index;
	}
finalize_it:
	RETiRet;
}

/* "192.0.2.0/24", "2001:db8::/32" or a single address. */
static int parseRange(const char *text, addr_range_t *r)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long bits;
	int v4;

	if (strlen(text) >= sizeof(buf))
		return 0;
	strcpy(buf, text);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	memset(r, 0, sizeof(*r));
	v4 = inet_pton(AF_INET, buf, r->addr + 12) == 1;
	if (v4)
		r->addr[10] = r->addr[11] = 0xff;
	else if (inet_pton(AF_INET6, buf, r->addr) != 1)
		return 0;
	bits = v4 ? 32 : 128;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > (v4 ? 32 : 128))
			return 0;
	}
	r->bits = (unsigned)bits + (v4 ? 96 : 0);
	return 1;
}

static rsRetVal parseAllowed(instanceConf_t *inst)
{
	DEFiRet;
	if (inst->allowedNames == NULL)
		FINALIZE;
	CHKmalloc(inst->allowed = calloc(inst->allowedNames->nmemb, sizeof(*inst->allowed)));
	for (int i = 0; i < inst->allowedNames->nmemb; i++) {
		char *text = es_str2cstr(inst->allowedNames->arr[i], NULL);
		int ok;
		CHKmalloc(text);
		ok = parseRange(text, &inst->allowed[inst->nallowed]);
		if (!ok)
			LogError(0, RS_RET_PARAM_ERROR,
				 MOD_NAME ": invalid allowedExporters entry '%s': expected an address or CIDR range",
				 text);
		free(text);
		if (!ok)
			ABORT_FINALIZE(RS_RET_PARAM_ERROR);
		inst->nallowed++;
	}
finalize_it:
	RETiRet;
}

/* True if the sender is in one of the allowed ranges (or none are set). */
/* The sender's address as 16 bytes, IPv4 as IPv4-mapped IPv6; returns its port. */
static int mappedAddress(const struct sockaddr_storage *from, uint8_t a[16])
{
	memset(a, 0, 16);
	if (from->ss_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
		return ntohs(((const struct sockaddr_in6 *)from)->sin6_port);
	}
	a[10] = a[11] = 0xff;
	memcpy(a + 12, &((const struct sockaddr_in *)from)->sin_addr, 4);
	return ntohs(((const struct sockaddr_in *)from)->sin_port);
}

static int exporterAllowed(const instanceConf_t *inst, const struct sockaddr_storage *from)
{
	uint8_t a[16];

	if (inst->allowed == NULL)
		return 1;
	(void)mappedAddress(from, a);
	for (int i = 0; i < inst->nallowed; i++) {
		const addr_range_t *r = &inst->allowed[i];
		unsigned full = r->bits / 8, rest = r->bits % 8;
		if (memcmp(a, r->addr, full) == 0 &&
		    (rest == 0 || ((a[full] ^ r->addr[full]) & (0xff << (8 - rest))) == 0))
			return 1;
	}
	return 0;
}

static rsRetVal checkInstance(instanceConf_t *inst)
{
	DEFiRet;
	for (int i = 0; i < inst->ports->nmemb; i++) {
		char *port = es_str2cstr(inst->ports->arr[i], NULL);
		CHKmalloc(port);
		iRet = checkPort(port);
		free(port);
		CHKiRet(iRet);
	}
	if (inst->address != NULL)
		CHKiRet(checkAddress((char *)inst->address));
	if (inst->batchSize > MAX_BATCH_SIZE) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": batchSize %d too large, maximum is %d",
			 inst->batchSize, MAX_BATCH_SIZE);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	PARSE_KEYWORD("timeReported", inst->timeReported, time_reported_names, inst->timeSource);
	PARSE_KEYWORD("templateScope", inst->templateScope, template_scope_names, inst->scope);
	PARSE_KEYWORD("format", inst->formatName, format_names, inst->format);
	if (inst->ecs && inst->format == FORMAT_KV) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": ecs=\"on\" needs format \"structured\" or \"json\"");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	CHKiRet(parseProtocols(inst));
	CHKiRet(parseAllowed(inst));
finalize_it:
	RETiRet;
}

BEGINnewInpInst
	struct cnfparamvals *pvals;
	instanceConf_t *inst;
CODESTARTnewInpInst;
	if ((pvals = nvlstGetParams(lst, &inppblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKiRet(createInstance(&inst));
	for (int i = 0; i < inppblk.nParams; i++) {
		if (pvals[i].bUsed)
			CHKiRet(applyParam(inst, &inpptarget[i], &pvals[i]));
	}
	CHKiRet(checkInstance(inst));
finalize_it:
CODE_STD_FINALIZERnewInpInst
	cnfparamvalsDestruct(pvals, &inppblk);
ENDnewInpInst

BEGINbeginCnfLoad
CODESTARTbeginCnfLoad;
	loadModConf = pModConf;
	pModConf->pConf = pConf;
	nf_limits_default(&pModConf->limits);
	pModConf->persistTemplates = 1;
	pModConf->exporterStatsMax = DFLT_EXPORTER_STATS_MAX;
	pModConf->threads = 1;
ENDbeginCnfLoad

/* Loads the dictionary file at configuration time, so that rsyslogd -N1
 * reports a missing or broken file. */
static rsRetVal loadDictionary(modConfData_t *conf)
{
	FILE *f;
	long loaded, skipped, firstBad;
	DEFiRet;

	if (conf->dictionaryFile == NULL)
		FINALIZE;
	if ((f = fopen((char *)conf->dictionaryFile, "r")) == NULL) {
		LogError(errno, RS_RET_CONF_FILE_NOT_FOUND, MOD_NAME ": cannot open dictionary '%s'",
			 conf->dictionaryFile);
		ABORT_FINALIZE(RS_RET_CONF_FILE_NOT_FOUND);
	}
	conf->dictionary = nf_dict_load(f, &loaded, &skipped, &firstBad);
	fclose(f);
	if (conf->dictionary == NULL) {
		LogError(0, RS_RET_PARAM_ERROR,
			 MOD_NAME ": dictionary '%s' is not a tab-separated file with pen, id and name columns",
			 conf->dictionaryFile);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (skipped > 0)
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": dictionary '%s': %ld lines unusable, first at line %ld",
			 conf->dictionaryFile, skipped, firstBad);
finalize_it:
	RETiRet;
}

BEGINsetModCnf
	struct cnfparamvals *pvals = NULL;
CODESTARTsetModCnf;
	if ((pvals = nvlstGetParams(lst, &modpblk, NULL)) == NULL) {
		LogError(0, RS_RET_MISSING_CNFPARAMS, MOD_NAME ": error processing module parameters");
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	}
	for (int i = 0; i < modpblk.nParams; i++) {
		if (pvals[i].bUsed)
			CHKiRet(applyParam(loadModConf, &modptarget[i], &pvals[i]));
	}
	if (loadModConf->threads > MAX_THREADS) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": threads %d too large, maximum is %d", loadModConf->threads,
			 MAX_THREADS);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	CHKiRet(loadDictionary(loadModConf));
finalize_it:
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &modpblk);
ENDsetModCnf

BEGINendCnfLoad
CODESTARTendCnfLoad;
	loadModConf = NULL;
ENDendCnfLoad

static inline void std_checkRuleset_genErrMsg(__attribute__((unused)) modConfData_t *modConf,
					      instanceConf_t *inst)
{
	LogError(0, NO_ERRCODE, MOD_NAME ": ruleset '%s' not found - using default ruleset instead",
		 inst->pszBindRuleset);
}

BEGINcheckCnf
	instanceConf_t *inst;
CODESTARTcheckCnf;
	for (inst = pModConf->root; inst != NULL; inst = inst->next) {
		std_checkRuleset(pModConf, inst);
		/* workers are chosen by exporter address, which the domain scope ignores */
		if (pModConf->threads > 1 && inst->scope == SCOPE_DOMAIN) {
			LogError(0, RS_RET_PARAM_ERROR,
				 MOD_NAME ": templateScope=\"domain\" needs threads=\"1\" (templates shared across "
				 "exporter addresses cannot be split between threads)");
			iRet = RS_RET_PARAM_ERROR;
		}
	}
	if (pModConf->root == NULL) {
		LogError(0, RS_RET_NO_LISTNERS,
			 MOD_NAME ": module loaded, but no listeners defined - no input will be gathered");
		iRet = RS_RET_NO_LISTNERS;
	}
ENDcheckCnf

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
static int exporterWorker(const uint8_t addr[16], int n)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	uint32_t h = 0;

	for (int i = memcmp(addr, mapped, sizeof(mapped)) == 0 ? 12 : 0; i < 16; i += 4)
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
static int boundPort(int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(sock, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void writeListenPortFile(const instanceConf_t *inst, int port)
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

static rsRetVal setupListenerStats(listener_t *l)
{
	DEFiRet;
	CHKiRet(statsobj.Construct(&l->stats));
	CHKiRet(statsobj.SetName(l->stats, (uchar *)l->display));
	CHKiRet(statsobj.SetOrigin(l->stats, (uchar *)MOD_NAME));
#define ADD_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(l->ctr, l->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(l->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, \
				    CTR_FLAG_RESETTABLE, &l->ctr));
	LISTENER_COUNTERS(ADD_COUNTER)
	CHKiRet(statsobj.ConstructFinalize(l->stats));
finalize_it:
	RETiRet;
}

static rsRetVal setupSessionStats(void)
{
	DEFiRet;
	CHKiRet(statsobj.Construct(&core.stats));
	CHKiRet(statsobj.SetName(core.stats, UCHAR_CONSTANT(MOD_NAME "(templates)")));
	CHKiRet(statsobj.SetOrigin(core.stats, UCHAR_CONSTANT(MOD_NAME)));
#define ADD_SESSION_COUNTER(field, label) \
	CHKiRet(statsobj.AddCounter(core.stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_NONE, \
				    &core.field));
	SESSION_COUNTERS(ADD_SESSION_COUNTER)
#define ADD_SESSION_GAUGE(field, label, fn) \
	CHKiRet(statsobj.AddCounter(core.stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_NONE, \
				    &core.field));
	SESSION_GAUGES(ADD_SESSION_GAUGE)
	CHKiRet(statsobj.ConstructFinalize(core.stats));
finalize_it:
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Statistics: counters per exporter, and the template and stream state
 * of all workers summed for impstats.
 */
static rsRetVal setupExporterStats(exporter_stats_t *e, const char *name)
{
	char objName[INET6_ADDRSTRLEN + 32];
	DEFiRet;

	snprintf(objName, sizeof(objName), MOD_NAME "(exporter %s)", name);
	CHKiRet(statsobj.Construct(&e->stats));
	CHKiRet(statsobj.SetName(e->stats, (uchar *)objName));
	CHKiRet(statsobj.SetOrigin(e->stats, (uchar *)MOD_NAME));
#define ADD_EXPORTER_COUNTER(ctr, label) \
	STATSCOUNTER_INIT(e->ctr, e->mut_##ctr); \
	CHKiRet(statsobj.AddCounter(e->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, \
				    CTR_FLAG_RESETTABLE, &e->ctr));
	EXPORTER_COUNTERS(ADD_EXPORTER_COUNTER)
	CHKiRet(statsobj.ConstructFinalize(e->stats));
finalize_it:
	RETiRet;
}

static exporter_stats_t *newExporterStats(const uint8_t *addr, const char *name)
{
	exporter_stats_t *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	memcpy(e->addr, addr, sizeof(e->addr));
	if (setupExporterStats(e, name) != RS_RET_OK) {
		if (e->stats != NULL)
			statsobj.Destruct(&e->stats);
		free(e);
		return NULL;
	}
	return e;
}

/* The entry of address key in bucket h, made if it is new (or "other"
 * beyond exporterStatsMax); NULL when out of memory. Under exporters.mut. */
static exporter_stats_t *findExporterStats(const uint8_t *key, unsigned h, const char *address)
{
	exporter_stats_t *e;

	for (e = exporters.buckets[h]; e != NULL; e = e->next)
		if (memcmp(e->addr, key, sizeof(e->addr)) == 0)
			return e;
	if (exporters.count >= runModConf->exporterStatsMax) {
		if (exporters.other == NULL)
			exporters.other = newExporterStats(key, "other");
		return exporters.other;
	}
	if ((e = newExporterStats(key, address)) == NULL)
		return NULL;
	e->next = exporters.buckets[h];
	exporters.buckets[h] = e;
	exporters.count++;
	return e;
}

/* The counters of the sender of a datagram, made at its first datagram;
 * NULL when exporterStats is off (or out of memory). */
static exporter_stats_t *exporterStats(const struct sockaddr_storage *from, const char *address)
{
	uint8_t key[16];
	uint64_t h;
	exporter_stats_t *e;

	if (!runModConf->exporterStats)
		return NULL;
	(void)mappedAddress(from, key);
	h = nf_fnv1a(NF_FNV_OFFSET, key, sizeof(key));
	pthread_mutex_lock(&exporters.mut);
	e = findExporterStats(key, h % EXPORTER_BUCKETS, address);
	pthread_mutex_unlock(&exporters.mut);
	return e;
}

static void freeExporterStats(void)
{
	for (int b = 0; b < EXPORTER_BUCKETS; b++)
		while (exporters.buckets[b] != NULL) {
			exporter_stats_t *e = exporters.buckets[b];
			exporters.buckets[b] = e->next;
			statsobj.Destruct(&e->stats);
			free(e);
		}
	if (exporters.other != NULL) {
		statsobj.Destruct(&exporters.other->stats);
		free(exporters.other);
	}
	memset(exporters.buckets, 0, sizeof(exporters.buckets));
	exporters.count = 0;
	exporters.other = NULL;
}

#define EXPORTER_ADD(d, ctr, n) \
	do { \
		if ((d)->exp != NULL) \
			STATSCOUNTER_ADD((d)->exp->ctr, (d)->exp->mut_##ctr, (n)); \
	} while (0)

/* A worker's template state as impstats shows it, copied for worker 0. */
static void publishSessionStats(worker_t *w)
{
	published_stats_t p = {.counters = *nf_session_stats(w->session)};
#define PUBLISH_GAUGE(field, label, fn) p.field = fn(w->session);
	SESSION_GAUGES(PUBLISH_GAUGE)
	pthread_mutex_lock(&workers.mut);
	w->published = p;
	pthread_mutex_unlock(&workers.mut);
}

/* The impstats values of the template state: the workers' summed, into
 * locals first. Only thread 0 writes the counters; impstats reads them
 * meanwhile, as whole 64-bit words. */
static void syncSessionStats(void)
{
	published_stats_t sum;

	memset(&sum, 0, sizeof(sum));
	pthread_mutex_lock(&workers.mut);
	for (int i = 0; i < workers.n; i++) {
		const published_stats_t *p = &workers.w[i].published;
#define SUM_SESSION_COUNTER(field, label) sum.counters.field += p->counters.field;
		SESSION_COUNTERS(SUM_SESSION_COUNTER)
#define SUM_SESSION_GAUGE(field, label, fn) sum.field += p->field;
		SESSION_GAUGES(SUM_SESSION_GAUGE)
	}
	pthread_mutex_unlock(&workers.mut);
#define SYNC_SESSION_COUNTER(field, label) core.field = (intctr_t)sum.counters.field;
	SESSION_COUNTERS(SYNC_SESSION_COUNTER)
#define SYNC_SESSION_GAUGE(field, label, fn) core.field = (intctr_t)sum.field;
	SESSION_GAUGES(SYNC_SESSION_GAUGE)
}

/* ---------------------------------------------------------------------------
 * Listeners: one per bound socket, with its counters and rate limiter.
 */
static void destroyListener(listener_t *l)
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

/* Lists a listener for sock, which it owns from now on (closed on failure). */
static rsRetVal addListener(instanceConf_t *inst, int sock, const char *address, int port, int worker)
{
	const char *name = inst->name ? (char *)inst->name : MOD_NAME;
	listener_t *l;
	DEFiRet;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		close(sock);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	l->sock = sock;
	l->inst = inst;
	l->worker = worker;
	if (runModConf->threads > 1)
		snprintf(l->display, sizeof(l->display), "%s(%s/%d thread %d)", name, address, port, worker);
	else
		snprintf(l->display, sizeof(l->display), "%s(%s/%d)", name, address, port);
	CHKiRet(prop.Construct(&l->inputName));
	CHKiRet(prop.SetString(l->inputName, (uchar *)name, strlen(name)));
	CHKiRet(prop.ConstructFinalize(l->inputName));
	CHKiRet(ratelimitNew(&l->ratelimiter, MOD_NAME, l->display));
	ratelimitSetLinuxLike(l->ratelimiter, inst->ratelimitInterval, inst->ratelimitBurst);
	CHKiRet(setupListenerStats(l));
	l->next = listenerRoot;
	listenerRoot = l;
finalize_it:
	if (iRet != RS_RET_OK && l != NULL)
		destroyListener(l);
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
static rsRetVal bindPort(instanceConf_t *inst, const char *port)
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

BEGINactivateCnfPrePrivDrop
	instanceConf_t *inst;
CODESTARTactivateCnfPrePrivDrop;
	runModConf = pModConf;
	for (inst = runModConf->root; inst != NULL; inst = inst->next) {
		for (int i = 0; i < inst->ports->nmemb; i++) {
			char *port = es_str2cstr(inst->ports->arr[i], NULL);
			CHKmalloc(port);
			(void)bindPort(inst, port); /* errors logged; other ports still run */
			free(port);
		}
	}
	if (listenerRoot == NULL) {
		LogError(0, RS_RET_NO_RUN, MOD_NAME ": no listeners could be started, input not activated");
		ABORT_FINALIZE(RS_RET_NO_RUN);
	}
finalize_it:
ENDactivateCnfPrePrivDrop

/* ---------------------------------------------------------------------------
 * Workers (one per receiving thread: its template and stream state, its
 * buffers) and the template file they are saved to and restored from.
 */

/* Changes to a worker's template set since start: what makes a save
 * worthwhile. */
static uint64_t templateChanges(const worker_t *w)
{
	const nf_session_stats_t *st = nf_session_stats(w->session);
	return st->templates_added + st->templates_withdrawn + st->templates_evicted + st->templates_expired;
}

/* Worker k's template file: worker 0's is TEMPLATE_FILE, as with one
 * thread; worker k's TEMPLATE_FILE.k. */
static void templateFileName(int k, char *buf, size_t size)
{
	if (k == 0)
		snprintf(buf, size, "%s", core.templateFile);
	else
		snprintf(buf, size, "%s.%d", core.templateFile, k);
}

/* Writes worker w's templates to a temporary file and renames it over its
 * file, so that a crash never leaves a half-written file. */
static void saveTemplates(worker_t *w)
{
	char path[4096], tmp[4200];
	FILE *f;
	long n = -1;

	if (core.templateFile == NULL || w->session == NULL)
		return;
	templateFileName(w->index, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) != NULL) {
		n = nf_persist_save(w->session, f);
		if (n >= 0 && fsync(fileno(f)) != 0)
			n = -1;
		if (fclose(f) != 0)
			n = -1;
	}
	if (n < 0 || rename(tmp, path) != 0) {
		LogError(errno, RS_RET_IO_ERROR, MOD_NAME ": cannot save templates to %s", path);
		unlink(tmp);
		return;
	}
	w->savedChanges = templateChanges(w);
}

/* The session a restored template goes to: its exporter's worker's. */
static nf_session_t *restoredSession(void *ctx, const nf_scope_key_t *key)
{
	(void)ctx;
	return workers.w[exporterWorker(key->addr, workers.n)].session;
}

/* Restores the templates of every worker's file, each into the session of
 * the worker that will read its exporter: the number of threads may differ
 * from when they were saved. Files of workers that no longer exist are
 * removed once read; every worker then saves its own at the next save. */
static void restoreTemplates(void)
{
	bool moved = workers.n > 1;

	for (int k = 0; k < MAX_THREADS; k++) {
		char path[4096];
		FILE *f;
		long n, skipped = 0;

		templateFileName(k, path, sizeof(path));
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = nf_persist_load_routed(f, time(NULL), restoredSession, NULL, &skipped);
		fclose(f);
		if (n < 0 || skipped > 0)
			LogMsg(0, RS_RET_OK, LOG_WARNING, MOD_NAME ": %s: %ld templates restored, %ld lines unusable",
			       path, n < 0 ? 0 : n, n < 0 ? 1 : skipped);
		if (k > 0)
			moved = true;
		if (k >= workers.n)
			unlink(path);
	}
	for (int i = 0; i < workers.n; i++)
		workers.w[i].savedChanges = moved ? UINT64_MAX : templateChanges(&workers.w[i]);
}

static rsRetVal setupPersistence(void)
{
	/* glbl interface 10 (rsyslog 8.2202 on) passes the configuration */
#if glblCURR_IF_VERSION >= 10
	const uchar *workDir = glbl.GetWorkDir(runModConf->pConf);
#else
	const uchar *workDir = glbl.GetWorkDir();
#endif
	DEFiRet;

	if (!runModConf->persistTemplates || workDir == NULL)
		FINALIZE;
	CHKmalloc(core.templateFile = malloc(strlen((const char *)workDir) + sizeof(TEMPLATE_FILE) + 1));
	sprintf(core.templateFile, "%s/%s", (const char *)workDir, TEMPLATE_FILE);
	restoreTemplates();
finalize_it:
	RETiRet;
}

/* A worker's share of the module's template bounds: the totals are split
 * evenly, so that all workers together stay within them (per-scope bounds
 * stay as they are). */
static nf_limits_t workerLimits(int n)
{
	nf_limits_t l = runModConf->limits;

	l.max_scopes = (l.max_scopes + (uint32_t)n - 1) / (uint32_t)n;
	l.max_streams = (l.max_streams + (uint32_t)n - 1) / (uint32_t)n;
	l.max_template_bytes = (l.max_template_bytes + (size_t)n - 1) / (size_t)n;
	l.max_pending_bytes = (l.max_pending_bytes + (size_t)n - 1) / (size_t)n;
	return l;
}

static rsRetVal setupWorker(worker_t *w, int index)
{
	nf_limits_t limits = workerLimits(workers.n);
	DEFiRet;

	w->index = index;
	w->servedBy = index;
	CHKmalloc(w->buf = malloc((size_t)workers.batchSize * MAX_DATAGRAM));
	CHKmalloc(w->hdr = calloc(workers.batchSize, sizeof(*w->hdr)));
	CHKmalloc(w->iov = calloc(workers.batchSize, sizeof(*w->iov)));
	CHKmalloc(w->from = calloc(workers.batchSize, sizeof(*w->from)));
	CHKmalloc(w->record = malloc(sizeof(*w->record)));
	CHKmalloc(w->line = malloc(LINE_BUFFER_SIZE));
	CHKmalloc(w->session = nf_session_new(&limits));
	nf_session_set_dictionary(w->session, runModConf->dictionary);
finalize_it:
	RETiRet;
}

/* Saves what changed and frees every worker (their threads have ended). */
static void freeWorkers(void)
{
	for (int i = 0; i < workers.n; i++) {
		worker_t *w = &workers.w[i];
		if (w->session != NULL && templateChanges(w) != w->savedChanges)
			saveTemplates(w);
		nf_session_free(w->session);
		free(w->buf);
		free(w->hdr);
		free(w->iov);
		free(w->from);
		free(w->record);
		free(w->line);
	}
	free(workers.w);
	workers.w = NULL;
	workers.n = 0;
}

BEGINactivateCnf
	instanceConf_t *inst;
CODESTARTactivateCnf;
	workers.batchSize = 1;
	for (inst = runModConf->root; inst != NULL; inst = inst->next)
		if (inst->batchSize > workers.batchSize)
			workers.batchSize = inst->batchSize;
	CHKmalloc(workers.w = calloc(runModConf->threads, sizeof(*workers.w)));
	workers.n = runModConf->threads;
	for (int i = 0; i < workers.n; i++)
		CHKiRet(setupWorker(&workers.w[i], i));
	CHKiRet(setupPersistence());
	for (int i = 0; i < workers.n; i++)
		publishSessionStats(&workers.w[i]);
	syncSessionStats();
	CHKiRet(setupSessionStats());
finalize_it:
	if (iRet != RS_RET_OK)
		freeWorkers();
ENDactivateCnf

BEGINfreeCnf
	instanceConf_t *inst, *del;
CODESTARTfreeCnf;
	nf_dict_free(pModConf->dictionary);
	free(pModConf->dictionaryFile);
	for (inst = pModConf->root; inst != NULL;) {
		if (inst->ports != NULL)
			cnfarrayContentDestruct(inst->ports);
		free(inst->ports);
		free(inst->address);
		free(inst->name);
		free(inst->pszBindRuleset);
		free(inst->listenPortFileName);
		free(inst->timeReported);
		free(inst->templateScope);
		free(inst->formatName);
		if (inst->protocolNames != NULL)
			cnfarrayContentDestruct(inst->protocolNames);
		free(inst->protocolNames);
		if (inst->allowedNames != NULL)
			cnfarrayContentDestruct(inst->allowedNames);
		free(inst->allowedNames);
		free(inst->allowed);
		del = inst;
		inst = inst->next;
		free(del);
	}
ENDfreeCnf

/* ---------------------------------------------------------------------------
 * From a decoded record to an rsyslog message.
 */

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
	multi_submit_t *multiSub;
	time_t now;
	const nf_template_source_t *templates; /* of the record being built */
	const nf_sflow_agent_t *agent;         /* sFlow datagrams only */
	exporter_stats_t *exp;                 /* per-exporter counters, or NULL */
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

static struct fjson_object *jsonU64(uint64_t v)
{
	char digits[24];
	if (v <= INT64_MAX)
		return fjson_object_new_int64((int64_t)v);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return fjson_object_new_double_s((double)v, digits);
}


/* The JSON value of one scalar field (nf_record_walk opens the lists):
 * numbers stay numbers, addresses, times and MACs become their usual
 * text, octets (and lists too deep to open) become hex. */
static struct fjson_object *fieldToJson(const nf_field_t *f, nf_time_cache_t *tc)
{
	char text[256];
	char *hex, *text8;
	struct fjson_object *j;

	switch (f->type) {
	case NF_T_U8: case NF_T_U16: case NF_T_U32: case NF_T_U64:
		return jsonU64(f->v.u);
	case NF_T_I8: case NF_T_I16: case NF_T_I32: case NF_T_I64:
		return fjson_object_new_int64(f->v.i);
	case NF_T_F32: case NF_T_F64:
		return fjson_object_new_double(f->v.f);
	case NF_T_BOOL:
		return fjson_object_new_boolean(f->v.u != 0);
	case NF_T_STRING:
		if ((size_t)f->len * 3 + 1 <= sizeof(text)) /* most strings are short */
			return fjson_object_new_string_len(text, (int)nf_utf8_sanitize(f->v.p, f->len, text));
		if ((text8 = malloc((size_t)f->len * 3 + 1)) == NULL)
			return NULL;
		j = fjson_object_new_string_len(text8, (int)nf_utf8_sanitize(f->v.p, f->len, text8));
		free(text8);
		return j;
	case NF_T_IPV4: case NF_T_IPV6: case NF_T_MAC:
	case NF_T_DT_SEC: case NF_T_DT_MILLI: case NF_T_DT_MICRO: case NF_T_DT_NANO:
		return fjson_object_new_string_len(text, (int)nf_render_text(f, text, sizeof(text), tc));
	default:
		break;
	}
	if ((hex = malloc((size_t)f->len * 2 + 1)) == NULL)
		return NULL;
	nf_hex(f->v.p, f->len, hex, (size_t)f->len * 2 + 1);
	j = fjson_object_new_string(hex);
	free(hex);
	return j;
}


/* Lists the exporter's members; agent and time are buffers of NF_TEXT_MAX
 * for the texts. Returns how many. */
static int exporterItems(const datagram_ctx_t *d, const nf_datagram_info_t *info, exporter_item_t *it,
			 char *agent, char *time)
{
	int n = 0;

	it[n++] = (exporter_item_t){"address", d->address, 0};
	it[n++] = (exporter_item_t){"port", NULL, (uint64_t)d->port};
	it[n++] = (exporter_item_t){"version", NULL, info->version};
	it[n++] = (exporter_item_t){"protocol", d->agent ? "sflow" : info->version == 10 ? "ipfix" : "netflow", 0};
	if (d->agent != NULL) {
		nf_field_t a = {.type = d->agent->addr_len == 4 ? NF_T_IPV4 : NF_T_IPV6};
		memcpy(a.v.b, d->agent->addr, d->agent->addr_len);
		nf_field_text(&a, agent, NF_TEXT_MAX);
		it[n++] = (exporter_item_t){"agent_address", agent, 0};
		it[n++] = (exporter_item_t){"sub_agent_id", NULL, d->agent->sub_agent_id};
	}
	if (info->has_source_id && info->version != 5)
		it[n++] = (exporter_item_t){info->version == 10 ? "observation_domain_id" : "source_id", NULL,
					    info->source_id};
	if (info->has_sequence)
		it[n++] = (exporter_item_t){"sequence_number", NULL, info->sequence};
	if (info->version != 10)
		it[n++] = (exporter_item_t){"uptime_millis", NULL, info->sys_uptime_ms};
	if (d->agent == NULL) { /* sFlow has no export time */
		nf_time_ms_text((int64_t)info->export_sec * 1000 + info->export_nsec / 1000000, &d->w->times, time,
				NF_TEXT_MAX);
		it[n++] = (exporter_item_t){"export_time", time, 0};
	}
	return n;
}

/* The exporter's members for this datagram header, made at its first record. */
static const exporter_item_t *datagramExporter(datagram_ctx_t *d, const nf_datagram_info_t *info, int *n)
{
	if (!d->exporterValid || memcmp(&d->exporterInfo, info, sizeof(*info)) != 0) {
		d->nitems = exporterItems(d, info, d->items, d->agentText, d->timeText);
		d->exporterInfo = *info;
		d->exporterValid = true;
		d->exporterLen = 0;
	}
	*n = d->nitems;
	return d->items;
}

static struct fjson_object *exporterJson(datagram_ctx_t *d, const nf_datagram_info_t *info)
{
	struct fjson_object *e = fjson_object_new_object();
	int n;
	const exporter_item_t *it = datagramExporter(d, info, &n);

	if (e == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		fjson_object_object_add_ex(e, it[i].key,
					   it[i].text ? fjson_object_new_string(it[i].text) : jsonU64(it[i].num),
					   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	return e;
}

/* The exporter part of a pre-rendered line, rendered once for all records
 * of a datagram: "exporter":{...} or exporter_address=... */
static const char *exporterLine(datagram_ctx_t *d, const nf_datagram_info_t *info, enum output_format format,
				size_t *len)
{
	nf_line_t l = {.buf = d->exporterText, .size = sizeof(d->exporterText)};
	int n;
	const exporter_item_t *it = datagramExporter(d, info, &n);

	if (d->exporterLen > 0) {
		*len = d->exporterLen;
		return d->exporterText;
	}
	nf_line_str(&l, format == FORMAT_JSON ? "\"exporter\":{" : "");
	for (int i = 0; i < n; i++) {
		if (format == FORMAT_JSON) {
			nf_line_str(&l, i > 0 ? ",\"" : "\"");
			nf_line_str(&l, it[i].key);
			nf_line_str(&l, "\":");
		} else {
			nf_line_str(&l, i > 0 ? " exporter_" : "exporter_");
			nf_line_str(&l, it[i].key);
			nf_line_str(&l, "=");
		}
		if (it[i].text == NULL) {
			nf_line_u64(&l, it[i].num);
		} else {
			nf_line_str(&l, "\"");
			nf_line_json_escaped(&l, it[i].text, strlen(it[i].text));
			nf_line_str(&l, "\"");
		}
	}
	nf_line_str(&l, format == FORMAT_JSON ? "}" : "");
	d->exporterLen = l.used;
	*len = l.used;
	return d->exporterText;
}

/* Appends ,<ECS objects>} to the {"netflow":{...} of a line. */
static void renderEcs(nf_line_t *l, const datagram_ctx_t *d, const nf_record_t *rec)
{
	nf_ecs_t ecs;

	nf_ecs_extract(rec, &ecs);
	nf_line_str(l, ",");
	nf_render_ecs(l, &ecs, d->address, &d->w->times);
	nf_line_str(l, "}");
}

/* The $! tree: the core's walks of a record (nf_record_walk) and of its
 * ECS objects (nf_ecs_walk), built as libfastjson objects. */
#define TREE_MAX_DEPTH 16 /* lists nest at most 8 deep: NF_LIST_MAX_DEPTH arrays of objects */

typedef struct tree_builder {
	struct fjson_object *stack[TREE_MAX_DEPTH + 1]; /* [0] the root */
	int depth;
	bool constant_keys; /* every key is a string constant (the ECS walk's) */
	nf_time_cache_t *tc;
} tree_builder_t;

/* Adds v under key to the innermost object (with libfastjson's flags for
 * the key), or to the innermost array (key NULL). Takes v's reference.
 * Out of memory, v or its parent is NULL, and v is left out. */
static void treeAdd(tree_builder_t *b, const char *key, struct fjson_object *v, unsigned flags)
{
	struct fjson_object *parent = b->stack[b->depth];

	if (v == NULL || parent == NULL) {
		fjson_object_put(v);
		return;
	}
	if (key == NULL)
		fjson_object_array_add(parent, v);
	else
		fjson_object_object_add_ex(parent, key, v, flags);
}

/* The key flags of a member the walk names: copied unless constant. */
static unsigned treeKeyFlags(const tree_builder_t *b)
{
	return b->constant_keys ? FJSON_OBJECT_KEY_IS_CONSTANT : 0;
}

/* Deeper than TREE_MAX_DEPTH members go to the innermost level (no
 * document of the core nests so). */
static void treeOpen(tree_builder_t *b, const char *key, struct fjson_object *v)
{
	bool added = v != NULL && b->stack[b->depth] != NULL;

	treeAdd(b, key, v, treeKeyFlags(b));
	if (b->depth < TREE_MAX_DEPTH)
		b->stack[++b->depth] = added ? v : NULL; /* NULL: its members go nowhere */
}

static void treeOpenObject(void *ctx, const char *key)
{
	treeOpen(ctx, key, fjson_object_new_object());
}

static void treeOpenArray(void *ctx, const char *key)
{
	treeOpen(ctx, key, fjson_object_new_array());
}

static void treeClose(void *ctx)
{
	tree_builder_t *b = ctx;

	if (b->depth > 0)
		b->depth--;
}

static void treeText(void *ctx, const char *key, const char *s, size_t n)
{
	treeAdd(ctx, key, fjson_object_new_string_len(s, (int)n), treeKeyFlags(ctx));
}

static void treeU64(void *ctx, const char *key, uint64_t v)
{
	treeAdd(ctx, key, jsonU64(v), treeKeyFlags(ctx));
}

/* An element's name from the table is a constant, and a built-in one
 * cannot repeat in a record: libfastjson then need not look for it (it
 * looks linearly, O(fields^2) compares a record). */
static void treeField(void *ctx, const char *key, const nf_field_t *f)
{
	tree_builder_t *b = ctx;
	unsigned flags = treeKeyFlags(b);

	if (f->ie != NULL && key == f->ie->name)
		flags = FJSON_OBJECT_KEY_IS_CONSTANT |
			(nf_ie_is_builtin(f->ie) ? FJSON_OBJECT_ADD_KEY_IS_NEW : 0);
	treeAdd(b, key, fieldToJson(f, b->tc), flags);
}

static const nf_doc_ops_t treeOps = {treeOpenObject, treeOpenArray, treeClose, treeText, treeU64, treeField};

static void attachEcs(struct fjson_object *root, const datagram_ctx_t *d, const nf_record_t *rec)
{
	tree_builder_t b = {.stack = {root}, .constant_keys = true, .tc = &d->w->times};
	nf_ecs_t e;

	nf_ecs_extract(rec, &e);
	nf_ecs_walk(&e, d->address, &d->w->times, &treeOps, &b);
}

/* The record as one line: {fields,"type":...,"exporter":{...}} or
 * fields type=... exporter_...=...; a record too long for the buffer
 * keeps only type and exporter, with "truncated":true. */
static size_t renderLine(datagram_ctx_t *d, const nf_datagram_info_t *info, const nf_record_t *rec,
			 const char *type, enum output_format format)
{
	nf_line_t l = {.buf = d->w->line, .size = LINE_BUFFER_SIZE};
	size_t exporterLen;
	const char *exporter = exporterLine(d, info, format, &exporterLen);
	nf_render_style_t style = format == FORMAT_JSON ? NF_RENDER_JSON : NF_RENDER_KV;
	unsigned nfields;

	bool ecs = d->lstn->inst->ecs && format == FORMAT_JSON;

	nf_line_str(&l, ecs ? "{\"netflow\":{" : format == FORMAT_JSON ? "{" : "");
	nfields = nf_render_fields(&l, style, rec, d->templates, &d->w->times);
	if (l.used + exporterLen + 64 >= l.size) { /* no room left for the rest */
		nf_line_reset(&l);
		nf_line_str(&l, ecs ? "{\"netflow\":{\"truncated\":true"
				    : format == FORMAT_JSON ? "{\"truncated\":true" : "truncated=true");
		nfields = 1;
	}
	if (format == FORMAT_JSON) {
		nf_line_str(&l, nfields > 0 ? ",\"type\":\"" : "\"type\":\"");
		nf_line_str(&l, type);
		nf_line_str(&l, "\",");
		nf_line_put(&l, exporter, exporterLen);
		nf_line_str(&l, "}");
		if (ecs)
			renderEcs(&l, d, rec);
	} else {
		nf_line_str(&l, nfields > 0 ? " type=" : "type=");
		nf_line_str(&l, type);
		nf_line_str(&l, " ");
		nf_line_put(&l, exporter, exporterLen);
	}
	return l.used;
}

/* {"netflow": {<fields>, "type": ..., "exporter": {...}}}, added to the
 * message once. */
static rsRetVal attachRecord(smsg_t *pMsg, datagram_ctx_t *d, const nf_datagram_info_t *info,
			     const nf_record_t *rec, const char *type)
{
	struct fjson_object *root, *nf;
	DEFiRet;

	CHKmalloc(root = fjson_object_new_object());
	if ((nf = fjson_object_new_object()) == NULL) {
		fjson_object_put(root);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	fjson_object_object_add_ex(root, "netflow", nf, FJSON_OBJECT_KEY_IS_CONSTANT);
	nf_record_walk(rec, d->templates, &treeOps, &(tree_builder_t){.stack = {nf}, .tc = &d->w->times});
	/* no field is named so: the generator and the dictionary loader refuse these names */
	fjson_object_object_add_ex(nf, "type", fjson_object_new_string(type),
				   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	fjson_object_object_add_ex(nf, "exporter", exporterJson(d, info),
				   FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW);
	if (d->lstn->inst->ecs)
		attachEcs(root, d, rec);
	CHKiRet(msgAddJSON(pMsg, (uchar *)"!", root, 0, 0));
finalize_it:
	RETiRet;
}

/* timereported = the flow's end; the broken-down time of the last second
 * is reused (a gmtime per record is measurable at 100,000s of flows/s). */
static void setTimeReported(worker_t *w, smsg_t *pMsg, const nf_record_t *rec, enum time_reported source)
{
	struct timeval tv;

	if (source != TIME_FLOW_END || rec->end_ms < 0 || rec->end_ms >= MAX_REPORTED_MS)
		return; /* unknown, or beyond what a syslog timestamp holds */
	tv.tv_sec = (time_t)(rec->end_ms / 1000);
	tv.tv_usec = (suseconds_t)(rec->end_ms % 1000) * 1000;
	if (!w->reportedValid || w->reportedSec != tv.tv_sec) {
		datetime.timeval2syslogTime(&tv, &w->reported, TIME_IN_UTC);
		w->reportedSec = tv.tv_sec;
		w->reportedValid = 1;
	}
	pMsg->tTIMESTAMP = w->reported;
	pMsg->tTIMESTAMP.secfrac = (int)tv.tv_usec;
}

static rsRetVal submitRecord(datagram_ctx_t *d, const nf_datagram_info_t *info,
			     const nf_record_t *rec, const char *type)
{
	listener_t *l = d->lstn;
	enum output_format format = l->inst->format;
	char summary[512];
	smsg_t *pMsg = NULL;
	rsRetVal localRet;
	DEFiRet;

	CHKiRet(msgConstructWithTime(&pMsg, d->rcvTime, d->ttGenTime));
	if (format == FORMAT_STRUCTURED)
		MsgSetRawMsg(pMsg, summary,
			     nf_record_summary(rec, info->version, &d->w->times, summary, sizeof(summary)));
	else
		MsgSetRawMsg(pMsg, d->w->line, renderLine(d, info, rec, type, format));
	MsgSetMSGoffs(pMsg, 0);
	MsgSetInputName(pMsg, l->inputName);
	MsgSetRuleset(pMsg, l->inst->pBindRuleset);
	MsgSetFlowControlType(pMsg, eFLOWCTL_NO_DELAY);
	MsgSetHOSTNAME(pMsg, (uchar *)d->address, (int)strlen(d->address));
	MsgSetRcvFrom(pMsg, d->fromHost);
	CHKiRet(MsgSetRcvFromIP(pMsg, d->fromHost));
	/* APP-NAME is emulated from the TAG when asked for: setting it costs
	 * two allocations a message */
	MsgSetTAG(pMsg, UCHAR_CONSTANT("netflow"), 7);
	msgSetPRI(pMsg, PRI_USER_INFO);
	pMsg->msgFlags = 0; /* fully built: no parsing, no DNS lookup */
	setTimeReported(d->w, pMsg, rec, l->inst->timeSource);
	if (format == FORMAT_STRUCTURED)
		CHKiRet(attachRecord(pMsg, d, info, rec, type));
	localRet = ratelimitAddMsg(l->ratelimiter, d->multiSub, pMsg);
	pMsg = NULL; /* owned by the rate limiter or the queue now */
	if (localRet == RS_RET_DISCARDMSG) {
		STATSCOUNTER_INC(l->ctrRatelimited, l->mut_ctrRatelimited);
		FINALIZE;
	}
	CHKiRet(localRet);
	STATSCOUNTER_INC(l->ctrSubmitted, l->mut_ctrSubmitted);
finalize_it:
	if (pMsg != NULL)
		msgDestruct(&pMsg);
	RETiRet;
}

/* ---------------------------------------------------------------------------
 * Datagrams: from the socket through the core's one entry to messages.
 */
/* Logs "<what> datagram from <address> port <port>: <why>", throttled. */
static void logThrottled(error_throttle_t *t, const listener_t *l, const char *what,
			 const datagram_ctx_t *d, const char *why)
{
	time_t now = time(NULL);

	if (t->last != 0 && now - t->last < ERROR_LOG_INTERVAL) {
		t->suppressed++;
		return;
	}
	LogError(0, RS_RET_INVALID_VALUE,
		 MOD_NAME ": %s: %s datagram from %s port %d: %s (%u similar messages suppressed "
		 "in the last %d seconds; see impstats for counts)",
		 l->display, what, d->address, d->port, why, t->suppressed,
		 ERROR_LOG_INTERVAL);
	t->last = now;
	t->suppressed = 0;
}

static void exporterAddress(const struct sockaddr_storage *from, datagram_ctx_t *d)
{
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)from;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], d->address, sizeof(d->address));
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, d->address, sizeof(d->address));
		d->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)from;
		inet_ntop(AF_INET, &s4->sin_addr, d->address, sizeof(d->address));
		d->port = ntohs(s4->sin_port);
	}
}

/* The exporter as the core keys it: its stream is the real exporter (its
 * address, and its port with templateScope="address+port"); its template
 * scope is that too, or nothing with templateScope="domain". */
static void exporterKeys(const listener_t *l, const struct sockaddr_storage *from, nf_decoder_t *dec)
{
	memset(&dec->source, 0, sizeof(dec->source));
	dec->source.port = (uint16_t)mappedAddress(from, dec->source.addr);
	if (l->inst->scope != SCOPE_ADDRESS_PORT)
		dec->source.port = 0;
	if (l->inst->scope == SCOPE_DOMAIN)
		memset(&dec->exporter, 0, sizeof(dec->exporter));
	else
		dec->exporter = dec->source;
}

/* A decoded record: counted, and submitted unless it is an options record
 * the input does not emit. */
static void emitRecord(void *ctx, const nf_emitted_t *e)
{
	datagram_ctx_t *d = ctx;
	listener_t *l = d->lstn;

	STATSCOUNTER_INC(l->ctrDecoded, l->mut_ctrDecoded);
	EXPORTER_ADD(d, ctrRecords, 1);
	if (e->kind == NF_KIND_OPTIONS && !l->inst->emitOptions)
		return;
	d->templates = e->templates;
	d->agent = e->agent;
	if (submitRecord(d, e->info, e->record, nf_record_kind_name(e->kind)) != RS_RET_OK) {
		STATSCOUNTER_INC(l->ctrFailed, l->mut_ctrFailed);
		logThrottled(&l->failedLog, l, "a record of a", d, "the message could not be built or submitted");
	}
}

/* The counters of what the decoder found besides records. */
static void countDecodeResult(listener_t *l, datagram_ctx_t *d, const nf_decode_result_t *r)
{
	STATSCOUNTER_ADD(l->ctrTemplateErrors, l->mut_ctrTemplateErrors, r->template_errors);
	STATSCOUNTER_ADD(l->ctrSkipped, l->mut_ctrSkipped, r->skipped);
	STATSCOUNTER_ADD(l->ctrSeqMissing, l->mut_ctrSeqMissing, r->sequence_missing);
	EXPORTER_ADD(d, ctrSeqMissing, r->sequence_missing);
	EXPORTER_ADD(d, ctrTemplates, r->templates);
	if (r->sequence_reset) {
		STATSCOUNTER_INC(l->ctrSeqResets, l->mut_ctrSeqResets);
		EXPORTER_ADD(d, ctrSeqResets, 1);
	}
}

static void processDatagram(listener_t *l, const uint8_t *buf, size_t len,
			    const struct sockaddr_storage *from, datagram_ctx_t *d)
{
	nf_decoder_t dec = {.session = d->w->session, .now = d->now, .emit = emitRecord, .emit_ctx = d,
			    .record = d->w->record, .renormalize = l->inst->renormalize};
	int rc;

	if (!exporterAllowed(l->inst, from)) {
		STATSCOUNTER_INC(l->ctrDisallowed, l->mut_ctrDisallowed);
		return;
	}
	if (!(l->inst->protocols & nf_datagram_protocol(buf, len))) {
		STATSCOUNTER_INC(l->ctrUnaccepted, l->mut_ctrUnaccepted);
		return;
	}
	exporterAddress(from, d);
	d->exp = exporterStats(from, d->address);
	EXPORTER_ADD(d, ctrDatagrams, 1);
	if (prop.CreateStringProp(&d->fromHost, (uchar *)d->address, (int)strlen(d->address)) != RS_RET_OK)
		return;
	exporterKeys(l, from, &dec);
	rc = nf_decode_datagram(&dec, buf, len);
	countDecodeResult(l, d, &dec.result);
	prop.Destruct(&d->fromHost);
	if (rc != NF_OK && rc != NF_END) {
		STATSCOUNTER_INC(l->ctrMalformed, l->mut_ctrMalformed);
		EXPORTER_ADD(d, ctrMalformed, 1);
		logThrottled(&l->malformedLog, l, "malformed", d, nf_strerror(rc));
	}
}

/* ---------------------------------------------------------------------------
 * Receiving threads and rsyslog's module entry points.
 */

/* Whether the receive loops should end. rsyslog tells worker 0's thread,
 * which tells the others. */
static bool shallStop(int thread, thrdInfo_t *pThrd)
{
	if (thread == 0 && pThrd->bShallStop == RSTRUE)
		__atomic_store_n(&workers.stop, 1, __ATOMIC_RELEASE);
	return __atomic_load_n(&workers.stop, __ATOMIC_ACQUIRE) != 0;
}

/* Reads what the socket has, batch by batch, until it would block, into
 * its worker's buffers. */
static void drainSocket(listener_t *l, int thread, thrdInfo_t *pThrd)
{
	worker_t *w = &workers.w[l->worker];
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t multiSub = {.ppMsgs = msgs, .maxElem = CONF_NUM_MULTISUB, .nElem = 0};
	struct syslogTime stTime;
	time_t ttGenTime;
	int batch = l->inst->batchSize;
	int n;

	while (!shallStop(thread, pThrd)) {
		for (int i = 0; i < batch; i++) {
			w->iov[i].iov_base = w->buf + (size_t)i * MAX_DATAGRAM;
			w->iov[i].iov_len = MAX_DATAGRAM;
			w->hdr[i].msg_hdr = (struct msghdr){.msg_name = &w->from[i],
							    .msg_namelen = sizeof(w->from[i]),
							    .msg_iov = &w->iov[i], .msg_iovlen = 1};
		}
		n = recvmmsg(l->sock, w->hdr, (unsigned)batch, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		datetime.getCurrTime(&stTime, &ttGenTime, TIME_IN_LOCALTIME);
		STATSCOUNTER_ADD(l->ctrReceived, l->mut_ctrReceived, n);
		for (int i = 0; i < n; i++) {
			datagram_ctx_t d = {.lstn = l, .w = w, .rcvTime = &stTime, .ttGenTime = ttGenTime,
					    .multiSub = &multiSub, .now = ttGenTime};
			if (w->hdr[i].msg_hdr.msg_flags & MSG_TRUNC) {
				STATSCOUNTER_INC(l->ctrTruncated, l->mut_ctrTruncated);
				continue;
			}
			processDatagram(l, w->buf + (size_t)i * MAX_DATAGRAM, w->hdr[i].msg_len, &w->from[i], &d);
		}
		if (n < batch)
			break;
	}
	multiSubmitFlush(&multiSub);
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
		publishSessionStats(w);
		if (now % SAVE_INTERVAL == 0 && templateChanges(w) != w->savedChanges)
			saveTemplates(w);
	}
	if (thread == 0)
		syncSessionStats();
}

/* The receive loop of one thread: polls the sockets of the workers it
 * runs until the input stops. pThrd: rsyslog's, for thread 0. */
static rsRetVal receiveLoop(int thread, thrdInfo_t *pThrd)
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
	while (!shallStop(thread, pThrd)) {
		int ready = poll(fds, nfds, POLL_TIMEOUT_MS);
		if (ready < 0 && errno != EINTR) {
			LogError(errno, RS_RET_ERR, MOD_NAME ": poll failed, receiving thread %d stops", thread);
			ABORT_FINALIZE(RS_RET_ERR);
		}
		for (nfds_t i = 0; ready > 0 && i < nfds; i++)
			if (fds[i].revents & POLLIN)
				drainSocket(byFd[i], thread, pThrd);
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

static void *workerThread(void *arg)
{
	(void)receiveLoop(((worker_t *)arg)->index, NULL);
	return NULL;
}

/* Starts the threads of workers 1 to n-1; the sockets of a worker whose
 * thread cannot start are read by thread 0, with that worker's state. */
static void startWorkers(void)
{
	for (int i = 1; i < workers.n; i++) {
		int err = pthread_create(&workers.w[i].thread, NULL, workerThread, &workers.w[i]);
		if (err != 0) {
			LogError(err, RS_RET_ERR, MOD_NAME ": cannot start receiving thread %d, thread 0 reads its sockets",
				 i);
			workers.w[i].servedBy = 0;
			continue;
		}
		workers.w[i].started = true;
	}
}

static void joinWorkers(void)
{
	__atomic_store_n(&workers.stop, 1, __ATOMIC_RELEASE);
	for (int i = 1; i < workers.n; i++)
		if (workers.w[i].started) {
			pthread_join(workers.w[i].thread, NULL);
			workers.w[i].started = false;
		}
}

BEGINrunInput
CODESTARTrunInput;
	__atomic_store_n(&workers.stop, 0, __ATOMIC_RELEASE);
	/* thread 0's own workers are decided before the others start */
	for (int i = 1; i < workers.n; i++)
		workers.w[i].servedBy = i;
	startWorkers();
	iRet = receiveLoop(0, pThrd);
	joinWorkers();
ENDrunInput

BEGINwillRun
CODESTARTwillRun;
ENDwillRun

BEGINafterRun
CODESTARTafterRun;
	while (listenerRoot != NULL) {
		listener_t *next = listenerRoot->next;
		destroyListener(listenerRoot);
		listenerRoot = next;
	}
	if (core.stats != NULL)
		statsobj.Destruct(&core.stats);
	freeExporterStats();
	freeWorkers();
	free(core.templateFile);
	core.templateFile = NULL;
ENDafterRun

BEGINmodExit
CODESTARTmodExit;
	objRelease(glbl, CORE_COMPONENT);
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(datetime, CORE_COMPONENT);
	objRelease(prop, CORE_COMPONENT);
	objRelease(ruleset, CORE_COMPONENT);
ENDmodExit

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature;
	if (eFeat == sFEATURENonCancelInputTermination)
		iRet = RS_RET_OK;
ENDisCompatibleWithFeature

BEGINqueryEtryPt
CODESTARTqueryEtryPt;
CODEqueryEtryPt_STD_IMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_STD_CONF2_setModCnf_QUERIES
CODEqueryEtryPt_STD_CONF2_PREPRIVDROP_QUERIES
CODEqueryEtryPt_STD_CONF2_IMOD_QUERIES
CODEqueryEtryPt_IsCompatibleWithFeature_IF_OMOD_QUERIES
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(glbl, CORE_COMPONENT));
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	CHKiRet(objUse(datetime, CORE_COMPONENT));
	CHKiRet(objUse(prop, CORE_COMPONENT));
	CHKiRet(objUse(ruleset, CORE_COMPONENT));
ENDmodInit
