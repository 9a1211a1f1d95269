#!/bin/bash
# sparse-check.sh [ARCH...] : run sparse (make C=2) over the ARCH (default:
# both) debug build's KVM directory, which holds virt/kvm too, and over the
# mm/ files the series changes, and fail on any warning sparse gives on a
# line the series added (kb14: __rcu pointers such as slot->gmem.file read
# without rcu_dereference*(), lock context imbalances, address spaces).
# Warnings on lines of the 6.1 base are counted but do not fail: they are
# not ours to fix.  The debug kernel is built first (incrementally); its
# objects are not rebuilt, sparse only reads the sources.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
command -v sparse >/dev/null || "$TOP/scripts/deps.sh"
cd "$TREE"
base=$(git rev-parse --verify -q base) || die "no 'base' ref in the work tree"
mm=$(git diff --name-only "$base" HEAD -- 'mm/*.c' | sed 's/\.c$/.o/')
fail=0 n=0
for arch in "${arches[@]}"; do
	n=$((n + 1))
	arch_vars "$arch"
	"$TOP/scripts/build-kernel.sh" "$arch" debug >&2
	out=.out-$arch-debug
	log=$BUILD/logs/sparse-$arch.log
	mkdir -p "$BUILD/logs"
	msg "sparse over arch/$KARCH/kvm/ (with virt/kvm) and $(echo $mm) ($arch)"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if ! make -s ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc" \
		HOSTCC="ccache gcc" LOCALVERSION= O="$out" -j"$JOBS" C=2 \
		CHECK=sparse "arch/$KARCH/kvm/" $mm > "$log" 2>&1; then
		echo "not ok $n - sparse $arch: the run failed (log: $log)"
		fail=$((fail + 1))
		continue
	fi
	if python3 - "$log" "$base" "$arch" <<'EOF'; then
import os, re, subprocess, sys

log, base, arch = sys.argv[1:]
added = {}
def lines_added(path):
    if path not in added:
        diff = subprocess.run(['git', 'diff', '-U0', base, 'HEAD', '--', path],
                              capture_output=True, text=True).stdout
        s = set()
        for m in re.finditer(r'^@@ -\S+ \+(\d+)(?:,(\d+))? @@', diff, re.M):
            start, n = int(m.group(1)), int(m.group(2) or 1)
            s.update(range(start, start + n))
        added[path] = s
    return added[path]

ours, theirs = [], 0
seen = set()
for line in open(log, errors='replace'):
    m = re.match(r'^(\S+?):(\d+):(\d+): (warning|error): ', line)
    if not m:
        continue
    path = os.path.relpath(os.path.realpath(os.path.join('.out-%s-debug' % arch, m.group(1))))
    if path.startswith('..'):
        path = os.path.relpath(os.path.realpath(m.group(1)))
    key = (path, m.group(2), line.split(': ', 1)[1])
    if key in seen:
        continue
    seen.add(key)
    if int(m.group(2)) in lines_added(path):
        ours.append('%s:%s: %s' % (path, m.group(2), line.split(': ', 1)[1].strip()))
    else:
        theirs += 1
for w in ours:
    print('  ' + w)
print('# sparse (%s): %d warnings on lines the series added, %d on lines of the base'
      % (arch, len(ours), theirs))
sys.exit(1 if ours else 0)
EOF
		echo "ok $n - sparse $arch: nothing on the series' lines ($(( $(date +%s) - start )) s)"
	else
		echo "not ok $n - sparse $arch: warnings on the series' lines (log: $log)"
		fail=$((fail + 1))
	fi
done
echo "sparse: $((n - fail)) passed, $fail failed, 0 skipped"
[ $fail = 0 ]
