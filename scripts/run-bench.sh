#!/bin/bash
# run-bench.sh: build the x86_64 debug kernel and the selftests, boot, and run
# the private memory benchmark (x86_64/private_mem_bench), printing its
# figures.  BENCH_ARGS (e.g. "-m 128 -r 3") go to the benchmark.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=x86_64
arch_vars "$arch"
"$TOP/scripts/build-kernel.sh" "$arch" debug
"$TOP/scripts/build-selftests.sh" "$arch"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" bench)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the benchmark"
args=${BENCH_ARGS:-}
"$TOP/scripts/run-guest.py" --mode bench --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--append "harness.bench=${args// /,}" \
	--log "$BUILD/logs/bench-$arch.log"
