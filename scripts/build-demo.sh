#!/bin/bash
# build-demo.sh ARCH: build demo/demo.c against the selftests library of the
# work tree (build-selftests.sh must have run) into
# $TREE/.out-ARCH-selftests/demo, when demo.c or the library is newer.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
out=$TREE/.out-$arch-selftests
hdr=$TREE/.out-$arch-debug/usr/include
st=$TREE/tools/testing/selftests/kvm
# The selftests' names for the arch: lib/include dirs and tools/arch.
case $arch in
x86_64) stdir=x86_64 tarch=x86 ;;
arm64) stdir=aarch64 tarch=arm64 ;;
esac
mapfile -t libs < <(find "$out/lib" -name '*.o' | sort)
[ ${#libs[@]} -gt 0 ] || die "the selftests library of $arch was not built"
if [ -f "$out/demo" ] && [ -z "$(find "$TOP/demo/demo.c" "${libs[@]}" -newer "$out/demo")" ]; then
	exit 0
fi
"${CROSS}gcc" -static -no-pie -pthread -O2 -g -Wall -std=gnu99 \
	-fno-stack-protector -fno-PIE -U_FORTIFY_SOURCE \
	-I"$TREE/tools/include" -I"$TREE/tools/arch/$tarch/include" \
	-isystem "$hdr" -I"$st/include" -I"$st/include/$stdir" -I"$st/.." \
	-o "$out/demo" "$TOP/demo/demo.c" "${libs[@]}"
