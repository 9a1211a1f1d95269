#!/bin/bash
# export-debian.sh: write the series as Debian's kernel packaging carries
# patches, into $DEST (default build/export-debian):
#   debian/patches/features/all/guest-memfd/*.patch   the patches
#   series.add                                         the lines for debian/patches/series
# without the cover letter and without the last patch (NOT FOR MERGING: a
# debugfs test hook no distro kernel should have).  Then, unless CHECK=0,
# check that they apply where a maintainer would put them: Debian's source
# package of the base's version (or the nearest one the archive still has),
# unpacked with dpkg-source (which applies Debian's own patches), the lines
# appended to its debian/patches/series, and 'quilt push -a'.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dest=${DEST:-$BUILD/export-debian}
sub=features/all/guest-memfd
t0=$(date +%s)
rm -rf "$dest"
mkdir -p "$dest/debian/patches/$sub"
mapfile -t all < <(grep -v '^#' "$TOP/patches/series")
keep=()
for p in "${all[@]}"; do
	grep -q '^Subject: .*NOT FOR MERGING' "$TOP/patches/$p" && continue
	keep+=("$p")
done
{
	echo "# guest_memfd for KVM, ${#keep[@]} patches (from the kvm-gmem series)"
	for p in "${keep[@]}"; do
		cp "$TOP/patches/$p" "$dest/debian/patches/$sub/"
		echo "$sub/$p"
	done
} > "$dest/series.add"
msg "wrote ${#keep[@]} patches to $dest/debian/patches/$sub and the series lines to $dest/series.add" \
	"(left out: $(( ${#all[@]} - ${#keep[@]} )) NOT FOR MERGING)"
[ "${CHECK:-1}" = 1 ] || exit 0

command -v quilt >/dev/null || die "quilt is missing ('make deps' installs it)"
command -v dpkg-source >/dev/null || die "dpkg-source is missing (dpkg-dev; 'make deps')"
# Debian's source package, by apt with a private state: bookworm-security
# has the base's version, bookworm the newest point release.  When the
# mirror no longer serves the base's version, the newest it does serve.
src=$DEBCACHE/source
d=$BUILD/dl/apt-src
mkdir -p "$src" "$d/lists/partial" "$d/cache/archives/partial"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
printf 'deb-src %s bookworm main\ndeb-src %s-security bookworm-security main\n' \
	"$mirror" "$mirror" > "$d/sources.list"
A=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o Debug::NoLocking=1 -q)
ver=
if ls "$src"/linux_*.dsc >/dev/null 2>&1; then
	ver=$(ls "$src"/linux_*.dsc | sed 's/.*linux_\(.*\)\.dsc/\1/' | sort -V | tail -n1)
fi
if [ "$ver" != "$BASE_VERSION" ]; then
	apt-get "${A[@]}" update >/dev/null
	for v in "$BASE_VERSION" $(apt-cache "${A[@]}" showsrc linux 2>/dev/null |
			sed -n 's/^Version: \(6\.1\..*\)/\1/p' | sort -rVu | grep -vxF "$BASE_VERSION"); do
		[ "$v" = "$ver" ] && break
		msg "fetching Debian's source package linux $v"
		rm -rf "$src.tmp"
		mkdir -p "$src.tmp"
		if (cd "$src.tmp" && apt-get "${A[@]}" source --download-only "linux=$v" \
				> "$src.tmp/apt.log" 2>&1); then
			rm -rf "$src"
			mv "$src.tmp" "$src"
			ver=$v
			break
		fi
		msg "linux $v: $(grep -m1 -o '404.*' "$src.tmp/apt.log" || echo 'not downloadable')"
	done
fi
[ -n "$ver" ] || die "no Debian source package of linux could be downloaded"
[ "$ver" = "$BASE_VERSION" ] ||
	msg "linux $BASE_VERSION is not downloadable from $mirror; checking on $ver, the nearest it has"
work=$BUILD/debian-source
rm -rf "$work"
mkdir -p "$work"
msg "unpacking linux $ver with dpkg-source (Debian's patches applied)"
dpkg-source --no-check -x "$src/linux_$ver.dsc" "$work/linux" > "$work/dpkg-source.log" 2>&1 ||
	{ tail -n 20 "$work/dpkg-source.log"; die "dpkg-source -x failed"; }
debian_n=$(grep -cv '^\s*\(#\|$\)' "$work/linux/debian/patches/series")
cp -r "$dest/debian/patches/$sub" "$work/linux/debian/patches/$sub"
cat "$dest/series.add" >> "$work/linux/debian/patches/series"
msg "quilt push -a: ${#keep[@]} patches on Debian's $debian_n"
set +e
(cd "$work/linux" && QUILT_PATCHES=debian/patches QUILT_PC=.pc quilt push -a --fuzz=0) \
	> "$work/quilt.log" 2>&1
rc=$?
set -e
applied=$(grep -c '^Applying patch' "$work/quilt.log" || true)
offsets=$(grep -c '^Hunk .* succeeded at .*(offset' "$work/quilt.log" || true)
if [ $rc != 0 ]; then
	grep -B2 -A12 -m1 'FAILED\|does not apply\|Patch .* does not' "$work/quilt.log" | tail -n 30
	echo "export-debian: linux $ver: $((applied - 1)) of ${#keep[@]} applied; the next fails (log: $work/quilt.log)"
	exit 1
fi
echo "export-debian: linux $ver: ${#keep[@]} of ${#keep[@]} applied with quilt, no fuzz," \
	"$offsets hunks at an offset ($(( $(date +%s) - t0 )) s)"
