# Front door of the guest_memfd-for-6.1 patch series.  See README.md.
SHELL := /bin/bash
S := scripts
TREE := build/linux
ARCHES := x86_64 arm64

.PHONY: all run check deps tree export export-check checkpatch bisect-check docs-check sparse-check \
	kernels selftests $(addprefix kernel-,$(ARCHES)) \
	$(addprefix selftests-,$(ARCHES)) $(addprefix test-,$(ARCHES)) \
	kernel-modules test-modules bench soak demo shell-x86_64 shell-arm64 clean help \
	deb deb-check deb-configs export-debian deps-deb

all: help

help:
	@echo "make run           build the x86_64 kernel, boot it, run the demo (ARCH=arm64: on arm64)"
	@echo "make check         build and test both arches (what CI runs)"
	@echo "make test-ARCH     build and test one arch (x86_64, arm64); TESTS=regex filters"
	@echo "make test-modules  build KVM as modules (x86_64) and test that build"
	@echo "make bench         run the benchmarks: P1-P8, conversion round trips, walk (ARCH=arm64, KCONFIG=production, BENCHES=, PRIVATE_BENCH_ARGS=, CONVERSION_BENCH_ARGS=, HUGE_BENCH_ARGS=, DIRECT_MAP_BENCH_ARGS=, WRITE_BENCH_ARGS=, UFFD_BENCH_ARGS=)"
	@echo "make soak          run guest_memfd_stress for DURATION seconds (default 1800; ARCH=arm64, SEED=..., STRESS_ARGS=...)"
	@echo "make tree          recreate build/linux from the base + patches/"
	@echo "make export        write build/linux commits back to patches/"
	@echo "make export-check  fail if build/linux holds unexported work"
	@echo "make checkpatch    checkpatch.pl --strict on every patch"
	@echo "make bisect-check  build every patch of the series in turn"
	@echo "make docs-check    build Documentation/virt/kvm with Sphinx, fail on warnings"
	@echo "make sparse-check  sparse over KVM and the mm files the series changes (kb14)"
	@echo "make shell-ARCH    boot the test guest with a shell on the console"
	@echo "make deb           Debian packages of the kernel, built with Debian's config (FLAVOUR=cloud-amd64; ARCH=arm64: cloud-arm64)"
	@echo "make deb-check     install the package in a debootstrapped Debian 12, boot it with systemd, run the tests there"
	@echo "make deb-configs   build KVM and mm/ with Debian's amd64 and arm64 configs and their variants (THP, NUMA, MEMORY_FAILURE, SW_PROTECTED_VM)"
	@echo "make export-debian the series as debian/patches/features/all/guest-memfd + series lines; checked on Debian's source package"

deps:
	@$(S)/deps.sh

# The work tree is made from patches/ when missing; an existing one is what
# a developer edits, so it is used as it is.
$(TREE)/.git:
	@$(S)/deps.sh
	@$(S)/tree.sh

tree: deps
	@$(S)/tree.sh

export:
	@$(S)/export.sh

export-check:
	@$(S)/export-check.sh

checkpatch: $(TREE)/.git
	@$(S)/checkpatch.sh

bisect-check: $(TREE)/.git
	@$(S)/bisect-check.sh

$(addprefix kernel-,$(ARCHES)): kernel-%: $(TREE)/.git
	@$(S)/build-kernel.sh $* debug

$(addprefix selftests-,$(ARCHES)): selftests-%: kernel-%
	@$(S)/build-selftests.sh $*

$(addprefix test-,$(ARCHES)): test-%: deps $(TREE)/.git
	@$(S)/check.sh $*

check: deps $(TREE)/.git
	@$(S)/check.sh $(ARCHES) x86_64-modules docs sparse

# Sphinx on Documentation/virt/kvm: any warning fails.
docs-check: deps $(TREE)/.git
	@$(S)/docs-check.sh

# sparse on the KVM and mm code: no warning on a line the series added (kb14).
sparse-check: deps $(TREE)/.git
	@$(S)/sparse-check.sh

# The distro shape: kvm.ko, kvm-amd.ko and kvm-intel.ko, loaded by the guest.
kernel-modules: $(TREE)/.git
	@$(S)/build-kernel.sh x86_64 modules

test-modules: deps $(TREE)/.git
	@$(S)/check.sh x86_64-modules

# ARCH=arm64 runs the demo on the arm64 guest instead.
run: deps $(TREE)/.git
	@$(S)/run-demo.sh $(or $(ARCH),x86_64)

# Figures, not pass/fail: P1, P2 (private memory), P4 and conversion round
# trips (in-place conversion), P3, P1 with huge pages and the memory walk
# (huge pages).  ARCH=arm64 runs what arm64 has; KCONFIG=production boots a
# kernel without the debug options.
bench: deps $(TREE)/.git
	@$(S)/run-bench.sh $(or $(ARCH),x86_64)

# The long run of the stress test that 'make check' runs for a minute.
soak: deps $(TREE)/.git
	@$(S)/soak.sh $(or $(ARCH),x86_64)

$(addprefix shell-,$(ARCHES)): shell-%: selftests-%
	@$(S)/shell.sh $*

# The distro shape, on demand (not in 'make check'): Debian's configs,
# packages, a Debian system.  See README, "For distributions".
deps-deb:
	@$(S)/deps.sh deb

deb: deps-deb $(TREE)/.git
	@$(S)/deb.sh $(or $(ARCH),x86_64) $(FLAVOUR)

deb-check: deps-deb $(TREE)/.git
	@$(S)/deb.sh $(or $(ARCH),x86_64) $(FLAVOUR) && $(S)/deb-check.sh $(or $(ARCH),x86_64) $(FLAVOUR)

deb-configs: deps-deb $(TREE)/.git
	@$(S)/deb-configs.sh $(ARCH)

export-debian: deps-deb $(TREE)/.git
	@$(S)/export-debian.sh

clean:
	rm -rf build/linux/.out-* build/initramfs-* build/logs
