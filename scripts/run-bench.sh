#!/bin/bash
# run-bench.sh [ARCH]: build the ARCH (default x86_64) kernel and the
# selftests, boot, and run the benchmarks, printing their figures.  BENCHES
# picks them (default "private,conversion,huge,direct_map,write"), each with
# its arguments (e.g. "-m 128 -r 3"):
#   private     x86_64/private_mem_bench, P1 and P2 (x86 only):
#               PRIVATE_BENCH_ARGS
#   conversion  gmem_conversion_bench, P5, P4, round trips:
#               CONVERSION_BENCH_ARGS
#   huge        gmem_huge_bench, P3, P1 with huge pages, walk: HUGE_BENCH_ARGS
#   direct_map  gmem_direct_map_bench, P6: DIRECT_MAP_BENCH_ARGS
#   write       gmem_write_bench, P7: WRITE_BENCH_ARGS
#   uffd        gmem_uffd_bench, P8: UFFD_BENCH_ARGS; run on its own
#               (BENCHES=uffd), where the x86_64 guest gets one TCG thread
# KCONFIG=production boots a kernel without the debug options (no KASAN,
# lockdep, KFENCE...) instead of the debug one that 'make check' tests.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
flavour=${KCONFIG:-debug}
# A host thread per vCPU: P5 and P4 pit a converting thread against a
# faulting vCPU, which on one host thread (make check's x86 setting, see
# run-guest.py) would share its time and halve the ratios for nothing.
# Not for the userfaultfd benchmark, whose page-by-page nested faults meet
# the QEMU bug of docs/findings.md (an L1 oops or a triple fault) within
# a minute on several threads.
if [ "${BENCHES:-}" = uffd ]; then
	export X86_ACCEL=${X86_ACCEL:-tcg,thread=single}
fi
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
	--append "harness.private_args=${pargs// /,} harness.conversion_args=${cargs// /,} harness.huge_args=${hargs// /,} harness.direct_map_args=${dargs// /,} harness.write_args=${wargs// /,} harness.uffd_args=${uargs// /,} harness.benches=${BENCHES:-private,conversion,huge,direct_map,write}" \
	--log "$BUILD/logs/bench-$arch-$flavour.log"
