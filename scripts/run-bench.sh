#!/bin/bash
# run-bench.sh [ARCH]: build the ARCH (default x86_64) debug kernel and the
# selftests, boot, and run the benchmarks, printing their figures: the
# private memory benchmark (x86_64/private_mem_bench, P1 and P2; x86 only)
# and the in-place conversion benchmark (gmem_conversion_bench, P4 and the
# conversion round trips).  BENCH_ARGS (e.g. "-m 128 -r 3") go to the first,
# BENCH4_ARGS (e.g. "-m 256 -r 3 -n 500") to the second.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
arch_vars "$arch"
"$TOP/scripts/build-kernel.sh" "$arch" debug
"$TOP/scripts/build-selftests.sh" "$arch"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" bench)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the benchmark"
args=${BENCH_ARGS:-} args4=${BENCH4_ARGS:-}
"$TOP/scripts/run-guest.py" --mode bench --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--append "harness.bench=${args// /,} harness.bench4=${args4// /,}" \
	--log "$BUILD/logs/bench-$arch.log"
