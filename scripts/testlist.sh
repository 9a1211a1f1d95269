#!/bin/bash
# testlist.sh LIST: print the curated tests of tests/LIST.list as the guest
# reads them ("name timeout command..."), filtered by TESTS=regex if set.
set -euo pipefail
. "$(dirname "$0")/common.sh"

awk -v filter="${TESTS:-}" '
	/^[ \t]*(#|$)/ { next }
	{
		name = $1; tmo = ($2 ~ /^[0-9]+$/) ? $2 : 300
		if (filter != "" && name !~ filter) next
		cmd = "./" name
		for (i = ($2 ~ /^[0-9]+$/) ? 3 : 2; i <= NF; i++) cmd = cmd " " $i
		print name, tmo, cmd
	}' "$TOP/tests/$1.list"
