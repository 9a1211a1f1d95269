// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's ways into a private guest_memfd page.  With a secret the
 * guest wrote into a private page of an in-place file, every way the host
 * has into memory is tried (the file's own syscalls, every mapping flag,
 * fault-in, /proc/PID/mem, process_vm_readv, ptrace, pipes, vmsplice,
 * splice, sendfile, copy_file_range, O_DIRECT both ways, io_uring fixed
 * buffers, MADV_POPULATE_*, a core dump, and KVM's own accesses on the
 * guest's behalf: @KVM@), and each is refused or never
 * sees the secret; once the page is shared in place, the host reaches it.
 *
 * x86 runs it on software-protected VMs; on arm64 any VM may opt in.
 */
#define _GNU_SOURCE /* for fallocate(), process_vm_readv() and vmsplice() */
#include <errno.h>
#include <fcntl.h>
#include <linux/elf.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "gmem_util.h"
#include "guest_cmd.h"
#include "test_util.h"
#include "processor.h"
#include "ucall_common.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif

#ifndef MSR_KVM_SYSTEM_TIME_NEW
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#endif

/* Values no other memory of the test holds. */
#define SECRET			0x5ec2e7c0ffee5ec2ULL
#define MARKER			0x3a2e3a2e5a4a5a4aULL

#define NPAGES			16
#define SLOT_SIZE		(NPAGES * PAGE)
#define SLOT			10
#define GPA			0x80000000ULL
#define NR_VCPUS		2

/* Guest side: one command per vCPU, answered with GUEST_SYNC(value). */
enum { @OPS@ };

static void guest_code(uint64_t id)
{
	for (;;) {
		struct guest_cmd c = guest_cmd_get(id);

		switch (c.op) {
		case OP_READ:
			GUEST_SYNC(READ_ONCE(*(uint64_t *)c.gpa));
			break;
		case OP_WRITE:
			WRITE_ONCE(*(uint64_t *)c.gpa, c.val);
			GUEST_SYNC(0);
			break;
#ifdef __x86_64__
@WRMSR{@
		case OP_WRMSR:
			/* MSR @n := @val */
			wrmsr(c.n, c.val);
			GUEST_SYNC(0);
			break;
@}WRMSR@
@MOVS{@
		case OP_MOVS: {
			/*
			 * Copy 8 bytes from @gpa to MMIO at @val: KVM
			 * emulates the instruction and reads @gpa itself.
			 */
			uint64_t *src = (uint64_t *)c.gpa, *dst = (uint64_t *)c.val;

			asm volatile("movsq" : "+S"(src), "+D"(dst) : : "memory");
			GUEST_SYNC(0);
			break;
		}
@}MOVS@
@HVC{@
#else
		case OP_HVC: {
			struct arm_smccc_res res;

			/* Function @val, arguments @gpa and @n. */
			smccc_hvc(c.val, c.gpa, c.n, 0, 0, 0, 0, 0, &res);
			GUEST_SYNC(res.a0);
			break;
		}
@}HVC@
#endif
		default:
			GUEST_DONE();
		}
	}
}

/* The VM of these tests, with one IN_PLACE file of @gmem_flags. */
static struct gmem_vm create_test_vm(uint64_t gmem_flags)
{
	return gmem_vm_create_in_place(NR_VCPUS, guest_code, SLOT, GPA, NPAGES,
				       gmem_flags);
}

static uint64_t guest_op(struct gmem_vm *t, int id, uint64_t op, uint64_t gpa,
			 uint64_t val)
{
	return guest_cmd_run(t->vcpus[id], op, gpa, val, 0);
}

@FUNCS@
int main(int argc, char *argv[])
{
	struct gmem_vm t;
	int fd;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_GUEST_MEMFD));
	TEST_REQUIRE(gmem_in_place_supported());
	TEST_ASSERT_EQ(getpagesize(), PAGE);

@SAY@
	t = create_test_vm(0);
@CALLS@	pr_info("all passed\n");
	return 0;
}
