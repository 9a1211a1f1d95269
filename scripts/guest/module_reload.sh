#!/bin/sh
# Unload and reload the KVM modules in the guest: guest_memfd's pseudo
# mount and every cache must go away with kvm.ko and come back with it.  The kernel log is scanned for reports by the host, as for any test.
set -e
vendor=$(cut -d' ' -f1 /proc/modules | grep -x -e kvm_amd -e kvm_intel)
echo "vendor module: $vendor"
rmmod "$vendor"
rmmod kvm
if grep -q '^kvm ' /proc/modules; then
	echo "kvm.ko is still loaded"
	exit 1
fi
insmod /lib/modules/kvm.ko
insmod "/lib/modules/$(echo "$vendor" | tr _ -).ko"
[ -c /dev/kvm ] || { echo "no /dev/kvm after reload"; exit 1; }
echo "reloaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
