#!/bin/busybox sh
# /init of the test guest: mounts what the tests need, loads the KVM
# modules of a modules build, and runs the demo, the benchmarks or the
# tests (guest-tests.sh) as the kernel command line says.
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
. /guest-tests.sh

mode=test private_args= conversion_args= huge_args= direct_map_args= write_args= uffd_args= benches=private,conversion,huge,direct_map,write
for arg in $(cat /proc/cmdline); do
	case $arg in
	harness.mode=*) mode=${arg#harness.mode=} ;;
	harness.private_args=*) private_args=${arg#harness.private_args=} ;;
	harness.conversion_args=*) conversion_args=${arg#harness.conversion_args=} ;;
	harness.huge_args=*) huge_args=${arg#harness.huge_args=} ;;
	harness.direct_map_args=*) direct_map_args=${arg#harness.direct_map_args=} ;;
	harness.write_args=*) write_args=${arg#harness.write_args=} ;;
	harness.uffd_args=*) uffd_args=${arg#harness.uffd_args=} ;;
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
	case ,$benches, in *,direct_map,*)
		./gmem_direct_map_bench $(echo "$direct_map_args" | tr , ' ') || rc=$? ;;
	esac
	case ,$benches, in *,write,*)
		./gmem_write_bench $(echo "$write_args" | tr , ' ') || rc=$? ;;
	esac
	case ,$benches, in *,uffd,*)
		./gmem_uffd_bench $(echo "$uffd_args" | tr , ' ') || rc=$? ;;
	esac
	echo "@@END 1 bench rc=$rc"
	;;
shell)
	setsid cttyhack sh
	;;
*)
	run_tests /tests
	;;
esac
echo "@@DONE"
sync
reboot -f
