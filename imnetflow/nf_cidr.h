/* nf_cidr.h - longest-prefix match of addresses against a table of IPv4
 * and IPv6 prefixes (internalNetworks, the networks file).
 *
 * Addresses are 16 bytes, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), as
 * the rest of the module keeps them; IPv4 prefixes and addresses go to a
 * trie of their own, so that an IPv4 lookup takes at most 32 steps, and no
 * lookup goes deeper than the longest prefix the table holds.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_CIDR_H
#define NF_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_CIDR_MAX_PREFIXES 1000000 /* a table holds at most this many prefixes */

typedef struct nf_cidr nf_cidr_t;

/* A new, empty table; NULL when out of memory. */
nf_cidr_t *nf_cidr_new(void);
void nf_cidr_free(nf_cidr_t *t);

/* Adds prefix addr/bits (bits of the 16-byte form: an IPv4 /n is 96 + n)
 * with value; adding a prefix again replaces its value. Returns NF_OK,
 * NF_ERR_LIMIT (NF_CIDR_MAX_PREFIXES, or bits over 128) or NF_ERR_NOMEM. */
int nf_cidr_add(nf_cidr_t *t, const uint8_t addr[16], unsigned bits, uint32_t value);

/* The value of the longest prefix that holds addr into *value; false when
 * no prefix does. */
bool nf_cidr_lookup(const nf_cidr_t *t, const uint8_t addr[16], uint32_t *value);

/* Prefixes the table holds. */
size_t nf_cidr_count(const nf_cidr_t *t);

/* Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a host
 * prefix) into the 16-byte form and its bits; the address bits beyond
 * the prefix must be zero. Returns NF_OK or NF_ERR_FORMAT. */
int nf_cidr_parse(const char *text, uint8_t addr[16], unsigned *bits);

/* Whether addr is IPv4-mapped (::ffff:0:0/96). */
bool nf_cidr_is_v4(const uint8_t addr[16]);

#endif /* NF_CIDR_H */
