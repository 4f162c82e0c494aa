/* nf_cidr.c - longest-prefix match: a binary trie per address family,
 * nodes in one array (indices, not pointers), walked no deeper than the
 * longest prefix added.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nf_decode.h"

#define V4_OFFSET 96    /* the IPv4 part of an IPv4-mapped address starts at bit 96 */
#define NO_NODE 0       /* node 0 is a trie's root: never anyone's child */

typedef struct node {
	uint32_t child[2];
	uint32_t value;
	bool has_value;
} node_t;

typedef struct trie {
	node_t *nodes;
	uint32_t used, size;
	unsigned deepest;  /* bits of the longest prefix added */
} trie_t;

struct nf_cidr {
	trie_t v4, v6;     /* IPv4 (32 bits from V4_OFFSET) and all the rest (128 bits) */
	size_t count;
	/* what v6 says of every IPv4 address: its prefixes that hold IPv4
	 * addresses are at most 96 bits long (longer ones are in v4), so one
	 * lookup, made when v6 changes, answers for all */
	bool v4_in_v6;
	uint32_t v4_in_v6_value;
};

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool nf_cidr_is_v4(const uint8_t addr[16])
{
	return memcmp(addr, v4_mapped, sizeof(v4_mapped)) == 0;
}

static int bit_at(const uint8_t *addr, unsigned i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

static int trie_init(trie_t *t)
{
	t->size = 64;
	t->used = 1;
	t->deepest = 0;
	return (t->nodes = calloc(t->size, sizeof(*t->nodes))) != NULL ? NF_OK : NF_ERR_NOMEM;
}

/* A new node's index, 0 when out of memory. */
static uint32_t new_node(trie_t *t)
{
	if (t->used == t->size) {
		node_t *grown = realloc(t->nodes, (size_t)t->size * 2 * sizeof(*grown));
		if (grown == NULL)
			return NO_NODE;
		t->nodes = grown;
		t->size *= 2;
	}
	memset(&t->nodes[t->used], 0, sizeof(t->nodes[0]));
	return t->used++;
}

/* Adds the first bits of addr (from bit `from`); *added tells whether the
 * prefix is new. */
static int trie_add(trie_t *t, const uint8_t *addr, unsigned from, unsigned bits, uint32_t value, bool *added)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < bits; i++) {
		int b = bit_at(addr, from + i);
		if (t->nodes[n].child[b] == NO_NODE) {
			uint32_t c = new_node(t);
			if (c == NO_NODE)
				return NF_ERR_NOMEM;
			t->nodes[n].child[b] = c;
		}
		n = t->nodes[n].child[b];
	}
	*added = !t->nodes[n].has_value;
	t->nodes[n].has_value = true;
	t->nodes[n].value = value;
	if (bits > t->deepest)
		t->deepest = bits;
	return NF_OK;
}

static bool trie_lookup(const trie_t *t, const uint8_t *addr, unsigned from, uint32_t *value)
{
	uint32_t n = 0;
	bool found = false;

	for (unsigned i = 0;; i++) {
		if (t->nodes[n].has_value) {
			*value = t->nodes[n].value;
			found = true;
		}
		if (i == t->deepest || (n = t->nodes[n].child[bit_at(addr, from + i)]) == NO_NODE)
			return found;
	}
}

nf_cidr_t *nf_cidr_new(void)
{
	nf_cidr_t *t = calloc(1, sizeof(*t));

	if (t == NULL || trie_init(&t->v4) != NF_OK || trie_init(&t->v6) != NF_OK) {
		nf_cidr_free(t);
		return NULL;
	}
	return t;
}

void nf_cidr_free(nf_cidr_t *t)
{
	if (t == NULL)
		return;
	free(t->v4.nodes);
	free(t->v6.nodes);
	free(t);
}

int nf_cidr_add(nf_cidr_t *t, const uint8_t addr[16], unsigned bits, uint32_t value)
{
	bool added = false;
	int rc;

	if (bits > 128 || t->count >= NF_CIDR_MAX_PREFIXES)
		return NF_ERR_LIMIT;
	if (nf_cidr_is_v4(addr) && bits >= V4_OFFSET)
		rc = trie_add(&t->v4, addr, V4_OFFSET, bits - V4_OFFSET, value, &added);
	else
		rc = trie_add(&t->v6, addr, 0, bits, value, &added);
	t->count += added;
	if (!nf_cidr_is_v4(addr) || bits < V4_OFFSET) {
		static const uint8_t any_v4[16] = {[10] = 0xff, [11] = 0xff};
		t->v4_in_v6 = trie_lookup(&t->v6, any_v4, 0, &t->v4_in_v6_value);
	}
	return rc;
}

bool nf_cidr_lookup(const nf_cidr_t *t, const uint8_t addr[16], uint32_t *value)
{
	/* an IPv4 address is also matched by IPv6 prefixes shorter than 97
	 * bits (::/0, ::ffff:0:0/96): the IPv4 trie's match is longer */
	if (!nf_cidr_is_v4(addr))
		return trie_lookup(&t->v6, addr, 0, value);
	if (trie_lookup(&t->v4, addr, V4_OFFSET, value))
		return true;
	if (t->v4_in_v6)
		*value = t->v4_in_v6_value;
	return t->v4_in_v6;
}

size_t nf_cidr_count(const nf_cidr_t *t)
{
	return t->count;
}

/* Whether the address bits from `bits` on are all zero. */
static bool host_bits_zero(const uint8_t addr[16], unsigned bits)
{
	for (unsigned i = bits; i < 128; i++)
		if (bit_at(addr, i))
			return false;
	return true;
}

int nf_cidr_parse(const char *text, uint8_t addr[16], unsigned *bits)
{
	char host[64];
	const char *slash = strchr(text, '/');
	size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long len;
	char *end;
	bool v4;

	if (n == 0 || n >= sizeof(host))
		return NF_ERR_FORMAT;
	memcpy(host, text, n);
	host[n] = '\0';
	memcpy(addr, v4_mapped, sizeof(v4_mapped));
	v4 = inet_pton(AF_INET, host, addr + 12) == 1;
	if (!v4 && inet_pton(AF_INET6, host, addr) != 1)
		return NF_ERR_FORMAT;
	if (slash == NULL) {
		*bits = 128;
		return NF_OK;
	}
	len = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end != '\0' || len > (v4 ? 32u : 128u))
		return NF_ERR_FORMAT;
	*bits = (unsigned)len + (v4 ? V4_OFFSET : 0);
	return host_bits_zero(addr, *bits) ? NF_OK : NF_ERR_FORMAT;
}
