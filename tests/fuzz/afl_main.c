/* afl_main.c - runs the libFuzzer target on files, for AFL++ and for
 * replaying crash-regression inputs without libFuzzer:
 *   fuzz_decode_replay FILE...
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
