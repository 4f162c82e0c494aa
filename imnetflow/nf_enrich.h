/* nf_enrich.h - what the collector adds to a flow beyond the export: the
 * locality of each endpoint (internalNetworks), the network a networks
 * file names for it, and GeoIP and ASN data from MaxMind databases.
 *
 * Loaded once (and again when rsyslog is HUPed) into an nf_enrich_db_t
 * that is read-only afterwards and shared by all threads; each thread
 * keeps its own small cache of database lookups (nf_enrich_cache_t),
 * cleared when the database it caches changes. No rsyslog headers, no
 * logging: loading returns an error text the caller logs.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_ENRICH_H
#define NF_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_ENRICH_ERROR_MAX 512    /* an error text, with file and line */
#define NF_ENRICH_CACHE_SLOTS 4096 /* per thread and database: lookups remembered */
#define NF_NETWORKS_MAX 1000000    /* lines of a networks file */
#define NF_INTERFACES_MAX 1000000  /* lines of an interface file */
#define NF_GEO_TEXT_MAX 96         /* longer names are cut (at a UTF-8 boundary) */

typedef enum nf_locality {
	NF_LOCALITY_UNKNOWN = 0, /* no internalNetworks configured */
	NF_LOCALITY_INTERNAL,
	NF_LOCALITY_EXTERNAL,
} nf_locality_t;

/* One line of the networks file. Every member may be NULL. */
typedef struct nf_network {
	const char *name, *site, *role;
	const char *const *tags;     /* NULL-terminated */
} nf_network_t;

/* What the GeoIP databases say of an address; each member present only
 * when its has_ flag (or a non-empty string) says so. */
typedef struct nf_geo {
	char country_iso_code[4], continent_code[4], region_iso_code[8];
	char country_name[NF_GEO_TEXT_MAX], city_name[NF_GEO_TEXT_MAX], region_name[NF_GEO_TEXT_MAX];
	bool has_location;
	double lat, lon;
	bool has_as;
	uint32_t as_number;
	char as_organization[NF_GEO_TEXT_MAX];
} nf_geo_t;

/* One endpoint of a flow, enriched. */
typedef struct nf_endpoint_info {
	nf_locality_t locality;
	const nf_network_t *network; /* NULL: no networks file line holds the address */
	const nf_geo_t *geo;         /* NULL: no database knows the address; valid until the next lookup
					with the same cache */
	bool has_address;            /* nf_enrich_record found an address field for this endpoint */
	uint8_t address[16];         /* that address, IPv4 as IPv4-mapped IPv6 */
} nf_endpoint_info_t;

typedef struct nf_enrich_db nf_enrich_db_t;
typedef struct nf_enrich_cache nf_enrich_cache_t;

/* What to load; NULL or empty: that part is off. */
typedef struct nf_enrich_config {
	const char *networks_file;
	const char *interface_file;  /* exporter,ifIndex,name[,description] */
	const char *geoip_city;      /* a City or Country database */
	const char *geoip_asn;
	unsigned generation;         /* differs from the previous db's: caches of it start over */
} nf_enrich_config_t;

/* A table of texts (CIDR prefixes or addresses, NULL-terminated), each
 * with value 1; what names the list in errors ("watchNetworks"). NULL when
 * texts is empty, when one does not parse (its error in errors), or when
 * memory runs out. */
struct nf_cidr *nf_cidr_table(const char *const *texts, const char *what, char *errors, size_t size);

/* The internal networks of texts (CIDR prefixes or addresses,
 * NULL-terminated), and loopback and link-local, which are always
 * internal. NULL when texts is empty (no locality), or when one of them
 * does not parse (its error in errors: no locality rather than a wrong one)
 * or memory runs out. */
struct nf_cidr *nf_internal_networks(const char *const *texts, char *errors, size_t size);

/* Loads what config names. Every part that loads is used; one that does
 * not is left out and its reason written into errors (one line per part,
 * "<file>: <reason>" or "<file>:<line>: <reason>", at most size bytes).
 * Returns NULL only when out of memory. */
nf_enrich_db_t *nf_enrich_load(const nf_enrich_config_t *config, char *errors, size_t size);
void nf_enrich_free(nf_enrich_db_t *db);

/* Whether the db has any part (else enriching adds nothing). */
bool nf_enrich_active(const nf_enrich_db_t *db);
bool nf_enrich_has_geo(const nf_enrich_db_t *db);

/* A thread's cache; NULL when out of memory. */
nf_enrich_cache_t *nf_enrich_cache_new(void);
void nf_enrich_cache_free(nf_enrich_cache_t *c);

/* What db and internal (nf_internal_networks; NULL: no locality) say of
 * addr (16 bytes, IPv4 as IPv4-mapped IPv6); db may be NULL. Without a
 * cache (c NULL) there is no GeoIP. Lookup failures of a database (a
 * corrupt record) leave geo out and count in *failures if not NULL. */
void nf_enrich_endpoint(const nf_enrich_db_t *db, const struct nf_cidr *internal, nf_enrich_cache_t *c,
			const uint8_t addr[16], nf_endpoint_info_t *out, unsigned *failures);

struct nf_record;

/* The source (destination false) or destination address field of rec
 * (IPv4 or IPv6 element) as 16 bytes, IPv4 mapped; false if it has none. */
bool nf_record_endpoint_address(const struct nf_record *rec, bool destination, uint8_t addr[16]);

/* Enriches a flow: its source and destination (IPv4 or IPv6 address
 * fields; an endpoint without one stays empty) into src and dst, and
 * their members added to rec as the decoder's own elements, so that every
 * output shows them: source_locality, destination_locality, flow_locality,
 * source_network_name/site/role/tags, source_country_iso_code,
 * source_country_name, source_city_name, source_continent_code,
 * source_region_iso_code, source_region_name, source_latitude,
 * source_longitude, source_as_number, source_as_organization, and the
 * same for destination_ (what is unknown is left out; what does not fit
 * the record's room is left out too). */
void nf_enrich_record(const nf_enrich_db_t *db, const struct nf_cidr *internal, nf_enrich_cache_t *c,
		      struct nf_record *rec, nf_endpoint_info_t *src, nf_endpoint_info_t *dst, unsigned *failures);

/* The interfaces of a flow named by the interface file, for exporters
 * that send no options records: ingress/egress_interface_name (where the
 * record has none joined from options records: those win) and
 * ingress/egress_interface_description, by the exporter's address (16
 * bytes) and the record's ingress/egressInterface. */
void nf_enrich_interfaces(const nf_enrich_db_t *db, const uint8_t exporter[16], struct nf_record *rec);

/* "internal", "external", or NULL for unknown. (These three are inline:
 * the core's ECS walk uses them without linking the enrichment library.) */
static inline const char *nf_locality_name(nf_locality_t l)
{
	return l == NF_LOCALITY_INTERNAL ? "internal" : l == NF_LOCALITY_EXTERNAL ? "external" : NULL;
}

/* "internal" when both endpoints are internal, "external" when one is
 * external; NULL when either is unknown. */
static inline const char *nf_flow_locality(nf_locality_t src, nf_locality_t dst)
{
	if (src == NF_LOCALITY_UNKNOWN || dst == NF_LOCALITY_UNKNOWN)
		return NULL;
	return src == NF_LOCALITY_INTERNAL && dst == NF_LOCALITY_INTERNAL ? "internal" : "external";
}

/* The direction of a flow from its two endpoints' localities: "internal"
 * (both internal), "external" (both external), "inbound" (external to
 * internal), "outbound" (internal to external); NULL when either is
 * unknown. */
static inline const char *nf_flow_direction(nf_locality_t src, nf_locality_t dst)
{
	if (src == NF_LOCALITY_UNKNOWN || dst == NF_LOCALITY_UNKNOWN)
		return NULL;
	if (src == NF_LOCALITY_INTERNAL)
		return dst == NF_LOCALITY_INTERNAL ? "internal" : "outbound";
	return dst == NF_LOCALITY_INTERNAL ? "inbound" : "external";
}

#endif /* NF_ENRICH_H */
