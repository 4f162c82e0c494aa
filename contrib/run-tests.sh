#!/bin/sh
# run-tests.sh - install what the tests need, build, and run every test:
# cmocka unit tests of the decoder core and integration tests against a real
# rsyslogd and real exporters, the unit tests under ASan/UBSan, the release
# tarball built and tested (make distcheck), then a 60-second libFuzzer
# campaign and a 30-second AFL++ one. Ends with "N passed, N failed, N skipped".
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu
cd "$(dirname "$0")/.."

contrib/build.sh
status=0
make -j2 check VERBOSE=1 || status=$?
# the unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer
make check-asan || status=$?
# the release tarball: complete, builds out of tree, passes make check
distcheck=passed
make distcheck > distcheck.log 2>&1 || { distcheck=failed; status=1; grep -E '^(FAIL|ERROR)' distcheck.log; tail -30 distcheck.log; }
echo "distcheck: $distcheck"
# a short fuzzing campaign of every decoder, after replaying the kept
# crash-regression inputs (make fuzz FUZZ_SECONDS=... for longer ones)
fuzz=passed
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" > fuzz.log 2>&1 || { fuzz=failed; status=1; tail -50 fuzz.log; }
echo "fuzz: $fuzz ($(grep -h 'stat::number_of_executed_units' fuzz.log | tail -n 1))"
# the same target built with AFL++, a short campaign
if command -v afl-fuzz > /dev/null; then
	afl=passed
	make fuzz-afl FUZZ_SECONDS="${AFL_SECONDS:-30}" > fuzz-afl-make.log 2>&1 ||
		{ afl=failed; status=1; tail -30 fuzz-afl-make.log; tail -30 fuzz-afl.log 2>/dev/null; }
	echo "fuzz (AFL++): $afl ($(grep -h 'execs_done' fuzz-afl-out/default/fuzzer_stats 2>/dev/null ||
		echo 'afl-fuzz could not start here, see fuzz-afl.log'))"
fi

summary=test-suite.log
if [ -f "$summary" ]; then
	count() { sed -n "s/^# $1: *//p" "$summary" | head -n 1; }
	pass=$(count PASS); fail=$(count FAIL); skip=$(count SKIP)
	xfail=$(count XFAIL); error=$(count ERROR)
	echo "tests: ${pass:-0} passed, $(( ${fail:-0} + ${error:-0} + ${xfail:-0} )) failed, ${skip:-0} skipped"
	grep -h '^SKIP:' tests/*/*.log 2>/dev/null || true
fi
exit "$status"
