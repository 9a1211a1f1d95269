/* The VM of these tests, with one IN_PLACE file of @gmem_flags. */
static struct gmem_vm create_test_vm(uint64_t gmem_flags)
{
	return gmem_vm_create_in_place(NR_VCPUS, guest_code, SLOT, GPA, NPAGES,
				       gmem_flags);
}

