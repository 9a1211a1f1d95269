#!/bin/bash
# Build every commit of the series in turn (x86_64 debug kernel + selftests),
# in a separate worktree so the work tree is left alone.  FROM=REV starts at
# commit REV of the series instead of its first; ARM64=1 builds the arm64
# debug kernel of each commit too.
set -euo pipefail
. "$(dirname "$0")/common.sh"

wt=$BUILD/bisect
[ -d "$wt" ] || git -C "$TREE" worktree add -q --detach "$wt" base
out=.out-x86_64-debug
st_ok=0
# FROM=REV resumes a check that stopped: commits before REV were built.
range=base..series
[ -n "${FROM:-}" ] && range="$(git -C "$TREE" rev-parse "$FROM")^..series"
for c in $(git -C "$TREE" rev-list --reverse "$range"); do
	git -C "$wt" checkout -q "$c"
	msg "$(git -C "$TREE" log -1 --format='%h %s' "$c")"
	BISECT=1 TREE=$wt "$TOP/scripts/build-kernel.sh" x86_64 debug >/dev/null ||
		die "kernel build fails at $(git -C "$TREE" log -1 --format=%s "$c")"
	if [ "${ARM64:-0}" = 1 ]; then
		BISECT=1 TREE=$wt "$TOP/scripts/build-kernel.sh" arm64 debug >/dev/null ||
			die "arm64 kernel build fails at $(git -C "$TREE" log -1 --format=%s "$c")"
	fi
	# The base's own selftest breakages are what the first patches fix:
	# selftests must build from the first commit where they do, onwards.
	if TREE=$wt "$TOP/scripts/build-selftests.sh" x86_64 >/dev/null 2>&1; then
		st_ok=1
	elif [ "$st_ok" = 1 ]; then
		die "selftests build fails at $(git -C "$TREE" log -1 --format=%s "$c")"
	else
		msg "selftests do not build yet (base breakage not fixed so far)"
	fi
done
msg "every patch builds"
