#!/usr/bin/env python3
"""--index-filter: comments of the split guest_memfd made true again after
the move (a review of the split): each replacement is exact text, applied
where the code it describes exists in the snapshot."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load_all, store_changed  # noqa: E402

GM, IP, HG, H = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
                 'virt/kvm/guest_memfd_huge.c', 'virt/kvm/guest_memfd.h')
RT, KU = 'virt/kvm/range_tree.c', 'virt/kvm/guest_memfd_kunit.c'

# (file, condition: a file of the snapshot or a text some file must hold,
#  old, new)
RULES = [
    (GM, IP, ''' * page faults get SIGBUS unless the file is GUEST_MEMFD_FLAG_INIT_SHARED,
 * i.e. holds shared memory only.  Memslots bound to a GUEST_MEMFD_FLAG_MMAP''',
     ''' * page faults get SIGBUS on pages that are not shared: every page of a
 * GUEST_MEMFD_FLAG_INIT_SHARED file is, and those an IN_PLACE file (below)
 * says are shared.  Memslots bound to a GUEST_MEMFD_FLAG_MMAP'''),
    (GM, None, ' * A GUEST_MEMFD_FLAG_HUGE_PMD file (2 MiB aligned size) backs each',
     ' * A GUEST_MEMFD_FLAG_HUGE_PMD file (PMD-aligned size) backs each'),
    (GM, 'lockdep_assert_held(&kvm->slots_lock)',
     ' *   kvm->slots_lock        bind, unbind, release\n',
     ' *   kvm->slots_lock        bind, unbind, release, populate (its caller)\n'),
    (GM, 'struct file *kvm_gmem_get_file(',
     ''' * read under RCU by kvm_gmem_get_pfn(), which takes a file reference only if
 * the file is not already being released.''',
     ''' * read under RCU by kvm_gmem_get_file(), which takes a file reference only
 * if the file is not already being released.'''),
    (GM, 'kvm_gmem_punch_part(', ''' *       guest mappings zapped; they may have been shared already.
 *       It may not fail.''', ''' *       guest mappings zapped; they may have been shared already.
 *       And by a partial hole punch of a huge folio for the punched pages,
 *       which are zeroed and stay in the file, with the invalidate lock
 *       held exclusively, the folio locked and the guest mappings zapped.
 *       It may not fail.'''),
    (H, None, '\t * see __kvm_gmem_range_lock_*().\n',
     '\t * see __kvm_gmem_range_lock() in guest_memfd_in_place.c.\n'),
    (H, RT, '''Not in RCU mode, for the reason mem_attributes.c
	 * gives.''', '''Not in RCU mode, for the reason range_tree.c
	 * gives.'''),
    (H, 'kvm_gmem_split_edge(', ''' * How long a conversion to private waits for references that are not pins
 * to go away (a racing guest fault, GUP-fast backing off) before it calls
 * the page pinned: this many sleeps of 0.5-1 ms, 0.1-0.2 s in all, enough''',
     ''' * How long a conversion waits for references that are not pins to go
 * away (a racing guest fault, GUP-fast backing off) before it calls the
 * page pinned, in kvm_gmem_unmap_host() and kvm_gmem_split_edge(): this
 * many sleeps of 0.5-1 ms, 0.1-0.2 s in all, enough'''),
    (RT, None, ''' * The entry of @index in @mt.  KVM's range trees are not in RCU mode (6.1's
 * maple tree freed nodes twice under many stores in that mode), so readers
 * take the tree's lock, as writers do, instead of mtree_load()'s RCU.''',
     ''' * The entry of @index in @mt, looked up under the tree's lock instead of
 * mtree_load()'s RCU (see the top of this file).'''),
    (RT, None, ''' * Takes the tree's lock (the trees are not in RCU mode, see
 * mem_attributes.c); the answer holds while the tree does not change.''',
     ''' * Takes the tree's lock; the answer holds while the tree does not change.'''),
    (RT, None, ' * mmu_lock on every 4 KiB change, stalling every fault of the VM, for\n',
     ' * mmu_lock on every page-sized change, stalling every fault of the VM, for\n'),
    (HG, IP, ' * racing lookup) are waited for as in kvm_gmem_unmap_host(); a pinned\n * folio cannot be split: -EAGAIN with its offset in *@bad.',
     ' * racing lookup) are waited for as in kvm_gmem_unmap_host()\n * (guest_memfd_in_place.c); a pinned folio cannot be split: -EAGAIN with\n * its offset in *@bad.'),
    (KU, IP, ' * guest_memfd_in_place.c (the lock is static there).',
     ' * guest_memfd_in_place.c (its helpers are static).'),
]

texts, modes = load_all((GM, IP, HG, H, RT, KU))
new = dict(texts)
for path, cond, old, rep in RULES:
    if path not in new:
        continue
    if cond and cond not in texts and not any(cond in t for t in texts.values()):
        continue
    new[path] = new[path].replace(old, rep)
store_changed(texts, new, modes)
