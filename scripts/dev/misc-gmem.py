#!/usr/bin/env python3
"""--index-filter: GUEST_MEMFD_MAGIC in <uapi/linux/magic.h> beside
SECRETMEM_MAGIC; KVM_GMEM_PIN_RETRIES' comment states the bound, not test
history."""
import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load, store  # noqa: E402


def update(p, mode, old, new):
    if new != old:
        store(p, new, mode)


DEF = '#define GUEST_MEMFD_MAGIC\t0x474d454d\t/* "GMEM" */\n'
mode, g = load('virt/kvm/guest_memfd.c')
if g and DEF in g:
    n = g.replace(DEF + '\n', '').replace(DEF, '')
    if '#include <linux/magic.h>' not in n:
        incs = [m for m in re.finditer(r'^#include <linux/([\w/]+)\.h>\n', n, re.M)]
        after = [m for m in incs if m.group(1) > 'magic']
        at = after[0].start() if after else incs[-1].end()
        n = n[:at] + '#include <linux/magic.h>\n' + n[at:]
    update('virt/kvm/guest_memfd.c', mode, g, n)
    mmode, m = load('include/uapi/linux/magic.h')
    if 'GUEST_MEMFD_MAGIC' not in m:
        anchor = re.search(r'^#define SECRETMEM_MAGIC.*\n', m, re.M)
        mn = m[:anchor.end()] + DEF + m[anchor.end():]
        update('include/uapi/linux/magic.h', mmode, m, mn)

OLD = ''' * the page pinned: this many sleeps of 0.5-1 ms, 0.1-0.2 s in all, enough
 * for a fault whose thread is preempted on a loaded host (10 were not, in
 * guest_memfd_stress), and what a real pin costs before EAGAIN.'''
NEW = ''' * the page pinned: this many sleeps of 0.5-1 ms, 0.1-0.2 s in all, enough
 * for a fault whose thread is preempted on a loaded host, and what a real
 * pin costs before EAGAIN.'''
for p in ['virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
          'virt/kvm/guest_memfd.h']:
    mode, t = load(p)
    if t and OLD in t:
        update(p, mode, t, t.replace(OLD, NEW))
