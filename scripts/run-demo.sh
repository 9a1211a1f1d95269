#!/bin/bash
# run-demo.sh ARCH: build the kernel and the demo, boot, show the demo.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
arch_vars "$arch"
"$TOP/scripts/build-kernel.sh" "$arch" debug
# The demo uses the KVM selftests library (guest code, ucalls, memslots).
"$TOP/scripts/build-selftests.sh" "$arch"
out=$TREE/.out-$arch-selftests
hdr=$TREE/.out-$arch-debug/usr/include
st=$TREE/tools/testing/selftests/kvm
"${CROSS}gcc" -static -no-pie -pthread -O2 -g -Wall -std=gnu99 \
	-fno-stack-protector -fno-PIE -U_FORTIFY_SOURCE \
	-I"$TREE/tools/include" -I"$TREE/tools/arch/x86/include" \
	-isystem "$hdr" -I"$st/include" -I"$st/include/$arch" -I"$st/.." \
	-o "$out/demo" "$TOP/demo/demo.c" \
	$(find "$out/lib" -name '*.o' | sort)
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" demo)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the demo"
"$TOP/scripts/run-guest.py" --mode demo --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--log "$BUILD/logs/demo-$arch.log"
