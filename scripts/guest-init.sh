#!/bin/busybox sh
# /init of the test guest.  Runs the tests of /tests/list that the host
# runner names on the console, one at a time, bracketing each with
# @@START/@@END markers the runner parses.
# The host enforces the real timeout; the guest one only spares a reboot
# and dumps where a hung test sleeps.
/bin/busybox --install -s /bin
export PATH=/bin HOME=/root
mkdir -p /proc /sys /dev /tmp /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/hugepages
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t hugetlbfs hugetlbfs /dev/hugepages
# Kill whatever a test left behind (forked children, helpers): every user
# process but this one.  Kernel threads have no executable.
reap() {
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		# (a glob that matched nothing, or a process gone meanwhile)
		case $pid in ''|*[!0-9]*) continue ;; esac
		[ "$pid" -le 1 ] && continue
		[ -e "$d/exe" ] || continue
		kill -KILL "$pid" 2>/dev/null
	done
}

# Where every thread of the processes from $1 on sleeps, one line each:
# what a hung test leaves the report with.
stacks() {
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" -ge "$1" ] 2>/dev/null || continue
		[ -e "$d/exe" ] || continue
		for t in "$d"/task/*; do
			echo "@@STACK ${t#/proc/} $(cat "$t/comm" 2>/dev/null)" \
				"$(sed -n 's/^State:[[:space:]]*//p' "$t/status" 2>/dev/null):" \
				"$(sed 's/^\[<[0-9a-f]*>\] //; s/+0x[0-9a-f]*\/0x[0-9a-f]*//' \
				   "$t/stack" 2>/dev/null | head -n 12 | tr '\n' ' ')"
		done
	done
}
# Kill test $1 after $2 seconds.  Dump the stacks first; and if SIGKILL does
# not end it (stuck in the kernel), say so, with the blocked tasks in the
# kernel log, instead of hanging the guest until the host kills it.
watchdog() {
	s=0
	while [ $s -lt "$2" ]; do
		sleep 1
		kill -0 "$1" 2>/dev/null || return
		s=$((s + 1))
	done
	echo "@@HUNG test $1 still running after $2 s"
	stacks "$1"
	kill -KILL "$1" 2>/dev/null
	sleep 10
	kill -0 "$1" 2>/dev/null || return
	echo "@@HUNG test $1 survived SIGKILL for 10 s: stuck in the kernel"
	stacks "$1"
	echo w > /proc/sysrq-trigger
}

mode=test private_args= conversion_args= huge_args= benches=private,conversion,huge
for arg in $(cat /proc/cmdline); do
	case $arg in
	harness.mode=*) mode=${arg#harness.mode=} ;;
	harness.private_args=*) private_args=${arg#harness.private_args=} ;;
	harness.conversion_args=*) conversion_args=${arg#harness.conversion_args=} ;;
	harness.huge_args=*) huge_args=${arg#harness.huge_args=} ;;
	harness.benches=*) benches=${arg#harness.benches=} ;;
	esac
done
# A modules build: load KVM and whichever vendor module the CPU takes.
if [ -f /lib/modules/kvm.ko ]; then
	[ -f /lib/modules/irqbypass.ko ] && insmod /lib/modules/irqbypass.ko
	insmod /lib/modules/kvm.ko
	for m in kvm-amd kvm-intel; do
		if insmod /lib/modules/$m.ko 2>/dev/null; then
			echo "@@MODULE $m loaded"
		else
			echo "@@MODULE $m not loaded: the CPU lacks its extension"
		fi
	done
	echo "@@MODULES $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
fi
echo "@@BOOT $(uname -r) $(uname -m) kvm=$([ -c /dev/kvm ] && echo yes || echo no)"
case $mode in
demo)
	cd /tests && ./demo
	echo "@@END 1 demo rc=$?"
	;;
bench)
	cd /tests
	rc=0
	case ,$benches, in *,private,*)
		if [ -x private_mem_bench ]; then
			./private_mem_bench $(echo "$private_args" | tr , ' ') || rc=$?
		fi ;;
	esac
	case ,$benches, in *,conversion,*)
		./gmem_conversion_bench $(echo "$conversion_args" | tr , ' ') || rc=$? ;;
	esac
	case ,$benches, in *,huge,*)
		./gmem_huge_bench $(echo "$huge_args" | tr , ' ') || rc=$? ;;
	esac
	echo "@@END 1 bench rc=$rc"
	;;
shell)
	setsid cttyhack sh
	;;
*)
	# kmemleak: forget what boot left unreferenced (some of it on
	# purpose, like ACPI's caches), so the scan after the tests reports
	# only objects lost since.  kmemleak reports nothing younger than 5 s.
	kml=/sys/kernel/debug/kmemleak
	if [ -w $kml ]; then
		while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
		echo scan > $kml
		echo clear > $kml
	fi
	# The host deals the tests out: ask for the index of the next one (a
	# line of /tests/list) on the console, until it answers "done".
	stty -echo 2>/dev/null
	set -f
	while :; do
		echo "@@NEXT"
		read -r i || break
		case $i in ''|*[!0-9]*) break ;; esac
		# shellcheck disable=SC2046
		set -- $(sed -n "${i}p" /tests/list)
		name=$1 tmo=$2
		shift 2
		echo "@@START $i $name"
		(cd /tests && exec "$@") &
		pid=$!
		watchdog "$pid" "$tmo" &
		wd=$!
		wait "$pid"
		rc=$?
		kill "$wd" 2>/dev/null
		reap
		echo
		echo "@@END $i $name rc=$rc"
	done
	set +f
	# Two scans: an object freed late (RCU, deferred work) is reported only
	# if still unreferenced the second time.
	if [ -w $kml ]; then
		echo scan > $kml
		sleep 5
		echo scan > $kml
		echo "@@KMEMLEAK scanned"
		sed 's/^/@@KMEMLEAK /' $kml
	fi
	;;
esac
echo "@@DONE"
sync
reboot -f
