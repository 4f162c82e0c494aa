/* json_check.h - is a text one valid JSON value with no key twice in any
 * object? For the fuzz target, which checks every line it renders.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#ifndef JSON_CHECK_H
#define JSON_CHECK_H

#include <stddef.h>

/* 1 when text[0..len) is one JSON value (RFC 8259, strings valid UTF-8,
 * nesting at most 64 deep) in which no object has the same key twice. */
int json_check(const char *text, size_t len);

#endif /* JSON_CHECK_H */
