#!/bin/bash
# shell.sh ARCH: boot the test guest with a shell on this terminal, on the
# QEMU command line the tests use (run-guest.py); quit with Ctrl-A X or
# 'reboot -f'.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
initrd=$("$TOP/scripts/mkinitramfs.sh" "$arch" test)
exec "$TOP/scripts/run-guest.py" --mode shell --arch "$arch" \
	--kernel "$TREE/.out-$arch-debug/$IMAGE" --initrd "$initrd"
