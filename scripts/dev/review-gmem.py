#!/usr/bin/env python3
"""--index-filter: what a review of the restructured series found, each fix
made in the patch that introduced the code (exact-text rewrites, each
applied wherever its old text stands, so idempotent):
- gfn-scoped invalidation: kvm_mmu_invalidate_begin_gfn() asserts mmu_lock,
  and mmu_invalidate_retry_gfn() says why a whole-VM hva invalidation
  (x86's kvm_zap_gfn_range()) covers guest_memfd faults too;
- x86: a guest_memfd fault maps 4 KiB until huge pages come, so it says so
  in fault->max_level, and checks invalidations of that page alone;
- kvm_attr_hooks() takes the hook to run instead of a bool;
- kvm_gmem_split_edge(): a folio memory_failure() split while the wait
  slept ends the split, not the conversion (no spurious -EAGAIN);
- the memory attributes are tested for KVM_MEMORY_ATTRIBUTE_PRIVATE, as
  kvm_gmem_convert_folios() does, not for being non-zero;
- comments made true where they were not at every patch (the block helper,
  KVM_GMEM_PMD_PAGES, gmem_abort()), lines over 80 columns wrapped."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import col, indent_to, load_all, store_changed  # noqa: E402

KM, KH, MA, X86, ARM = ('virt/kvm/kvm_main.c', 'include/linux/kvm_host.h',
                        'virt/kvm/mem_attributes.c', 'arch/x86/kvm/mmu/mmu.c',
                        'arch/arm64/kvm/mmu.c')
C, IP, HG, H, MM = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
                    'virt/kvm/guest_memfd_huge.c', 'virt/kvm/guest_memfd.h',
                    'virt/kvm/kvm_mm.h')
PATHS = (KM, KH, MA, X86, ARM, C, IP, HG, H, MM)

R = []  # (path, old, new)

# --- gfn-scoped invalidation -----------------------------------------------
R.append((KM, '''void kvm_mmu_invalidate_begin_gfn(struct kvm *kvm)
{
	kvm->mmu_invalidate_in_progress++;
''', '''void kvm_mmu_invalidate_begin_gfn(struct kvm *kvm)
{
	lockdep_assert_held_write(&kvm->mmu_lock);

	kvm->mmu_invalidate_in_progress++;
'''))
R.append((KM, '''	rec = &kvm->mmu_invalidated[kvm->mmu_invalidate_seq % KVM_MMU_INVALIDATED];
''', '''	rec = &kvm->mmu_invalidated[kvm->mmu_invalidate_seq %
				    KVM_MMU_INVALIDATED];
'''))
R.append((KM, ''' * last KVM_MMU_INVALIDATED ones tells, so that conversions and punches
 * elsewhere in the VM do not make it retry.
 */
''', ''' * last KVM_MMU_INVALIDATED ones tells, so that conversions and punches
 * elsewhere in the VM do not make it retry.  An invalidation of every hva
 * (as x86's kvm_zap_gfn_range() opens) holds the error hva such a fault
 * passes, so it makes the fault retry as any fault.
 */
'''))

# --- x86: guest_memfd faults are 4 KiB until huge pages ------------------------
R.append((X86, '''	r = kvm_gmem_get_pfn(vcpu->kvm, fault->slot, fault->gfn, &fault->pfn,
			     NULL);
	if (r)
		return kvm_mmu_memory_fault_exit(vcpu, fault, r);

	fault->map_writable = true;
	fault->hva = KVM_HVA_ERR_BAD;
	return RET_PF_CONTINUE;
''', '''	r = kvm_gmem_get_pfn(vcpu->kvm, fault->slot, fault->gfn, &fault->pfn,
			     NULL);
	if (r)
		return kvm_mmu_memory_fault_exit(vcpu, fault, r);

	/* guest_memfd hands out 4 KiB pages: only this one may be mapped. */
	fault->max_level = PG_LEVEL_4K;
	fault->map_writable = true;
	fault->hva = KVM_HVA_ERR_BAD;
	return RET_PF_CONTINUE;
'''))
R.append((X86, '''	return kvm_range_has_memory_attributes(kvm, base,
					       base + KVM_PAGES_PER_HPAGE(level), 0);
''', '''	return kvm_range_has_memory_attributes(kvm, base,
					       base + KVM_PAGES_PER_HPAGE(level),
					       0);
'''))

# --- attributes: the hook to run, not a bool ---------------------------------
R.append((MA, ''' * Call the pre or post hook on the part of [start, end) that each memslot
 * covers, in every address space.  Return true if TLBs must be flushed.
''', ''' * Call @hook, the arch's pre or post hook, on the part of [start, end) that
 * each memslot covers, in every address space.  Return true if TLBs must be
 * flushed.
'''))
R.append((MA, '''static bool kvm_attr_hooks(struct kvm *kvm, gfn_t start, gfn_t end, unsigned long attrs, bool pre)
''', '''static bool kvm_attr_hooks(struct kvm *kvm, gfn_t start, gfn_t end,
			   unsigned long attrs,
			   bool (*hook)(struct kvm *kvm,
					struct kvm_gfn_range *range))
'''))
R.append((MA, '''			if (pre)
				flush |= kvm_arch_pre_set_memory_attributes(kvm,
									    &range);
			else
				flush |= kvm_arch_post_set_memory_attributes(kvm,
									     &range);
''', '''			flush |= hook(kvm, &range);
'''))
R.append((MA, '''	return kvm_mem_attr_value(kvm_range_tree_load(&kvm->mem_attr_tree, gfn));
''', '''	void *entry = kvm_range_tree_load(&kvm->mem_attr_tree, gfn);

	return kvm_mem_attr_value(entry);
'''))
R.append((KH, '''	return kvm_get_memory_attributes(kvm, gfn) & KVM_MEMORY_ATTRIBUTE_PRIVATE;
''', '''	return kvm_get_memory_attributes(kvm, gfn) &
	       KVM_MEMORY_ATTRIBUTE_PRIVATE;
'''))
R.append((KH, '''	/* gfn ranges -> xa_mk_value(KVM_MEMORY_ATTRIBUTE_*), see mem_attributes.c */
''', '''	/* gfn ranges -> xa_mk_value(attributes), see mem_attributes.c */
'''))

# --- huge pages -------------------------------------------------------------
R.append((HG, '''		folio_unlock(folio);
		r = kvm_gmem_wait_for_refs(folio, &tries, bad);
		folio_lock(folio);
		if (r)
			break;
		/*
		 * memory_failure() splits huge folios under the folio lock
		 * alone: if it did meanwhile, there is nothing left to split.
		 */
		if (!folio_test_large(folio)) {
			r = 0;
			break;
		}
''', '''		folio_unlock(folio);
		r = kvm_gmem_wait_for_refs(folio, &tries, bad);
		folio_lock(folio);
		/*
		 * memory_failure() splits huge folios under the folio lock
		 * alone: if it did meanwhile, there is nothing left to split.
		 */
		if (!folio_test_large(folio)) {
			r = 0;
			break;
		}
		if (r)
			break;
'''))
R.append((HG, '''	    kvm_gmem_index_is_private(inode, folio->index) == !!attrs)
''', '''	    kvm_gmem_index_is_private(inode, folio->index) ==
	    !!(attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE))
'''))
for p in (IP,):
    R.append((p, '''attrs ? kvm_gmem_private_entry() : NULL''',
              '''kvm_gmem_attrs_entry(attrs)'''))
R.append((ARM, '''	/*
	 * A punch hole or memslot change that starts after this read bumps
	 * the sequence count, and one in flight is seen below: either way
	 * the fault is retried instead of mapping a page that is going away.
	 */
''', '''	/*
	 * A hole punch or conversion that starts after this read bumps the
	 * sequence count, and one in flight is seen below: either way the
	 * fault is retried instead of mapping a page that is going away.  A
	 * memslot change waits for this fault's SRCU read side to end before
	 * it unmaps the memslot.
	 */
'''))
# The comment of the vendors' prepare hook.
R.append((C, ''' *       the page is already prepared.  Called with the invalidate lock held shared and the
 *       folio locked; it may sleep, and must not take slots_lock, the
 *       invalidate lock or mmu_lock.  An error fails the lookup (and so
 *       the fault, with KVM_EXIT_MEMORY_FAULT).
''', ''' *       the page is already prepared.  Called with the invalidate lock
 *       held shared and the folio locked; it may sleep, and must not take
 *       slots_lock, the invalidate lock or mmu_lock.  An error fails the
 *       lookup (and so the fault, with KVM_EXIT_MEMORY_FAULT).
'''))
R.append((C, ''' *       may sleep, and must not take slots_lock, the invalidate lock or
 *       mmu_lock.  An error fails the lookup (and so
 *       the fault, with KVM_EXIT_MEMORY_FAULT).
''', ''' *       may sleep, and must not take slots_lock, the invalidate lock or
 *       mmu_lock.  An error fails the lookup (and so the fault, with
 *       KVM_EXIT_MEMORY_FAULT).
'''))
# KVM_GMEM_PMD_PAGES: only hole punches zap whole blocks.
for old in (''' * GUEST_MEMFD_FLAG_HUGE_PMD file, one per PMD-sized block, and the blocks
 * that conversions invalidate whole.
''', ''' * GUEST_MEMFD_FLAG_HUGE_PMD file, one per PMD-sized block, and the blocks
 * that conversions and attribute changes invalidate whole.
'''):
    R.append((MM, old, ''' * GUEST_MEMFD_FLAG_HUGE_PMD file, one per PMD-sized block, which hole
 * punches zap whole.
'''))

ENTRY_DEF = '''
/* The entry of a file's state tree for memory attributes @attrs. */
static void *kvm_gmem_attrs_entry(unsigned long attrs)
{
	return attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE ?
	       kvm_gmem_private_entry() : NULL;
}
'''
ENTRY_AFTER = '''void *kvm_gmem_private_entry(void)
{
	return xa_mk_value(KVM_MEMORY_ATTRIBUTE_PRIVATE);
}
'''
BLOCK_OLD = ''' * In a HUGE_PMD file, widen file pages [*start, *end) to the 2 MiB blocks
 * that hold them, which are zapped and locked whole there.
'''
BLOCK_PUNCH = ''' * In a HUGE_PMD file, widen file pages [*start, *end) to the 2 MiB blocks
 * that hold them, which a hole punch zaps whole.
'''
BLOCK_LOCK = ''' * In a HUGE_PMD file, widen file pages [*start, *end) to the 2 MiB blocks
 * that hold them, which a hole punch zaps and the range lock locks whole.
'''
CALLS = re.compile(r'^(.*?)kvm_attr_hooks\(kvm, (\w+), (\w+), attrs, (true|false)\)',
                   re.M)


def transform(texts):
    t = dict(texts)
    for p, old, new in R:
        if p in t:
            t[p] = t[p].replace(old, new)
    if MA in t:
        def call(m):
            lead = m.group(1) + 'kvm_attr_hooks('
            return '%skvm, %s, %s, attrs,\n%s%s)' % (
                lead, m.group(2), m.group(3), indent_to(col(lead)),
                'kvm_arch_pre_set_memory_attributes' if m.group(4) == 'true'
                else 'kvm_arch_post_set_memory_attributes')
        t[MA] = CALLS.sub(call, t[MA])
        assert 'bool pre)' not in t[MA]
    if IP in t and 'kvm_gmem_attrs_entry(attrs)' in t[IP] and \
            'static void *kvm_gmem_attrs_entry(' not in t[IP]:
        assert t[IP].count(ENTRY_AFTER) == 1, 'private_entry'
        t[IP] = t[IP].replace(ENTRY_AFTER, ENTRY_AFTER + ENTRY_DEF)
    if H in t:
        locks = 'kvm_gmem_range_lock_shared' in t[H]
        for old in (BLOCK_OLD, BLOCK_PUNCH, BLOCK_LOCK):
            t[H] = t[H].replace(old, BLOCK_LOCK if locks else BLOCK_PUNCH)
    return t


if __name__ == '__main__':
    texts, modes = load_all(PATHS)
    store_changed(texts, transform(texts), modes)
