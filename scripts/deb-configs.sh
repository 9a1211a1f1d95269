#!/bin/bash
# deb-configs.sh [ARCH...]: the config matrix.  Build the directories the
# series changes (KVM: virt/kvm through arch/ARCH/kvm, and mm/) with
# Debian's full config of each arch (amd64, arm64; as 'make deb' derives
# it) and with each variant below; every one must compile without a
# warning.  One object tree per arch, reconfigured per variant, so each
# variant rebuilds only what its options reach.
set -uo pipefail
. "$(dirname "$0")/common.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
t0=$(date +%s)
n=0 bad=0
results=()
for arch in "${arches[@]}"; do
	arch_vars "$arch"
	case $arch in x86_64) flavour=amd64 ;; arm64) flavour=arm64 ;; esac
	out=$BUILD/deb/configs-$arch
	variants=("debian:CONFIG_KVM_SW_PROTECTED_VM=n")
	[ "$arch" = x86_64 ] && variants+=("sw-protected:CONFIG_KVM_SW_PROTECTED_VM=y")
	variants+=("no-thp:CONFIG_TRANSPARENT_HUGEPAGE=n"
		   "no-numa:CONFIG_NUMA=n"
		   "no-memory-failure:CONFIG_MEMORY_FAILURE=n")
	for v in "${variants[@]}"; do
		vname=${v%%:*} opts=${v#*:}
		a0=$(date +%s)
		n=$((n + 1))
		log=$out/$vname.log
		mkdir -p "$out"
		# shellcheck disable=SC2086
		if ! "$TOP/scripts/debian-config.sh" "$arch" "$flavour" "$out" $opts > "$log" 2>&1; then
			results+=("not ok $n - $arch $flavour $vname: config ($log)")
			echo "${results[-1]}"
			bad=1
			continue
		fi
		dirs=(mm/ "arch/$KARCH/kvm/")
		PATH=/usr/lib/ccache:$PATH LOCALVERSION= make -C "$TREE" ARCH="$KARCH" \
			CROSS_COMPILE="$CROSS" O="$out" -j"$JOBS" prepare "${dirs[@]}" >> "$log" 2>&1
		rc=$?
		w=$(grep -c ': warning:' "$log")
		dt=$(( $(date +%s) - a0 ))
		if [ $rc != 0 ] || [ "$w" != 0 ]; then
			grep -E ': (warning|error):' "$log" | head -n 10
			results+=("not ok $n - $arch $flavour $vname: rc=$rc, $w warnings, $dt s ($log)")
			bad=1
		else
			results+=("ok $n - $arch $flavour $vname: $(grep -c '^  CC' "$log") files compiled, 0 warnings, $dt s")
		fi
		echo "${results[-1]}"
	done
done
echo "1..$n"
echo "# deb-configs: $(( $(date +%s) - t0 )) s"
printf '%s\n' "${results[@]}" | grep -c '^ok' | sed "s|.*|deb-configs: & passed, $(printf '%s\n' "${results[@]}" | grep -c '^not ok') failed, 0 skipped|"
exit $bad
