/* nf_enrich.c - locality, networks file and GeoIP/ASN lookups.
 *
 * The networks file: one network per line, comma-separated,
 *   CIDR,name[,site[,role[,tags]]]
 * tags separated by '|'; '#' starts a comment line; blank lines and
 * surrounding spaces are ignored; longest prefix wins. A line that does
 * not parse is an error naming the file and line; the file is then not
 * used at all (a half-read file would mislabel networks).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_enrich.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nf_cidr.h"
#include "nf_decode.h"
#include "nf_hash.h"
#include "nf_ie.h"

#define LINE_MAX_BYTES 4096
#define MAX_TAGS 16

enum { INTERNAL_VALUE = 1 };

/* One interface of the interface file; a hash by (exporter, ifIndex). */
typedef struct interface_name {
	uint8_t exporter[16];
	uint32_t if_index;
	const char *name, *description; /* name NULL: the slot is free */
} interface_name_t;

struct nf_enrich_db {
	interface_name_t *ifnames;
	size_t nifnames, ifnames_size; /* entries, slots (a power of two, at least twice the entries) */
	nf_cidr_t *networks;       /* value: index into network */
	nf_network_t *network;
	size_t nnetworks;
	void **allocs;             /* every string and tag array the networks point to */
	size_t nallocs;
	bool has_city, has_asn;
	MMDB_s city, asn;
	unsigned generation;       /* tells caches this db from the previous one */
};

typedef struct cache_slot {
	uint8_t addr[16];
	bool used, found;
	nf_geo_t geo;
} cache_slot_t;

/* A network neither database knows: its first bits bits of addr. */
typedef struct unknown_net {
	uint8_t addr[16];
	unsigned bits; /* 0: an empty entry */
} unknown_net_t;

#define UNKNOWN_NETS 8 /* the most recent, round robin */

struct nf_enrich_cache {
	const nf_enrich_db_t *db;  /* the db the slots hold lookups of */
	unsigned generation;
	/* most flows have an endpoint in a network no database knows (a
	 * private one): one lookup there answers for the whole network */
	unknown_net_t unknown[UNKNOWN_NETS];
	unsigned next_unknown;
	cache_slot_t slot[NF_ENRICH_CACHE_SLOTS];
};

/* ---------------------------------------------------------------------------
 * Errors: appended to the caller's buffer, one line each.
 */
typedef struct errors {
	char *buf;
	size_t size, used;
} errors_t;

static void add_error(errors_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_error(errors_t *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->buf == NULL || e->used + 1 >= e->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->used, e->size - e->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->used += (size_t)n < e->size - e->used ? (size_t)n : e->size - e->used - 1;
	if (e->used + 1 < e->size) {
		e->buf[e->used++] = '\n';
		e->buf[e->used] = '\0';
	}
}

/* ---------------------------------------------------------------------------
 * Internal networks: the configured ones, loopback and link-local.
 */
static const char *const always_internal[] = {"127.0.0.0/8", "169.254.0.0/16", "::1/128", "fe80::/10", NULL};

static int add_prefixes(nf_cidr_t *t, const char *const *texts, errors_t *e, const char *what)
{
	for (size_t i = 0; texts != NULL && texts[i] != NULL; i++) {
		uint8_t addr[16];
		unsigned bits;
		if (nf_cidr_parse(texts[i], addr, &bits) != NF_OK) {
			add_error(e, "%s: '%s' is not an address or CIDR prefix", what, texts[i]);
			return NF_ERR_FORMAT;
		}
		if (nf_cidr_add(t, addr, bits, INTERNAL_VALUE) != NF_OK)
			return NF_ERR_NOMEM;
	}
	return NF_OK;
}

/* texts and, if not NULL, always, in one table. */
static nf_cidr_t *table_of(const char *const *always, const char *const *texts, const char *what, char *errors,
			   size_t size)
{
	errors_t e = {errors, size, 0};
	nf_cidr_t *t;

	if (errors != NULL && size > 0)
		errors[0] = '\0';
	if (texts == NULL || texts[0] == NULL || (t = nf_cidr_new()) == NULL)
		return NULL;
	if ((always != NULL && add_prefixes(t, always, &e, what) != NF_OK) || add_prefixes(t, texts, &e, what) != NF_OK) {
		nf_cidr_free(t);
		return NULL;
	}
	return t;
}

nf_cidr_t *nf_cidr_table(const char *const *texts, const char *what, char *errors, size_t size)
{
	return table_of(NULL, texts, what, errors, size);
}

nf_cidr_t *nf_internal_networks(const char *const *texts, char *errors, size_t size)
{
	return table_of(always_internal, texts, "internalNetworks", errors, size);
}

/* ---------------------------------------------------------------------------
 * The networks file.
 */
static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* p, freed with the db; NULL (and *nomem) when p is NULL or cannot be kept. */
static void *keep(nf_enrich_db_t *db, void *p, bool *nomem)
{
	void **grown;

	if (p == NULL || (grown = realloc(db->allocs, (db->nallocs + 1) * sizeof(*grown))) == NULL) {
		free(p);
		*nomem = true;
		return NULL;
	}
	db->allocs = grown;
	db->allocs[db->nallocs++] = p;
	return p;
}

/* A copy of s kept with the db, or NULL for an empty s. */
static const char *keep_string(nf_enrich_db_t *db, const char *s, bool *nomem)
{
	return *s == '\0' ? NULL : keep(db, strdup(s), nomem);
}

/* The tags of "a|b|c" as a NULL-terminated array kept with the db. */
static const char *const *keep_tags(nf_enrich_db_t *db, char *text, bool *nomem)
{
	const char **tags = keep(db, calloc(MAX_TAGS + 1, sizeof(const char *)), nomem);
	char *save = NULL;
	size_t n = 0;

	if (tags == NULL)
		return NULL;
	for (char *t = strtok_r(text, "|", &save); t != NULL && n < MAX_TAGS; t = strtok_r(NULL, "|", &save)) {
		const char *kept = keep_string(db, trim(t), nomem);
		if (kept != NULL)
			tags[n++] = kept;
	}
	return n > 0 ? tags : NULL;
}

/* Parses one line into the db; false (with an error) if it does not parse. */
static bool parse_network_line(nf_enrich_db_t *db, char *line, const char *file, unsigned lineno, errors_t *e,
			       bool *nomem)
{
	char *col[5] = {0};
	char *p = line;
	int n = 0;
	uint8_t addr[16];
	unsigned bits;
	nf_network_t *net;

	/* strsep keeps empty columns ("10.0.0.0/8,lan,,core") */
	while (n < 5 && (col[n] = strsep(&p, ",")) != NULL)
		col[n] = trim(col[n]), n++;
	if (p != NULL) {
		add_error(e, "%s:%u: more than 5 columns (CIDR,name,site,role,tags)", file, lineno);
		return false;
	}
	if (n < 2 || nf_cidr_parse(col[0], addr, &bits) != NF_OK) {
		add_error(e, "%s:%u: expected CIDR,name[,site[,role[,tags]]], got '%s'", file, lineno, line);
		return false;
	}
	if (db->nnetworks >= NF_NETWORKS_MAX) {
		add_error(e, "%s:%u: more than %d networks", file, lineno, NF_NETWORKS_MAX);
		return false;
	}
	if ((db->nnetworks & (db->nnetworks + 1)) == 0 || db->network == NULL) { /* grow at 0, 1, 3, 7... */
		nf_network_t *grown = realloc(db->network, (db->nnetworks * 2 + 2) * sizeof(*grown));
		if (grown == NULL) {
			*nomem = true;
			return false;
		}
		db->network = grown;
	}
	net = &db->network[db->nnetworks];
	memset(net, 0, sizeof(*net));
	net->name = keep_string(db, col[1], nomem);
	net->site = n > 2 ? keep_string(db, col[2], nomem) : NULL;
	net->role = n > 3 ? keep_string(db, col[3], nomem) : NULL;
	net->tags = n > 4 ? keep_tags(db, col[4], nomem) : NULL;
	if (*nomem || nf_cidr_add(db->networks, addr, bits, (uint32_t)db->nnetworks) != NF_OK) {
		*nomem = true;
		return false;
	}
	db->nnetworks++;
	return true;
}

static void drop_networks(nf_enrich_db_t *db)
{
	nf_cidr_free(db->networks);
	db->networks = NULL;
	free(db->network);
	db->network = NULL;
	db->nnetworks = 0;
}

typedef bool (*line_parser_t)(nf_enrich_db_t *db, char *line, const char *file, unsigned lineno, errors_t *e,
			      bool *nomem);

/* Reads file line by line into the db with parse; false (the file not
 * used) when it cannot be read, a line does not parse, or memory runs out. */
static bool load_lines(nf_enrich_db_t *db, const char *file, line_parser_t parse, errors_t *e)
{
	char line[LINE_MAX_BYTES];
	unsigned lineno = 0;
	bool ok = true, nomem = false;
	FILE *f;

	if ((f = fopen(file, "r")) == NULL) {
		add_error(e, "%s: %s", file, strerror(errno));
		return false;
	}
	while (ok && !nomem && fgets(line, sizeof(line), f) != NULL) {
		char *s;
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			add_error(e, "%s:%u: line longer than %d bytes", file, lineno, LINE_MAX_BYTES - 1);
			ok = false;
			break;
		}
		s = trim(line);
		if (*s != '\0' && *s != '#')
			ok = parse(db, s, file, lineno, e, &nomem);
	}
	if (ok && !nomem && ferror(f)) {
		add_error(e, "%s: %s", file, strerror(errno));
		ok = false;
	}
	fclose(f);
	if (nomem)
		add_error(e, "%s: out of memory", file);
	return ok && !nomem;
}

static void load_networks(nf_enrich_db_t *db, const char *file, errors_t *e)
{
	if (file == NULL || *file == '\0')
		return;
	if ((db->networks = nf_cidr_new()) == NULL) {
		add_error(e, "%s: out of memory", file);
		return;
	}
	if (!load_lines(db, file, parse_network_line, e))
		drop_networks(db);
}


/* ---------------------------------------------------------------------------
 * The interface file: exporter,ifIndex,name[,description].
 */
static size_t ifname_slot(const interface_name_t *table, size_t size, const uint8_t exporter[16], uint32_t if_index)
{
	size_t i = (size_t)nf_fnv1a_u32(nf_fnv1a(NF_FNV_OFFSET, exporter, 16), if_index) & (size - 1);

	while (table[i].name != NULL && (table[i].if_index != if_index || memcmp(table[i].exporter, exporter, 16) != 0))
		i = (i + 1) & (size - 1);
	return i;
}

static bool grow_ifnames(nf_enrich_db_t *db)
{
	size_t size = db->ifnames_size ? db->ifnames_size * 2 : 64;
	interface_name_t *t = calloc(size, sizeof(*t));

	if (t == NULL)
		return false;
	for (size_t i = 0; i < db->ifnames_size; i++)
		if (db->ifnames[i].name != NULL)
			t[ifname_slot(t, size, db->ifnames[i].exporter, db->ifnames[i].if_index)] = db->ifnames[i];
	free(db->ifnames);
	db->ifnames = t;
	db->ifnames_size = size;
	return true;
}

static bool parse_interface_line(nf_enrich_db_t *db, char *line, const char *file, unsigned lineno, errors_t *e,
				 bool *nomem)
{
	char *col[4] = {0}, *p = line, *end;
	int n = 0;
	uint8_t addr[16];
	unsigned bits;
	unsigned long if_index;
	interface_name_t *slot;

	while (n < 4 && (col[n] = strsep(&p, ",")) != NULL)
		col[n] = trim(col[n]), n++;
	if (n >= 3)
		if_index = strtoul(col[1], &end, 10);
	if (p != NULL || n < 3 || nf_cidr_parse(col[0], addr, &bits) != NF_OK || bits != 128 || *col[1] == '\0' ||
	    *end != '\0' || if_index > UINT32_MAX || *col[2] == '\0') {
		add_error(e, "%s:%u: expected exporter,ifIndex,name[,description], got '%s'", file, lineno, line);
		return false;
	}
	if (db->nifnames >= NF_INTERFACES_MAX) {
		add_error(e, "%s:%u: more than %d interfaces", file, lineno, NF_INTERFACES_MAX);
		return false;
	}
	if ((db->nifnames + 1) * 2 > db->ifnames_size && !grow_ifnames(db)) {
		*nomem = true;
		return false;
	}
	slot = &db->ifnames[ifname_slot(db->ifnames, db->ifnames_size, addr, (uint32_t)if_index)];
	db->nifnames += slot->name == NULL;
	memcpy(slot->exporter, addr, 16);
	slot->if_index = (uint32_t)if_index;
	slot->name = keep_string(db, col[2], nomem);
	slot->description = n > 3 ? keep_string(db, col[3], nomem) : NULL;
	return !*nomem;
}

static void drop_ifnames(nf_enrich_db_t *db)
{
	free(db->ifnames);
	db->ifnames = NULL;
	db->nifnames = db->ifnames_size = 0;
}

static void load_interfaces(nf_enrich_db_t *db, const char *file, errors_t *e)
{
	if (file != NULL && *file != '\0' && !load_lines(db, file, parse_interface_line, e))
		drop_ifnames(db);
}

/* ---------------------------------------------------------------------------
 * GeoIP and ASN databases.
 */
static bool open_mmdb(const char *file, MMDB_s *mmdb, const char *what, errors_t *e)
{
	int status;

	if (file == NULL || *file == '\0')
		return false;
	if ((status = MMDB_open(file, MMDB_MODE_MMAP, mmdb)) != MMDB_SUCCESS) {
		add_error(e, "%s (%s): %s%s%s", file, what, MMDB_strerror(status),
			  status == MMDB_IO_ERROR ? ": " : "", status == MMDB_IO_ERROR ? strerror(errno) : "");
		return false;
	}
	return true;
}

/* Copies a UTF-8 string of the database (not NUL-terminated), cut to fit
 * at a character boundary. */
static void copy_text(char *dst, size_t size, const MMDB_entry_data_s *d)
{
	size_t n = d->data_size < size - 1 ? d->data_size : size - 1;

	while (n > 0 && n < d->data_size && (d->utf8_string[n] & 0xc0) == 0x80)
		n--; /* do not cut a character */
	memcpy(dst, d->utf8_string, n);
	dst[n] = '\0';
}

/* One string at path into dst; false when absent or not a string. */
static bool get_text(MMDB_entry_s *entry, char *dst, size_t size, const char *const *path, unsigned *failures)
{
	MMDB_entry_data_s d;
	int status = MMDB_aget_value(entry, &d, path);

	if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && failures != NULL)
		(*failures)++;
	if (status != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	copy_text(dst, size, &d);
	return true;
}

static bool get_number(MMDB_entry_s *entry, const char *const *path, double *v, unsigned *failures)
{
	MMDB_entry_data_s d;
	int status = MMDB_aget_value(entry, &d, path);

	if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && failures != NULL)
		(*failures)++;
	if (status != MMDB_SUCCESS || !d.has_data)
		return false;
	switch (d.type) {
	case MMDB_DATA_TYPE_DOUBLE: *v = d.double_value; return true;
	case MMDB_DATA_TYPE_FLOAT: *v = d.float_value; return true;
	case MMDB_DATA_TYPE_UINT16: *v = d.uint16; return true;
	case MMDB_DATA_TYPE_UINT32: *v = d.uint32; return true;
	default: return false;
	}
}

/* How many leading bits of addr (IPv4-mapped for IPv4) a lookup's netmask
 * covers: in an IPv6 database an IPv4 address is looked up under ::/96
 * from the IPv4 subtree's node on, and its netmask counts from the root. */
static unsigned netmask_bits(const MMDB_s *mmdb, const uint8_t addr[16], unsigned netmask)
{
	unsigned start;

	if (!nf_cidr_is_v4(addr))
		return netmask;
	start = mmdb->metadata.ip_version == 6 ? mmdb->ipv4_start_node.netmask : 0;
	return 96 + (netmask > start ? netmask - start : 0);
}

/* The entry of addr in mmdb; false when absent or the lookup fails. When
 * absent, *absent_bits is how many leading bits of addr every address
 * that is absent too shares (128: only addr is known to be). */
static bool mmdb_find(const MMDB_s *mmdb, const uint8_t addr[16], MMDB_entry_s *entry, unsigned *failures,
		      unsigned *absent_bits)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s r;
	int mmdb_error;

	memset(&ss, 0, sizeof(ss));
	if (nf_cidr_is_v4(addr)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr + 12, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
	}
	r = MMDB_lookup_sockaddr(mmdb, (struct sockaddr *)&ss, &mmdb_error);
	*absent_bits = 128;
	if (mmdb_error != MMDB_SUCCESS) {
		if (failures != NULL && mmdb_error != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
			(*failures)++;
		return false;
	}
	*entry = r.entry;
	if (!r.found_entry)
		*absent_bits = netmask_bits(mmdb, addr, r.netmask);
	return r.found_entry;
}

static const char *const P_COUNTRY_ISO[] = {"country", "iso_code", NULL};
static const char *const P_COUNTRY_NAME[] = {"country", "names", "en", NULL};
static const char *const P_CONTINENT[] = {"continent", "code", NULL};
static const char *const P_CITY[] = {"city", "names", "en", NULL};
static const char *const P_REGION_ISO[] = {"subdivisions", "0", "iso_code", NULL};
static const char *const P_REGION_NAME[] = {"subdivisions", "0", "names", "en", NULL};
static const char *const P_LAT[] = {"location", "latitude", NULL};
static const char *const P_LON[] = {"location", "longitude", NULL};
static const char *const P_AS_NUMBER[] = {"autonomous_system_number", NULL};
static const char *const P_AS_ORG[] = {"autonomous_system_organization", NULL};

/* Each of these: false when the database does not know addr; *absent_bits
 * then as mmdb_find says (0 without the database). */
static bool lookup_city(const nf_enrich_db_t *db, const uint8_t addr[16], nf_geo_t *g, unsigned *failures,
			unsigned *absent_bits)
{
	MMDB_entry_s entry;
	bool any = false;

	*absent_bits = 0;
	if (!db->has_city || !mmdb_find(&db->city, addr, &entry, failures, absent_bits))
		return false;
	*absent_bits = 128;
	any |= get_text(&entry, g->country_iso_code, sizeof(g->country_iso_code), P_COUNTRY_ISO, failures);
	any |= get_text(&entry, g->country_name, sizeof(g->country_name), P_COUNTRY_NAME, failures);
	any |= get_text(&entry, g->continent_code, sizeof(g->continent_code), P_CONTINENT, failures);
	any |= get_text(&entry, g->city_name, sizeof(g->city_name), P_CITY, failures);
	any |= get_text(&entry, g->region_iso_code, sizeof(g->region_iso_code), P_REGION_ISO, failures);
	any |= get_text(&entry, g->region_name, sizeof(g->region_name), P_REGION_NAME, failures);
	g->has_location = get_number(&entry, P_LAT, &g->lat, failures) && get_number(&entry, P_LON, &g->lon, failures);
	return any || g->has_location;
}

static bool lookup_asn(const nf_enrich_db_t *db, const uint8_t addr[16], nf_geo_t *g, unsigned *failures,
		       unsigned *absent_bits)
{
	MMDB_entry_s entry;
	double number;

	*absent_bits = 0;
	if (!db->has_asn || !mmdb_find(&db->asn, addr, &entry, failures, absent_bits))
		return false;
	*absent_bits = 128;
	if (!get_number(&entry, P_AS_NUMBER, &number, failures))
		return false;
	g->has_as = true;
	g->as_number = (uint32_t)number;
	(void)get_text(&entry, g->as_organization, sizeof(g->as_organization), P_AS_ORG, failures);
	return true;
}

/* What both databases say of addr into g; false when neither knows it,
 * and then *absent_bits is how many leading bits of addr every address
 * neither knows shares (128 after a failure: none is known to). */
static bool lookup_geo(const nf_enrich_db_t *db, const uint8_t addr[16], nf_geo_t *g, unsigned *failures,
		       unsigned *absent_bits)
{
	unsigned failed = 0, city_bits, asn_bits;
	bool city, asn;

	memset(g, 0, sizeof(*g));
	city = lookup_city(db, addr, g, &failed, &city_bits);
	asn = lookup_asn(db, addr, g, &failed, &asn_bits);
	if (failures != NULL)
		*failures += failed;
	*absent_bits = failed > 0 ? 128 : city_bits > asn_bits ? city_bits : asn_bits;
	return city || asn;
}

/* Whether addr and net share net's first bits. */
static bool in_net(const uint8_t addr[16], const unknown_net_t *net)
{
	unsigned whole = net->bits / 8, rest = net->bits % 8;

	return net->bits > 0 && memcmp(addr, net->addr, whole) == 0 &&
	       (rest == 0 || ((addr[whole] ^ net->addr[whole]) & (0xff00 >> rest)) == 0);
}

static bool in_unknown_net(const nf_enrich_cache_t *c, const uint8_t addr[16])
{
	for (unsigned i = 0; i < UNKNOWN_NETS; i++)
		if (in_net(addr, &c->unknown[i]))
			return true;
	return false;
}

/* Remembers the network of bits bits around addr as unknown (not for a
 * single address: the slots hold those). */
static void add_unknown_net(nf_enrich_cache_t *c, const uint8_t addr[16], unsigned bits)
{
	unknown_net_t *net = &c->unknown[c->next_unknown++ % UNKNOWN_NETS];

	if (bits == 0 || bits >= 128) {
		net->bits = 0;
		return;
	}
	memset(net->addr, 0, sizeof(net->addr));
	memcpy(net->addr, addr, bits / 8);
	if (bits % 8 != 0)
		net->addr[bits / 8] = addr[bits / 8] & (uint8_t)(0xff00 >> (bits % 8));
	net->bits = bits;
}

/* ---------------------------------------------------------------------------
 * The db and the caches.
 */
nf_enrich_db_t *nf_enrich_load(const nf_enrich_config_t *config, char *errors, size_t size)
{
	nf_enrich_db_t *db = calloc(1, sizeof(*db));
	errors_t e = {errors, size, 0};

	if (errors != NULL && size > 0)
		errors[0] = '\0';
	if (db == NULL)
		return NULL;
	db->generation = config->generation;
	load_networks(db, config->networks_file, &e);
	load_interfaces(db, config->interface_file, &e);
	db->has_city = open_mmdb(config->geoip_city, &db->city, "geoip.city", &e);
	db->has_asn = open_mmdb(config->geoip_asn, &db->asn, "geoip.asn", &e);
	return db;
}

void nf_enrich_free(nf_enrich_db_t *db)
{
	if (db == NULL)
		return;
	drop_networks(db);
	drop_ifnames(db);
	for (size_t i = 0; i < db->nallocs; i++)
		free(db->allocs[i]);
	free(db->allocs);
	if (db->has_city)
		MMDB_close(&db->city);
	if (db->has_asn)
		MMDB_close(&db->asn);
	free(db);
}

bool nf_enrich_active(const nf_enrich_db_t *db)
{
	return db != NULL && (db->networks != NULL || db->nifnames > 0 || db->has_city || db->has_asn);
}

bool nf_enrich_has_geo(const nf_enrich_db_t *db)
{
	return db != NULL && (db->has_city || db->has_asn);
}

nf_enrich_cache_t *nf_enrich_cache_new(void)
{
	return calloc(1, sizeof(nf_enrich_cache_t));
}

void nf_enrich_cache_free(nf_enrich_cache_t *c)
{
	free(c);
}

/* The geo of addr, from the cache or looked up into it; NULL if unknown. */
static const nf_geo_t *cached_geo(const nf_enrich_db_t *db, nf_enrich_cache_t *c, const uint8_t addr[16],
				  unsigned *failures)
{
	cache_slot_t *s;

	if (c == NULL)
		return NULL;
	if (c->db != db || c->generation != db->generation) {
		memset(c->unknown, 0, sizeof(c->unknown));
		memset(c->slot, 0, sizeof(c->slot));
		c->db = db;
		c->generation = db->generation;
	}
	if (in_unknown_net(c, addr))
		return NULL;
	s = &c->slot[nf_fnv1a(NF_FNV_OFFSET, addr, 16) % NF_ENRICH_CACHE_SLOTS];
	if (!s->used || memcmp(s->addr, addr, 16) != 0) {
		unsigned absent_bits;

		memcpy(s->addr, addr, 16);
		s->used = true;
		s->found = lookup_geo(db, addr, &s->geo, failures, &absent_bits);
		if (!s->found)
			add_unknown_net(c, addr, absent_bits);
	}
	return s->found ? &s->geo : NULL;
}

void nf_enrich_endpoint(const nf_enrich_db_t *db, const nf_cidr_t *internal, nf_enrich_cache_t *c,
			const uint8_t addr[16], nf_endpoint_info_t *out, unsigned *failures)
{
	uint32_t v;

	memset(out, 0, sizeof(*out));
	if (internal != NULL)
		out->locality = nf_cidr_lookup(internal, addr, &v) ? NF_LOCALITY_INTERNAL : NF_LOCALITY_EXTERNAL;
	if (db == NULL)
		return;
	if (db->networks != NULL && nf_cidr_lookup(db->networks, addr, &v))
		out->network = &db->network[v];
	if (db->has_city || db->has_asn)
		out->geo = cached_geo(db, c, addr, failures);
}

/* ---------------------------------------------------------------------------
 * The members in the record.
 */

bool nf_record_endpoint_address(const nf_record_t *rec, bool destination, uint8_t addr[16])
{
	uint16_t v4 = destination ? NF_IE_DESTINATION_IPV4_ADDRESS : NF_IE_SOURCE_IPV4_ADDRESS;
	uint16_t v6 = destination ? NF_IE_DESTINATION_IPV6_ADDRESS : NF_IE_SOURCE_IPV6_ADDRESS;
	const nf_field_t *f = nf_record_find(rec, NF_PEN_IANA, v4);

	if (f != NULL && f->type == NF_T_IPV4) {
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, f->v.b, 4);
		return true;
	}
	f = nf_record_find(rec, NF_PEN_IANA, v6);
	if (f != NULL && f->type == NF_T_IPV6) {
		memcpy(addr, f->v.b, 16);
		return true;
	}
	return false;
}

/* The elements of one side: source_... or destination_..., in the order
 * of the local dictionary. */
typedef struct side_ies {
	const nf_ie_t *locality, *net_name, *net_site, *net_role, *net_tags;
	const nf_ie_t *country_iso, *country_name, *city, *continent, *region_iso, *region_name;
	const nf_ie_t *lat, *lon, *as_number, *as_org;
} side_ies_t;

#define SIDE_IES(S) \
	{NF_LOCAL_IE(S##_LOCALITY), NF_LOCAL_IE(S##_NETWORK_NAME), NF_LOCAL_IE(S##_NETWORK_SITE), \
	 NF_LOCAL_IE(S##_NETWORK_ROLE), NF_LOCAL_IE(S##_NETWORK_TAGS), NF_LOCAL_IE(S##_COUNTRY_ISO_CODE), \
	 NF_LOCAL_IE(S##_COUNTRY_NAME), NF_LOCAL_IE(S##_CITY_NAME), NF_LOCAL_IE(S##_CONTINENT_CODE), \
	 NF_LOCAL_IE(S##_REGION_ISO_CODE), NF_LOCAL_IE(S##_REGION_NAME), NF_LOCAL_IE(S##_LATITUDE), \
	 NF_LOCAL_IE(S##_LONGITUDE), NF_LOCAL_IE(S##_AS_NUMBER), NF_LOCAL_IE(S##_AS_ORGANIZATION)}

static void add_text(nf_record_t *rec, const nf_ie_t *ie, const char *s)
{
	if (s != NULL && *s != '\0')
		(void)nf_record_add_text(rec, ie, s, strlen(s));
}

static void add_double(nf_record_t *rec, const nf_ie_t *ie, double v)
{
	nf_field_t f = {.ie = ie, .pen = ie->pen, .id = ie->id, .type = NF_T_F64, .len = 8};

	f.v.f = v;
	(void)nf_record_add(rec, &f);
}

/* Tags joined by ",". */
static void add_tags(nf_record_t *rec, const nf_ie_t *ie, const char *const *tags)
{
	char joined[256];
	size_t n = 0;

	for (size_t i = 0; tags != NULL && tags[i] != NULL; i++) {
		int w = snprintf(joined + n, sizeof(joined) - n, "%s%s", i > 0 ? "," : "", tags[i]);
		if (w < 0 || (size_t)w >= sizeof(joined) - n)
			break;
		n += (size_t)w;
	}
	if (n > 0)
		(void)nf_record_add_text(rec, ie, joined, n);
}

static void add_side(nf_record_t *rec, const side_ies_t *ie, const nf_endpoint_info_t *p)
{
	const nf_geo_t *g = p->geo;

	add_text(rec, ie->locality, nf_locality_name(p->locality));
	if (p->network != NULL) {
		add_text(rec, ie->net_name, p->network->name);
		add_text(rec, ie->net_site, p->network->site);
		add_text(rec, ie->net_role, p->network->role);
		add_tags(rec, ie->net_tags, p->network->tags);
	}
	if (g == NULL)
		return;
	add_text(rec, ie->country_iso, g->country_iso_code);
	add_text(rec, ie->country_name, g->country_name);
	add_text(rec, ie->city, g->city_name);
	add_text(rec, ie->continent, g->continent_code);
	add_text(rec, ie->region_iso, g->region_iso_code);
	add_text(rec, ie->region_name, g->region_name);
	if (g->has_location) {
		add_double(rec, ie->lat, g->lat);
		add_double(rec, ie->lon, g->lon);
	}
	if (g->has_as) {
		(void)nf_record_add_u(rec, ie->as_number, ie->as_number->pen, ie->as_number->id, NF_T_U32, 4,
				      g->as_number);
		add_text(rec, ie->as_org, g->as_organization);
	}
}

/* One endpoint of rec into out, which also keeps the address looked up. */
static void enrich_side(const nf_enrich_db_t *db, const nf_cidr_t *internal, nf_enrich_cache_t *c,
			const nf_record_t *rec, bool destination, nf_endpoint_info_t *out, unsigned *failures)
{
	uint8_t addr[16];

	memset(out, 0, sizeof(*out));
	if (!nf_record_endpoint_address(rec, destination, addr))
		return;
	nf_enrich_endpoint(db, internal, c, addr, out, failures);
	out->has_address = true;
	memcpy(out->address, addr, sizeof(addr));
}

void nf_enrich_record(const nf_enrich_db_t *db, const nf_cidr_t *internal, nf_enrich_cache_t *c, nf_record_t *rec,
		      nf_endpoint_info_t *src, nf_endpoint_info_t *dst, unsigned *failures)
{
	static const side_ies_t source = SIDE_IES(SOURCE), destination = SIDE_IES(DESTINATION);

	enrich_side(db, internal, c, rec, false, src, failures);
	enrich_side(db, internal, c, rec, true, dst, failures);
	add_side(rec, &source, src);
	add_side(rec, &destination, dst);
	add_text(rec, NF_LOCAL_IE(FLOW_LOCALITY), nf_flow_locality(src->locality, dst->locality));
}

/* The name and description of one interface of the exporter. */
static void add_interface(const nf_enrich_db_t *db, const uint8_t exporter[16], nf_record_t *rec, uint16_t id,
			  const nf_ie_t *name, const nf_ie_t *description)
{
	const nf_field_t *f = nf_record_find(rec, NF_PEN_IANA, id);
	const interface_name_t *i;

	if (f == NULL || f->type < NF_T_U8 || f->type > NF_T_U64 || f->v.u > UINT32_MAX)
		return;
	i = &db->ifnames[ifname_slot(db->ifnames, db->ifnames_size, exporter, (uint32_t)f->v.u)];
	if (i->name == NULL)
		return;
	if (nf_record_find(rec, NF_PEN_LOCAL, name->id) == NULL)
		add_text(rec, name, i->name);
	add_text(rec, description, i->description);
}

void nf_enrich_interfaces(const nf_enrich_db_t *db, const uint8_t exporter[16], nf_record_t *rec)
{
	if (db == NULL || db->nifnames == 0)
		return;
	add_interface(db, exporter, rec, NF_IE_INGRESS_INTERFACE, NF_LOCAL_IE(INGRESS_INTERFACE_NAME),
		      NF_LOCAL_IE(INGRESS_INTERFACE_DESCRIPTION));
	add_interface(db, exporter, rec, NF_IE_EGRESS_INTERFACE, NF_LOCAL_IE(EGRESS_INTERFACE_NAME),
		      NF_LOCAL_IE(EGRESS_INTERFACE_DESCRIPTION));
}
