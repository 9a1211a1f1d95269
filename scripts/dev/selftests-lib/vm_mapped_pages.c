
/*
 * How many guest mappings of @size ("4k", "2m", "1g") @vm has: x86's
 * pages_* VM stats, arm64's counts of stage-2 mappings in the VM's debugfs.
 */
uint64_t vm_mapped_pages(struct kvm_vm *vm, const char *size)
{
	char name[96];
#ifdef __x86_64__
	snprintf(name, sizeof(name), "pages_%s", size);
	return vm_get_stat(vm, name);
#else
	uint64_t val = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/sys/kernel/debug/kvm/%d-%d/pages_%s",
		 getpid(), vm->fd, size);
	f = fopen(name, "r");
	TEST_ASSERT(f, "open %s: errno %d", name, errno);
	TEST_ASSERT_EQ(fscanf(f, "%lu", &val), 1);
	fclose(f);
	return val;
#endif
}
