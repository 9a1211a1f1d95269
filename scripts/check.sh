#!/bin/bash
# check.sh [ARCH...]: build the debug kernel and the selftests for each arch,
# boot each under QEMU TCG, run the curated tests, print TAP and a summary.
set -uo pipefail
. "$(dirname "$0")/common.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
logs=$BUILD/logs
mkdir -p "$logs"
tp=0 tf=0 ts=0 rc=0
t0=$(date +%s)
for arch in "${arches[@]}"; do
	arch_vars "$arch"
	a0=$(date +%s)
	if ! { "$TOP/scripts/build-kernel.sh" "$arch" debug &&
	       "$TOP/scripts/build-selftests.sh" "$arch"; } > "$logs/build-$arch.log" 2>&1; then
		tail -40 "$logs/build-$arch.log"
		echo "$arch: build failed (full log: $logs/build-$arch.log)"
		echo "$arch: 0 passed, 1 failed, 0 skipped"
		tf=$((tf + 1)) rc=1
		continue
	fi
	grep '^==> built' "$logs/build-$arch.log" | sed 's/^==> /# /'
	if ! "$TOP/scripts/list-check.sh" "$arch"; then
		echo "$arch: 0 passed, 1 failed, 0 skipped"
		tf=$((tf + 1)) rc=1
		continue
	fi
	b1=$(date +%s)
	initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" test) || { rc=1; continue; }
	"$TOP/scripts/run-guest.py" --arch "$arch" --kernel "$TREE/.out-$arch-debug/$IMAGE" \
		--initrd "$initrd" --list "$BUILD/initramfs-$arch-test/tests/list" \
		--log "$logs/guest-$arch.log" | tee "$logs/tap-$arch.txt"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	line=$(grep -E "^$arch: [0-9]+ passed" "$logs/tap-$arch.txt" | tail -n1)
	read -r p f s < <(echo "$line" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
	tp=$((tp + ${p:-0})) tf=$((tf + ${f:-1})) ts=$((ts + ${s:-0}))
	echo "# $arch: build $((b1 - a0)) s, tests $(( $(date +%s) - b1 )) s (guest log: $logs/guest-$arch.log)"
done
echo "# make check: $(( $(date +%s) - t0 )) s"
echo "total: $tp passed, $tf failed, $ts skipped"
[ $tf = 0 ] || rc=1
exit $rc
