#!/bin/bash
# Write the work tree's commits (base..HEAD) back to patches/ byte-stably:
# zero commit hashes, no signature, no numbering in subjects, so a patch
# file changes only when its commit does.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -d "$TREE/.git" ] || die "no work tree; run 'make tree' first"
if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
	die "the work tree has uncommitted changes; commit them first"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/format-series.sh" "$tmp"
mkdir -p "$TOP/patches"
changed=0
for f in "$tmp"/*; do
	b=$(basename "$f")
	if ! cmp -s "$f" "$TOP/patches/$b"; then
		cp "$f" "$TOP/patches/$b"
		echo "  wrote patches/$b"
		changed=1
	fi
done
for f in "$TOP"/patches/*; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	if [ ! -e "$tmp/$b" ]; then
		rm "$f"
		echo "  removed patches/$b"
		changed=1
	fi
done
[ $changed = 1 ] || echo "  patches/ already up to date"
