/* The value of @field ("Unevictable:", say) in /proc/meminfo, in kB; -1 if absent. */
long meminfo_kb(const char *field)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT(f, "Error in opening /proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			kb = atol(line + strlen(field));
	fclose(f);
	return kb;
}

/*
 * Unevictable memory (where guest_memfd pages are counted) once per-CPU LRU
 * batches, which may still hold freed pages, are drained (compaction
 * drains them): polled for up to 2 s until it is back to @want kB.
 */
long unevictable_settled(long want)
{
	long kb = meminfo_kb("Unevictable:");
	int i, fd;

	for (i = 0; i < 20 && kb > want; i++) {
		fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
		if (fd >= 0) {
			TEST_ASSERT(write(fd, "1", 1) == 1,
				    "compact_memory: errno %d", errno);
			close(fd);
		}
		usleep(100000);
		kb = meminfo_kb("Unevictable:");
	}
	return kb;
}

/* How many guest_memfd files this process has open. */
int count_gmem_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	char path[300], target[256];
	struct dirent *e;
	ssize_t len;
	int n = 0;

	TEST_ASSERT(d, "opendir: errno %d", errno);
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = 0;
		n += !!strstr(target, "kvm-gmem");
	}
	closedir(d);
	return n;
}

/*
 * Host accesses that guest_memfd may refuse with SIGBUS.  A handler is
 * installed on first use; it returns to the access's caller only while a
 * probe is armed on that thread, and any other SIGBUS fails the test.
 */
static __thread sigjmp_buf sigbus_jmp;
/* Accessed with *_ONCE(), which the compiler keeps in order with the probe. */
static __thread bool sigbus_armed;
static __thread int sigbus_code;

static void sigbus_probe_handler(int sig, siginfo_t *si, void *ctx)
{
	TEST_ASSERT(READ_ONCE(sigbus_armed), "unexpected SIGBUS at %p",
		    si->si_addr);
	WRITE_ONCE(sigbus_code, si->si_code);
	siglongjmp(sigbus_jmp, 1);
}

static void sigbus_probe_install(void)
{
	struct sigaction sa = {
		.sa_sigaction = sigbus_probe_handler,
		.sa_flags = SA_SIGINFO,
	};

	TEST_ASSERT(!sigaction(SIGBUS, &sa, NULL), "sigaction: errno %d", errno);
}

static pthread_once_t sigbus_probe_once = PTHREAD_ONCE_INIT;

/*
 * Read *@p into *@val (if not NULL): 0 if the read went through, else the
 * si_code of the SIGBUS it raised (BUS_ADRERR, BUS_MCEERR_AR, ...).
 */
int sigbus_read(const uint64_t *p, uint64_t *val)
{
	uint64_t v;

	pthread_once(&sigbus_probe_once, sigbus_probe_install);
	WRITE_ONCE(sigbus_armed, true);
	if (sigsetjmp(sigbus_jmp, 1)) {
		WRITE_ONCE(sigbus_armed, false);
		return READ_ONCE(sigbus_code);
	}
	v = READ_ONCE(*p);
	WRITE_ONCE(sigbus_armed, false);
	if (val)
		*val = v;
	return 0;
}

/* Write @val to *@p: 0, or the si_code of the SIGBUS it raised. */
int sigbus_write(uint64_t *p, uint64_t val)
{
	pthread_once(&sigbus_probe_once, sigbus_probe_install);
	WRITE_ONCE(sigbus_armed, true);
	if (sigsetjmp(sigbus_jmp, 1)) {
		WRITE_ONCE(sigbus_armed, false);
		return READ_ONCE(sigbus_code);
	}
	WRITE_ONCE(*p, val);
	WRITE_ONCE(sigbus_armed, false);
	return 0;
}

/* The pfn behind the host's mapping at @p, which must be present. */
uint64_t host_pfn(const void *p)
{
	long psize = getpagesize();
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open pagemap: errno %d", errno);
	TEST_ASSERT_EQ(pread(fd, &entry, 8, (uintptr_t)p / psize * 8), 8);
	close(fd);
	TEST_ASSERT(entry & (1ULL << 63), "page not present in pagemap");
	return entry & ((1ULL << 55) - 1);
}

/* Write @val to a /proc or /sys file: false (errno set) if it fails. */
bool write_file_str(const char *path, const char *val)
{
	ssize_t len = strlen(val);
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, len) == len;
	close(fd);
	return ok;
}

