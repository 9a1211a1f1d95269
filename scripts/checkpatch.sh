#!/bin/bash
# Run checkpatch.pl --strict on every patch of the series; fail on errors.
set -uo pipefail
. "$(dirname "$0")/common.sh"

cp=$TREE/scripts/checkpatch.pl
# checkpatch runs scripts/spdxcheck.py with python3, which needs Debian's
# python3-ply: prefer the system python3 to any other one on the PATH.
export PATH=/usr/bin:$PATH
te=0 tw=0 tc=0 n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	n=$((n + 1))
	out=$(cd "$TREE" && perl "$cp" --strict --showfile -q \
		--ignore FILE_PATH_CHANGES "$TOP/patches/$p" 2>&1)
	e=$(grep -c '^[^ ]*: ERROR:\|^ERROR:' <<<"$out")
	w=$(grep -c '^[^ ]*: WARNING:\|^WARNING:' <<<"$out")
	c=$(grep -c '^[^ ]*: CHECK:\|^CHECK:' <<<"$out")
	te=$((te + e)) tw=$((tw + w)) tc=$((tc + c))
	printf '%-72s %d errors, %d warnings, %d checks\n' "$p" "$e" "$w" "$c"
	[ $((e + w + c)) = 0 ] || printf '%s\n' "$out" | sed 's/^/    /'
done < "$TOP/patches/series"
echo "checkpatch: $n patches, $te errors, $tw warnings, $tc checks"
[ $te = 0 ]
