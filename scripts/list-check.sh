#!/bin/bash
# list-check.sh ARCH: every selftest built for ARCH is either curated in
# tests/ARCH.list or excluded, with a reason, in tests/excluded.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
st=$TREE/.out-$arch-selftests
listed=$(awk '!/^[ \t]*(#|$)/ {print $1}' "$TOP/tests/$arch.list" | sort -u)
excluded=$(awk -v a="$arch" '!/^[ \t]*(#|$)/ && $1 == a {print $2}' "$TOP/tests/excluded.txt" | sort -u)
built=$(cd "$st" && find . -type f -perm -u+x ! -path './lib/*' | sed 's|^\./||' | sort)
bad=0
for t in $built; do
	[ "$t" = demo ] && continue
	if ! grep -qxF "$t" <<<"$listed" && ! grep -qxF "$t" <<<"$excluded"; then
		echo "list-check: $arch test $t is neither in tests/$arch.list nor in tests/excluded.txt"
		bad=1
	fi
	if grep -qxF "$t" <<<"$listed" && grep -qxF "$t" <<<"$excluded"; then
		echo "list-check: $arch test $t is both listed and excluded"
		bad=1
	fi
done
awk -v a="$arch" '!/^[ \t]*(#|$)/ && $1 == a && NF < 3 {print "list-check: " $2 " is excluded without a reason"; bad=1} END {exit bad}' \
	"$TOP/tests/excluded.txt" || bad=1
exit $bad
