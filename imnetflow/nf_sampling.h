/* nf_sampling.h - sampling rates for exporters that never state theirs:
 * a map from exporter address, and optionally its observation domain (v9
 * source id, IPFIX domain, v5 engine) and sampler id, to a rate (one
 * packet in N), read from a file (module parameter "sampling").
 *
 * File: one entry per line, comma-separated,
 *   exporter,rate | exporter,domain,rate | exporter,domain,sampler,rate
 * '#' starts a comment line. The most specific entry wins: exporter,
 * domain and sampler; then exporter and domain; then the exporter alone.
 * Read-only once loaded: shared by all threads.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef NF_SAMPLING_H
#define NF_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

#define NF_SAMPLING_MAX 100000 /* entries a file may hold */

typedef struct nf_sampling_map nf_sampling_map_t;

/* Loads path; NULL with the reason ("<path>:<line>: ...") in errors when
 * it cannot be read or a line does not parse (a half-read map would
 * renormalise some exporters and not others), or memory runs out. */
nf_sampling_map_t *nf_sampling_map_load(const char *path, char *errors, size_t size);
void nf_sampling_map_free(nf_sampling_map_t *m);

/* The rate for an exporter (16-byte address, IPv4 as IPv4-mapped IPv6),
 * its domain and sampler id (as the record states it, 0 if none); 0 when
 * the map has none. m may be NULL. */
uint32_t nf_sampling_map_rate(const nf_sampling_map_t *m, const uint8_t addr[16], uint32_t domain, uint64_t sampler);

#endif /* NF_SAMPLING_H */
