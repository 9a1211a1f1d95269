# Sourced by the guests' init scripts (guest-init.sh in the initramfs,
# debian-init.sh in the Debian system; POSIX sh): run_tests DIR runs the
# tests of DIR/list that the host runner (run-guest.py) names on the
# console, one at a time, bracketing each with @@START/@@END markers the
# runner parses.  The host enforces the real timeout; the guest one only
# spares a reboot and dumps where a hung test sleeps.

# Kill whatever a test left behind (forked children, helpers).  In the
# initramfs, where this shell is init, every user process but init; in the
# Debian system, every process of this shell's session (what the service
# started) but the shell.  Kernel threads have no executable.
session() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f4
}
reap() {
	mysid=$(session $$)
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		# (a glob that matched nothing, or a process gone meanwhile)
		case $pid in ''|*[!0-9]*) continue ;; esac
		[ "$pid" -le 1 ] || [ "$pid" = $$ ] && continue
		[ -e "$d/exe" ] || continue
		[ $$ = 1 ] || [ "$(session "$pid")" = "$mysid" ] || continue
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

# run_tests DIR: the test loop, with kmemleak's scans around it when the
# kernel has kmemleak.
run_tests() {
	tdir=$1
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
	while :; do
		echo "@@NEXT"
		read -r i || break
		case $i in ''|*[!0-9]*) break ;; esac
		# The list line, split on blanks but never globbed.
		set -f
		# shellcheck disable=SC2046
		set -- $(sed -n "${i}p" "$tdir/list")
		set +f
		name=$1 tmo=$2
		shift 2
		echo "@@START $i $name"
		(cd "$tdir" && exec "$@") &
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
	# Two scans: an object freed late (RCU, deferred work) is reported only
	# if still unreferenced the second time.
	if [ -w $kml ]; then
		echo scan > $kml
		sleep 5
		echo scan > $kml
		echo "@@KMEMLEAK scanned"
		sed 's/^/@@KMEMLEAK /' $kml
	fi
}
