#!/bin/sh
# The harness's service in the Debian system that 'make deb-check' boots
# (gmem-check.service, on the serial console): says what the system is,
# then runs the tests the host runner names (guest-tests.sh), then powers
# the machine off.
. /opt/gmem/guest-tests.sh
# make shell-like: deb-check.sh's guest with harness.mode=shell.
case " $(cat /proc/cmdline) " in *" harness.mode=shell "*)
	echo "@@BOOT $(uname -r) shell"
	exec /bin/bash -l ;;
esac
echo "@@INFO $(uname -a)"
dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version} ${Architecture}\n' 'linux-image*' |
	grep '^ii' | sed 's/^/@@INFO dpkg: /'
echo "@@INFO init: $(cat /proc/1/comm), $(systemctl --version | head -n1)"
echo "@@INFO modules at boot: $(cut -d' ' -f1 /proc/modules | grep -e '^kvm' -e irqbypass | tr '\n' ' ')"
[ -x /opt/gmem/tests/demo ] && /opt/gmem/tests/demo --caps | sed 's/^/@@INFO /'
echo "@@BOOT $(uname -r) $(uname -m) kvm=$([ -c /dev/kvm ] && echo yes || echo no)"
run_tests /opt/gmem/tests
echo "@@DONE"
sync
systemctl --force --force poweroff
