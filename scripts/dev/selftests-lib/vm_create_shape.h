/* As __vm_create_with_vcpus(), for a VM of shape @shape. */
struct kvm_vm *vm_create_shape_with_vcpus(struct vm_shape shape,
					  uint32_t nr_vcpus,
					  uint64_t extra_mem_pages,
					  void *guest_code,
					  struct kvm_vcpu *vcpus[]);

/* As __vm_create_with_vcpus(), for a VM of KVM_CREATE_VM type @type. */
static inline struct kvm_vm *vm_create_type_with_vcpus(unsigned long type,
						       uint32_t nr_vcpus,
						       uint64_t extra_mem_pages,
						       void *guest_code,
						       struct kvm_vcpu *vcpus[])
{
	return vm_create_shape_with_vcpus(VM_SHAPE(.type = type), nr_vcpus,
					  extra_mem_pages, guest_code, vcpus);
}
@GMEM_ONLY{@

/* As vm_create_with_one_vcpu(), for a VM whose memory is all guest_memfd. */
static inline struct kvm_vm *
vm_create_gmem_only_with_one_vcpu(struct kvm_vcpu **vcpu, void *guest_code)
{
	return vm_create_shape_with_vcpus(VM_SHAPE(.gmem_only = true), 1, 0,
					  guest_code, vcpu);
}
@}GMEM_ONLY@
