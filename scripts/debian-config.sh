#!/bin/bash
# debian-config.sh ARCH FLAVOUR OUTDIR [OPTION...]: write OUTDIR/.config for
# the work tree from Debian's own kernel config of FLAVOUR (cloud-amd64,
# amd64, cloud-arm64, arm64, rt-amd64, ...), as Debian builds it, plus only
# what the series and a local build need (configs/debian.config, explained
# there and in the README), plus the OPTIONs given ("CONFIG_FOO=y",
# "CONFIG_FOO=n": the config matrix's variants).  olddefconfig fills in what
# Debian's file does not say, and every requested value must stick.
#
# OUTDIR/debian-changes.txt lists, after the build, how the result differs
# from Debian's file run through the same olddefconfig on the same tree: the
# options this harness changed, nothing else.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1 flavour=$2 out=$3
shift 3
arch_vars "$arch"
case $arch in x86_64) debarch=amd64 ;; arm64) debarch=arm64 ;; esac
case $flavour in
rt-*) cfgname=config.${debarch}_rt_${flavour#rt-} ;;
*) cfgname=config.${debarch}_none_$flavour ;;
esac

# Debian's configs come from its linux-config-6.1 package of the base's
# version (the newest one when that is gone), kept in $DEBCACHE.
cache=$DEBCACHE/linux-config
if [ ! -f "$cache/$BASE_VERSION-$debarch/$cfgname.xz" ] &&
   [ ! -f "$cache/newest-$debarch/$cfgname.xz" ]; then
	msg "fetching Debian's linux-config-6.1 ($debarch)"
	mkdir -p "$cache"
	rm -f "$cache"/linux-config-6.1_*_"$debarch".deb
	if apt_download "$debarch" "$cache" "linux-config-6.1:$debarch=$BASE_VERSION"; then
		dir=$cache/$BASE_VERSION-$debarch
	else
		msg "linux-config-6.1 $BASE_VERSION is gone from the archive; using the newest"
		apt_download "$debarch" "$cache" "linux-config-6.1:$debarch" ||
			die "cannot download linux-config-6.1:$debarch"
		dir=$cache/newest-$debarch
	fi
	rm -rf "$dir.tmp"
	dpkg-deb -x "$cache"/linux-config-6.1_*_"$debarch".deb "$dir.tmp"
	mkdir -p "$dir"
	mv "$dir.tmp"/usr/src/linux-config-6.1/* "$dir"/
	rm -rf "$dir.tmp" "$cache"/linux-config-6.1_*_"$debarch".deb
fi
src=$cache/$BASE_VERSION-$debarch/$cfgname.xz
[ -f "$src" ] || src=$cache/newest-$debarch/$cfgname.xz
[ -f "$src" ] || die "Debian has no config $cfgname (flavours: $(ls "$(dirname "$src")" |
	sed -n "s/^config\.${debarch}_\(none\|rt\)_\(.*\)\.xz$/\1-\2/p" | sed 's/^none-//' | xargs))"

mkdir -p "$out"
kmake() {
	make -s -C "$TREE" ARCH="$KARCH" CROSS_COMPILE="$CROSS" O="$out" "$@"
}
# Debian's file through olddefconfig alone: what the changes are measured from.
xzcat "$src" > "$out/.config"
kmake olddefconfig
cp "$out/.config" "$out/debian-olddefconfig"

# The last line that sets a symbol wins, as in merge_config.sh.
wanted=()
while IFS= read -r line; do
	wanted+=("$line")
done < <({ sed "s/@FLAVOUR@/$flavour/" "$TOP/configs/debian.config"
	   [ -f "$TOP/configs/debian-$arch.config" ] && cat "$TOP/configs/debian-$arch.config"
	   printf '%s\n' "$@"; } | grep '^CONFIG_' |
	 awk -F= '{ v[$1] = $0; if (!($1 in o)) o[$1] = n++ }
		END { for (k in v) print o[k] "\t" v[k] }' | sort -n | cut -f2-)
args=()
for line in "${wanted[@]}"; do
	sym=${line%%=*} val=${line#*=}
	sym=${sym#CONFIG_}
	case $val in
	y) args+=(-e "$sym") ;;
	m) args+=(-m "$sym") ;;
	n) args+=(-d "$sym") ;;
	\"*) val=${val#\"}; args+=(--set-str "$sym" "${val%\"}") ;;
	*) args+=(--set-val "$sym" "$val") ;;
	esac
done
"$TREE/scripts/config" --file "$out/.config" "${args[@]}"
kmake olddefconfig
bad=0
for line in "${wanted[@]}"; do
	case $line in
	CONFIG_*=n) grep -q "^${line%%=*}=" "$out/.config" &&
		{ echo "  $line not honoured" >&2; bad=1; } ;;
	*) grep -qxF "$line" "$out/.config" || { echo "  $line not honoured" >&2; bad=1; } ;;
	esac
done
[ $bad = 0 ] || die "the config for $flavour does not hold what was asked (dependencies?)"
"$TREE/scripts/diffconfig" "$out/debian-olddefconfig" "$out/.config" > "$out/debian-changes.txt" || true
