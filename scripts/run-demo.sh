#!/bin/bash
# run-demo.sh ARCH: build the kernel and the demo, boot, show the demo.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:-x86_64}
arch_vars "$arch"
"$TOP/scripts/build-kernel.sh" "$arch" debug
out=$TREE/.out-$arch-selftests
mkdir -p "$out"
hdr=$TREE/.out-$arch-debug/usr/include
"${CROSS}gcc" -static -O2 -Wall -isystem "$hdr" -o "$out/demo" "$TOP/demo/demo.c"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" demo)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the demo"
"$TOP/scripts/run-guest.py" --mode demo --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--log "$BUILD/logs/demo-$arch.log"
