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
 *
 * Built static against the KVM selftests library of the work tree (see
 * scripts/run-demo.sh) and run inside the QEMU guest.
 */
#define _GNU_SOURCE /* for fallocate(), memmem() */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm_para.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

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
};

static const char *const x86_types[] = {
	"KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM", "KVM_X86_SEV_VM",
	"KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM", "KVM_X86_TDX_VM",
};

static void print_caps(int fd, const char *indent)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].nr);

		printf("%s%-28s (%3d) = %d\n", indent, caps[i].name,
		       caps[i].nr, r);
	}
}

static void show_caps(void)
{
	int kvm = open_kvm_dev_path_or_exit();
	unsigned int t;

	printf("== 1. What this kernel offers\n\n");
	printf("KVM API version %d; capabilities on /dev/kvm:\n",
	       ioctl(kvm, KVM_GET_API_VERSION, 0));
	print_caps(kvm, "  ");
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
	close(kvm);
}

#define PAGE		4096ULL
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

int main(void)
{
	setbuf(stdout, NULL);
	show_caps();
	show_private_memory();
	return 0;
}
