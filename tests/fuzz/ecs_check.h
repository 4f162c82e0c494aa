/* ecs_check.h - does the ECS writer (nf_render_ecs) write what the ECS
 * walk writes through the generic document writer (nf_render_ecs_walk)?
 * For the fuzz target and the corpus replay.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef ECS_CHECK_H
#define ECS_CHECK_H

#include <stddef.h>

#include "nf_render.h"

/* Adds made-up enrichment to e, one of a few kinds by variant (locality
 * only, networks file site, full geo and AS, geo with empty names, texts
 * that need escaping); variant 0 adds none. The infos are static: valid
 * until the next call. */
void ecs_check_enrich(nf_ecs_t *e, unsigned variant);

/* 1 when both write the same bytes and the same overflow flag, whole and
 * cut to a few line sizes (variant picks one more); else 0, with both
 * texts written to stderr. */
int ecs_check(const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc, unsigned variant);

#endif /* ECS_CHECK_H */
