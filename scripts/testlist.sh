#!/bin/bash
# testlist.sh LIST: print the curated tests of tests/LIST.list as the guest
# reads them ("name timeout command..."), filtered by TESTS=regex if set.
# TESTLIST_LINE ("name timeout args...", set by soak.sh) replaces the list.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ -n "${TESTLIST_LINE:-}" ]; then
	read -r name tmo args <<< "$TESTLIST_LINE"
	echo "$name $tmo ./$name $args"
	exit 0
fi

awk -v filter="${TESTS:-}" '
	/^[ \t]*(#|$)/ { next }
	{
		name = $1; tmo = ($2 ~ /^[0-9]+$/) ? $2 : 300
		if (filter != "" && name !~ filter) next
		cmd = "./" name
		for (i = ($2 ~ /^[0-9]+$/) ? 3 : 2; i <= NF; i++) cmd = cmd " " $i
		print name, tmo, cmd
	}' "$TOP/tests/$1.list"
