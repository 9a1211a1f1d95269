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
"$TOP/scripts/build-demo.sh" "$arch"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" demo)
mkdir -p "$BUILD/logs"
msg "booting the $arch guest (QEMU TCG) and running the demo"
"$TOP/scripts/run-guest.py" --mode demo --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd" \
	--log "$BUILD/logs/demo-$arch.log"
