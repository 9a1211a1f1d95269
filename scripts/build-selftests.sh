#!/bin/bash
# build-selftests.sh ARCH: build the KVM selftests of the work tree, static,
# against the uapi headers of the ARCH debug kernel build.
set -uo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
hdr=$TREE/.out-$arch-debug/usr/include
[ -d "$hdr/linux" ] || die "no uapi headers in $hdr; build the $arch kernel first"
out=$TREE/.out-$arch-selftests
mkdir -p "$out"
msg "building $arch KVM selftests"
start=$(date +%s)
make -s -C "$TREE/tools/testing/selftests/kvm" -j"$JOBS" ARCH="$KARCH" \
	CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $hdr" LDFLAGS="-static -pthread -no-pie" \
	${SELFTESTS_MAKEFLAGS:-} > "$out/build.log" 2>&1
rc=$?
# Static glibc warns about NSS/dlopen use; everything else is shown.
grep -v -e 'statically linked applications requires at runtime' \
	-e 'in function .*dlopen' -e 'in function .*getpw' -e 'in function .*getgr' \
	"$out/build.log" >&2 || true
[ $rc = 0 ] || die "$arch selftests failed to build"
msg "built $arch selftests in $(( $(date +%s) - start )) s"
