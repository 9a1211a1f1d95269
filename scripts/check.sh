#!/bin/bash
# check.sh [TARGET...]: build the debug kernel and the selftests for each
# target, boot each under QEMU TCG, run the curated tests, print TAP and a
# summary with the time of each phase.  A target is an arch (x86_64, arm64:
# KVM built in, the tests of tests/ARCH.list), ARCH-modules (KVM as modules
# that the guest loads, the tests of tests/ARCH-modules.list), docs (Sphinx
# on Documentation/virt/kvm) or sparse (sparse on the KVM and mm code of
# both arches).  GUESTS (default: the host's cores) is how many guests share
# out an arch's list; the modules list runs in one guest, in its order.
set -uo pipefail
. "$(dirname "$0")/common.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 arm64 x86_64-modules)
guests=${GUESTS:-$(nproc)}
logs=$BUILD/logs
mkdir -p "$logs"
tp=0 tf=0 ts=0 rc=0
t0=$(date +%s)
phases=()
add_counts() {
	local p f s
	read -r p f s < <(tap_counts "$1" "$2")
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
}
for target in "${targets[@]}"; do
	a0=$(date +%s)
	if [ "$target" = docs ] || [ "$target" = sparse ]; then
		"$TOP/scripts/$target-check.sh" | tee "$logs/tap-$target.txt"
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
		add_counts "$logs/tap-$target.txt" "$target"
		phases+=("$target $(( $(date +%s) - a0 )) s")
		continue
	fi
	arch=${target%-modules} flavour=debug
	[ "$arch" = "$target" ] || flavour=modules
	arch_vars "$arch"
	if ! build_for_guest "$arch" $flavour > "$logs/build-$target.log" 2>&1; then
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
	n=$guests
	[ $flavour = debug ] || n=1
	"$TOP/scripts/run-guest.py" --arch "$arch" --name "$target" --guests "$n" \
		$(kmemleak_flag "$arch" $flavour) \
		--kernel "$TREE/.out-$arch-$flavour/$IMAGE" \
		--initrd "$initrd" --list "$BUILD/initramfs-$target-test/tests/list" \
		--log "$logs/guest-$target.log" | tee "$logs/tap-$target.txt"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	add_counts "$logs/tap-$target.txt" "$target"
	phases+=("$target build $((b1 - a0)) s, tests $(( $(date +%s) - b1 )) s")
	echo "# $target: build $((b1 - a0)) s, tests $(( $(date +%s) - b1 )) s (guest log: $logs/guest-$target.log)"
done
echo "# phases:"
for p in "${phases[@]}"; do echo "#   $p"; done
echo "# make check: $(( $(date +%s) - t0 )) s"
echo "total: $tp passed, $tf failed, $ts skipped"
[ $tf = 0 ] || rc=1
exit $rc
