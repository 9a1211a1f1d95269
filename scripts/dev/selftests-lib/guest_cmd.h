/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest the host drives one command at a time.
 *
 * The host puts a command into a vCPU's slot of guest_cmds[] with
 * guest_cmd_set() and runs the vCPU with guest_cmd_finish(), or does both
 * with guest_cmd_run().  The guest code, a loop, reads its slot with
 * guest_cmd_get(), does what the command says and answers with
 * GUEST_SYNC(result), which guest_cmd_finish() returns.  The slot of a
 * vCPU is its vCPU id; a guest with more than one vCPU learns its id from
 * its argument (vcpu_args_set()).  The operations, and what @gpa, @val and
 * @n mean to each, are the test's own; operation 0 is the command of a
 * slot never set, which the guest takes as "done".
 */
#ifndef SELFTEST_KVM_GUEST_CMD_H
#define SELFTEST_KVM_GUEST_CMD_H

#include "kvm_util.h"

#define GUEST_CMD_MAX_VCPUS	8

struct guest_cmd {
	uint64_t op, gpa, val, n;
};

extern struct guest_cmd guest_cmds[GUEST_CMD_MAX_VCPUS];

/* Guest side: the command in slot @id, each field read once. */
static inline struct guest_cmd guest_cmd_get(uint64_t id)
{
	struct guest_cmd *c = &guest_cmds[id];

	return (struct guest_cmd){
		.op = READ_ONCE(c->op), .gpa = READ_ONCE(c->gpa),
		.val = READ_ONCE(c->val), .n = READ_ONCE(c->n),
	};
}

void guest_cmd_set(struct kvm_vcpu *vcpu, uint64_t op, uint64_t gpa,
		   uint64_t val, uint64_t n);
uint64_t guest_cmd_finish(struct kvm_vcpu *vcpu);
uint64_t guest_cmd_run(struct kvm_vcpu *vcpu, uint64_t op, uint64_t gpa,
		       uint64_t val, uint64_t n);

#endif /* SELFTEST_KVM_GUEST_CMD_H */
