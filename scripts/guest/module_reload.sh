#!/bin/sh
# module_reload.sh [shadow]: unload the KVM modules in the guest and load them
# again; with 'shadow', the vendor module is loaded without TDP (kvm-amd
# npt=0, kvm-intel ept=0), so that the tests that follow run on shadow paging.  guest_memfd's
# mount and every cache must go away with kvm.ko and come back with it; the
# host scans the kernel log for reports, as for any test.
set -e
vendor=$(cut -d' ' -f1 /proc/modules | grep -x -e kvm_amd -e kvm_intel)
echo "vendor module: $vendor"
rmmod "$vendor"
rmmod kvm
if grep -q '^kvm ' /proc/modules; then
	echo "kvm.ko is still loaded"
	exit 1
fi
# The modules build's initramfs has the modules in /lib/modules; the
# Debian system, as an installed package, for modprobe.
load() {
	if [ -f "/lib/modules/$1.ko" ]; then
		m=$1
		shift
		insmod "/lib/modules/$m.ko" "$@"
	else
		modprobe "$@"
	fi
}
load kvm
param=
if [ "${1:-}" = shadow ]; then
	param=npt=0
	[ "$vendor" = kvm_intel ] && param=ept=0
fi
load "$(echo "$vendor" | tr _ -)" $param
[ -c /dev/kvm ] || { echo "no /dev/kvm after reload"; exit 1; }
echo "reloaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ') $param"
