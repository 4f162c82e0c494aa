/* test_enrich.c - longest-prefix match, internal networks, the networks
 * file and GeoIP/ASN lookups against MaxMind's test databases
 * (tests/data/geoip: which address holds what is in their source JSON,
 * github.com/maxmind/MaxMind-DB test-data).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nf_cidr.h"
#include "nf_decode.h"
#include "nf_enrich.h"
#include "nf_ie.h"

#define GEOIP TEST_DATA_DIR "/geoip/"

static void addr_of(const char *text, uint8_t addr[16])
{
	unsigned bits;
	assert_int_equal(nf_cidr_parse(text, addr, &bits), NF_OK);
	assert_int_equal(bits, 128);
}

static void prefixes_parse(void **state)
{
	uint8_t a[16];
	unsigned bits;
	(void)state;
	assert_int_equal(nf_cidr_parse("10.0.0.0/8", a, &bits), NF_OK);
	assert_int_equal(bits, 104);
	assert_true(nf_cidr_is_v4(a));
	assert_int_equal(nf_cidr_parse("2001:db8::/32", a, &bits), NF_OK);
	assert_int_equal(bits, 32);
	assert_false(nf_cidr_is_v4(a));
	assert_int_equal(nf_cidr_parse("0.0.0.0/0", a, &bits), NF_OK);
	assert_int_equal(bits, 96);
	/* host bits set, lengths out of range, no address */
	assert_int_equal(nf_cidr_parse("10.0.0.1/8", a, &bits), NF_ERR_FORMAT);
	assert_int_equal(nf_cidr_parse("10.0.0.0/33", a, &bits), NF_ERR_FORMAT);
	assert_int_equal(nf_cidr_parse("::/129", a, &bits), NF_ERR_FORMAT);
	assert_int_equal(nf_cidr_parse("10.0.0.0/", a, &bits), NF_ERR_FORMAT);
	assert_int_equal(nf_cidr_parse("/8", a, &bits), NF_ERR_FORMAT);
	assert_int_equal(nf_cidr_parse("lan", a, &bits), NF_ERR_FORMAT);
}

static void add(nf_cidr_t *t, const char *text, uint32_t v)
{
	uint8_t a[16];
	unsigned bits;
	assert_int_equal(nf_cidr_parse(text, a, &bits), NF_OK);
	assert_int_equal(nf_cidr_add(t, a, bits, v), NF_OK);
}

static int lookup(const nf_cidr_t *t, const char *text)
{
	uint8_t a[16];
	uint32_t v;
	addr_of(text, a);
	return nf_cidr_lookup(t, a, &v) ? (int)v : -1;
}

static void longest_prefix_wins(void **state)
{
	nf_cidr_t *t = nf_cidr_new();
	(void)state;
	add(t, "10.0.0.0/8", 1);
	add(t, "10.1.0.0/16", 2);
	add(t, "10.1.2.3", 3);
	add(t, "2001:db8::/32", 4);
	add(t, "2001:db8:1::/48", 5);
	assert_int_equal(lookup(t, "10.9.9.9"), 1);
	assert_int_equal(lookup(t, "10.1.9.9"), 2);
	assert_int_equal(lookup(t, "10.1.2.3"), 3);
	assert_int_equal(lookup(t, "11.0.0.1"), -1);
	assert_int_equal(lookup(t, "2001:db8:1::7"), 5);
	assert_int_equal(lookup(t, "2001:db8:2::7"), 4);
	assert_int_equal(lookup(t, "2001:db9::"), -1);
	add(t, "10.0.0.0/8", 6); /* again: replaced, not counted twice */
	assert_int_equal(lookup(t, "10.9.9.9"), 6);
	assert_int_equal(nf_cidr_count(t), 5);
	add(t, "::/0", 7); /* matches IPv4 too, the IPv4 prefixes first */
	assert_int_equal(lookup(t, "11.0.0.1"), 7);
	assert_int_equal(lookup(t, "10.1.9.9"), 2);
	/* IPv6 prefixes that hold IPv4 addresses: the longest answers for all */
	add(t, "::1", 9);
	assert_int_equal(lookup(t, "11.0.0.1"), 7);
	add(t, "::ffff:0:0/96", 8);
	assert_int_equal(lookup(t, "11.0.0.1"), 8);
	assert_int_equal(lookup(t, "10.1.2.3"), 3);
	assert_int_equal(lookup(t, "::1"), 9);
	assert_int_equal(lookup(t, "::2"), 7);
	assert_int_equal(lookup(t, "2001:db8:1::7"), 5);
	nf_cidr_free(t);
}

static nf_enrich_db_t *load(const nf_enrich_config_t *c, char *errors)
{
	nf_enrich_db_t *db = nf_enrich_load(c, errors, 1024);
	assert_non_null(db);
	return db;
}

static nf_endpoint_info_t endpoint_in(const nf_enrich_db_t *db, const nf_cidr_t *internal, nf_enrich_cache_t *c,
				      const char *text, unsigned *failures)
{
	nf_endpoint_info_t e;
	uint8_t a[16];
	addr_of(text, a);
	nf_enrich_endpoint(db, internal, c, a, &e, failures);
	return e;
}

static nf_endpoint_info_t endpoint(const nf_enrich_db_t *db, nf_enrich_cache_t *c, const char *text, unsigned *failures)
{
	return endpoint_in(db, NULL, c, text, failures);
}

static void internal_networks(void **state)
{
	const char *nets[] = {"10.0.0.0/8", "2001:db8::/32", NULL};
	const char *bad[] = {"10.0.0.0/8", "lan", NULL};
	char errors[1024];
	nf_cidr_t *in = nf_internal_networks(nets, errors, sizeof(errors));
	(void)state;
	assert_string_equal(errors, "");
	assert_non_null(in);
	assert_int_equal(endpoint_in(NULL, in, NULL, "10.2.3.4", NULL).locality, NF_LOCALITY_INTERNAL);
	assert_int_equal(endpoint_in(NULL, in, NULL, "192.0.2.1", NULL).locality, NF_LOCALITY_EXTERNAL);
	assert_int_equal(endpoint_in(NULL, in, NULL, "2001:db8::1", NULL).locality, NF_LOCALITY_INTERNAL);
	/* loopback and link-local always */
	assert_int_equal(endpoint_in(NULL, in, NULL, "127.0.0.1", NULL).locality, NF_LOCALITY_INTERNAL);
	assert_int_equal(endpoint_in(NULL, in, NULL, "169.254.1.1", NULL).locality, NF_LOCALITY_INTERNAL);
	assert_int_equal(endpoint_in(NULL, in, NULL, "::1", NULL).locality, NF_LOCALITY_INTERNAL);
	assert_int_equal(endpoint_in(NULL, in, NULL, "fe80::1", NULL).locality, NF_LOCALITY_INTERNAL);
	assert_int_equal(endpoint_in(NULL, NULL, NULL, "10.2.3.4", NULL).locality, NF_LOCALITY_UNKNOWN);
	assert_string_equal(nf_flow_direction(NF_LOCALITY_EXTERNAL, NF_LOCALITY_INTERNAL), "inbound");
	assert_string_equal(nf_flow_direction(NF_LOCALITY_INTERNAL, NF_LOCALITY_EXTERNAL), "outbound");
	assert_null(nf_flow_direction(NF_LOCALITY_UNKNOWN, NF_LOCALITY_EXTERNAL));
	nf_cidr_free(in);
	/* a bad one: named, and no locality at all rather than a wrong one */
	assert_null(nf_internal_networks(bad, errors, sizeof(errors)));
	assert_non_null(strstr(errors, "internalNetworks: 'lan'"));
}

static const char *write_file(const char *text)
{
	static char path[64];
	int fd;
	strcpy(path, "/tmp/test_enrich_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void networks_file(void **state)
{
	const char *path = write_file("# CIDR,name,site,role,tags\n"
				      "10.0.0.0/8, corp ,hq\n"
				      "\n"
				      "10.20.0.0/16,dmz,hq,watch,pci|internet-facing\n"
				      "2001:db8::/32,v6lab,,lab\n");
	nf_enrich_config_t c = {.networks_file = path};
	char errors[1024];
	nf_enrich_db_t *db = load(&c, errors);
	nf_endpoint_info_t e;
	(void)state;
	assert_string_equal(errors, "");
	e = endpoint(db, NULL, "10.20.1.1", NULL);
	assert_non_null(e.network);
	assert_string_equal(e.network->name, "dmz");
	assert_string_equal(e.network->role, "watch");
	assert_string_equal(e.network->tags[0], "pci");
	assert_string_equal(e.network->tags[1], "internet-facing");
	assert_null(e.network->tags[2]);
	e = endpoint(db, NULL, "10.1.1.1", NULL);
	assert_string_equal(e.network->name, "corp");
	assert_string_equal(e.network->site, "hq");
	assert_null(e.network->role);
	assert_null(e.network->tags);
	e = endpoint(db, NULL, "2001:db8::5", NULL);
	assert_string_equal(e.network->name, "v6lab");
	assert_null(e.network->site);
	assert_null(endpoint(db, NULL, "192.0.2.1", NULL).network);
	assert_int_equal(endpoint(db, NULL, "10.1.1.1", NULL).locality, NF_LOCALITY_UNKNOWN);
	nf_enrich_free(db);
	unlink(path);

	/* a line that does not parse: file and line named, the file not used */
	path = write_file("10.0.0.0/8,corp\n10.300.0.0/16,broken\n");
	c.networks_file = path;
	db = load(&c, errors);
	assert_non_null(strstr(errors, ":2: expected CIDR,name"));
	assert_null(endpoint(db, NULL, "10.1.1.1", NULL).network);
	nf_enrich_free(db);
	unlink(path);
	c.networks_file = "/nonexistent/networks.csv";
	db = load(&c, errors);
	assert_non_null(strstr(errors, "/nonexistent/networks.csv: No such file"));
	nf_enrich_free(db);
}

static void interface_file(void **state)
{
	const char *path = write_file("# exporter,ifIndex,name,description\n"
				      "192.0.2.1,7,ge-0/0/7,uplink to ISP\n"
				      "192.0.2.1,8,ge-0/0/8\n");
	nf_enrich_config_t c = {.interface_file = path};
	char errors[1024];
	nf_enrich_db_t *db = load(&c, errors);
	nf_record_t *rec = calloc(1, sizeof(*rec));
	const nf_field_t *f;
	uint8_t exporter[16];
	(void)state;
	assert_string_equal(errors, "");
	assert_true(nf_enrich_active(db));
	addr_of("192.0.2.1", exporter);
	nf_record_clear(rec);
	assert_int_equal(nf_record_add_u(rec, NULL, NF_PEN_IANA, NF_IE_INGRESS_INTERFACE, NF_T_U32, 4, 7), NF_OK);
	assert_int_equal(nf_record_add_u(rec, NULL, NF_PEN_IANA, NF_IE_EGRESS_INTERFACE, NF_T_U32, 4, 8), NF_OK);
	nf_enrich_interfaces(db, exporter, rec);
	f = nf_record_find(rec, NF_PEN_LOCAL, NF_LOCAL_ID_INGRESS_INTERFACE_NAME);
	assert_non_null(f);
	assert_memory_equal(f->v.p, "ge-0/0/7", 8);
	f = nf_record_find(rec, NF_PEN_LOCAL, NF_LOCAL_ID_INGRESS_INTERFACE_DESCRIPTION);
	assert_memory_equal(f->v.p, "uplink to ISP", 13);
	assert_non_null(nf_record_find(rec, NF_PEN_LOCAL, NF_LOCAL_ID_EGRESS_INTERFACE_NAME));
	assert_null(nf_record_find(rec, NF_PEN_LOCAL, NF_LOCAL_ID_EGRESS_INTERFACE_DESCRIPTION));
	/* another exporter's interface 7 is not named */
	nf_record_clear(rec);
	assert_int_equal(nf_record_add_u(rec, NULL, NF_PEN_IANA, NF_IE_INGRESS_INTERFACE, NF_T_U32, 4, 7), NF_OK);
	addr_of("192.0.2.2", exporter);
	nf_enrich_interfaces(db, exporter, rec);
	assert_int_equal(rec->nfields, 1);
	nf_enrich_free(db);
	unlink(path);
	path = write_file("192.0.2.1,seven,ge-0/0/7\n");
	c.interface_file = path;
	db = load(&c, errors);
	assert_non_null(strstr(errors, ":1: expected exporter,ifIndex,name"));
	assert_false(nf_enrich_active(db));
	nf_enrich_free(db);
	unlink(path);
	free(rec);
}

static void geoip_and_asn(void **state)
{
	nf_enrich_config_t c = {.geoip_city = GEOIP "GeoIP2-City-Test.mmdb", .geoip_asn = GEOIP "GeoLite2-ASN-Test.mmdb",
				.generation = 1};
	char errors[1024];
	nf_enrich_db_t *db = load(&c, errors);
	nf_enrich_cache_t *cache = nf_enrich_cache_new();
	unsigned failures = 0;
	nf_endpoint_info_t e;
	(void)state;
	assert_string_equal(errors, "");
	assert_true(nf_enrich_has_geo(db));
	e = endpoint(db, cache, "81.2.69.160", &failures);
	assert_non_null(e.geo);
	assert_string_equal(e.geo->country_iso_code, "GB");
	assert_string_equal(e.geo->country_name, "United Kingdom");
	assert_string_equal(e.geo->city_name, "London");
	assert_string_equal(e.geo->continent_code, "EU");
	assert_string_equal(e.geo->region_iso_code, "ENG");
	assert_true(e.geo->has_location);
	assert_true(e.geo->lat > 51.51 && e.geo->lat < 51.52 && e.geo->lon > -0.1 && e.geo->lon < -0.09);
	assert_false(e.geo->has_as);
	/* the cache gives the same lookup again */
	assert_ptr_equal(endpoint(db, cache, "81.2.69.160", &failures).geo, e.geo);
	e = endpoint(db, cache, "2001:218::1", &failures);
	assert_string_equal(e.geo->country_iso_code, "JP");
	assert_string_equal(e.geo->city_name, ""); /* absent: no city */
	e = endpoint(db, cache, "1.128.0.1", &failures);
	assert_true(e.geo->has_as);
	assert_int_equal(e.geo->as_number, 1221);
	assert_string_equal(e.geo->as_organization, "Telstra Pty Ltd");
	assert_string_equal(e.geo->country_iso_code, ""); /* the City db does not know it */
	e = endpoint(db, cache, "12.81.96.1", &failures);
	assert_int_equal(e.geo->as_number, 7018);
	assert_string_equal(e.geo->as_organization, "");
	assert_null(endpoint(db, cache, "192.0.2.1", &failures).geo); /* no database knows it */
	assert_int_equal(failures, 0);
	nf_enrich_free(db);
	nf_enrich_cache_free(cache);
}

/* One cache for many addresses says of each what a fresh cache says:
 * the networks it remembers as unknown to both databases hold no address
 * either knows. Addresses in ascending order around the test databases'
 * networks, so that unknown ones come before known ones next to them. */
static void cached_unknown_networks_are_exact(void **state)
{
	static const struct {
		const char *base;
		unsigned count, step; /* in the last byte (IPv4) or the last 16 bits (IPv6) */
	} sweeps[] = {
		{"81.2.68.0", 300, 2}, {"2.125.160.200", 40, 1}, {"89.160.20.100", 50, 1}, {"1.127.255.200", 80, 1},
		{"12.81.92.0", 200, 5},  {"192.0.2.0", 20, 13},     {"10.1.2.3", 5, 1},       {"2001:218::", 20, 1},
		{"2001:220::", 20, 4096}, {"2a02:cf40::", 10, 1}, {"::1", 3, 1}, {"1.128.0.0", 40, 8191},
	};
	nf_enrich_config_t c = {.geoip_city = GEOIP "GeoIP2-City-Test.mmdb", .geoip_asn = GEOIP "GeoLite2-ASN-Test.mmdb",
				.generation = 3};
	char errors[1024];
	nf_enrich_db_t *db = load(&c, errors);
	nf_enrich_cache_t *shared = nf_enrich_cache_new();
	unsigned failures = 0, known = 0, unknown = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(sweeps) / sizeof(sweeps[0]); i++) {
		uint8_t a[16];

		addr_of(sweeps[i].base, a);
		for (unsigned k = 0; k < sweeps[i].count; k++) {
			nf_enrich_cache_t *fresh = nf_enrich_cache_new();
			nf_endpoint_info_t got, want;
			uint32_t low = ((uint32_t)a[14] << 8 | a[15]) + sweeps[i].step;

			nf_enrich_endpoint(db, NULL, shared, a, &got, &failures);
			nf_enrich_endpoint(db, NULL, fresh, a, &want, &failures);
			assert_int_equal(got.geo == NULL, want.geo == NULL);
			if (want.geo != NULL) {
				assert_memory_equal(got.geo, want.geo, sizeof(*want.geo));
				known++;
			} else {
				unknown++;
			}
			nf_enrich_cache_free(fresh);
			if (low > 0xffff) /* carry into the third byte from the end */
				a[13]++;
			a[14] = (uint8_t)(low >> 8);
			a[15] = (uint8_t)low;
		}
	}
	assert_true(known > 50 && unknown > 50);
	assert_int_equal(failures, 0);
	nf_enrich_free(db);
	nf_enrich_cache_free(shared);
}

static void broken_databases(void **state)
{
	nf_enrich_config_t c = {.geoip_city = GEOIP "GeoIP2-City-Test-Invalid-Node-Count.mmdb", .generation = 2};
	char errors[1024];
	nf_enrich_db_t *db = load(&c, errors);
	nf_enrich_cache_t *cache = nf_enrich_cache_new();
	unsigned failures = 0;
	(void)state;
	assert_non_null(strstr(errors, "GeoIP2-City-Test-Invalid-Node-Count.mmdb (geoip.city): "));
	assert_false(nf_enrich_has_geo(db));
	nf_enrich_free(db);
	c.geoip_city = GEOIP "GeoIP2-City-Test-Broken-Double-Format.mmdb";
	db = load(&c, errors);
	if (nf_enrich_has_geo(db)) { /* opens; its records do not decode: fields left out, counted */
		nf_endpoint_info_t e = endpoint(db, cache, "2001:220::1", &failures);
		assert_true(e.geo == NULL || !e.geo->has_location);
		assert_true(failures > 0);
	} else {
		assert_non_null(strstr(errors, "Broken-Double-Format.mmdb (geoip.city): "));
	}
	nf_enrich_free(db);
	c.geoip_city = GEOIP "missing.mmdb";
	db = load(&c, errors);
	assert_non_null(strstr(errors, "missing.mmdb (geoip.city): "));
	nf_enrich_free(db);
	nf_enrich_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixes_parse),
		cmocka_unit_test(longest_prefix_wins),
		cmocka_unit_test(cached_unknown_networks_are_exact),
		cmocka_unit_test(internal_networks),
		cmocka_unit_test(networks_file),
		cmocka_unit_test(interface_file),
		cmocka_unit_test(geoip_and_asn),
		cmocka_unit_test(broken_databases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
