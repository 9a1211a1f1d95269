#!/bin/bash
# format-series.sh DIR: write base..HEAD of the work tree as patches plus a
# series file into DIR, in the exact form patches/ keeps them.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$1
mkdir -p "$out"
git -C "$TREE" -c core.abbrev=12 -c diff.noprefix=false -c format.signoff=false \
	format-patch -q --zero-commit --no-signature -N --no-cover-letter \
	--no-thread --encoding=UTF-8 -o "$out" base..HEAD >/dev/null
(cd "$out" && ls -1 -- *.patch 2>/dev/null || true) > "$out/series"
