#!/bin/bash
# busybox.sh ARCH: print the path of a static busybox for ARCH, from Debian's
# busybox-static package (the arm64 one fetched with a private apt state, so
# the host's dpkg architectures are left alone).
set -euo pipefail
. "$(dirname "$0")/common.sh"

case $1 in
x86_64)
	[ -x /bin/busybox ] || die "busybox-static is not installed (make deps)"
	echo /bin/busybox
	;;
arm64)
	dl=$BUILD/dl
	bb=$dl/busybox-arm64/bin/busybox
	if [ ! -x "$bb" ]; then
		msg "fetching Debian's arm64 busybox-static"
		rm -f "$dl"/busybox-static_*_arm64.deb
		apt_download arm64 "$dl" busybox-static:arm64
		rm -rf "$dl/busybox-arm64"
		dpkg-deb -x "$dl"/busybox-static_*_arm64.deb "$dl/busybox-arm64"
	fi
	echo "$bb"
	;;
*) die "unknown arch $1" ;;
esac
