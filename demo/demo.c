// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'make run': what the running kernel offers for guest_memfd, then a
 * software-protected guest at work, told as a transcript.
 *
 *  1. The capabilities and x86 VM types the kernel reports.
 *  2. A KVM_X86_SW_PROTECTED_VM guest writes a secret into private memory
 *     (guest_memfd).  The VMM then looks for it everywhere it can: the
 *     memslot's shared backing, read() and mmap() of the guest_memfd, and
 *     every readable mapping of its own address space.  It is nowhere.
 *  3. A shared<->private round trip driven by the guest: KVM_HC_MAP_GPA_RANGE
 *     exits ask the VMM to convert a page; the VMM converts it with
 *     KVM_SET_MEMORY_ATTRIBUTES, the guest leaves a message in the shared
 *     page, and the page comes back private and zeroed.
 *  4. An ordinary VM whose whole RAM is one guest_memfd that the VMM
 *     mmap()s: the guest image is loaded through the mapping, the guest runs
 *     from it, and the VMM reads what the guest wrote from the same pages.
 *  5. One pool: a guest_memfd that converts in place.  The guest shares a
 *     buffer (KVM_HC_MAP_GPA_RANGE on x86, pKVM's MEM_SHARE on arm64), the
 *     VMM converts it with KVM_GMEM_SET_ATTRIBUTES and reads it through its
 *     mapping without a copy, the guest takes it back and the VMM's next
 *     read gets SIGBUS; shared again, it is the same physical page.
 *  6. Secret memory restored lazily: a VM whose RAM is out of the kernel's
 *     direct map (GUEST_MEMFD_FLAG_NO_DIRECT_MAP) is snapshotted through the
 *     VMM's mapping; a new VM runs at once on an empty file, and a
 *     userfaultfd handler copies each page in on the guest's first touch:
 *     the counts show that only the pages the guest used were restored.
 *
 * Acts 2 and 3 need x86 (KVM_X86_SW_PROTECTED_VM); acts 1, 4, 5 and 6 run
 * on x86_64 and arm64 (there numbered 1 to 4).  Built static against the
 * KVM selftests library of the work tree (see scripts/run-demo.sh) and run
 * inside the QEMU guest.
 */
#define _GNU_SOURCE /* for fallocate(), memmem() */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "gmem_uffd.h"
#include "gmem_util.h"
#include "guest_cmd.h"
#include "processor.h"
#include "ucall_common.h"
#ifdef __x86_64__
#include <linux/kvm_para.h>
#endif

/* Mainline numbers (shared/abi.md). */
static const struct {
	int nr;
	const char *name;
} caps[] = {
	{ 81,  "KVM_CAP_READONLY_MEM" },
	{ 201, "KVM_CAP_EXIT_HYPERCALL" },
	{ 231, "KVM_CAP_USER_MEMORY2" },
	{ 232, "KVM_CAP_MEMORY_FAULT_INFO" },
	{ 233, "KVM_CAP_MEMORY_ATTRIBUTES" },
	{ 234, "KVM_CAP_GUEST_MEMFD" },
	{ 235, "KVM_CAP_VM_TYPES" },
	{ 236, "KVM_CAP_PRE_FAULT_MEMORY" },
	{ 244, "KVM_CAP_GUEST_MEMFD_FLAGS" },
	{ 1024, "KVM_CAP_GUEST_MEMFD_IN_PLACE" },
	{ 1025, "KVM_CAP_GUEST_MEMFD_HUGE_PMD" },
	{ 1026, "KVM_CAP_GUEST_MEMFD_NO_DIRECT_MAP" },
	{ 1027, "KVM_CAP_GUEST_MEMFD_WRITE" },
	{ 1028, "KVM_CAP_GUEST_MEMFD_USERFAULT" },
};

static void print_caps(int fd, const char *indent)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].nr);

		printf("%s%-33s (%4d) = %d\n", indent, caps[i].name,
		       caps[i].nr, r);
	}
}

#ifdef __x86_64__
static const char *const x86_types[] = {
	"KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM", "KVM_X86_SEV_VM",
	"KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM", "KVM_X86_TDX_VM",
};

static void show_vm_types(int kvm)
{
	unsigned int t;

	printf("\nKVM_CREATE_VM by x86 VM type:\n");
	for (t = 0; t < ARRAY_SIZE(x86_types); t++) {
		int vm = ioctl(kvm, KVM_CREATE_VM, t);

		if (vm < 0) {
			printf("  type %u %-24s rejected: %s\n", t, x86_types[t],
			       strerror(errno));
			continue;
		}
		printf("  type %u %-24s accepted\n", t, x86_types[t]);
		close(vm);
	}
}
#else
static void show_vm_types(int kvm)
{
	printf("\narm64 has no VM types for guest_memfd: every VM can use it.\n");
}
#endif

static void show_caps(void)
{
	int kvm = open_kvm_dev_path_or_exit();

	printf("== 1. What this kernel offers (%s)\n\n",
#ifdef __x86_64__
	       "x86_64"
#else
	       "arm64"
#endif
	       );
	printf("KVM API version %d; capabilities on /dev/kvm:\n",
	       ioctl(kvm, KVM_GET_API_VERSION, 0));
	print_caps(kvm, "  ");
	show_vm_types(kvm);
	close(kvm);
}

static void run_expect_sync(struct kvm_vcpu *vcpu, uint64_t want, uint64_t *val)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		if (val)
			*val = uc.args[1];
		else
			TEST_ASSERT_EQ(uc.args[1], want);
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("unexpected exit %u", vcpu->run->exit_reason);
	}
}

#ifdef __x86_64__
#define SLOT		10
#define SECRET_GPA	0xc0000000ULL		/* private, holds the secret */
#define MSG_GPA		(SECRET_GPA + PAGE)	/* goes shared and back */
#define SECRET_LEN	40		/* with its NUL */
/*
 * The secret, xor-ed with 0x5a so that its plain text is nowhere in this
 * program's image: the guest decodes it into private memory, and the only
 * plain copy the VMM holds is the needle it searches with.
 */
static const uint8_t secret_enc[SECRET_LEN] = {
	0x3d, 0x2f, 0x3f, 0x29, 0x2e, 0x7a, 0x29, 0x3f, 0x39, 0x28, 0x3f, 0x2e,
	0x60, 0x7a, 0x3b, 0x2e, 0x2e, 0x3b, 0x39, 0x31, 0x7a, 0x3b, 0x2e, 0x7a,
	0x3e, 0x3b, 0x2d, 0x34, 0x76, 0x7a, 0x3d, 0x3b, 0x2e, 0x3f, 0x7a, 0x6d,
	0x7a, 0x35, 0x31, 0x5a,
};
static const char guest_msg[] = "hello VMM, from the guest, via a shared page";

enum { SYNC_SECRET = 1, SYNC_MSG, SYNC_BACK };

static void guest_code(void)
{
	uint8_t *secret = (uint8_t *)SECRET_GPA;
	uint64_t *msg = (uint64_t *)MSG_GPA;
	int i;

	for (i = 0; i < SECRET_LEN; i++)
		secret[i] = secret_enc[i] ^ 0x5a;
	GUEST_SYNC(SYNC_SECRET);

	/* Convert the message page to shared, write, convert it back. */
	GUEST_ASSERT(!kvm_hypercall(KVM_HC_MAP_GPA_RANGE, MSG_GPA, 1,
				    KVM_MAP_GPA_RANGE_DECRYPTED |
				    KVM_MAP_GPA_RANGE_PAGE_SZ_4K, 0));
	memcpy(msg, guest_msg, sizeof(guest_msg));
	GUEST_SYNC(SYNC_MSG);

	GUEST_ASSERT(!kvm_hypercall(KVM_HC_MAP_GPA_RANGE, MSG_GPA, 1,
				    KVM_MAP_GPA_RANGE_ENCRYPTED |
				    KVM_MAP_GPA_RANGE_PAGE_SZ_4K, 0));
	GUEST_SYNC(READ_ONCE(*msg));
	GUEST_DONE();
}

static char needle[SECRET_LEN];

/* Every readable mapping of this process, searched for the secret. */
static void scan_own_memory(void)
{
	unsigned long start, end, total = 0;
	char line[512], perms[8], path[256];
	int hits = 0, regions = 0;
	FILE *maps = fopen("/proc/self/maps", "r");

	TEST_ASSERT(maps, "/proc/self/maps");
	while (fgets(line, sizeof(line), maps)) {
		char *p, *found;

		path[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end,
			   perms, path) < 3 || perms[0] != 'r' ||
		    !strcmp(path, "[vvar]") || !strcmp(path, "[vsyscall]"))
			continue;
		regions++;
		total += end - start;
		for (p = (char *)start; p < (char *)end; p = found + 1) {
			found = memmem(p, (char *)end - p, needle, SECRET_LEN - 1);
			if (!found)
				break;
			if (found != needle)
				hits++;
		}
	}
	fclose(maps);
	printf("VMM:   searched all %d readable mappings of the VMM (%lu MiB, guest\n"
	       "       memory, kvm_run and heap included): %s\n", regions,
	       total >> 20, hits ? "SECRET FOUND" : "not found");
	TEST_ASSERT(!hits, "the secret is visible to the host");
}

/* Serve one KVM_HC_MAP_GPA_RANGE exit the way a VMM does. */
static void serve_map_gpa_range(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
				int gmem)
{
	struct kvm_run *run = vcpu->run;
	uint64_t gpa, npages, attrs;
	bool private;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_HYPERCALL &&
		    run->hypercall.nr == KVM_HC_MAP_GPA_RANGE,
		    "expected a KVM_HC_MAP_GPA_RANGE exit, got %u",
		    run->exit_reason);
	gpa = run->hypercall.args[0];
	npages = run->hypercall.args[1];
	attrs = run->hypercall.args[2];
	private = attrs & KVM_MAP_GPA_RANGE_ENCRYPTED;
	printf("guest: KVM_HC_MAP_GPA_RANGE(gpa 0x%lx, %lu page, %s)\n"
	       "       -> exit KVM_EXIT_HYPERCALL (%s mode)\n", gpa, npages,
	       private ? "private" : "shared",
	       run->hypercall.flags & KVM_EXIT_HYPERCALL_LONG_MODE ?
	       "long" : "legacy");

	vm_set_memory_attributes(vm, gpa, npages * PAGE,
				 private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
	if (!private) {
		/* Drop the private copy, as a VMM does on conversion. */
		TEST_ASSERT(!fallocate(gmem, FALLOC_FL_KEEP_SIZE |
				       FALLOC_FL_PUNCH_HOLE,
				       gpa - SECRET_GPA, npages * PAGE),
			    "punch hole");
	}
	printf("VMM:   KVM_SET_MEMORY_ATTRIBUTES(0x%lx, %llu KiB, %s)%s; return 0\n",
	       gpa, npages * PAGE / 1024, private ? "PRIVATE" : "shared",
	       private ? "" : ", private copy punched out of the guest_memfd");
	run->hypercall.ret = 0;
}

static void show_private_memory(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t val;
	char buf[64];
	uint8_t *hva;
	ssize_t n;
	void *p;
	int gmem, i;

	printf("\n== 2. A secret in private memory\n\n");
	if (!(kvm_check_cap(KVM_CAP_VM_TYPES) & BIT(KVM_X86_SW_PROTECTED_VM))) {
		printf("KVM_X86_SW_PROTECTED_VM is not offered here.\n");
		return;
	}
	for (i = 0; i < SECRET_LEN; i++)
		needle[i] = secret_enc[i] ^ 0x5a;

	vm = vm_create_type_with_vcpus(KVM_X86_SW_PROTECTED_VM, 1, 0,
				       guest_code, &vcpu);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, BIT(KVM_HC_MAP_GPA_RANGE));
	gmem = vm_create_guest_memfd(vm, 2 * PAGE, 0);
	vm_mem_add(vm, VM_MEM_SRC_ANONYMOUS, SECRET_GPA, SLOT, 2,
		   KVM_MEM_GUEST_MEMFD, gmem, 0);
	virt_map(vm, SECRET_GPA, SECRET_GPA, 2);
	vm_mem_set_private(vm, SECRET_GPA, 2 * PAGE);
	hva = addr_gpa2hva(vm, SECRET_GPA);
	printf("VMM:   software-protected VM, memslot %d = gpa 0x%llx..0x%llx, backed\n"
	       "       by guest_memfd fd %d and by shared memory at %p; both pages PRIVATE\n",
	       SLOT, SECRET_GPA, SECRET_GPA + 2 * PAGE, gmem, hva);

	run_expect_sync(vcpu, SYNC_SECRET, NULL);
	/* Not printed yet: stdio could leave a copy on the stack. */
	printf("guest: wrote a %d-byte secret at gpa 0x%llx\n", SECRET_LEN - 1,
	       SECRET_GPA);

	for (i = 0; i < PAGE && !hva[i]; i++)
		;
	printf("VMM:   the memslot's shared memory at gpa 0x%llx reads: %s\n",
	       SECRET_GPA, i < PAGE ? "data" : "all zeroes");
	TEST_ASSERT(!memmem(hva, PAGE, needle, SECRET_LEN - 1),
		    "the secret is in the shared backing");
	n = read(gmem, buf, sizeof(buf));
	printf("VMM:   read() of the guest_memfd: %zd (%s)\n", n,
	       n < 0 ? strerror(errno) : "READ (wrong!)");
	TEST_ASSERT(n < 0, "guest_memfd must not be readable");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, gmem, 0);
	printf("VMM:   mmap() of the guest_memfd: %s\n",
	       p == MAP_FAILED ? strerror(errno) : "MAPPED (wrong!)");
	TEST_ASSERT(p == MAP_FAILED, "guest_memfd must not be mappable");
	scan_own_memory();
	printf("       (the secret was \"%s\")\n", needle);

	printf("\n== 3. Shared <-> private round trip, driven by the guest\n\n");
	serve_map_gpa_range(vm, vcpu, gmem);
	run_expect_sync(vcpu, SYNC_MSG, NULL);
	printf("guest: wrote its message into gpa 0x%llx\n", MSG_GPA);
	printf("VMM:   reads at gpa 0x%llx through its own mapping: \"%s\"\n",
	       MSG_GPA, (char *)hva + PAGE);
	TEST_ASSERT(!strcmp((char *)hva + PAGE, guest_msg), "message lost");

	serve_map_gpa_range(vm, vcpu, gmem);
	run_expect_sync(vcpu, 0, &val);
	printf("guest: reads gpa 0x%llx, private again: 0x%016lx (%s)\n",
	       MSG_GPA, val, val ? "NOT ZERO" : "a fresh zeroed page");
	TEST_ASSERT(!val, "a page must come back zeroed");
	printf("VMM:   its shared copy still says \"%s\":\n"
	       "       the VMM's to keep or clear; the guest no longer sees it.\n",
	       (char *)hva + PAGE);

	kvm_vm_free(vm);
	close(gmem);
	printf("\nVM and guest_memfd closed.\n");
}
#endif /* __x86_64__ */

/* Act 4: the guest leaves a message in its own (guest_memfd) memory. */
static char ram_msg[64];
static const char ram_text[] = "hello VMM, from a guest whose RAM is a guest_memfd";

static void ram_guest_code(void)
{
	memcpy(ram_msg, ram_text, sizeof(ram_text));
	GUEST_SYNC(1);
	/* The page was punched out under the guest: it reads zeroes now. */
	GUEST_SYNC(READ_ONCE(ram_msg[0]));
	GUEST_DONE();
}

/* The /proc/self/maps line of the mapping that contains @p. */
static void show_mapping(void *p)
{
	unsigned long start, end;
	char line[512];
	FILE *maps = fopen("/proc/self/maps", "r");

	TEST_ASSERT(maps, "/proc/self/maps");
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    (unsigned long)p >= start && (unsigned long)p < end)
			printf("       %s", line);
	}
	fclose(maps);
}

static void show_gmem_ram(int act)
{
	struct userspace_mem_region *region;
	unsigned long resident = 0, i, npages;
	unsigned char *vec;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t val;
	char *msg;

	printf("\n== %d. An ordinary VM whose RAM is one guest_memfd\n\n", act);
	if (!(kvm_check_cap(KVM_CAP_GUEST_MEMFD_FLAGS) & GUEST_MEMFD_FLAG_MMAP)) {
		printf("GUEST_MEMFD_FLAG_MMAP is not offered here.\n");
		return;
	}

	vm = vm_create_gmem_only_with_one_vcpu(&vcpu, ram_guest_code);
	ucall_init(vm, NULL);
	region = memslot2region(vm, 0);
	npages = region->region.memory_size / PAGE;
	printf("VMM:   KVM_CREATE_GUEST_MEMFD(%lu MiB, MMAP | INIT_SHARED), mmap()ed\n"
	       "       MAP_SHARED at %p, bound as memslot 0 (gpa 0x0..0x%lx):\n",
	       (unsigned long)(npages * PAGE >> 20), region->host_mem,
	       (unsigned long)(npages * PAGE));
	show_mapping(region->host_mem);
	printf("       KVM_SET_USER_MEMORY_REGION2(KVM_MEM_GUEST_MEMFD): no other memory\n"
	       "       behind the VM; the fd is closed, the mapping keeps the file\n");

	vec = calloc(npages, 1);
	TEST_ASSERT(vec && !mincore(region->host_mem, npages * PAGE, vec), "mincore");
	for (i = 0; i < npages; i++)
		resident += vec[i] & 1;
	printf("VMM:   loaded the guest image, page tables and stack through the\n"
	       "       mapping: %lu of the file's %lu pages now hold data\n",
	       resident, npages);

	run_expect_sync(vcpu, 1, NULL);
	msg = addr_gva2hva(vm, (vm_vaddr_t)ram_msg);
	printf("guest: ran from guest_memfd and wrote a message at gpa 0x%lx\n",
	       (unsigned long)addr_hva2gpa(vm, msg));
	printf("VMM:   reads it through its mapping, no copy: \"%s\"\n", msg);
	TEST_ASSERT(!strcmp(msg, ram_text), "message lost");

	/* MADV_REMOVE punches a hole in the file behind the mapping. */
	TEST_ASSERT(!madvise((void *)((unsigned long)msg & ~(PAGE - 1)), PAGE,
			     MADV_REMOVE), "MADV_REMOVE: errno %d", errno);
	printf("VMM:   punches that page out of the guest_memfd (MADV_REMOVE on its\n"
	       "       mapping): the VMM's view reads %s\n",
	       msg[0] ? "data (wrong!)" : "zeroes");
	run_expect_sync(vcpu, 0, &val);
	printf("guest: reads its message again: %s\n",
	       val ? "data (wrong!)" : "zeroes, a fresh page");
	TEST_ASSERT(!val && !msg[0], "a punched page must read zeroes");

	free(vec);
	kvm_vm_free(vm);
	printf("\nVM freed; the guest_memfd went with its last mapping.\n");
}

/* Act 5: one pool, converted in place. */
#define BUF_GPA		0xd0000000ULL
#define BUF_SLOT	11
#define BUF_PAGES	4
#define SMCCC_KVM_MEM_SHARE	0xc6000003U
#define SMCCC_KVM_MEM_UNSHARE	0xc6000004U

static const char buf_text[] = "hello VMM, from the guest, in place: no copy, no second page";

/* Ask the host to make the buffer page shared or private again. */
static uint64_t guest_share(bool share)
{
#ifdef __x86_64__
	return kvm_hypercall(KVM_HC_MAP_GPA_RANGE, BUF_GPA, 1,
			     share ? 0 : KVM_MAP_GPA_RANGE_ENCRYPTED, 0);
#else
	struct arm_smccc_res res;

	smccc_hvc(share ? SMCCC_KVM_MEM_SHARE : SMCCC_KVM_MEM_UNSHARE, BUF_GPA,
		  0, 0, 0, 0, 0, 0, &res);
	return res.a0;
#endif
}

static void buf_guest_code(void)
{
	memcpy((void *)BUF_GPA, buf_text, sizeof(buf_text));
	GUEST_SYNC(1);
	GUEST_SYNC(guest_share(true));
	GUEST_SYNC(guest_share(false));
	GUEST_SYNC(guest_share(true));
	GUEST_DONE();
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Read the buffer through the VMM's mapping: its text, or "SIGBUS". */
static const char *vmm_read(const char *p)
{
	static char copy[sizeof(buf_text)];
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	const char *r = copy;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		r = "SIGBUS";
	else
		memcpy(copy, p, sizeof(copy));
	sigaction(SIGBUS, &old, NULL);
	return r;
}

static uint64_t pfn_of(const void *p)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0 && pread(fd, &entry, 8, (uintptr_t)p / PAGE * 8) == 8,
		    "pagemap");
	close(fd);
	return entry & ((1ULL << 55) - 1);
}

/* Run the guest to its next sync, converting in place whatever it asks. */
static uint64_t serve_in_place(struct kvm_vcpu *vcpu, int gmem)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_gmem_attributes a = { .size = PAGE };
	uint64_t gpa, val;
	bool private;
	int r;

	r = _vcpu_run(vcpu);
#ifdef __x86_64__
	TEST_ASSERT(!r && run->exit_reason == KVM_EXIT_HYPERCALL,
		    "expected a KVM_HC_MAP_GPA_RANGE exit, got %u", run->exit_reason);
	gpa = run->hypercall.args[0];
	private = run->hypercall.args[2] & KVM_MAP_GPA_RANGE_ENCRYPTED;
	printf("guest: KVM_HC_MAP_GPA_RANGE(gpa 0x%lx, 1 page, %s)\n"
	       "       -> exit KVM_EXIT_HYPERCALL\n", gpa,
	       private ? "private" : "shared");
	run->hypercall.ret = 0;
#else
	TEST_ASSERT(r == -1 && errno == EFAULT &&
		    run->exit_reason == KVM_EXIT_MEMORY_FAULT,
		    "expected a MEM_SHARE exit, got %u", run->exit_reason);
	gpa = run->memory_fault.gpa;
	private = run->memory_fault.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;
	printf("guest: %s(gpa 0x%lx)\n"
	       "       -> KVM_RUN: EFAULT, exit KVM_EXIT_MEMORY_FAULT (flags %s)\n",
	       private ? "MEM_UNSHARE" : "MEM_SHARE", gpa,
	       private ? "PRIVATE" : "0");
#endif
	a.offset = gpa - BUF_GPA;
	a.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
	TEST_ASSERT(!ioctl(gmem, KVM_GMEM_SET_ATTRIBUTES, &a),
		    "KVM_GMEM_SET_ATTRIBUTES: errno %d", errno);
	printf("VMM:   KVM_GMEM_SET_ATTRIBUTES(offset 0x%llx, 4 KiB, %s) on the\n"
	       "       guest_memfd: the same page changes hands, contents kept\n",
	       a.offset, private ? "PRIVATE" : "shared");
	run_expect_sync(vcpu, 0, &val);
	printf("guest: the call returned %ld\n", (long)val);
	return val;
}

static void show_in_place(int act)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t pfn;
	const char *p;
	int gmem;

	printf("\n== %d. One pool: shared and private in one guest_memfd, in place\n\n",
	       act);
	if (!kvm_check_cap(KVM_CAP_GUEST_MEMFD_IN_PLACE)) {
		printf("KVM_CAP_GUEST_MEMFD_IN_PLACE is not offered here.\n");
		return;
	}
#ifdef __x86_64__
	vm = vm_create_type_with_vcpus(KVM_X86_SW_PROTECTED_VM, 1, 0,
				       buf_guest_code, &vcpu);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, 1 << KVM_HC_MAP_GPA_RANGE);
#else
	vm = vm_create_with_one_vcpu(&vcpu, buf_guest_code);
#endif
	ucall_init(vm, NULL);
	vm_enable_cap(vm, KVM_CAP_GUEST_MEMFD_IN_PLACE, 0);
	gmem = vm_create_guest_memfd(vm, BUF_PAGES * PAGE,
				     GUEST_MEMFD_FLAG_IN_PLACE);
	vm_gmem_only_mem_add(vm, BUF_GPA, BUF_SLOT, BUF_PAGES, gmem, 0);
	virt_map(vm, BUF_GPA, BUF_GPA, BUF_PAGES);
	p = addr_gpa2hva(vm, BUF_GPA);
	printf("VMM:   KVM_ENABLE_CAP(KVM_CAP_GUEST_MEMFD_IN_PLACE), then\n"
	       "       KVM_CREATE_GUEST_MEMFD(%llu KiB, IN_PLACE): private until shared,\n"
	       "       mmap()ed at %p and bound at gpa 0x%llx\n",
	       BUF_PAGES * PAGE / 1024, p, BUF_GPA);

	run_expect_sync(vcpu, 1, NULL);
	printf("guest: wrote a message into its private page at gpa 0x%llx\n",
	       BUF_GPA);
	printf("VMM:   reads it through its mapping: %s\n", vmm_read(p));

	serve_in_place(vcpu, gmem);
	printf("VMM:   reads through its mapping: \"%s\"\n", vmm_read(p));
	pfn = pfn_of(p);
	printf("VMM:   the page is pfn 0x%lx (/proc/self/pagemap)\n", pfn);

	serve_in_place(vcpu, gmem);
	printf("VMM:   reads through its mapping: %s\n", vmm_read(p));

	serve_in_place(vcpu, gmem);
	printf("VMM:   reads through its mapping: \"%s\"\n", vmm_read(p));
	printf("VMM:   the page is pfn 0x%lx: %s\n", pfn_of(p),
	       pfn_of(p) == pfn ? "the same page, never copied" : "ANOTHER PAGE");
	TEST_ASSERT(pfn_of(p) == pfn && !strcmp(vmm_read(p), buf_text),
		    "in-place conversion lost the page or its contents");

	close(gmem);
	kvm_vm_free(vm);
	printf("\nVM and guest_memfd closed.\n");
}

/* Act 6: memory out of the direct map, snapshotted and restored lazily. */
#define SNAP_SLOT	10
#define SNAP_GPA	0x100000000ULL
#define SNAP_PAGES	64ULL

enum { SNAP_FILL = 1, SNAP_CHECK };

/*
 * Fill the @n pages from @gpa with words @val + their index, or check the
 * even ones (the half of its memory this guest uses) and count the words
 * that differ.
 */
static void snap_guest_code(uint64_t id)
{
	for (;;) {
		struct guest_cmd c = guest_cmd_get(id);
		uint64_t *p = (uint64_t *)c.gpa, i, bad = 0;

		if (c.op != SNAP_FILL && c.op != SNAP_CHECK)
			GUEST_DONE();
		for (i = 0; i < c.n * PAGE / 8; i++) {
			if (c.op == SNAP_FILL)
				WRITE_ONCE(p[i], c.val + i);
			else if (!(i / (PAGE / 8) % 2) &&
				 READ_ONCE(p[i]) != c.val + i)
				bad++;
		}
		GUEST_SYNC(bad);
	}
}

/* The pages the file of @fd holds, from its fdinfo. */
static long gmem_pages(int fd)
{
	char path[64], line[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	TEST_ASSERT(f, "%s", path);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "gmem_small_pages: %ld", &n);
	fclose(f);
	return n;
}

static void show_lazy_restore(int act)
{
	const uint64_t flags = GUEST_MEMFD_FLAG_NO_DIRECT_MAP, seed = 0x5ec12e7;
	const uint64_t size = SNAP_PAGES * PAGE;
	struct gmem_uffd_handler h;
	struct gmem_vm a, b;
	uint64_t bad, seen;
	char *snapshot;
	int uffd;

	printf("\n== %d. Secret memory, snapshotted and restored lazily\n\n", act);
	if (!kvm_check_cap(KVM_CAP_GUEST_MEMFD_NO_DIRECT_MAP) ||
	    !kvm_check_cap(KVM_CAP_GUEST_MEMFD_USERFAULT)) {
		printf("NO_DIRECT_MAP or userfaultfd on guest_memfd is not offered here.\n");
		return;
	}

	a = gmem_vm_create_shared(1, snap_guest_code, SNAP_SLOT, SNAP_GPA,
				  SNAP_PAGES, flags);
	printf("VMM:   VM A's memory at gpa 0x%llx: a guest_memfd of %llu pages,\n"
	       "       MMAP | INIT_SHARED | NO_DIRECT_MAP: out of the kernel's direct\n"
	       "       map, in the VMM's mapping only\n", SNAP_GPA, SNAP_PAGES);
	TEST_ASSERT(!guest_cmd_run(a.vcpus[0], SNAP_FILL, SNAP_GPA, seed,
				   SNAP_PAGES), "fill");
	printf("guest: fills all %llu pages\n", SNAP_PAGES);
	snapshot = malloc(size);
	TEST_ASSERT(snapshot, "malloc");
	memcpy(snapshot, a.host, size);
	printf("VMM:   saves them through its mapping (%llu KiB) and destroys VM A\n",
	       size >> 10);
	gmem_vm_destroy(&a);

	b = gmem_vm_create_shared(1, snap_guest_code, SNAP_SLOT, SNAP_GPA,
				  SNAP_PAGES, flags);
	uffd = uffd_open();
	TEST_ASSERT(!uffd_register(uffd, b.host, size,
				   UFFDIO_REGISTER_MODE_MISSING, NULL),
		    "UFFDIO_REGISTER");
	gmem_uffd_handler_start(&h, uffd, -1, b.host, snapshot);
	printf("VMM:   VM B, the same shape on a new, empty guest_memfd (%ld pages\n"
	       "       in it); its mapping registered with userfaultfd (MISSING), a\n"
	       "       handler thread to copy each page in from the snapshot on its\n"
	       "       first fault; the guest runs at once\n", gmem_pages(b.fd));
	bad = guest_cmd_run(b.vcpus[0], SNAP_CHECK, SNAP_GPA, seed, SNAP_PAGES);
	seen = h.missing;
	printf("guest: checks every word of the %llu pages it uses (every other\n"
	       "       one): %lu differ\n", SNAP_PAGES / 2, bad);
	printf("VMM:   userfaults resolved by UFFDIO_COPY: %lu, the guest's faults\n"
	       "       through KVM; pages in the file: %ld of %llu\n", seen,
	       gmem_pages(b.fd), SNAP_PAGES);
	TEST_ASSERT(!bad && seen == SNAP_PAGES / 2, "lazy restore");
	TEST_ASSERT(!memcmp(b.host, snapshot, size), "restored memory differs");
	printf("VMM:   reads all of its memory: %lu more userfaults (its own),\n"
	       "       every page as saved; pages in the file: %ld of %llu\n",
	       h.missing - seen, gmem_pages(b.fd), SNAP_PAGES);
	gmem_uffd_handler_stop(&h);
	close(uffd);
	gmem_vm_destroy(&b);
	free(snapshot);
	printf("\nBoth VMs freed; their pages went back to the direct map, zeroed.\n");
}

/* "demo --caps": act 1 alone (what 'make deb-check' shows of a system). */
int main(int argc, char **argv)
{
	setbuf(stdout, NULL);
	show_caps();
	if (argc > 1 && !strcmp(argv[1], "--caps"))
		return 0;
#ifdef __x86_64__
	show_private_memory();
	show_gmem_ram(4);
	show_in_place(5);
	show_lazy_restore(6);
#else
	show_gmem_ram(2);
	show_in_place(3);
	show_lazy_restore(4);
#endif
	return 0;
}
