// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the running kernel offers for guest_memfd: the capabilities and the
 * x86 VM types it reports, on /dev/kvm and on a VM of each type.  Built
 * static against the work tree's uapi headers and run inside the guest by
 * 'make run'.  It grows with the series.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

/* Mainline numbers (shared/abi.md), for headers that predate them. */
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

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].nr);

		printf("%s%-28s (%3d) = %d%s\n", indent, caps[i].name,
		       caps[i].nr, r, r > 1 ? " (bitmap/value)" : "");
	}
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	unsigned int t;

	if (kvm < 0) {
		perror("open /dev/kvm");
		return 1;
	}
	printf("KVM API version %d\n\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
	printf("Capabilities on /dev/kvm:\n");
	print_caps(kvm, "  ");
#ifdef __x86_64__
	printf("\nKVM_CREATE_VM by x86 VM type:\n");
	for (t = 0; t < sizeof(x86_types) / sizeof(x86_types[0]); t++) {
		int vm = ioctl(kvm, KVM_CREATE_VM, t);

		if (vm < 0) {
			printf("  type %u %-24s rejected: %s\n", t, x86_types[t],
			       strerror(errno));
			continue;
		}
		printf("  type %u %-24s accepted; on the VM fd:\n", t,
		       x86_types[t]);
		print_caps(vm, "      ");
		close(vm);
	}
#else
	(void)t;
	printf("\n(VM types are an x86 notion; arm64 passes the IPA size.)\n");
#endif
	close(kvm);
	return 0;
}
