#!/bin/sh
# udev_modules.sh: in the Debian system, KVM's modules are loaded the way a
# distro loads them: udev matches the CPU's modalias (SVM or VMX) against
# the vendor module's alias and modprobe brings kvm.ko with it, at boot and
# again after both were unloaded.  /dev/kvm then has the mode udev's rules
# give it.  Where KVM is built in, only the last.
set -e
# /dev/kvm as Debian's udev rules make it: group kvm, mode 0660.
node() {
	[ "$(stat -c '%A %G' /dev/kvm)" = "crw-rw---- kvm" ] ||
		{ echo "/dev/kvm: $(stat -c '%A %U:%G' /dev/kvm), not udev's crw-rw---- root:kvm"; exit 1; }
	echo "/dev/kvm: $(stat -c '%A %U:%G' /dev/kvm)"
}
if [ -d /sys/module/kvm ] && ! grep -q '^kvm ' /proc/modules; then
	echo "KVM is built into this kernel (as in Debian's arm64 config): no module to load"
	node
	exit 0
fi
vendor=$(cut -d' ' -f1 /proc/modules | grep -x -e kvm_amd -e kvm_intel) ||
	{ echo "udev loaded no KVM vendor module at boot"; exit 1; }
echo "loaded at boot: $vendor $(grep -c '^kvm ' /proc/modules | sed 's/1/kvm/')"
echo "alias: $(modinfo -F alias "$vendor" | head -n1)"
echo "signer: $(modinfo -F signer "$vendor")"
rmmod "$vendor" kvm
udevadm trigger --action=add --subsystem-match=cpu
udevadm settle
grep -q "^$vendor " /proc/modules || { echo "udev did not load $vendor again"; exit 1; }
grep -q '^kvm ' /proc/modules || { echo "kvm.ko is not loaded"; exit 1; }
echo "loaded again by udev: $(cut -d' ' -f1 /proc/modules | grep -e '^kvm' | tr '\n' ' ')"
node
