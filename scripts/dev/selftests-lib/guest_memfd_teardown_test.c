// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end of guest_memfd files, on x86_64 and arm64: the files a VMM leaks
 * die with its process (kb22)@KB16@.  Both free every page.
 */
#define _GNU_SOURCE /* for fallocate() and CPU affinity */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "gmem_util.h"
@TEARDOWN{@
#include "guest_cmd.h"
@}TEARDOWN@
#include "test_util.h"
#include "ucall_common.h"

#define MIB			(256 * PAGE)
#define SLOT_G			10
#define SLOT_X			11
#define GPA_G			0x80000000ULL
@TEARDOWN{@

/* Guest side: scans, each answered with GUEST_SYNC(pages not as said). */
enum { OP_SCAN = 1, OP_DONE };

static void guest_code(void)
{
	for (;;) {
		struct guest_cmd c = guest_cmd_get(0);
		uint64_t bad = 0, i;

		if (c.op != OP_SCAN)
			GUEST_DONE();
		/* Page i must hold val + i; then it gets ~(val + i). */
		for (i = 0; i < c.n; i++) {
			uint64_t *p = (uint64_t *)(c.gpa + i * PAGE);

			if (READ_ONCE(*p) != c.val + i)
				bad++;
			WRITE_ONCE(*p, ~(c.val + i));
		}
		GUEST_SYNC(bad);
	}
}
@}TEARDOWN@

@FUNCS@
int main(int argc, char *argv[])
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_GUEST_MEMFD));
	TEST_ASSERT_EQ(getpagesize(), PAGE);

@CALLS@	pr_info("all passed\n");
	return 0;
}
