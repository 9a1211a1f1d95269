// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host side of the guest command protocol (see guest_cmd.h).
 */
#include "guest_cmd.h"
#include "ucall_common.h"

struct guest_cmd guest_cmds[GUEST_CMD_MAX_VCPUS];

/* Put a command into @vcpu's slot, in the guest's memory as well. */
void guest_cmd_set(struct kvm_vcpu *vcpu, uint64_t op, uint64_t gpa,
		   uint64_t val, uint64_t n)
{
	struct guest_cmd *c;

	TEST_ASSERT(vcpu->id < GUEST_CMD_MAX_VCPUS, "vCPU %u has no slot",
		    vcpu->id);
	c = &guest_cmds[vcpu->id];
	*c = (struct guest_cmd){ .op = op, .gpa = gpa, .val = val, .n = n };
	sync_global_to_guest(vcpu->vm, *c);
}

/*
 * Run @vcpu until the guest answers its command and return the answer; a
 * failed guest assertion, or any other exit, fails the test.
 */
uint64_t guest_cmd_finish(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return uc.args[1];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("expected a sync, got exit %u ucall %lu",
			  vcpu->run->exit_reason, uc.cmd);
	}
	return 0;
}

uint64_t guest_cmd_run(struct kvm_vcpu *vcpu, uint64_t op, uint64_t gpa,
		       uint64_t val, uint64_t n)
{
	guest_cmd_set(vcpu, op, gpa, val, n);
	return guest_cmd_finish(vcpu);
}
