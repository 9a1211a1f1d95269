
/* How many guest mappings of @size ("4k", "2m", "1g") @vm has. */
uint64_t vm_mapped_pages(struct kvm_vm *vm, const char *size)
{
	char name[16];

	snprintf(name, sizeof(name), "pages_%s", size);
	return vm_get_stat(vm, name);
}
