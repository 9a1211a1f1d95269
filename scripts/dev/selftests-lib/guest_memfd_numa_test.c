// SPDX-License-Identifier: GPL-2.0-only
/*
 * NUMA placement of guest_memfd pages by mbind() on a mapping of the file,
 * for host and guest faults alike (kb15 in the project's list of known
 * failure modes), on x86_64 and arm64.
 *
 * Usage: guest_memfd_numa_test [-n NODES]
 *   -n NODES  fail unless the host has at least NODES NUMA nodes (the test
 *             is otherwise skipped on a host with a single node)
 */
#define _GNU_SOURCE /* for fallocate() */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/mempolicy.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"
#include "gmem_util.h"
#include "guest_cmd.h"
#include "test_util.h"
#include "ucall_common.h"

#define BOTH			(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define NPAGES			16
#define SLOT_SIZE		(NPAGES * PAGE)
#define SLOT_G			10
#define GPA_G			0x80000000ULL

/* Guest side: writes, each answered with GUEST_SYNC(0). */
enum { OP_WRITE = 1, OP_DONE };

static void guest_code(void)
{
	for (;;) {
		struct guest_cmd c = guest_cmd_get(0);

		if (c.op != OP_WRITE)
			GUEST_DONE();
		WRITE_ONCE(*(uint64_t *)c.gpa, c.val);
		GUEST_SYNC(0);
	}
}

@FUNCS@
int main(int argc, char *argv[])
{
	int opt, need_nodes = 0, nodes, fd;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t *host;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			puts("usage: guest_memfd_numa_test [-n NODES]");
			exit(KSFT_FAIL);
		}
		need_nodes = atoi(optarg);
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_GUEST_MEMFD));
	TEST_ASSERT_EQ(getpagesize(), PAGE);
	nodes = nr_nodes();
	TEST_ASSERT(nodes >= need_nodes, "%d NUMA nodes, %d required", nodes,
		    need_nodes);
	TEST_REQUIRE(nodes >= 2);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	fd = vm_create_guest_memfd(vm, SLOT_SIZE, BOTH);
	vm_gmem_only_mem_add(vm, GPA_G, SLOT_G, NPAGES, fd, 0);
	virt_map(vm, GPA_G, GPA_G, NPAGES);
	ucall_init(vm, NULL);
	host = addr_gpa2hva(vm, GPA_G);

	pr_info("NUMA placement (kb15), %d nodes\n", nodes);
	test_numa(vm, vcpu, fd, host);

	close(fd);
	kvm_vm_free(vm);
	pr_info("all passed\n");
	return 0;
}
