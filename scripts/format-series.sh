#!/bin/bash
# format-series.sh DIR: write base..HEAD of the work tree as patches plus a
# series file into DIR, in the exact form patches/ keeps them, and the cover
# letter 0000-cover-letter.patch made from patches/cover-letter.txt (its
# first line is the subject, the rest the text; the shortlog and diffstat
# are the series' own).  The cover letter is not in the series file.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$1
mkdir -p "$out"
fp() {
	git -C "$TREE" -c core.abbrev=12 -c diff.noprefix=false -c format.signoff=false \
		format-patch -q --zero-commit --no-signature -N --no-thread \
		--encoding=UTF-8 "$@" base..HEAD >/dev/null
}
fp --no-cover-letter -o "$out"
(cd "$out" && ls -1 -- *.patch 2>/dev/null || true) > "$out/series"

src=$TOP/patches/cover-letter.txt
[ -f "$src" ] || exit 0
cp "$src" "$out/cover-letter.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fp --cover-letter -o "$tmp"
subject=$(head -n1 "$src")
# Byte-stable: a fixed date, the subject and text from cover-letter.txt.
awk -v subject="$subject" -v body="$src" '
	/^Date: / { print "Date: Sun, 1 Jan 2023 00:00:00 +0000"; next }
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		n = 0
		while ((getline line < body) > 0)
			if (n++ >= 2 || (n == 2 && line != ""))
				print line
		next
	}
	# The diffstat says which files the series touches; the mode lines
	# of new files, some wider than checkpatch allows, add nothing.
	/^ (create|delete) mode [0-9]+ / { next }
	{ print }' "$tmp/0000-cover-letter.patch" > "$out/0000-cover-letter.patch"
