/* imnetflow.c - rsyslog input module for NetFlow/IPFIX/sFlow export datagrams.
 *
 * The thin glue between rsyslog and the pure decoder core: configuration
 * tables, UDP sockets bound before privileges are dropped, a recvmmsg loop,
 * one rsyslog message per flow record with the record under $!netflow, and
 * impstats counters for every datagram and record that is not delivered.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
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

#include "nf_decode.h"
#include "nf_dict.h"
#include "nf_format.h"
#include "nf_legacy.h"
#include "nf_persist.h"
#include "nf_render.h"
#include "nf_session.h"
#include "nf_sflow.h"
#include "nf_v9ipfix.h"

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
#define POLL_TIMEOUT_MS 200         /* how often the input checks for shutdown */
#define ERROR_LOG_INTERVAL 60       /* seconds between two logs of the same error kind */
#define PRI_USER_INFO ((1 << 3) | 6)
#define TEMPLATE_FILE "imnetflow-templates.dat"
#define SAVE_INTERVAL 10            /* seconds between saves of changed templates */
#define SCOPE_VERSION_SFLOW 0x8005   /* sFlow agents' scopes: apart from NetFlow v5's */
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
enum protocol_bit { PROTO_NETFLOW = 1, PROTO_IPFIX = 2, PROTO_SFLOW = 4, PROTO_ALL = 7 };

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
	X(ctrTemplateErrors, "templates.malformed") \
	X(ctrSeqMissing, "sequence.missing") \
	X(ctrSeqResets, "sequence.resets") \
	X(ctrSkipped, "sflow.skipped") \
	X(ctrUnaccepted, "datagrams.unaccepted") \
	X(ctrDisallowed, "disallowed")

/* Counters of the template state, shared by all listeners. */
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
	X(names_dropped, "names.dropped")

/* Gauges of the template state: what it holds now. */
#define SESSION_GAUGES(X) \
	X(scopes_current, "scopes.current", nf_session_scope_count) \
	X(templates_current, "templates.current", nf_session_template_count) \
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
	instanceConf_t *inst;
	prop_t *inputName;
	ratelimit_t *ratelimiter;
	statsobj_t *stats;
	char display[128];          /* name(address/port) in logs and impstats */
#define DEF_COUNTER(ctr, label) STATSCOUNTER_DEF(ctr, mut_##ctr)
	LISTENER_COUNTERS(DEF_COUNTER)
	error_throttle_t malformedLog;
	struct listener *next;
} listener_t;

static listener_t *listenerRoot = NULL;

/* State of the receive loop, allocated at activation. */
static struct {
	uint8_t *buf;                      /* batchSize slots of MAX_DATAGRAM bytes */
	struct mmsghdr *hdr;
	struct iovec *iov;
	struct sockaddr_storage *from;
	int batchSize;
	nf_record_t *record;               /* reused for every record */
	char *line;                        /* LINE_BUFFER_SIZE: pre-rendered messages */
	nf_time_cache_t times;             /* the last day rendered */
	struct syslogTime reported;        /* timereported of the last second set */
	time_t reportedSec;
	int reportedValid;
} rcv;

/* Per-exporter counters: a hash by address, at most exporterStatsMax
 * entries; exporters beyond share the entry "other". Receive thread only. */
static struct {
	exporter_stats_t *buckets[EXPORTER_BUCKETS];
	int count;
	exporter_stats_t *other;
} exporters;

/* Template state: one session, used by the single receiving thread. */
static struct {
	nf_session_t *session;
	char *templateFile;         /* NULL: templates are not persisted */
	uint64_t savedChanges;      /* template changes as of the last save */
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
	X("template.persist", eCmdHdlrBinary, 0, P_INT, persistTemplates) \
	X("exporterstats", eCmdHdlrBinary, 0, P_INT, exporterStats) \
	X("exporterstats.max", eCmdHdlrPositiveInt, 0, P_INT, exporterStatsMax) \
	X("dictionary", eCmdHdlrString, 0, P_STRING, dictionaryFile)

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
CODESTARTnewInpInst
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
CODESTARTbeginCnfLoad
	loadModConf = pModConf;
	pModConf->pConf = pConf;
	nf_limits_default(&pModConf->limits);
	pModConf->persistTemplates = 1;
	pModConf->exporterStatsMax = DFLT_EXPORTER_STATS_MAX;
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
CODESTARTsetModCnf
	if ((pvals = nvlstGetParams(lst, &modpblk, NULL)) == NULL) {
		LogError(0, RS_RET_MISSING_CNFPARAMS, MOD_NAME ": error processing module parameters");
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	}
	for (int i = 0; i < modpblk.nParams; i++) {
		if (pvals[i].bUsed)
			CHKiRet(applyParam(loadModConf, &modptarget[i], &pvals[i]));
	}
	CHKiRet(loadDictionary(loadModConf));
finalize_it:
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &modpblk);
ENDsetModCnf

BEGINendCnfLoad
CODESTARTendCnfLoad
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
CODESTARTcheckCnf
	for (inst = pModConf->root; inst != NULL; inst = inst->next)
		std_checkRuleset(pModConf, inst);
	if (pModConf->root == NULL) {
		LogError(0, RS_RET_NO_LISTNERS,
			 MOD_NAME ": module loaded, but no listeners defined - no input will be gathered");
		iRet = RS_RET_NO_LISTNERS;
	}
ENDcheckCnf

/* ---------------------------------------------------------------------------
 * Sockets: bound in activateCnfPrePrivDrop, while still privileged.
 */
static int openSocket(const struct addrinfo *ai, int rcvbufSize)
{
	int on = 1;
	int sock = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);

	if (sock < 0)
		return -1;
	/* one socket per family, so that "*" binds IPv4 and IPv6 alike */
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	(void)setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (rcvbufSize > 0 &&
	    setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbufSize, sizeof(rcvbufSize)) != 0)
		(void)setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbufSize, sizeof(rcvbufSize));
	if (bind(sock, ai->ai_addr, ai->ai_addrlen) != 0) {
		int err = errno;
		close(sock);
		errno = err;
		return -1;
	}
	return sock;
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

/* Copies the session's own counts into the impstats counters. Only the
 * receiving thread writes them; impstats reads whole 64-bit words. */
/* ---------------------------------------------------------------------------
 * Counters per exporter.
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

/* The counters of the sender of a datagram, made at its first datagram;
 * NULL when exporterStats is off (or out of memory). */
static exporter_stats_t *exporterStats(const struct sockaddr_storage *from, const char *address)
{
	uint8_t key[16];
	unsigned h = 2166136261u;
	exporter_stats_t *e;

	if (!runModConf->exporterStats)
		return NULL;
	(void)mappedAddress(from, key);
	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	h %= EXPORTER_BUCKETS;
	for (e = exporters.buckets[h]; e != NULL; e = e->next)
		if (memcmp(e->addr, key, sizeof(key)) == 0)
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
	memset(&exporters, 0, sizeof(exporters));
}

#define EXPORTER_ADD(d, ctr, n) \
	do { \
		if ((d)->exp != NULL) \
			STATSCOUNTER_ADD((d)->exp->ctr, (d)->exp->mut_##ctr, (n)); \
	} while (0)

static void syncSessionStats(void)
{
	const nf_session_stats_t *st = nf_session_stats(core.session);
#define SYNC_SESSION_COUNTER(field, label) core.field = (intctr_t)st->field;
	SESSION_COUNTERS(SYNC_SESSION_COUNTER)
#define SYNC_SESSION_GAUGE(field, label, fn) core.field = (intctr_t)fn(core.session);
	SESSION_GAUGES(SYNC_SESSION_GAUGE)
}

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

static rsRetVal addListener(instanceConf_t *inst, int sock, const char *address, int port)
{
	const char *name = inst->name ? (char *)inst->name : MOD_NAME;
	listener_t *l;
	DEFiRet;

	CHKmalloc(l = calloc(1, sizeof(*l)));
	l->sock = sock;
	l->inst = inst;
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
		int sock = openSocket(ai, inst->rcvbufSize);
		if (sock < 0) {
			LogError(errno, RS_RET_COULD_NOT_BIND, MOD_NAME ": cannot bind %s port %s",
				 address ? address : (ai->ai_family == AF_INET6 ? "[::]" : "0.0.0.0"),
				 port);
			continue;
		}
		if (nbound++ == 0)
			writeListenPortFile(inst, boundPort(sock));
		CHKiRet(addListener(inst, sock, address ? address : "*", boundPort(sock)));
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
CODESTARTactivateCnfPrePrivDrop
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

/* Changes to the template set since start: what makes a save worthwhile. */
static uint64_t templateChanges(void)
{
	const nf_session_stats_t *st = nf_session_stats(core.session);
	return st->templates_added + st->templates_withdrawn + st->templates_evicted + st->templates_expired;
}

/* Writes the templates to a temporary file and renames it over the old
 * one, so that a crash never leaves a half-written file. */
static void saveTemplates(void)
{
	char tmp[4096];
	FILE *f;
	long n = -1;

	if (core.templateFile == NULL || core.session == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", core.templateFile);
	if ((f = fopen(tmp, "w")) != NULL) {
		n = nf_persist_save(core.session, f);
		if (n >= 0 && fsync(fileno(f)) != 0)
			n = -1;
		if (fclose(f) != 0)
			n = -1;
	}
	if (n < 0 || rename(tmp, core.templateFile) != 0) {
		LogError(errno, RS_RET_IO_ERROR, MOD_NAME ": cannot save templates to %s", core.templateFile);
		unlink(tmp);
		return;
	}
	core.savedChanges = templateChanges();
}

static void restoreTemplates(void)
{
	FILE *f;
	long n, skipped = 0;

	if (core.templateFile == NULL || (f = fopen(core.templateFile, "r")) == NULL)
		return;
	n = nf_persist_load(core.session, f, time(NULL), &skipped);
	fclose(f);
	if (n < 0 || skipped > 0)
		LogMsg(0, RS_RET_OK, LOG_WARNING, MOD_NAME ": %s: %ld templates restored, %ld lines unusable",
		       core.templateFile, n < 0 ? 0 : n, n < 0 ? 1 : skipped);
	core.savedChanges = templateChanges();
}

static rsRetVal setupPersistence(void)
{
	const uchar *workDir = glbl.GetWorkDir(runModConf->pConf);
	DEFiRet;

	if (!runModConf->persistTemplates || workDir == NULL)
		FINALIZE;
	CHKmalloc(core.templateFile = malloc(strlen((const char *)workDir) + sizeof(TEMPLATE_FILE) + 1));
	sprintf(core.templateFile, "%s/%s", (const char *)workDir, TEMPLATE_FILE);
	restoreTemplates();
finalize_it:
	RETiRet;
}

BEGINactivateCnf
	instanceConf_t *inst;
CODESTARTactivateCnf
	rcv.batchSize = 1;
	for (inst = runModConf->root; inst != NULL; inst = inst->next)
		if (inst->batchSize > rcv.batchSize)
			rcv.batchSize = inst->batchSize;
	CHKmalloc(rcv.buf = malloc((size_t)rcv.batchSize * MAX_DATAGRAM));
	CHKmalloc(rcv.hdr = calloc(rcv.batchSize, sizeof(*rcv.hdr)));
	CHKmalloc(rcv.iov = calloc(rcv.batchSize, sizeof(*rcv.iov)));
	CHKmalloc(rcv.from = calloc(rcv.batchSize, sizeof(*rcv.from)));
	CHKmalloc(rcv.record = malloc(sizeof(*rcv.record)));
	CHKmalloc(rcv.line = malloc(LINE_BUFFER_SIZE));
	CHKmalloc(core.session = nf_session_new(&runModConf->limits));
	nf_session_set_dictionary(core.session, runModConf->dictionary);
	CHKiRet(setupPersistence());
	CHKiRet(setupSessionStats());
finalize_it:
ENDactivateCnf

BEGINfreeCnf
	instanceConf_t *inst, *del;
CODESTARTfreeCnf
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

#define MAX_LIST_DEPTH 4 /* nested RFC 6313 lists shown; deeper ones stay hex */

static struct fjson_object *fieldToJson(const nf_field_t *f, const nf_template_source_t *src, int depth);

/* Builds the JSON array of a list field: values for a basicList, objects
 * for the records of a subTemplate(Multi)List. */
typedef struct list_builder {
	struct fjson_object *array;
	struct fjson_object *record;   /* the sub-record being filled, or NULL */
	const nf_template_source_t *src;
	int depth;
} list_builder_t;

static void addField(struct fjson_object *obj, const nf_field_t *f, const nf_template_source_t *src, int depth);

static void listBeginRecord(void *ctx)
{
	list_builder_t *b = ctx;
	b->record = fjson_object_new_object();
}

static void listField(void *ctx, const nf_field_t *f)
{
	list_builder_t *b = ctx;
	struct fjson_object *v;

	if (b->record != NULL) {
		addField(b->record, f, b->src, b->depth + 1);
	} else if ((v = fieldToJson(f, b->src, b->depth + 1)) != NULL) {
		fjson_object_array_add(b->array, v);
	}
}

static void listEndRecord(void *ctx)
{
	list_builder_t *b = ctx;
	if (b->record != NULL)
		fjson_object_array_add(b->array, b->record);
	b->record = NULL;
}

static struct fjson_object *listToJson(const nf_field_t *f, const nf_template_source_t *src, int depth)
{
	list_builder_t b = {.array = fjson_object_new_array(), .src = src, .depth = depth};
	const nf_list_sink_t sink = {.ctx = &b, .begin_record = listBeginRecord, .field = listField,
				     .end_record = listEndRecord};

	if (b.array != NULL)
		(void)nf_list_walk(f, src, &sink); /* a malformed tail is left out */
	if (b.record != NULL)
		fjson_object_put(b.record);
	return b.array;
}

/* The JSON value of one field: numbers stay numbers, addresses, times and
 * MACs become their usual text, octets become hex, RFC 6313 lists arrays. */
static struct fjson_object *fieldToJson(const nf_field_t *f, const nf_template_source_t *src, int depth)
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
	case NF_T_BASIC_LIST: case NF_T_SUBTEMPLATE_LIST: case NF_T_SUBTEMPLATE_MULTILIST:
		if (depth < MAX_LIST_DEPTH)
			return listToJson(f, src, depth);
		break;
	case NF_T_IPV4: case NF_T_IPV6: case NF_T_MAC:
	case NF_T_DT_SEC: case NF_T_DT_MILLI: case NF_T_DT_MICRO: case NF_T_DT_NANO:
		return fjson_object_new_string_len(text, (int)nf_render_text(f, text, sizeof(text), &rcv.times));
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

static void addField(struct fjson_object *obj, const nf_field_t *f, const nf_template_source_t *src, int depth)
{
	struct fjson_object *v = fieldToJson(f, src, depth);
	char name[NF_TEXT_MAX + 8];

	if (v == NULL)
		return;
	if (f->ie != NULL && f->repeat == 0) {
		/* libfastjson looks for an existing key linearly: skipping that
		 * where names cannot repeat saves O(fields^2) compares a record */
		fjson_object_object_add_ex(obj, f->ie->name, v,
					   nf_ie_is_builtin(f->ie)
						   ? FJSON_OBJECT_KEY_IS_CONSTANT | FJSON_OBJECT_ADD_KEY_IS_NEW
						   : FJSON_OBJECT_KEY_IS_CONSTANT);
		return;
	}
	if (f->ie != NULL)
		snprintf(name, sizeof(name), "%s", f->ie->name);
	else
		nf_unknown_name(f->pen, f->id, name, sizeof(name));
	/* a template may carry an element twice: the later ones are name_2, ... */
	if (f->repeat > 0)
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%u", f->repeat + 1u);
	fjson_object_object_add(obj, name, v);
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
		nf_time_ms_text((int64_t)info->export_sec * 1000 + info->export_nsec / 1000000, &rcv.times, time,
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
	nf_render_ecs(l, &ecs, d->address, &rcv.times);
	nf_line_str(l, "}");
}

/* The ECS objects for the tree: rendered, then parsed (ecs="on" only). */
static void attachEcs(struct fjson_object *root, const datagram_ctx_t *d, const nf_record_t *rec)
{
	char text[2048] = "{";
	nf_line_t l = {.buf = text + 1, .size = sizeof(text) - 2};
	struct fjson_object *ecs;
	nf_ecs_t e;

	nf_ecs_extract(rec, &e);
	nf_render_ecs(&l, &e, d->address, &rcv.times);
	text[1 + l.used] = '}';
	text[2 + l.used] = '\0';
	if (l.overflow || (ecs = fjson_tokener_parse(text)) == NULL)
		return;
	for (struct fjson_object_iterator it = fjson_object_iter_begin(ecs), end = fjson_object_iter_end(ecs);
	     !fjson_object_iter_equal(&it, &end); fjson_object_iter_next(&it))
		fjson_object_object_add_ex(root, fjson_object_iter_peek_name(&it),
					   fjson_object_get(fjson_object_iter_peek_value(&it)), 0);
	fjson_object_put(ecs);
}

/* The record as one line: {fields,"type":...,"exporter":{...}} or
 * fields type=... exporter_...=...; a record too long for the buffer
 * keeps only type and exporter, with "truncated":true. */
static size_t renderLine(datagram_ctx_t *d, const nf_datagram_info_t *info, const nf_record_t *rec,
			 const char *type, enum output_format format)
{
	nf_line_t l = {.buf = rcv.line, .size = LINE_BUFFER_SIZE};
	size_t exporterLen;
	const char *exporter = exporterLine(d, info, format, &exporterLen);
	nf_render_style_t style = format == FORMAT_JSON ? NF_RENDER_JSON : NF_RENDER_KV;
	unsigned nfields;

	bool ecs = d->lstn->inst->ecs && format == FORMAT_JSON;

	nf_line_str(&l, ecs ? "{\"netflow\":{" : format == FORMAT_JSON ? "{" : "");
	nfields = nf_render_fields(&l, style, rec, d->templates, &rcv.times);
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
	for (uint16_t i = 0; i < rec->nfields; i++)
		addField(nf, &rec->field[i], d->templates, 0);
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
static void setTimeReported(smsg_t *pMsg, const nf_record_t *rec, enum time_reported source)
{
	struct timeval tv;

	if (source != TIME_FLOW_END || rec->end_ms < 0 || rec->end_ms >= MAX_REPORTED_MS)
		return; /* unknown, or beyond what a syslog timestamp holds */
	tv.tv_sec = (time_t)(rec->end_ms / 1000);
	tv.tv_usec = (suseconds_t)(rec->end_ms % 1000) * 1000;
	if (!rcv.reportedValid || rcv.reportedSec != tv.tv_sec) {
		datetime.timeval2syslogTime(&tv, &rcv.reported, TIME_IN_UTC);
		rcv.reportedSec = tv.tv_sec;
		rcv.reportedValid = 1;
	}
	pMsg->tTIMESTAMP = rcv.reported;
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
			     nf_record_summary(rec, info->version, &rcv.times, summary, sizeof(summary)));
	else
		MsgSetRawMsg(pMsg, rcv.line, renderLine(d, info, rec, type, format));
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
	setTimeReported(pMsg, rec, l->inst->timeSource);
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
 * Datagrams.
 */
static void logThrottled(error_throttle_t *t, const listener_t *l, const char *what,
			 const datagram_ctx_t *d, int rc)
{
	time_t now = time(NULL);

	if (t->last != 0 && now - t->last < ERROR_LOG_INTERVAL) {
		t->suppressed++;
		return;
	}
	LogError(0, RS_RET_INVALID_VALUE,
		 MOD_NAME ": %s: %s datagram from %s port %d: %s (%u similar messages suppressed "
		 "in the last %d seconds; see impstats for counts)",
		 l->display, what, d->address, d->port, nf_strerror(rc), t->suppressed,
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

/* The template scope of an exporter, as the input's templateScope says. */
static void scopeKey(const listener_t *l, const struct sockaddr_storage *from, nf_scope_key_t *key)
{
	memset(key, 0, sizeof(*key));
	if (l->inst->scope == SCOPE_DOMAIN)
		return;
	key->port = (uint16_t)mappedAddress(from, key->addr);
	if (l->inst->scope != SCOPE_ADDRESS_PORT)
		key->port = 0;
}

/* Sequence gaps of the scope key: missing and resets counted. */
static void countSequence(listener_t *l, datagram_ctx_t *d, const nf_scope_key_t *key, uint32_t seq,
			  uint32_t advance)
{
	nf_scope_t *scope = nf_session_scope(core.session, key, d->now);
	uint32_t missing;
	int reset;

	if (scope == NULL)
		return;
	missing = nf_scope_sequence(scope, seq, advance, &reset);
	STATSCOUNTER_ADD(l->ctrSeqMissing, l->mut_ctrSeqMissing, missing);
	EXPORTER_ADD(d, ctrSeqMissing, missing);
	if (reset) {
		STATSCOUNTER_INC(l->ctrSeqResets, l->mut_ctrSeqResets);
		EXPORTER_ADD(d, ctrSeqResets, 1);
	}
}

static int processLegacy(listener_t *l, const uint8_t *buf, size_t len, const struct sockaddr_storage *from,
			 datagram_ctx_t *d)
{
	nf_legacy_iter_t it;
	int rc = nf_legacy_begin(&it, buf, len);
	nf_scope_key_t key;

	/* v5/v7 sequence numbers count flows: this datagram's first one */
	if (rc == NF_OK && it.info.has_sequence) {
		scopeKey(l, from, &key);
		key.version = it.info.version;
		key.domain = it.info.has_source_id ? it.info.source_id : 0;
		countSequence(l, d, &key, it.info.sequence, it.info.count);
	}

	while (rc == NF_OK && (rc = nf_legacy_next(&it, rcv.record)) == NF_OK) {
		STATSCOUNTER_INC(l->ctrDecoded, l->mut_ctrDecoded);
		EXPORTER_ADD(d, ctrRecords, 1);
		if (l->inst->renormalize)
			nf_record_renormalize(rcv.record, it.sampling & 0x3fff);
		(void)submitRecord(d, &it.info, rcv.record, "flow");
	}
	return rc;
}

static void emitTemplateRecord(void *ctx, const nf_datagram_info_t *info, const nf_template_t *t,
			       const nf_record_t *rec, const nf_template_source_t *templates)
{
	datagram_ctx_t *d = ctx;
	listener_t *l = d->lstn;

	d->templates = templates;
	STATSCOUNTER_INC(l->ctrDecoded, l->mut_ctrDecoded);
	EXPORTER_ADD(d, ctrRecords, 1);
	if (t->is_options && !l->inst->emitOptions)
		return;
	(void)submitRecord(d, info, rec, t->is_options ? "options" : "flow");
}

static int processTemplated(listener_t *l, const uint8_t *buf, size_t len,
			    const struct sockaddr_storage *from, datagram_ctx_t *d)
{
	nf_v9ipfix_ctx_t ctx = {.session = core.session, .now = d->now, .emit = emitTemplateRecord,
				.emit_ctx = d, .record = rcv.record, .renormalize = l->inst->renormalize};
	const nf_v9ipfix_result_t *r = &ctx.result;
	int rc;

	scopeKey(l, from, &ctx.exporter);
	rc = nf_v9ipfix_decode(&ctx, buf, len);
	STATSCOUNTER_ADD(l->ctrTemplateErrors, l->mut_ctrTemplateErrors, r->template_errors);
	STATSCOUNTER_ADD(l->ctrSeqMissing, l->mut_ctrSeqMissing, r->sequence_missing);
	EXPORTER_ADD(d, ctrSeqMissing, r->sequence_missing);
	EXPORTER_ADD(d, ctrTemplates, r->templates);
	if (r->sequence_reset) {
		STATSCOUNTER_INC(l->ctrSeqResets, l->mut_ctrSeqResets);
		EXPORTER_ADD(d, ctrSeqResets, 1);
	}
	return rc;
}

static void emitSflowSample(void *ctx, const nf_datagram_info_t *info, const nf_sflow_agent_t *agent,
			    nf_sflow_kind_t kind, nf_record_t *rec)
{
	static const char *const types[] = {[NF_SFLOW_FLOW] = "flow", [NF_SFLOW_COUNTERS] = "counters",
					    [NF_SFLOW_DISCARD] = "discard"};
	datagram_ctx_t *d = ctx;
	listener_t *l = d->lstn;

	STATSCOUNTER_INC(l->ctrDecoded, l->mut_ctrDecoded);
	EXPORTER_ADD(d, ctrRecords, 1);
	if (kind == NF_SFLOW_FLOW && l->inst->renormalize)
		nf_record_renormalize(rec, nf_record_sampling_interval(rec));
	d->agent = agent;
	(void)submitRecord(d, info, rec, types[kind]);
}

static int processSflow(listener_t *l, const uint8_t *buf, size_t len, datagram_ctx_t *d)
{
	nf_sflow_result_t r;
	int rc = nf_sflow_decode(buf, len, rcv.record, emitSflowSample, d, &r);
	nf_scope_key_t key = {.version = SCOPE_VERSION_SFLOW};

	STATSCOUNTER_ADD(l->ctrSkipped, l->mut_ctrSkipped, r.skipped);
	if (!r.has_header)
		return rc;
	/* sequence numbers count datagrams per agent and sub-agent */
	if (r.agent.addr_len == 4) {
		key.addr[10] = key.addr[11] = 0xff;
		memcpy(key.addr + 12, r.agent.addr, 4);
	} else {
		memcpy(key.addr, r.agent.addr, 16);
	}
	key.domain = r.agent.sub_agent_id;
	countSequence(l, d, &key, r.sequence, 1);
	return rc;
}

static void processDatagram(listener_t *l, const uint8_t *buf, size_t len,
			    const struct sockaddr_storage *from, datagram_ctx_t *d)
{
	int version = nf_peek_version(buf, len);
	/* malformed datagrams count as NetFlow: they reach the decoder's error */
	int protocol = nf_sflow_detect(buf, len) ? PROTO_SFLOW : version == 10 ? PROTO_IPFIX : PROTO_NETFLOW;
	int rc;

	if (!exporterAllowed(l->inst, from)) {
		STATSCOUNTER_INC(l->ctrDisallowed, l->mut_ctrDisallowed);
		return;
	}
	if (!(l->inst->protocols & protocol)) {
		STATSCOUNTER_INC(l->ctrUnaccepted, l->mut_ctrUnaccepted);
		return;
	}
	exporterAddress(from, d);
	d->exp = exporterStats(from, d->address);
	EXPORTER_ADD(d, ctrDatagrams, 1);
	if (prop.CreateStringProp(&d->fromHost, (uchar *)d->address, (int)strlen(d->address)) != RS_RET_OK)
		return;
	if (protocol == PROTO_SFLOW)
		rc = processSflow(l, buf, len, d);
	else if (version == 9 || version == 10)
		rc = processTemplated(l, buf, len, from, d);
	else
		rc = processLegacy(l, buf, len, from, d);
	prop.Destruct(&d->fromHost);
	if (rc != NF_OK && rc != NF_END) {
		STATSCOUNTER_INC(l->ctrMalformed, l->mut_ctrMalformed);
		EXPORTER_ADD(d, ctrMalformed, 1);
		logThrottled(&l->malformedLog, l, "malformed", d, rc);
	}
}

/* Reads what the socket has, batch by batch, until it would block. */
static void drainSocket(listener_t *l, thrdInfo_t *pThrd)
{
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t multiSub = {.ppMsgs = msgs, .maxElem = CONF_NUM_MULTISUB, .nElem = 0};
	struct syslogTime stTime;
	time_t ttGenTime;
	int batch = l->inst->batchSize;
	int n;

	while (pThrd->bShallStop != RSTRUE) {
		for (int i = 0; i < batch; i++) {
			rcv.iov[i].iov_base = rcv.buf + (size_t)i * MAX_DATAGRAM;
			rcv.iov[i].iov_len = MAX_DATAGRAM;
			rcv.hdr[i].msg_hdr = (struct msghdr){.msg_name = &rcv.from[i],
							     .msg_namelen = sizeof(rcv.from[i]),
							     .msg_iov = &rcv.iov[i], .msg_iovlen = 1};
		}
		n = recvmmsg(l->sock, rcv.hdr, (unsigned)batch, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		datetime.getCurrTime(&stTime, &ttGenTime, TIME_IN_LOCALTIME);
		STATSCOUNTER_ADD(l->ctrReceived, l->mut_ctrReceived, n);
		for (int i = 0; i < n; i++) {
			datagram_ctx_t d = {.lstn = l, .rcvTime = &stTime, .ttGenTime = ttGenTime,
					    .multiSub = &multiSub, .now = ttGenTime};
			if (rcv.hdr[i].msg_hdr.msg_flags & MSG_TRUNC) {
				STATSCOUNTER_INC(l->ctrTruncated, l->mut_ctrTruncated);
				continue;
			}
			processDatagram(l, rcv.buf + (size_t)i * MAX_DATAGRAM, rcv.hdr[i].msg_len,
					&rcv.from[i], &d);
		}
		if (n < batch)
			break;
	}
	multiSubmitFlush(&multiSub);
}

BEGINrunInput
	struct pollfd *fds = NULL;
	listener_t **byFd = NULL;
	nfds_t nfds = 0;
	time_t lastHousekeeping = 0;
CODESTARTrunInput
	for (listener_t *l = listenerRoot; l != NULL; l = l->next)
		nfds++;
	CHKmalloc(fds = calloc(nfds, sizeof(*fds)));
	CHKmalloc(byFd = calloc(nfds, sizeof(*byFd)));
	nfds = 0;
	for (listener_t *l = listenerRoot; l != NULL; l = l->next) {
		fds[nfds] = (struct pollfd){.fd = l->sock, .events = POLLIN};
		byFd[nfds++] = l;
	}
	while (pThrd->bShallStop != RSTRUE) {
		int ready = poll(fds, nfds, POLL_TIMEOUT_MS);
		if (ready < 0 && errno != EINTR) {
			LogError(errno, RS_RET_ERR, MOD_NAME ": poll failed, input stops");
			ABORT_FINALIZE(RS_RET_ERR);
		}
		for (nfds_t i = 0; ready > 0 && i < nfds; i++)
			if (fds[i].revents & POLLIN)
				drainSocket(byFd[i], pThrd);
		if (time(NULL) != lastHousekeeping) {
			lastHousekeeping = time(NULL);
			nf_session_expire(core.session, lastHousekeeping);
			syncSessionStats();
			if (lastHousekeeping % SAVE_INTERVAL == 0 && templateChanges() != core.savedChanges)
				saveTemplates();
		}
	}
finalize_it:
	free(fds);
	free(byFd);
ENDrunInput

BEGINwillRun
CODESTARTwillRun
ENDwillRun

BEGINafterRun
CODESTARTafterRun
	while (listenerRoot != NULL) {
		listener_t *next = listenerRoot->next;
		destroyListener(listenerRoot);
		listenerRoot = next;
	}
	free(rcv.buf);
	free(rcv.hdr);
	free(rcv.iov);
	free(rcv.from);
	free(rcv.record);
	free(rcv.line);
	memset(&rcv, 0, sizeof(rcv));
	if (core.stats != NULL)
		statsobj.Destruct(&core.stats);
	freeExporterStats();
	if (core.session != NULL && templateChanges() != core.savedChanges)
		saveTemplates();
	nf_session_free(core.session);
	core.session = NULL;
	free(core.templateFile);
	core.templateFile = NULL;
ENDafterRun

BEGINmodExit
CODESTARTmodExit
	objRelease(glbl, CORE_COMPONENT);
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(datetime, CORE_COMPONENT);
	objRelease(prop, CORE_COMPONENT);
	objRelease(ruleset, CORE_COMPONENT);
ENDmodExit

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature
	if (eFeat == sFEATURENonCancelInputTermination)
		iRet = RS_RET_OK;
ENDisCompatibleWithFeature

BEGINqueryEtryPt
CODESTARTqueryEtryPt
CODEqueryEtryPt_STD_IMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_STD_CONF2_setModCnf_QUERIES
CODEqueryEtryPt_STD_CONF2_PREPRIVDROP_QUERIES
CODEqueryEtryPt_STD_CONF2_IMOD_QUERIES
CODEqueryEtryPt_IsCompatibleWithFeature_IF_OMOD_QUERIES
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(glbl, CORE_COMPONENT));
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	CHKiRet(objUse(datetime, CORE_COMPONENT));
	CHKiRet(objUse(prop, CORE_COMPONENT));
	CHKiRet(objUse(ruleset, CORE_COMPONENT));
ENDmodInit
