/* ecs_check.c - the ECS writer against the ECS walk (ecs_check.h).
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "ecs_check.h"

#include <stdio.h>
#include <string.h>

#define CHECK_LINE (1 << 20)

void ecs_check_enrich(nf_ecs_t *e, unsigned variant)
{
	static const char *const tags[] = {"dmz", NULL};
	static const nf_network_t site = {.name = "lab", .site = "B\u00fcro \"2\"\n\\", .role = "servers", .tags = tags};
	static const nf_network_t no_site = {.name = "core"};
	static nf_geo_t full, bare, as_only;
	static nf_endpoint_info_t a, b;

	full = (nf_geo_t){.country_iso_code = "SE", .continent_code = "EU", .region_iso_code = "AB",
			  .has_location = true, .lat = 58.4167, .lon = 15.6167, .has_as = true, .as_number = 29518};
	snprintf(full.country_name, sizeof(full.country_name), "Sweden");
	snprintf(full.region_name, sizeof(full.region_name), "Stockholm \"l\u00e4n\"");
	snprintf(full.city_name, sizeof(full.city_name), "Link\u00f6ping\t");
	snprintf(full.as_organization, sizeof(full.as_organization), "Bredband2 \\ AB");
	bare = (nf_geo_t){.has_location = true, .lat = -0.5, .lon = 1e-7};
	as_only = (nf_geo_t){.has_as = true, .as_number = 4294967295u};
	switch (variant % 5) {
	case 0:
		return;
	case 1: /* locality only */
		a = (nf_endpoint_info_t){.locality = NF_LOCALITY_INTERNAL};
		b = (nf_endpoint_info_t){.locality = NF_LOCALITY_EXTERNAL};
		break;
	case 2: /* a site, full geo and AS */
		a = (nf_endpoint_info_t){.locality = NF_LOCALITY_EXTERNAL, .network = &site, .geo = &full};
		b = (nf_endpoint_info_t){.locality = NF_LOCALITY_INTERNAL, .network = &no_site};
		break;
	case 3: /* no locality; empty geo names, AS without an organization */
		a = (nf_endpoint_info_t){.geo = &bare};
		b = (nf_endpoint_info_t){.network = &site, .geo = &as_only};
		break;
	default:
		a = (nf_endpoint_info_t){.locality = NF_LOCALITY_INTERNAL, .geo = &as_only};
		b = (nf_endpoint_info_t){.locality = NF_LOCALITY_INTERNAL, .geo = &full};
		break;
	}
	nf_ecs_set_enrichment(e, &a, &b);
}

/* Both writers into lines of size bytes; 1 when they agree. */
static int same_at(const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc, size_t size)
{
	static char fast[CHECK_LINE], walked[CHECK_LINE];
	nf_line_t f = {.buf = fast, .size = size}, w = {.buf = walked, .size = size};

	nf_line_reset(&f);
	nf_line_reset(&w);
	nf_render_ecs(&f, e, observer, tc);
	nf_render_ecs_walk(&w, e, observer, tc);
	if (f.used == w.used && f.overflow == w.overflow && memcmp(fast, walked, f.used + 1) == 0)
		return 1;
	fprintf(stderr, "ECS writer and walk differ in a line of %zu bytes:\n%s%s\n%s%s\n", size, fast,
		f.overflow ? " (cut)" : "", walked, w.overflow ? " (cut)" : "");
	return 0;
}

int ecs_check(const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc, unsigned variant)
{
	static char probe[CHECK_LINE];
	nf_line_t l = {.buf = probe, .size = CHECK_LINE};
	size_t n, sizes[7];

	nf_line_reset(&l);
	nf_render_ecs_walk(&l, e, observer, tc);
	if (l.overflow)
		return 1; /* longer than any line: not a case */
	n = l.used;
	sizes[0] = CHECK_LINE;
	sizes[1] = 1;
	sizes[2] = n / 2 + 1;
	sizes[3] = n; /* one byte short */
	sizes[4] = n + 1;
	sizes[5] = n + 2;
	sizes[6] = 1 + (variant * 7919u) % (n + 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!same_at(e, observer, tc, sizes[i]))
			return 0;
	return 1;
}
