#!/bin/bash
# check.sh [TARGET...]: build the debug kernel and the selftests for each
# target, boot each under QEMU TCG, run the curated tests, print TAP and a
# summary.  A target is an arch (x86_64, arm64: KVM built in, the tests of
# tests/ARCH.list), ARCH-modules (KVM as modules that the guest loads, the
# tests of tests/ARCH-modules.list), docs (Sphinx on Documentation/virt/kvm)
# or sparse (sparse on the KVM and mm code of both arches, kb14).
set -uo pipefail
. "$(dirname "$0")/common.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 arm64 x86_64-modules)
logs=$BUILD/logs
mkdir -p "$logs"
tp=0 tf=0 ts=0 rc=0
t0=$(date +%s)
for target in "${targets[@]}"; do
	if [ "$target" = docs ] || [ "$target" = sparse ]; then
		"$TOP/scripts/$target-check.sh" | tee "$logs/tap-$target.txt"
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
		read -r p f s < <(grep -E "^$target: [0-9]+ passed" "$logs/tap-$target.txt" |
			sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
		tp=$((tp + ${p:-0})) tf=$((tf + ${f:-1})) ts=$((ts + ${s:-0}))
		continue
	fi
	arch=${target%-modules} flavour=debug
	[ "$arch" = "$target" ] || flavour=modules
	arch_vars "$arch"
	a0=$(date +%s)
	# The selftests are built against the debug build's uapi headers.
	if ! { "$TOP/scripts/build-kernel.sh" "$arch" debug &&
	       { [ $flavour = debug ] || "$TOP/scripts/build-kernel.sh" "$arch" $flavour; } &&
	       "$TOP/scripts/build-selftests.sh" "$arch"; } > "$logs/build-$target.log" 2>&1; then
		tail -40 "$logs/build-$target.log"
		echo "$target: build failed (full log: $logs/build-$target.log)"
		echo "$target: 0 passed, 1 failed, 0 skipped"
		tf=$((tf + 1)) rc=1
		continue
	fi
	grep '^==> built' "$logs/build-$target.log" | sed 's/^==> /# /'
	if [ $flavour = debug ] && ! "$TOP/scripts/list-check.sh" "$arch"; then
		echo "$target: 0 passed, 1 failed, 0 skipped"
		tf=$((tf + 1)) rc=1
		continue
	fi
	b1=$(date +%s)
	initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" test $flavour) || { rc=1; continue; }
	kml=
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$TREE/.out-$arch-$flavour/.config" &&
		kml=--kmemleak
	"$TOP/scripts/run-guest.py" --arch "$arch" --name "$target" $kml \
		--kernel "$TREE/.out-$arch-$flavour/$IMAGE" \
		--initrd "$initrd" --list "$BUILD/initramfs-$target-test/tests/list" \
		--log "$logs/guest-$target.log" | tee "$logs/tap-$target.txt"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	line=$(grep -E "^$target: [0-9]+ passed" "$logs/tap-$target.txt" | tail -n1)
	read -r p f s < <(echo "$line" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
	tp=$((tp + ${p:-0})) tf=$((tf + ${f:-1})) ts=$((ts + ${s:-0}))
	echo "# $target: build $((b1 - a0)) s, tests $(( $(date +%s) - b1 )) s (guest log: $logs/guest-$target.log)"
done
echo "# make check: $(( $(date +%s) - t0 )) s"
echo "total: $tp passed, $tf failed, $ts skipped"
[ $tf = 0 ] || rc=1
exit $rc
