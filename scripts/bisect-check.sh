#!/bin/bash
# Build every commit of the series in turn (x86_64 debug kernel + selftests),
# in a separate worktree so the work tree is left alone.
set -euo pipefail
. "$(dirname "$0")/common.sh"

wt=$BUILD/bisect
[ -d "$wt" ] || git -C "$TREE" worktree add -q --detach "$wt" base
out=.out-x86_64-debug
for c in $(git -C "$TREE" rev-list --reverse base..series); do
	git -C "$wt" checkout -q "$c"
	msg "$(git -C "$TREE" log -1 --format='%h %s' "$c")"
	TREE=$wt "$TOP/scripts/build-kernel.sh" x86_64 debug >/dev/null ||
		die "kernel build fails at $(git -C "$TREE" log -1 --format=%s "$c")"
	TREE=$wt "$TOP/scripts/build-selftests.sh" x86_64 >/dev/null ||
		die "selftests build fails at $(git -C "$TREE" log -1 --format=%s "$c")"
done
msg "every patch builds"
