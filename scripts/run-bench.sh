#!/bin/bash
# run-bench.sh [ARCH]: build the ARCH (default x86_64) debug kernel and the
# selftests, boot, and run the benchmarks, printing their figures: the
# private memory benchmark (x86_64/private_mem_bench, P1 and P2; x86 only)
# and the in-place conversion benchmark (gmem_conversion_bench, P5, P4 and
# the conversion round trips) and the huge page benchmark (gmem_huge_bench, P3,
# P1 with huge pages, guest memory walk) and the direct map benchmark
# (gmem_direct_map_bench, P6).  PRIVATE_BENCH_ARGS (e.g. "-m 128 -r 3") go
# to the first, CONVERSION_BENCH_ARGS (e.g. "-m 256 -r 3 -n 500") to the
# second, HUGE_BENCH_ARGS (e.g. "-m 512 -p 8") to the third,
# DIRECT_MAP_BENCH_ARGS (e.g. "-m 256 -r 5") to the fourth.  KCONFIG=production
# boots a kernel without the debug options (no KASAN, lockdep, KFENCE...)
# instead of the debug one that 'make check' tests.  BENCHES (default
# "private,conversion,huge,direct_map") picks which of them run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
flavour=${KCONFIG:-debug}
# A host thread per vCPU: P5 and P4 pit a converting thread against a
# faulting vCPU, which on one host thread (make check's x86 setting, see
# run-guest.py) would share its time and halve the ratios for nothing.
export X86_ACCEL=${X86_ACCEL:-tcg}
arch_vars "$arch"
build_for_guest "$arch" "$flavour"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" bench)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG, $flavour kernel) and running the benchmarks"
pargs=${PRIVATE_BENCH_ARGS:-} cargs=${CONVERSION_BENCH_ARGS:-} hargs=${HUGE_BENCH_ARGS:-}
dargs=${DIRECT_MAP_BENCH_ARGS:-} wargs=${WRITE_BENCH_ARGS:-} uargs=${UFFD_BENCH_ARGS:-}
"$TOP/scripts/run-guest.py" --mode bench --arch "$arch" \
	--kernel "$TREE/.out-$arch-$flavour/$IMAGE" --initrd "$initrd" \
	--append "harness.private_args=${pargs// /,} harness.conversion_args=${cargs// /,} harness.huge_args=${hargs// /,} harness.direct_map_args=${dargs// /,} harness.write_args=${wargs// /,} harness.uffd_args=${uargs// /,} harness.benches=${BENCHES:-private,conversion,huge,direct_map,write,uffd}" \
	--log "$BUILD/logs/bench-$arch-$flavour.log"
