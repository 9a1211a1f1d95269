#!/bin/bash
# soak.sh [ARCH] : build the ARCH (default x86_64) debug kernel and the
# selftests, boot, and run guest_memfd_stress for DURATION seconds (default
# 1800) with SEED (default: from the clock) and STRESS_ARGS (e.g. "-w 3" or
# "-x fork"), as one test of the test runner: the kernel log is scanned and
# a hang is reported as in 'make check'.  The test prints its seed and
# operation counts; the same SEED replays the same operations.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
duration=${DURATION:-1800}
[[ $duration =~ ^[0-9]+$ ]] || die "DURATION must be a number of seconds"
arch_vars "$arch"
build_for_guest "$arch"
args="-d $duration${SEED:+ -s $SEED}${STRESS_ARGS:+ $STRESS_ARGS}"
# A list of one test; the runner gives it the duration plus the time the
# last round and the teardown checks may take.
export TESTLIST_LINE="guest_memfd_stress $((duration + 300)) $args"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" test)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG, debug kernel): guest_memfd_stress $args"
"$TOP/scripts/run-guest.py" --arch "$arch" --name "soak-$arch" \
	$(kmemleak_flag "$arch" debug) \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--list "$BUILD/initramfs-$arch-test/tests/list" \
	--log "$BUILD/logs/soak-$arch.log"
