# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=${TREE:-$BUILD/linux}
BASE_VERSION=$(cat "$TOP/base-version")
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/kvm-gmem-ccache}
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=true
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
export CCACHE_COMPILERCHECK=content
# Fixed build identity: reproducible objects and ccache hits across clones.
export KBUILD_BUILD_TIMESTAMP='Sun Jan  1 00:00:00 UTC 2023'
export KBUILD_BUILD_USER=kvm-gmem
export KBUILD_BUILD_HOST=harness
JOBS=${JOBS:-$(nproc)}

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Kernel arch name and cross compiler prefix for an arch we support.
arch_vars() {
	case $1 in
	x86_64) KARCH=x86; CROSS=; IMAGE=arch/x86/boot/bzImage ;;
	arm64) KARCH=arm64; CROSS=aarch64-linux-gnu-; IMAGE=arch/arm64/boot/Image ;;
	*) die "unknown arch '$1' (x86_64 or arm64)" ;;
	esac
}

# build_for_guest ARCH [FLAVOUR]: what a guest run needs, built: the debug
# kernel (the selftests build against its uapi headers), FLAVOUR's kernel
# when it is another, and the selftests.
build_for_guest() {
	local arch=$1 flavour=${2:-debug}
	"$TOP/scripts/build-kernel.sh" "$arch" debug &&
		{ [ "$flavour" = debug ] || "$TOP/scripts/build-kernel.sh" "$arch" "$flavour"; } &&
		"$TOP/scripts/build-selftests.sh" "$arch"
}

# kmemleak_flag ARCH FLAVOUR: run-guest.py's --kmemleak if that kernel has
# kmemleak (the guest then scans after the tests, and a leak fails the run).
kmemleak_flag() {
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$TREE/.out-$1-$2/.config" && echo --kmemleak
	return 0
}

# tap_counts FILE NAME: "passed failed skipped" from the "NAME: P passed,
# F failed, S skipped" line of a TAP file; "0 1 0" when there is none.
tap_counts() {
	local line
	line=$(grep -E "^$2: [0-9]+ passed" "$1" 2>/dev/null | tail -n1)
	[ -n "$line" ] || { echo "0 1 0"; return; }
	echo "$line" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/'
}

# apt_download DEBARCH DIR PKG[=VERSION]...: download Debian packages of any
# architecture into DIR with a private apt state (under $BUILD/dl), so the
# host's dpkg architectures are left alone.
apt_download() {
	local arch=$1 dir=$2 d=$BUILD/dl/apt-$1
	shift 2
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$dir"
	local A=(-o APT::Architecture="$arch" -o APT::Architectures::="$arch"
		 -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
		 -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -q)
	# The lists are fetched once, and again when a download fails.
	[ -n "$(ls "$d/lists" 2>/dev/null | grep -v partial)" ] ||
		apt-get "${A[@]}" update >/dev/null
	(cd "$dir" && apt-get "${A[@]}" download "$@" >/dev/null 2>&1) && return
	apt-get "${A[@]}" update >/dev/null
	(cd "$dir" && apt-get "${A[@]}" download "$@" 2>&1 >/dev/null | sed 's/^/    /' >&2;
	 exit "${PIPESTATUS[0]}")
}

# Downloads that outlive a checkout (Debian's configs, debootstrap's
# packages): outside the checkout, like ccache.
DEBCACHE=${DEBCACHE:-/var/cache/kvm-gmem-deb}

# series_warnings FILE: print the compiler warnings in FILE that are in
# files the series changes; true when there is one.
series_warnings() {
	local files
	files=$(git -C "$TREE" diff --name-only base HEAD | sed 's/[.]/[.]/g' | paste -sd'|')
	grep -E "(^|/)($files):[0-9]+(:[0-9]+)?: warning:" "$1"
}

# unmount_under DIR: unmount whatever is mounted at or below DIR (the bind
# mounts of a chroot whose script was killed), deepest first, so that an
# rm -rf of DIR never reaches the host's /dev, /proc or /sys.
unmount_under() {
	local d m
	[ -d "$1" ] || return 0
	d=$(realpath "$1")
	findmnt --list -no TARGET 2>/dev/null | sort -r | while IFS= read -r m; do
		case $m in "$d"|"$d"/*) umount -l "$m" 2>/dev/null || true ;; esac
	done
}
