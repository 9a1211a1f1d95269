#!/bin/bash
# deb.sh ARCH [FLAVOUR]: build installable Debian packages (linux-image-*,
# linux-headers-*, linux-libc-dev) of the work tree's kernel with Debian's
# config of FLAVOUR (default cloud-amd64 / cloud-arm64), the way a distro
# builds it: Debian's file, olddefconfig, configs/debian*.config.  The
# packages land in build/deb/ARCH-FLAVOUR/; the object tree is beside them.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=$1
arch_vars "$arch"
case $arch in x86_64) debarch=amd64 ;; arm64) debarch=arm64 ;; esac
flavour=${2:-cloud-$debarch}
[ -e "$TREE/.git" ] || die "no work tree; run 'make tree' first"
for t in dpkg-buildpackage fakeroot; do
	command -v $t >/dev/null || die "$t is missing ('make deps' installs it)"
done
dir=$BUILD/deb/$arch-$flavour
out=$dir/obj
# Up to date: built from this commit, with its uncommitted changes, and
# these config changes.
stamp="$(git -C "$TREE" rev-parse HEAD) $( (git -C "$TREE" diff HEAD;
	git -C "$TREE" status --porcelain; cat "$TOP"/configs/debian*.config) | sha1sum | cut -c1-12)"
if [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ] && ls "$dir"/linux-image-*.deb >/dev/null 2>&1; then
	msg "the packages in $dir are up to date"
	exit 0
fi
start=$(date +%s)
msg "configuring $flavour from Debian's config"
"$TOP/scripts/debian-config.sh" "$arch" "$flavour" "$out"
sed 's/^/    /' "$out/debian-changes.txt" >&2

# ccache through its compiler links, so the commands Kbuild records stay
# plain "gcc" in the package's own inner make as well.
export PATH=/usr/lib/ccache:$PATH
# A set-but-empty LOCALVERSION keeps setlocalversion from adding "+" for
# the git tree; the release name is in CONFIG_LOCALVERSION.
export LOCALVERSION=
rm -f "$dir"/*.deb "$dir"/*.buildinfo "$dir"/*.changes "$dir/stamp"
msg "building the packages ($debarch, $(grep -c '=m$' "$out/.config") modules configured)"
make -s -C "$TREE" ARCH="$KARCH" CROSS_COMPILE="$CROSS" O="$out" -j"$JOBS" \
	KBUILD_DEBARCH="$debarch" KDEB_PKGVERSION="$BASE_VERSION+gmem" \
	KDEB_CHANGELOG_DIST=bookworm DPKG_FLAGS=-d bindeb-pkg >"$dir/build.log" 2>&1 ||
	{ tail -n 40 "$dir/build.log"; die "package build failed (log: $dir/build.log)"; }
# A warning in a file the series touches fails, as in the other builds;
# the base's own warnings under Debian's config are counted.
grep -E ': warning:' "$dir/build.log" | sort -u > "$dir/warnings.txt" || true
if series_warnings "$dir/warnings.txt"; then
	die "warnings in files the series changes (log: $dir/build.log)"
fi
msg "$(wc -l < "$dir/warnings.txt") warnings of the base's own code in what this run compiled ($dir/warnings.txt)"
make -s -C "$TREE" ARCH="$KARCH" O="$out" kernelrelease > "$dir/release"
echo "$stamp" > "$dir/stamp"
msg "built linux-image-$(cat "$dir/release") in $(( $(date +%s) - start )) s:"
for f in "$dir"/*.deb; do
	printf '    %-60s %6s MiB\n' "$(basename "$f")" \
		"$(( $(stat -c %s "$f") / 1048576 ))" >&2
done
printf '    %s modules in the linux-image package\n' \
	"$(dpkg -c "$dir/linux-image-$(cat "$dir/release")"_*.deb | grep -c '[.]ko$')" >&2
