#!/bin/bash
# Exit non-zero, naming what is missing, when the work tree holds commits or
# changes that patches/ does not have.  A missing work tree is clean.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ ! -d "$TREE/.git" ]; then
	echo "export-check: no work tree, nothing unexported"
	exit 0
fi
bad=0
dirty=$(git -C "$TREE" status --porcelain --untracked-files=no)
if [ -n "$dirty" ]; then
	echo "export-check: uncommitted changes in $TREE:"
	printf '%s\n' "$dirty" | sed 's/^/    /'
	bad=1
fi
untracked=$(git -C "$TREE" status --porcelain --untracked-files=normal |
	grep '^??' | grep -v -e '^?? tools/testing/selftests/kvm/.*\.d$' || true)
if [ -n "$untracked" ]; then
	echo "export-check: untracked files in $TREE (add or delete them):"
	printf '%s\n' "$untracked" | head -20 | sed 's/^/    /'
	bad=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/format-series.sh" "$tmp"
for f in "$tmp"/*; do
	b=$(basename "$f")
	if [ ! -e "$TOP/patches/$b" ]; then
		echo "export-check: patches/$b is missing (unexported commit)"
		bad=1
	elif ! cmp -s "$f" "$TOP/patches/$b"; then
		echo "export-check: patches/$b differs from the work tree"
		bad=1
	fi
done
for f in "$TOP"/patches/*; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	[ -e "$tmp/$b" ] || { echo "export-check: patches/$b is not in the work tree"; bad=1; }
done
if [ $bad = 0 ]; then
	echo "export-check: clean ($(grep -c . "$tmp/series" || true) patches)"
	exit 0
fi
echo "export-check: run 'make export' and commit patches/"
exit 1
