#!/bin/sh
# kunit.sh SUITE...: check the KUnit suites the kernel ran (at boot, or when
# the module that holds them was loaded), from their debugfs results: each
# must be there, have run at least one case, and have no case that failed.
# A suite that did not run at all fails too, so a config that lost it shows.
rc=0
for suite in "$@"; do
	res=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$res" ]; then
		echo "not ok - $suite: no results (suite not built or not run)"
		rc=1
		continue
	fi
	sed 's/^/# /' "$res"
	cases=$(grep -cE '^[[:space:]]+ok [0-9]+ ' "$res")
	failed=$(grep -cE '^[[:space:]]+not ok ' "$res")
	if [ "$failed" -ne 0 ] || [ "$cases" -eq 0 ] ||
	   ! grep -qE "^ok [0-9]+ $suite\$" "$res"; then
		echo "not ok - $suite: $cases cases passed, $failed failed"
		rc=1
	else
		echo "ok - $suite: $cases cases passed"
	fi
done
exit $rc
