/*
 * KVM_GMEM_SET_ATTRIBUTES on a GUEST_MEMFD_FLAG_IN_PLACE file: 0, or -1
 * with errno set and, if @error_offset is given, the offset that stopped
 * the conversion in it.
 */
static inline int __gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
					uint64_t attributes, uint64_t flags,
					uint64_t *error_offset)
{
	struct kvm_gmem_attributes a = {
		.offset = offset,
		.size = size,
		.attributes = attributes,
		.flags = flags,
	};
	int r = ioctl(fd, KVM_GMEM_SET_ATTRIBUTES, &a);

	if (error_offset)
		*error_offset = a.error_offset;
	return r;
}

static inline void gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
				       uint64_t attributes, uint64_t flags)
{
	int r = __gmem_set_attributes(fd, offset, size, attributes, flags, NULL);

	TEST_ASSERT(!r, "KVM_GMEM_SET_ATTRIBUTES(0x%lx, 0x%lx, 0x%lx, 0x%lx): errno %d",
		    offset, size, attributes, flags, errno);
}

