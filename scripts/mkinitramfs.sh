#!/bin/bash
# mkinitramfs.sh ARCH MODE: pack busybox, the guest init, the curated tests
# (MODE=test) or the demo (MODE=demo) into $BUILD/initramfs-ARCH-MODE.cpio.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1 mode=${2:-test}
arch_vars "$arch"
bb=$("$TOP/scripts/busybox.sh" "$arch")
st=$TREE/.out-$arch-selftests
stage=$BUILD/initramfs-$arch-$mode
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/tests"
cp "$bb" "$stage/bin/busybox"
cp "$TOP/scripts/guest-init.sh" "$stage/init"
chmod 755 "$stage/init"
"$TOP/scripts/testlist.sh" "$arch" > "$stage/tests/list"
if [ "$mode" = test ]; then
	while read -r name _; do
		[ -f "$st/$name" ] || die "test $name was not built"
		mkdir -p "$stage/tests/$(dirname "$name")"
		"${CROSS}strip" --strip-debug -o "$stage/tests/$name" "$st/$name"
	done < "$stage/tests/list"
else
	[ -f "$st/demo" ] || die "demo was not built"
	"${CROSS}strip" --strip-debug -o "$stage/tests/demo" "$st/demo"
fi
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --owner=0:0) > "$stage.cpio"
echo "$stage.cpio"
