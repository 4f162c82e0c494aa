/* test_json_check.c - the fuzz target's JSON checker (tests/fuzz/json_check.c)
 * accepts valid JSON and refuses what the fuzz target must catch: repeated
 * keys, invalid UTF-8, raw control characters, trailing text.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_check.h"

static int check(const char *s)
{
	return json_check(s, strlen(s));
}

static void valid_json_passes(void **state)
{
	(void)state;
	assert_true(check("{}"));
	assert_true(check("{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}]}"));
	assert_true(check("{\"a\":[{\"b\":1},{\"b\":2}]}")); /* the same key in two objects */
	assert_true(check("{\"a\":-1.5e+3,\"b\":true,\"c\":null,\"d\":false}"));
	assert_true(check("{\"a\":\"\\u00e9\\n\\\"\",\"b\":\"\xc3\xa9\"}"));
	assert_true(check("{\"ab\":1,\"a\":2}"));
}

static void repeated_keys_fail(void **state)
{
	(void)state;
	assert_false(check("{\"a\":1,\"a\":2}"));
	assert_false(check("{\"a\":{\"b\":1,\"b\":2}}"));
	assert_false(check("{\"a\":[{\"b\":1,\"c\":2,\"b\":3}]}"));
	assert_false(check("{\"x\":{\"y\":1},\"x\":2}"));
}

static void invalid_json_fails(void **state)
{
	(void)state;
	assert_false(check("{\"a\":1,}"));
	assert_false(check("{\"a\":01}"));
	assert_false(check("{\"a\":\"\xff\"}"));          /* not UTF-8 */
	assert_false(check("{\"a\":\"\xed\xa0\x80\"}"));  /* a surrogate */
	assert_false(check("{\"a\":\"x\ny\"}"));          /* a raw line break */
	assert_false(check("{\"a\":\"\\x\"}"));
	assert_false(check("{\"a\":1} x"));
	assert_false(check("{\"a\":1"));
	assert_false(check(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_json_passes),
		cmocka_unit_test(repeated_keys_fail),
		cmocka_unit_test(invalid_json_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
