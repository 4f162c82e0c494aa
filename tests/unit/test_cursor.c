/* test_cursor.c - the bounds-checked cursor.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nf_cursor.h"

static const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

static void reads_big_endian(void **state)
{
	nf_cursor_t c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	(void)state;
	nf_cursor_init(&c, data, sizeof(data));
	assert_true(nf_cursor_u8(&c, &u8));
	assert_int_equal(u8, 0x01);
	assert_true(nf_cursor_u16(&c, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(nf_cursor_u32(&c, &u32));
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(nf_cursor_left(&c), 2);
}

static void every_uint_width(void **state)
{
	nf_cursor_t c;
	uint64_t v;
	(void)state;
	for (size_t w = 1; w <= 8; w++) {
		uint64_t want = 0;
		for (size_t i = 0; i < w; i++)
			want = want << 8 | data[i];
		nf_cursor_init(&c, data, sizeof(data));
		assert_true(nf_cursor_uint(&c, w, &v));
		assert_int_equal(v, want);
		assert_int_equal(nf_cursor_left(&c), sizeof(data) - w);
	}
	nf_cursor_init(&c, data, sizeof(data));
	assert_false(nf_cursor_uint(&c, 0, &v));
	assert_false(nf_cursor_uint(&c, 9, &v));
}

/* A read past the end fails and leaves the cursor where it was. */
static void short_reads_fail_without_moving(void **state)
{
	nf_cursor_t c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	uint8_t out[4];
	(void)state;
	nf_cursor_init(&c, data, 3);
	assert_false(nf_cursor_u32(&c, &u32));
	assert_false(nf_cursor_uint(&c, 4, &u64));
	assert_false(nf_cursor_copy(&c, out, 4));
	assert_false(nf_cursor_skip(&c, 4));
	assert_null(nf_cursor_bytes(&c, 4));
	assert_int_equal(nf_cursor_left(&c), 3);
	assert_true(nf_cursor_skip(&c, 2));
	assert_false(nf_cursor_u16(&c, &u16));
	assert_true(nf_cursor_u8(&c, &u8));
	assert_false(nf_cursor_u8(&c, &u8));
	assert_int_equal(nf_cursor_left(&c), 0);
}

static void empty_buffer(void **state)
{
	nf_cursor_t c;
	uint8_t u8;
	(void)state;
	nf_cursor_init(&c, data, 0);
	assert_false(nf_cursor_u8(&c, &u8));
	assert_true(nf_cursor_skip(&c, 0));
	assert_true(nf_cursor_has(&c, 0));
}

static void sub_cursor_is_bounded(void **state)
{
	nf_cursor_t c, sub;
	uint32_t u32;
	uint16_t u16;
	(void)state;
	nf_cursor_init(&c, data, sizeof(data));
	assert_true(nf_cursor_sub(&c, 3, &sub));
	assert_int_equal(nf_cursor_left(&c), 6);
	assert_false(nf_cursor_u32(&sub, &u32)); /* only 3 bytes in sub */
	assert_true(nf_cursor_u16(&sub, &u16));
	assert_int_equal(u16, 0x0102);
	assert_false(nf_cursor_sub(&c, 7, &sub));
	assert_int_equal(nf_cursor_left(&c), 6);
}

static void bytes_and_copy(void **state)
{
	nf_cursor_t c;
	uint8_t out[3];
	const uint8_t *p;
	(void)state;
	nf_cursor_init(&c, data, sizeof(data));
	p = nf_cursor_bytes(&c, 2);
	assert_ptr_equal(p, data);
	assert_true(nf_cursor_copy(&c, out, 3));
	assert_memory_equal(out, data + 2, 3);
	assert_int_equal(nf_cursor_left(&c), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_big_endian),
		cmocka_unit_test(every_uint_width),
		cmocka_unit_test(short_reads_fail_without_moving),
		cmocka_unit_test(empty_buffer),
		cmocka_unit_test(sub_cursor_is_bounded),
		cmocka_unit_test(bytes_and_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
