#!/bin/bash
# docs-check.sh: build the KVM documentation (Documentation/virt/kvm, where
# the series documents its API) with Sphinx and fail on any warning or
# error.  Prints one TAP-style result line and a summary line.
set -uo pipefail
. "$(dirname "$0")/common.sh"

[ -d "$TREE/.git" ] || die "no work tree; run 'make tree' first"
mkdir -p "$BUILD/logs"
log=$BUILD/logs/docs.log
start=$(date +%s)
make -s -C "$TREE" O=.out-docs SPHINXDIRS=virt/kvm htmldocs > "$log" 2>&1
rc=$?
# Sphinx's own advice about the missing graphviz is not about our text.
warnings=$(grep -E 'WARNING|ERROR|CRITICAL' "$log" | grep -v 'dot(1) not found')
secs=$(( $(date +%s) - start ))
if [ $rc = 0 ] && [ -z "$warnings" ]; then
	echo "ok 1 - htmldocs SPHINXDIRS=virt/kvm: no warnings ($secs s)"
	echo "docs: 1 passed, 0 failed, 0 skipped"
	exit 0
fi
echo "not ok 1 - htmldocs SPHINXDIRS=virt/kvm (exit $rc, log: $log)"
printf '%s\n' "${warnings:-$(tail -20 "$log")}" | head -40 | sed 's/^/#   /'
echo "docs: 0 passed, 1 failed, 0 skipped"
exit 1
