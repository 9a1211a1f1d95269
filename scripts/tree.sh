#!/bin/bash
# Recreate the work tree $BUILD/linux: one base commit, then one commit per
# patch of patches/series applied with git am.  Refuses to throw away work
# that is not exported yet unless FORCE=1.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	if ! "$TOP/scripts/export-check.sh" >/dev/null 2>&1; then
		"$TOP/scripts/export-check.sh" || true
		die "the work tree has unexported work; 'make export' it or rerun with FORCE=1"
	fi
fi
base=$("$TOP/scripts/fetch-base.sh")
basedesc=$(cat "$BUILD/base/stamp")
# Keep the build outputs (.out-*) across recreation, and remember which
# files the old series touched: they get a fresh mtime below so that make
# rebuilds them even where they revert to older base content.
keep=$BUILD/.keep-out
rm -rf "$keep"
mkdir -p "$keep"
if [ -d "$TREE/.git" ]; then
	git -C "$TREE" diff --name-only base 2>/dev/null > "$keep/touched" || true
	find "$TREE" -maxdepth 1 -name '.out-*' -exec mv {} "$keep/" \;
fi
rm -rf "$TREE"
msg "copying base into $TREE"
cp -a "$base" "$TREE"
cd "$TREE"
export GIT_AUTHOR_NAME="Linux 6.1 base" GIT_AUTHOR_EMAIL="base@kvm-gmem.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2023-01-01T00:00:00Z" GIT_COMMITTER_DATE="2023-01-01T00:00:00Z"
git init -q -b series .
git config core.autocrlf false
git config gc.auto 0
# The series is signed by the team, whoever's machine it is edited on.
git config user.name "KVM guest_memfd 6.1 team"
git config user.email "gmem-6.1@kvm-gmem.invalid"
printf '/.out-*/\n' >> .git/info/exclude
# Debian's source package ends .gitignore with a top-level ignore-all rule
# ("/*") for its packaging repository; it would hide every new file of the
# series from git add and git status.  The base commit drops that block.
if grep -qx '/\*' .gitignore; then
	sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
	sed -i '${/^#$/d}' .gitignore
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' .gitignore
	basedesc="$basedesc (Debian's top-level ignore-all .gitignore rule dropped)"
fi
msg "committing the base ($basedesc)"
git add -f -A .
git commit -q -m "Base: $basedesc"
git tag -f base >/dev/null

unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE
unset GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	git am -q --keep-cr --committer-date-is-author-date "$TOP/patches/$p" ||
		die "patch $p does not apply (git am --abort in $TREE to reset)"
	n=$((n + 1))
done < <(cat "$TOP/patches/series" 2>/dev/null || true)
git diff --name-only base >> "$keep/touched"
find "$keep" -maxdepth 1 -name '.out-*' -exec mv {} "$TREE/" \;
sort -u "$keep/touched" | while read -r f; do
	[ -e "$f" ] && touch "$f"
done
rm -rf "$keep"
msg "work tree ready: $n patches on top of the base, branch 'series'"
