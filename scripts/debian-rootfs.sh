#!/bin/bash
# debian-rootfs.sh ARCH: make (once) a minimal Debian 12 root filesystem for
# ARCH with debootstrap from Debian's mirror, with what booting it as a
# system needs: systemd as init, udev, kmod, initramfs-tools.  Prints its
# path ($BUILD/deb/rootfs-ARCH).  debootstrap's downloads are kept in
# $DEBCACHE/debootstrap-ARCH; an arm64 root on an x86_64 host runs its
# second stage through qemu-user-static and binfmt_misc.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
case $arch in x86_64) debarch=amd64 ;; arm64) debarch=arm64 ;; esac
root=$BUILD/deb/rootfs-$arch
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=systemd,systemd-sysv,udev,kmod,initramfs-tools,procps,zstd
stamp="bookworm $mirror $pkgs"
if [ -f "$root.stamp" ] && [ "$(cat "$root.stamp")" = "$stamp" ]; then
	echo "$root"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root"
command -v debootstrap >/dev/null || die "debootstrap is missing ('make deps' installs it)"
host=$(uname -m)
[ "$host" = aarch64 ] && host=arm64
if [ "$host" != "$arch" ]; then
	[ -x /usr/bin/qemu-aarch64-static ] ||
		die "qemu-user-static is missing ('make deps' installs it)"
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		die "cannot mount binfmt_misc, which an $arch chroot needs"
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 >&2 ||
		die "cannot register qemu-aarch64 with binfmt_misc"
fi
msg "debootstrap bookworm ($debarch) into $root"
start=$(date +%s)
unmount_under "$root"
rm -rf --one-file-system "$root" "$root.stamp"
mkdir -p "$DEBCACHE/debootstrap-$arch" "$(dirname "$root")"
debootstrap --arch="$debarch" --variant=minbase --include="$pkgs" \
	--cache-dir="$DEBCACHE/debootstrap-$arch" bookworm "$root" "$mirror" \
	> "$root.log" 2>&1 || { tail -n 20 "$root.log"; die "debootstrap failed (log: $root.log)"; }

# A system that boots to the harness's tests on the serial console: no
# getty there, no password, a root file system on the virtio disk.
echo gmem-deb > "$root/etc/hostname"
printf '/dev/vda\t/\text4\tdefaults\t0\t1\n' > "$root/etc/fstab"
for u in serial-getty@ttyS0 serial-getty@ttyAMA0 getty@tty1; do
	ln -sf /dev/null "$root/etc/systemd/system/$u.service"
done
# What Debian's installer would set up for a kernel package.
printf 'do_symlinks = no\n' > "$root/etc/kernel-img.conf"
rm -f "$root"/var/cache/apt/archives/*.deb
echo "$stamp" > "$root.stamp"
msg "root filesystem ready in $(( $(date +%s) - start )) s ($(du -sm "$root" | cut -f1) MiB)"
echo "$root"
