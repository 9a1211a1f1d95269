#!/bin/bash
# mkinitramfs.sh ARCH MODE [FLAVOUR]: pack busybox, the guest init, the curated
# tests (MODE=test), the demo (MODE=demo) or the benchmark (MODE=bench) into
# $BUILD/initramfs-ARCH[-FLAVOUR]-MODE.cpio.  The 'modules' flavour also packs
# the KVM modules of its kernel build, which /init loads, and runs the tests
# of tests/ARCH-modules.list.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1 mode=${2:-test} flavour=${3:-debug}
arch_vars "$arch"
list=$arch name=$arch
[ "$flavour" = debug ] || { list=$arch-$flavour name=$arch-$flavour; }
bb=$("$TOP/scripts/busybox.sh" "$arch")
st=$TREE/.out-$arch-selftests
stage=$BUILD/initramfs-$name-$mode
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/tests"
cp "$bb" "$stage/bin/busybox"
cp "$TOP/scripts/guest-init.sh" "$stage/init"
cp "$TOP/scripts/guest-tests.sh" "$stage/guest-tests.sh"
chmod 755 "$stage/init"
"$TOP/scripts/testlist.sh" "$list" > "$stage/tests/list"
if [ "$flavour" = modules ]; then
	mkdir -p "$stage/lib/modules"
	kos=$(find "$TREE/.out-$arch-modules" -name '*.ko' | sort)
	[ -n "$kos" ] || die "the modules build has no modules"
	for ko in $kos; do
		"${CROSS}strip" --strip-debug -o "$stage/lib/modules/$(basename "$ko")" "$ko"
	done
fi
if [ "$mode" = test ]; then
	while read -r t _; do
		[ -e "$stage/tests/$t" ] && continue
		# Guest-side scripts of the harness are tests too.
		if [ -f "$TOP/scripts/guest/$t" ]; then
			install -m 755 "$TOP/scripts/guest/$t" "$stage/tests/$t"
			continue
		fi
		[ -f "$st/$t" ] || die "test $t was not built"
		mkdir -p "$stage/tests/$(dirname "$t")"
		"${CROSS}strip" --strip-debug -o "$stage/tests/$t" "$st/$t"
	done < "$stage/tests/list"
elif [ "$mode" = bench ]; then
	# Every benchmark built for the arch; guest-init.sh runs them in turn.
	for b in x86_64/private_mem_bench gmem_conversion_bench gmem_huge_bench gmem_direct_map_bench gmem_write_bench gmem_uffd_bench; do
		[ -f "$st/$b" ] || continue
		"${CROSS}strip" --strip-debug -o "$stage/tests/$(basename "$b")" "$st/$b"
	done
	[ -f "$stage/tests/gmem_conversion_bench" ] || die "the benchmarks were not built"
else
	[ -f "$st/demo" ] || die "demo was not built"
	"${CROSS}strip" --strip-debug -o "$stage/tests/demo" "$st/demo"
fi
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --owner=0:0) > "$stage.cpio"
echo "$stage.cpio"
