/* imnetflow.c - rsyslog input module for NetFlow/IPFIX/sFlow export datagrams.
 *
 * The thin glue between rsyslog and the pure decoder core, in five files:
 * this one (configuration: the parameter tables and their checks, and
 * rsyslog's module entry points), imn_net.c (sockets, listeners and the
 * receiving threads), imn_msg.c (from a datagram through the core to one
 * rsyslog message per flow record), imn_workers.c (each receiving thread's
 * template state and the template file), imn_stats.c (impstats
 * counters), imn_tee.c (copies of the datagrams to other collectors),
 * imn_stream.c (inputs with transport tcp, sctp and tls: listeners,
 * connections, IPFIX framing), imn_tls.c (the tls transport),
 * imn_sandbox.c (the receiving threads' seccomp filter) and
 * imn_outbox.c (the thread that submits, logs and saves for them outside
 * it). imn.h is what they share.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */

#include "imn.h"

#include "nf_cidr.h"

MODULE_TYPE_INPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("imnetflow")

DEF_IMOD_STATIC_DATA

/* rsyslog's interfaces, shared (hidden) with the module's other files:
 * what DEFobjCurrIf makes, without its static. */
glbl_if_t glbl = {.ifVersion = glblCURR_IF_VERSION, .ifIsLoaded = 0};
datetime_if_t datetime = {.ifVersion = datetimeCURR_IF_VERSION, .ifIsLoaded = 0};
prop_if_t prop = {.ifVersion = propCURR_IF_VERSION, .ifIsLoaded = 0};
ruleset_if_t ruleset = {.ifVersion = rulesetCURR_IF_VERSION, .ifIsLoaded = 0};
statsobj_if_t statsobj = {.ifVersion = statsobjCURR_IF_VERSION, .ifIsLoaded = 0};

modConfData_t *loadModConf = NULL;
modConfData_t *runModConf = NULL;

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
	X("streamdriver.name", eCmdHdlrString, 0, P_STRING, tlsDriver) \
	X("streamdriver.mode", eCmdHdlrNonNegInt, 0, P_INT, tlsMode) \
	X("streamdriver.authmode", eCmdHdlrString, 0, P_STRING, tlsAuthMode) \
	X("streamdriver.permitexpiredcerts", eCmdHdlrString, 0, P_STRING, tlsPermitExpired) \
	X("permittedpeer", eCmdHdlrArray, 0, P_ARRAY, tlsPeers) \
	X("streamdriver.cafile", eCmdHdlrString, 0, P_STRING, tlsCAFile) \
	X("streamdriver.certfile", eCmdHdlrString, 0, P_STRING, tlsCertFile) \
	X("streamdriver.keyfile", eCmdHdlrString, 0, P_STRING, tlsKeyFile) \
	X("timereported", eCmdHdlrGetWord, 0, P_STRING, timeReported) \
	X("templatescope", eCmdHdlrGetWord, 0, P_STRING, templateScope) \
	X("format", eCmdHdlrGetWord, 0, P_STRING, formatName) \
	X("emitoptions", eCmdHdlrBinary, 0, P_INT, emitOptions) \
	X("renormalize", eCmdHdlrBinary, 0, P_INT, renormalize) \
	X("ecs", eCmdHdlrBinary, 0, P_INT, ecs) \
	X("communityidseed", eCmdHdlrNonNegInt, 0, P_INT, communityIdSeed) \
	X("internalnetworks", eCmdHdlrArray, 0, P_ARRAY, internalNames) \
	X("watchnetworks", eCmdHdlrArray, 0, P_ARRAY, watchNames) \
	X("severity.deny", eCmdHdlrNonNegInt, 0, P_INT, severityDeny) \
	X("severity.watch", eCmdHdlrNonNegInt, 0, P_INT, severityWatch) \
	X("severity.flow", eCmdHdlrNonNegInt, 0, P_INT, severityFlow) \
	X("severity.event", eCmdHdlrNonNegInt, 0, P_INT, severityEvent) \
	X("protocols", eCmdHdlrArray, 0, P_ARRAY, protocolNames) \
	X("allowedexporters", eCmdHdlrArray, 0, P_ARRAY, allowedNames) \
	X("transport", eCmdHdlrGetWord, 0, P_STRING, transportName) \
	X("maxsessions", eCmdHdlrPositiveInt, 0, P_INT, maxSessions) \
	X("sessiontimeout", eCmdHdlrNonNegInt, 0, P_INT, sessionTimeout) \
	X("tee", eCmdHdlrArray, 0, P_ARRAY, teeNames) \
	X("tee.spoof", eCmdHdlrBinary, 0, P_INT, teeSpoof)

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
	X("networks", eCmdHdlrString, 0, P_STRING, networksFile) \
	X("geoip.city", eCmdHdlrString, 0, P_STRING, geoipCity) \
	X("geoip.asn", eCmdHdlrString, 0, P_STRING, geoipAsn) \
	X("sampling", eCmdHdlrString, 0, P_STRING, samplingFile) \
	X("interfacenames", eCmdHdlrString, 0, P_STRING, interfaceFile) \
	X("threads", eCmdHdlrPositiveInt, 0, P_INT, threads) \
	X("summaryinterval", eCmdHdlrNonNegInt, 0, P_INT, summaryInterval) \
	X("exportertimeout", eCmdHdlrNonNegInt, 0, P_INT, exporterTimeout) \
	X("exporterevents", eCmdHdlrBinary, 0, P_INT, exporterEvents) \
	X("exportertable.max", eCmdHdlrPositiveInt, 0, P_INT, exporterTableMax) \
	X("sandbox", eCmdHdlrGetWord, 0, P_STRING, sandboxName)

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

static const char *const transport_names[] = {"udp", "tcp", "sctp", "tls"};
static const stream_transport_t *const transports[] = {NULL, &tcpTransport, &sctpTransport, &tlsTransport};

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
	inst->severityDeny = SEVERITY_WARNING;
	inst->severityWatch = SEVERITY_NOTICE;
	inst->severityFlow = SEVERITY_INFO;
	inst->severityEvent = SEVERITY_NOTICE;
	inst->maxSessions = DFLT_MAX_SESSIONS;
	inst->tlsMode = -1;
	inst->sessionTimeout = DFLT_SESSION_TIMEOUT;
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

static const char *const sandbox_names[] = {
	[SANDBOX_ERRNO] = "errno",
	[SANDBOX_KILL] = "kill",
	[SANDBOX_OFF] = "off",
};

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
int mappedAddress(const struct sockaddr_storage *from, uint8_t a[16])
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

void addressText(const uint8_t a[16], char *buf, size_t size)
{
	if (nf_cidr_is_v4(a))
		inet_ntop(AF_INET, a + 12, buf, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)size);
}

int exporterAllowed(const instanceConf_t *inst, const struct sockaddr_storage *from)
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

static rsRetVal checkSeverities(const instanceConf_t *inst)
{
	const struct {
		const char *name;
		int value;
	} sev[] = {{"severity.deny", inst->severityDeny}, {"severity.watch", inst->severityWatch},
		   {"severity.flow", inst->severityFlow}, {"severity.event", inst->severityEvent}};
	DEFiRet;

	for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++)
		if (sev[i].value > MAX_SEVERITY) {
			LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": %s %d out of range 0-7 (syslog severities)",
				 sev[i].name, sev[i].value);
			ABORT_FINALIZE(RS_RET_PARAM_ERROR);
		}
finalize_it:
	RETiRet;
}

/* transport="udp" (default), "tcp", "sctp" or "tls"; maxSessions with it. */
static rsRetVal parseTransport(instanceConf_t *inst)
{
	int kind = 0;
	DEFiRet;

	PARSE_KEYWORD("transport", inst->transportName, transport_names, kind);
	inst->transport = transports[kind];
	if (inst->maxSessions > MAX_SESSIONS) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": maxSessions %d too large, maximum is %d",
			 inst->maxSessions, MAX_SESSIONS);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
finalize_it:
	RETiRet;
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
	CHKiRet(parseTransport(inst));
	CHKiRet(tlsCheckParams(inst));
	if (inst->ecs && inst->format == FORMAT_KV) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": ecs=\"on\" needs format \"structured\" or \"json\"");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->communityIdSeed > UINT16_MAX) {
		LogError(0, RS_RET_PARAM_ERROR, MOD_NAME ": communityIdSeed %d out of range 0-65535",
			 inst->communityIdSeed);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	nf_ecs_options_default(&inst->ecsOptions); /* asks the CPU which SHA-1 to use: once, here */
	inst->ecsOptions.community_id_seed = (uint16_t)inst->communityIdSeed;
	CHKiRet(parseProtocols(inst));
	CHKiRet(parseAllowed(inst));
	CHKiRet(parseTee(inst));
	CHKiRet(parseNetworkLists(inst));
	CHKiRet(checkSeverities(inst));
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
	pModConf->summaryInterval = DFLT_SUMMARY_INTERVAL;
	pModConf->exporterTimeout = DFLT_EXPORTER_TIMEOUT;
	pModConf->exporterEvents = 1;
	pModConf->exporterTableMax = DFLT_EXPORTER_TABLE_MAX;
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
	PARSE_KEYWORD("sandbox", loadModConf->sandboxName, sandbox_names, loadModConf->sandbox);
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
 * Activation and rsyslog's module entry points.
 */
BEGINactivateCnfPrePrivDrop
	instanceConf_t *inst;
CODESTARTactivateCnfPrePrivDrop;
	runModConf = pModConf;
	for (inst = runModConf->root; inst != NULL; inst = inst->next) {
		if (openTee(inst) != RS_RET_OK) { /* logged; an input that would not copy does not run */
			closeTee(inst);
			continue;
		}
		for (int i = 0; i < inst->ports->nmemb; i++) {
			char *port = es_str2cstr(inst->ports->arr[i], NULL);
			CHKmalloc(port);
			if (inst->transport == NULL)
				(void)bindPort(inst, port); /* errors logged; other ports still run */
			free(port);
		}
		if (inst->transport != NULL)
			(void)streamListen(inst); /* errors logged, naming the transport */
	}
	if (listenerRoot == NULL && !streamListening()) {
		LogError(0, RS_RET_NO_RUN, MOD_NAME ": no listeners could be started, input not activated");
		ABORT_FINALIZE(RS_RET_NO_RUN);
	}
finalize_it:
ENDactivateCnfPrePrivDrop

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
	CHKiRet(streamSetup());
	CHKiRet(setupPersistence());
	loadEnrichment();
	for (int i = 0; i < workers.n; i++)
		publishSessionStats(&workers.w[i]);
	syncSessionStats();
	CHKiRet(setupSessionStats());
finalize_it:
	if (iRet != RS_RET_OK) {
		streamFree();
		freeWorkers();
	}
ENDactivateCnf

BEGINfreeCnf
	instanceConf_t *inst, *del;
CODESTARTfreeCnf;
	nf_dict_free(pModConf->dictionary);
	free(pModConf->dictionaryFile);
	free(pModConf->networksFile);
	free(pModConf->geoipCity);
	free(pModConf->geoipAsn);
	free(pModConf->samplingFile);
	free(pModConf->interfaceFile);
	free(pModConf->sandboxName);
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
		free(inst->transportName);
		tlsFreeParams(inst);
		if (inst->protocolNames != NULL)
			cnfarrayContentDestruct(inst->protocolNames);
		free(inst->protocolNames);
		if (inst->allowedNames != NULL)
			cnfarrayContentDestruct(inst->allowedNames);
		free(inst->allowedNames);
		free(inst->allowed);
		if (inst->teeNames != NULL)
			cnfarrayContentDestruct(inst->teeNames);
		free(inst->teeNames);
		closeTee(inst);
		free(inst->tee);
		if (inst->internalNames != NULL)
			cnfarrayContentDestruct(inst->internalNames);
		free(inst->internalNames);
		nf_cidr_free(inst->internal);
		if (inst->watchNames != NULL)
			cnfarrayContentDestruct(inst->watchNames);
		free(inst->watchNames);
		nf_cidr_free(inst->watch);
		del = inst;
		inst = inst->next;
		free(del);
	}
ENDfreeCnf

BEGINrunInput
CODESTARTrunInput;
	__atomic_store_n(&workers.stop, 0, __ATOMIC_RELEASE);
	/* thread 0's own workers are decided before the others start */
	for (int i = 1; i < workers.n; i++)
		workers.w[i].servedBy = i;
	/* the receiving threads enter their sandboxes; this thread, rsyslog's,
	 * stays outside and runs the outbox until rsyslog stops the input */
	CHKiRet(sandboxSetup(runModConf->sandbox));
	CHKiRet(startWorkers());
	streamStart();
	outboxRun(pThrd);
	joinWorkers();
	streamJoin();
finalize_it:
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
	for (instanceConf_t *inst = runModConf->root; inst != NULL; inst = inst->next)
		closeTee(inst);
	if (core.stats != NULL)
		statsobj.Destruct(&core.stats);
	streamFree();
	freeExporterStats();
	freeWorkers();
	freeEnrichment();
	free(core.templateFile);
	core.templateFile = NULL;
ENDafterRun

BEGINmodExit
CODESTARTmodExit;
	tlsModExit();
	objRelease(glbl, CORE_COMPONENT);
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(datetime, CORE_COMPONENT);
	objRelease(prop, CORE_COMPONENT);
	objRelease(ruleset, CORE_COMPONENT);
ENDmodExit

/* HUP: the networks file and the GeoIP databases are read again. doHUP
 * takes an instanceData (it was made for actions); rsyslog passes NULL. */
typedef struct instanceData_s {
	int unused;
} instanceData;

BEGINdoHUP
CODESTARTdoHUP;
	reloadEnrichment();
ENDdoHUP

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
CODEqueryEtryPt_doHUP
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
	tlsModInit(&obj);
ENDmodInit
