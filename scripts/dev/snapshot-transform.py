#!/usr/bin/env python3
"""git filter-branch --index-filter helper: apply deterministic text
transforms to given paths of every commit's snapshot.  Because each
snapshot is transformed on its own, the rewritten history has no
conflicts: each commit's diff is T(after) - T(before)."""
import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load, store  # noqa: E402

RULES = {
    'tools/testing/selftests/kvm/gmem_huge_test.c': [
        (r'static void run_kb06\(struct test_vm \*t, void \(\*flip\)\(struct test_vm \*t, bool mixed\),\n\t\t     const char \*how\)',
         'static void run_flips(struct test_vm *t, void (*flip)(struct test_vm *t, bool mixed),\n\t\t      const char *how)'),
        (r'\brun_kb06\b', 'run_flips'),
        (r'\btest_kb06\b', 'test_remerge_after_flips'),
        (r'\btest_kb19\b', 'test_faults_race_punches'),
        (r'\{ "kb06", ', '{ "remerge", '),
        (r'\{ "kb19", ', '{ "fault_race", '),
    ],
    'tools/testing/selftests/kvm/x86_64/gmem_populate_test.c': [
        (r'\btest_kb11\b', 'test_write_back_sources'),
        (r'\btest_kb12\b', 'test_populate_from_own_mapping'),
        (r'\bkb12_populate\b', 'populate_loop'),
        (r'\bkb12_fault\b', 'vmm_fault_loop'),
        (r'\bkb12_vcpu\b', 'vcpu_read_loop'),
        (r'\bstruct kb12\b', 'struct self_populate'),
    ],
}

for path, rules in RULES.items():
    mode, text = load(path)
    if text is None:
        continue
    new = text
    for pat, rep in rules:
        new = re.sub(pat, rep, new)
    if new != text:
        store(path, new, mode)
