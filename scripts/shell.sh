#!/bin/bash
# shell.sh ARCH: boot the test guest interactively (exit with 'reboot -f').
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" test)
k=$TREE/.out-$arch-debug/$IMAGE
if [ "$arch" = x86_64 ]; then
	exec qemu-system-x86_64 -accel tcg -cpu max -m 4G -smp 2 -nographic \
		-no-reboot -nic none -kernel "$k" -initrd "$initrd" \
		-append "console=ttyS0 tsc=reliable numa=fake=2 panic=-1 harness.mode=shell"
fi
exec qemu-system-aarch64 -accel tcg -M virt,virtualization=on,gic-version=3,mte=on \
	-cpu max,pauth-impdef=on -m 4G -smp 2 -nographic -no-reboot -nic none \
	-object memory-backend-ram,id=m0,size=2G -numa node,nodeid=0,memdev=m0,cpus=0 \
	-object memory-backend-ram,id=m1,size=2G -numa node,nodeid=1,memdev=m1,cpus=1 \
	-kernel "$k" -initrd "$initrd" -append "console=ttyAMA0 panic=-1 harness.mode=shell"
