#!/bin/bash
# build-kernel.sh ARCH [FLAVOUR]: configure (allnoconfig + fragments) and build
# the work tree's kernel out of tree in $TREE/.out-ARCH-FLAVOUR.  FLAVOUR is
# 'debug' (what 'make check' tests), 'modules' (KVM as loadable modules) or
# 'production' (no debug options: what benchmarks are also run on).
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1 flavour=${2:-debug}
arch_vars "$arch"
[ -e "$TREE/.git" ] || die "no work tree; run 'make tree' first"
out=.out-$arch-$flavour
frags=("$TOP/configs/common.config" "$TOP/configs/$arch.config")
case $flavour in
debug) frags+=("$TOP/configs/debug.config" "$TOP/configs/kmemleak.config") ;;
modules) frags+=("$TOP/configs/debug.config" "$TOP/configs/kmemleak.config"
		 "$TOP/configs/modules.config") ;;
production) frags+=("$TOP/configs/production.config") ;;
*) die "unknown flavour '$flavour'" ;;
esac
# What only the test kernels of one arch need (configs/ARCH-debug.config).
[ "$flavour" != production ] && [ -f "$TOP/configs/$arch-debug.config" ] &&
	frags+=("$TOP/configs/$arch-debug.config")
cd "$TREE"
# The modules flavour is the debug one with KVM=m: a first build starts from
# a copy of the debug build's objects (timestamps kept), so that Kbuild only
# rebuilds what depends on the KVM options instead of the whole kernel.
if [ "$flavour" = modules ] && [ ! -d "$out" ] && [ -f ".out-$arch-debug/$IMAGE" ]; then
	msg "seeding $out from .out-$arch-debug"
	cp -a ".out-$arch-debug" "$out.tmp"
	rm -f "$out.tmp/.frag-sum"
	mv "$out.tmp" "$out"
fi
mkdir -p "$out"
kmake() {
	make -s ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc" \
		HOSTCC="ccache gcc" LOCALVERSION= O="$out" "$@"
}
# Reconfigure only when a fragment changed, so incremental builds stay cheap.
# BISECT=1 (bisect-check) reconfigures at every commit and accepts options
# that the commit's Kconfig does not define yet: earlier patches of the
# series cannot know options that later ones add.
sum=$(cat "${frags[@]}" | sha1sum | cut -d' ' -f1)
[ "${BISECT:-0}" = 1 ] && sum="$sum-$(git -C "$TREE" rev-parse HEAD)"
known() {
	[ "${BISECT:-0}" = 1 ] || return 0
	grep -rqx --include='Kconfig*' "config ${1#CONFIG_}" "$TREE"
}
# Every requested value must have stuck: a silently dropped option would
# make the tests lie.  The last fragment that sets a symbol wins, as in
# merge_config.sh.
check_config() {
	local line sym missing=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) sym=${line%%=*}
			grep -q "^$sym=" "$out/.config" && { echo "  $line not honoured"; missing=1; } ;;
		CONFIG_*) grep -qxF "$line" "$out/.config" || ! known "${line%%=*}" ||
			{ echo "  $line not honoured"; missing=1; } ;;
		esac
	done < <(cat "${frags[@]}" | grep '^CONFIG_' |
		awk -F= '{ v[$1] = $0; if (!($1 in o)) o[$1] = n++ }
			END { for (k in v) print o[k] "\t" v[k] }' | sort -n | cut -f2-)
	return $missing
}
# Reconfigure also when the .config drifted from the fragments (a make run
# at an older commit, whose Kconfig lacks an option, drops it).
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.frag-sum" 2>/dev/null)" != "$sum" ] ||
   ! check_config > /dev/null; then
	msg "configuring $arch ($flavour)"
	log=$(ARCH="$KARCH" CROSS_COMPILE="$CROSS" scripts/kconfig/merge_config.sh -n -O "$out" \
		"${frags[@]}" 2>&1) || { printf '%s\n' "$log"; die "config failed"; }
	kmake olddefconfig
	check_config || die "config fragments not honoured (missing dependencies?)"
	echo "$sum" > "$out/.frag-sum"
fi
msg "building $arch ($flavour) kernel"
start=$(date +%s)
kmake -j"$JOBS" all
msg "built $out/$IMAGE in $(( $(date +%s) - start )) s"
kmake headers_install INSTALL_HDR_PATH="$TREE/$out/usr" >/dev/null
