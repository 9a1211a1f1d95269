/*
 * What a VM is, apart from its size and vCPUs: its guest mode and its
 * KVM_CREATE_VM type.
@GMEM_ONLY{@
 * With @gmem_only all of its memory is one guest_memfd that can be
 * mmap()ed and holds shared memory, bound as a gmem-only memslot: the
 * library loads the guest through a mapping of the file, and the guest
 * runs from it.
@}GMEM_ONLY@
 * VM_SHAPE() is the default shape with the fields given changed, as in
 * VM_SHAPE(.type = KVM_X86_SW_PROTECTED_VM).
 */
struct vm_shape {
	enum vm_guest_mode mode;
	unsigned long type;
@GMEM_ONLY{@
	bool gmem_only;
@}GMEM_ONLY@
};

#define VM_SHAPE(...)	((struct vm_shape){ .mode = VM_MODE_DEFAULT, __VA_ARGS__ })

struct kvm_vm *____vm_create(struct vm_shape shape, uint64_t nr_pages);
struct kvm_vm *__vm_create_shape(struct vm_shape shape,
				 uint32_t nr_runnable_vcpus,
				 uint64_t nr_extra_pages);

static inline struct kvm_vm *__vm_create(enum vm_guest_mode mode,
					 uint32_t nr_runnable_vcpus,
					 uint64_t nr_extra_pages)
{
	return __vm_create_shape((struct vm_shape){ .mode = mode },
				 nr_runnable_vcpus, nr_extra_pages);
}

static inline struct kvm_vm *vm_create_barebones(void)
{
	return ____vm_create(VM_SHAPE(), 0);
}
