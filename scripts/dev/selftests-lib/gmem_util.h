/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guest_memfd tests share.
 *
 * Sizes: the tests count guest_memfd offsets in 4 KiB pages, which is the
 * page size of every host they run on (each checks getpagesize()), and a
 * huge folio of a file is 2 MiB.  The shape of a VM that has private
 * memory: software-protected on x86, where a default VM has none; on
 * arm64, any VM.
@IN_PLACE{@
 * And the VM of the in-place conversion tests: private memory, opted in
 * to in-place conversion, one IN_PLACE file bound as a gmem-only memslot.
@}IN_PLACE@
 */
#ifndef SELFTEST_KVM_GMEM_UTIL_H
#define SELFTEST_KVM_GMEM_UTIL_H

#include "kvm_util.h"
@IN_PLACE{@
#include "guest_cmd.h"
@}IN_PLACE@

#define PAGE		4096ULL
#define HPAGE		(2ULL << 20)
#define PRIVATE		KVM_MEMORY_ATTRIBUTE_PRIVATE

#ifdef __x86_64__
#define VM_SHAPE_PRIVATE	VM_SHAPE(.type = KVM_X86_SW_PROTECTED_VM)
#else
#define VM_SHAPE_PRIVATE	VM_SHAPE()
#endif

void *gmem_mmap(int fd, size_t len, off_t offset);
void gmem_punch_hole(int fd, uint64_t offset, uint64_t len);
@IN_PLACE{@

struct gmem_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[GUEST_CMD_MAX_VCPUS];
	int fd;
	uint64_t *host;		/* the file, as the VMM maps it */
};

bool gmem_in_place_supported(void);
struct gmem_vm gmem_vm_create_in_place(int nr_vcpus, void *guest_code,
				       uint32_t slot, uint64_t gpa,
				       uint64_t npages, uint64_t gmem_flags);
void gmem_vm_destroy(struct gmem_vm *t);
@}IN_PLACE@

#endif /* SELFTEST_KVM_GMEM_UTIL_H */
