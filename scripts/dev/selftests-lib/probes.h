long meminfo_kb(const char *field);
long unevictable_settled(long want);
int count_gmem_fds(void);
int sigbus_read(const uint64_t *p, uint64_t *val);
int sigbus_write(uint64_t *p, uint64_t val);
uint64_t host_pfn(const void *p);
bool write_file_str(const char *path, const char *val);
