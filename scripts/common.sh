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
