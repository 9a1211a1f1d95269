#!/bin/bash
# Make the pristine 6.1 base available as $BUILD/base/linux and print its path.
# KSRC=/path uses any other 6.1.y tree instead of Debian's linux-source-6.1.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dest=$BUILD/base/linux
stamp=$BUILD/base/stamp
if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] || die "KSRC=$KSRC is not a kernel tree"
	grep -q '^VERSION = 6$' "$KSRC/Makefile" && grep -q '^PATCHLEVEL = 1$' "$KSRC/Makefile" ||
		die "KSRC=$KSRC is not a 6.1.y tree"
	want="ksrc:$(cd "$KSRC" && pwd)"
else
	want="debian:$BASE_VERSION"
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest" ]; then
	echo "$dest"
	exit 0
fi
rm -rf "$dest" "$stamp"
mkdir -p "$BUILD/base"
if [ -n "${KSRC:-}" ]; then
	msg "copying base from $KSRC"
	mkdir -p "$dest"
	tar -C "$KSRC" --exclude=.git -cf - . | tar -C "$dest" -xf -
else
	have=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
	if [ "$have" != "$BASE_VERSION" ]; then
		if apt-cache madison linux-source-6.1 2>/dev/null | awk '{print $3}' |
			grep -qx "$BASE_VERSION"; then
			msg "installing linux-source-6.1=$BASE_VERSION"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--allow-downgrades "linux-source-6.1=$BASE_VERSION" >&2
		else
			printf '\n*** WARNING: linux-source-6.1 %s (the version this series is developed on)\n' \
				"$BASE_VERSION" >&2
			printf '*** is no longer offered by apt; using the newest 6.1 instead.\n\n' >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >&2
		fi
		have=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	fi
	want="debian:$have"
	msg "extracting linux-source-6.1 $have"
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -n1)
	tar -C "$BUILD/base" -xaf "$tarball"
	mv "$BUILD/base/linux-source-6.1" "$dest"
fi
echo "$want" > "$stamp"
echo "$dest"
