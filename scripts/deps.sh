#!/bin/bash
# deps.sh [deb]: install, with apt, whatever the harness needs and the
# machine lacks; 'deb' adds what the Debian targets need (make deb,
# deb-check, deb-configs, export-debian).
set -euo pipefail

pkgs=(make gcc git bc flex bison perl python3 cpio rsync kmod libelf-dev
      libssl-dev ccache qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu
      libc6-dev-arm64-cross busybox-static xz-utils python3-sphinx python3-ply python3-git
      sparse)
[ "${1:-}" = deb ] && pkgs+=(dpkg-dev fakeroot debootstrap e2fsprogs quilt
			     qemu-user-static binfmt-support)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "==> installing: ${missing[*]}" >&2
	[ "$(id -u)" = 0 ] || die_sudo=1
	${die_sudo:+sudo} apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive ${die_sudo:+sudo} apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
