#!/bin/bash
# run-demo.sh ARCH: build the kernel and the demo, boot, show the demo.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
# The kernel's names for the arches (make run ARCH=...) are accepted too.
case $arch in
x86) arch=x86_64 ;;
aarch64) arch=arm64 ;;
esac
arch_vars "$arch"
# The demo uses the KVM selftests library (guest code, ucalls, memslots).
build_for_guest "$arch"
out=$TREE/.out-$arch-selftests
hdr=$TREE/.out-$arch-debug/usr/include
st=$TREE/tools/testing/selftests/kvm
# The selftests' names for the arch: lib/include dirs and tools/arch.
case $arch in
x86_64) stdir=x86_64 tarch=x86 ;;
arm64) stdir=aarch64 tarch=arm64 ;;
esac
"${CROSS}gcc" -static -no-pie -pthread -O2 -g -Wall -std=gnu99 \
	-fno-stack-protector -fno-PIE -U_FORTIFY_SOURCE \
	-I"$TREE/tools/include" -I"$TREE/tools/arch/$tarch/include" \
	-isystem "$hdr" -I"$st/include" -I"$st/include/$stdir" -I"$st/.." \
	-o "$out/demo" "$TOP/demo/demo.c" \
	$(find "$out/lib" -name '*.o' | sort)
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" demo)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the demo"
"$TOP/scripts/run-guest.py" --mode demo --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--log "$BUILD/logs/demo-$arch.log"
