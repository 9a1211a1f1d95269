// SPDX-License-Identifier: GPL-2.0
/*
 * Print the host's TSC frequency in kHz.
 *
 * Under TCG the x86 guest's TSC is the host's TSC, but the guest calibrates
 * it against an emulated PIT/HPET, and on a loaded host that early estimate
 * can be off by more than KVM's 250 ppm tolerance.  A KVM built into the
 * guest kernel records the early estimate as the rate of every VM's TSC
 * before the kernel refines it, and the kvmclock and Hyper-V clock tests
 * then fail.  run-guest.py passes this figure as tsc_early_khz= instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A TSC reading and the time it was taken, from the tightest of 16 tries. */
static void sample(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;
	int i;

	for (i = 0; i < 16; i++) {
		uint64_t t0 = now_ns();
		uint64_t r = __rdtsc();
		uint64_t t1 = now_ns();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = r;
			*ns = t0 + (t1 - t0) / 2;
		}
	}
}

static uint64_t measure(void)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	uint64_t tsc0, ns0, tsc1, ns1;

	sample(&tsc0, &ns0);
	nanosleep(&pause, NULL);
	sample(&tsc1, &ns1);
	return (tsc1 - tsc0) * 1000000ull / (ns1 - ns0);
}

int main(void)
{
	uint64_t m[3], t;
	int try, i, j;

	/* A busy host can stretch a window; try a few times before giving up. */
	for (try = 0; try < 5; try++) {
		for (i = 0; i < 3; i++)
			m[i] = measure();
		for (i = 0; i < 3; i++)
			for (j = i + 1; j < 3; j++)
				if (m[j] < m[i]) {
					t = m[i];
					m[i] = m[j];
					m[j] = t;
				}
		/* The median, once the three agree within 100 ppm. */
		if ((m[2] - m[0]) * 10000 <= m[1]) {
			printf("%llu\n", (unsigned long long)m[1]);
			return 0;
		}
	}
	return 1;
}
