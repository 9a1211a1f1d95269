// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the guest_memfd tests share; see gmem_util.h.
 */
#define _GNU_SOURCE /* for fallocate() */
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem_util.h"
#include "ucall_common.h"

/* A shared read-write mapping of [@offset, + @len) of guest_memfd @fd. */
void *gmem_mmap(int fd, size_t len, off_t offset)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       offset);

	TEST_ASSERT(p != MAP_FAILED, "mmap of guest_memfd: errno %d", errno);
	return p;
}

/* Punch [@offset, + @len) out of guest_memfd @fd, which must work. */
void gmem_punch_hole(int fd, uint64_t offset, uint64_t len)
{
	int r = fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
			  offset, len);

	TEST_ASSERT(!r, "FALLOC_FL_PUNCH_HOLE(0x%lx, 0x%lx): errno %d",
		    offset, len, errno);
}
@IN_PLACE{@

/*
 * May a VM use in-place conversion here?  On x86 only a software-protected
 * VM has private memory; on arm64 any VM may opt in.
 */
bool gmem_in_place_supported(void)
{
#ifdef __x86_64__
	return kvm_check_cap(KVM_CAP_VM_TYPES) & BIT(KVM_X86_SW_PROTECTED_VM);
#else
	return kvm_check_cap(KVM_CAP_GUEST_MEMFD_IN_PLACE);
#endif
}

/*
 * A VM with private memory, opted in to in-place conversion, whose
 * @nr_vcpus vCPUs run guest_code(their index), and one
 * GUEST_MEMFD_FLAG_IN_PLACE file of @npages pages (and @gmem_flags) bound
 * as gmem-only memslot @slot at @gpa and mapped 1:1 into the guest.
 */
struct gmem_vm gmem_vm_create_in_place(int nr_vcpus, void *guest_code,
				       uint32_t slot, uint64_t gpa,
				       uint64_t npages, uint64_t gmem_flags)
{
	struct gmem_vm t = {};
	int i;

	TEST_ASSERT(nr_vcpus <= GUEST_CMD_MAX_VCPUS, "%d vCPUs", nr_vcpus);
	t.vm = vm_create_shape_with_vcpus(VM_SHAPE_PRIVATE, nr_vcpus, 0,
					  guest_code, t.vcpus);
	for (i = 0; i < nr_vcpus; i++)
		vcpu_args_set(t.vcpus[i], 1, i);
	vm_enable_cap(t.vm, KVM_CAP_GUEST_MEMFD_IN_PLACE, 0);
	t.fd = vm_create_guest_memfd(t.vm, npages * PAGE,
				     GUEST_MEMFD_FLAG_IN_PLACE | gmem_flags);
	vm_gmem_only_mem_add(t.vm, gpa, slot, npages, t.fd, 0);
	virt_map(t.vm, gpa, gpa, npages);
	ucall_init(t.vm, NULL);
	t.host = addr_gpa2hva(t.vm, gpa);
	return t;
}

void gmem_vm_destroy(struct gmem_vm *t)
{
	close(t->fd);
	kvm_vm_free(t->vm);
}
@}IN_PLACE@
