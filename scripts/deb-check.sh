#!/bin/bash
# deb-check.sh ARCH [FLAVOUR]: install the linux-image package 'make deb'
# built (deb.sh) with dpkg into a Debian 12 root filesystem
# (debian-rootfs.sh), where initramfs-tools makes its initrd; boot that
# kernel and initrd on the file system under QEMU TCG with systemd as init,
# and run there, from a service on the serial console, the tests of
# tests/ARCH-debian.list (the selftest binaries of 'make check', the demo,
# udev's loading of KVM's modules).  TAP and the summary as 'make check'.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
case $arch in x86_64) debarch=amd64 ;; arm64) debarch=arm64 ;; esac
flavour=${2:-cloud-$debarch}
dir=$BUILD/deb/$arch-$flavour
name=debian-$arch
[ -f "$dir/release" ] || die "no package of $flavour: run 'make deb' first"
rel=$(cat "$dir/release")
image=$(ls "$dir"/linux-image-"$rel"_*.deb 2>/dev/null | grep -v -- -dbg_ | head -n1 || true)
[ -n "$image" ] || die "no linux-image-$rel package in $dir"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is missing (e2fsprogs)"
t0=$(date +%s)

# The test binaries, as 'make check' builds them.
"$TOP/scripts/build-kernel.sh" "$arch" debug > "$dir/build-tests.log" 2>&1 &&
	"$TOP/scripts/build-selftests.sh" "$arch" >> "$dir/build-tests.log" 2>&1 &&
	"$TOP/scripts/build-demo.sh" "$arch" >> "$dir/build-tests.log" 2>&1 ||
	{ tail -n 30 "$dir/build-tests.log"; die "the selftests did not build"; }
root=$("$TOP/scripts/debian-rootfs.sh" "$arch")

# A copy of the pristine root for this package.
sys=$dir/system
msg "installing $(basename "$image") with dpkg"
unmount_under "$sys"
rm -rf --one-file-system "$sys"
cp -a "$root" "$sys"
mkdir -p "$sys/tmp/debs"
cp "$image" "$sys/tmp/debs/"
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
	mounts=()
}
trap cleanup EXIT
for m in proc sys dev; do
	mount --bind "/$m" "$sys/$m"
	mounts=("$sys/$m" "${mounts[@]}")
done
chroot "$sys" dpkg -i "/tmp/debs/$(basename "$image")" > "$dir/dpkg.log" 2>&1 ||
	{ cat "$dir/dpkg.log"; die "dpkg -i failed"; }
chroot "$sys" dpkg -l 'linux-image*' | grep '^ii' | sed 's/^/# /'
cleanup
rm -rf "$sys/tmp/debs"
[ -f "$sys/boot/initrd.img-$rel" ] || die "the package's postinst made no initrd (log: $dir/dpkg.log)"
cp "$sys/boot/vmlinuz-$rel" "$sys/boot/initrd.img-$rel" "$dir/"
msg "initramfs-tools' initrd: $(( $(stat -c %s "$dir/initrd.img-$rel") / 1048576 )) MiB"

# The harness: the tests, its service, the runner it sources.
st=$TREE/.out-$arch-selftests
g=$sys/opt/gmem
mkdir -p "$g/tests"
"$TOP/scripts/testlist.sh" "$arch-debian" > "$g/tests/list"
while read -r t _; do
	[ -e "$g/tests/$t" ] && continue
	mkdir -p "$g/tests/$(dirname "$t")"
	if [ -f "$TOP/scripts/guest/$t" ]; then
		install -m 755 "$TOP/scripts/guest/$t" "$g/tests/$t"
	else
		[ -f "$st/$t" ] || die "test $t was not built"
		"${CROSS}strip" --strip-debug -o "$g/tests/$t" "$st/$t"
	fi
done < "$g/tests/list"
install -m 644 "$TOP/scripts/guest-tests.sh" "$g/guest-tests.sh"
install -m 755 "$TOP/scripts/debian-init.sh" "$g/debian-init.sh"
cat > "$sys/etc/systemd/system/gmem-check.service" <<EOF
[Unit]
Description=guest_memfd tests of the harness (make deb-check)
After=multi-user.target systemd-udev-settle.service
Wants=systemd-udev-settle.service

[Service]
Type=oneshot
ExecStart=/opt/gmem/debian-init.sh
StandardInput=tty-force
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/$([ "$arch" = x86_64 ] && echo ttyS0 || echo ttyAMA0)

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/gmem-check.service \
	"$sys/etc/systemd/system/multi-user.target.wants/gmem-check.service"

disk=$dir/disk.img
rm -f "$disk"
mkfs.ext4 -q -F -L gmem-root -d "$sys" "$disk" $(( $(du -sm "$sys" | cut -f1) * 2 + 512 ))M
b1=$(date +%s)
msg "prepared in $((b1 - t0)) s; booting $rel"
logs=$BUILD/logs
mkdir -p "$logs"
set +e
# x86_64's list runs in order in one guest (tests after a module reload
# run on what it loaded), arm64's in a guest per core.
guests=${GUESTS:-1}
[ "$arch" = arm64 ] && guests=${GUESTS:-$(nproc)}
"$TOP/scripts/run-guest.py" --arch "$arch" --name "$name" --guests "$guests" \
	--boot-timeout 600 --kernel "$dir/vmlinuz-$rel" --initrd "$dir/initrd.img-$rel" --disk "$disk" \
	--append "root=/dev/vda rw ignore_loglevel systemd.show_status=false" \
	--list "$g/tests/list" --log "$logs/guest-$name.log" | tee "$logs/tap-$name.txt"
rc=${PIPESTATUS[0]}
echo "# $name: prepared $((b1 - t0)) s, tests $(( $(date +%s) - b1 )) s (guest log: $logs/guest-$name.log)"
exit "$rc"
