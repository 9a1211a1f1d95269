static inline void gmem_set_private(int fd, uint64_t offset, uint64_t size)
{
	gmem_set_attributes(fd, offset, size, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0);
}

static inline void gmem_set_shared(int fd, uint64_t offset, uint64_t size)
{
	gmem_set_attributes(fd, offset, size, 0, 0);
}

