#!/usr/bin/env python3
"""--index-filter: four pieces of guest_memfd that were written out more than
once become one helper each, from the patch that first needs them:
- kvm_gmem_wait_for_refs(), the back-off for references that are not pins,
  which the host unmap of a conversion and the split of a huge folio's edge
  wrote out each in its own way;
- kvm_gmem_block_bounds(), the widening of a range to whole 2 MiB blocks in
  a HUGE_PMD file (zaps of a hole punch, the range lock);
- kvm_gmem_get_index(), the file page that backs a gfn of a memslot;
- kvm_gmem_invalidate_begin_atomic(), so that no caller passes
  __kvm_gmem_invalidate_begin() a bare true or false.

Run with --check REV... to print, per commit, what it would change."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import main  # noqa: E402

C, IP, HG, H = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
                'virt/kvm/guest_memfd_huge.c', 'virt/kvm/guest_memfd.h')

# --- kvm_gmem_wait_for_refs() ------------------------------------------------

PIN_OLD = re.compile(r'/\*\n \* How long a conversion (?:to private )?waits for '
                     r'references.*?\*/\n#define KVM_GMEM_PIN_RETRIES\t200\n\n',
                     re.S)
WAIT_DEF = '''/*
 * How many times kvm_gmem_wait_for_refs() waits for references that are not
 * pins to go away (a racing guest fault, GUP-fast backing off) before it
 * calls the page pinned: about 0.1-0.2 s in all, enough for a fault whose
 * thread is preempted on a loaded host, and what a real pin costs before
 * EAGAIN.
 */
#define KVM_GMEM_PIN_RETRIES	200

/*
 * Wait once more, the *@tries'th time, for the references to @folio that
 * are not pins to go: the first time by draining the per-CPU LRU batches,
 * then by sleeping 0.5-1 ms.  -EAGAIN, with the folio's offset in *@bad,
 * if the folio is pinned (GUP, O_DIRECT, vmsplice...) or has been waited
 * for KVM_GMEM_PIN_RETRIES times.  The folio is not locked: this sleeps.
 */
int kvm_gmem_wait_for_refs(struct folio *folio, int *tries, pgoff_t *bad)
{
	if (folio_maybe_dma_pinned(folio) || *tries >= KVM_GMEM_PIN_RETRIES) {
		*bad = folio->index;
		return -EAGAIN;
	}
	if (!(*tries)++)
		lru_add_drain_all();
	else
		usleep_range(500, 1000);
	return 0;
}

'''
WAIT_DECL = 'int kvm_gmem_wait_for_refs(struct folio *folio, int *tries, pgoff_t *bad);\n'
UNMAP_OLD = '''				if (folio_maybe_dma_pinned(folio) ||
				    tries >= KVM_GMEM_PIN_RETRIES) {
					*bad = folio->index;
					folio_batch_release(&fbatch);
					return -EAGAIN;
				}
				if (!drained) {
					lru_add_drain_all();
					drained = true;
				} else {
					tries++;
					usleep_range(500, 1000);
				}
'''
UNMAP_NEW = '''				r = kvm_gmem_wait_for_refs(folio, &tries, bad);
				if (r) {
					folio_batch_release(&fbatch);
					return r;
				}
'''
SPLIT_OLD = '''		if (folio_maybe_dma_pinned(folio) ||
		    tries++ >= KVM_GMEM_PIN_RETRIES) {
			*bad = folio->index;
			r = -EAGAIN;
			break;
		}
		folio_unlock(folio);
		if (tries == 1)
			lru_add_drain_all();
		else
			usleep_range(500, 1000);
		folio_lock(folio);
'''
SPLIT_NEW = '''		folio_unlock(folio);
		r = kvm_gmem_wait_for_refs(folio, &tries, bad);
		folio_lock(folio);
		if (r)
			break;
'''
SPLIT_DOC_OLD = ''' * included, with one PMD.  References that are not pins (LRU batches, a
 * racing lookup) are waited for as in kvm_gmem_unmap_host()
 * (guest_memfd_in_place.c); a pinned folio cannot be split: -EAGAIN with
 * its offset in *@bad.
'''
SPLIT_DOC_NEW = ''' * included, with one PMD.  References that are not pins (LRU batches, a
 * racing lookup) are waited for (kvm_gmem_wait_for_refs()); a pinned folio
 * cannot be split: -EAGAIN with its offset in *@bad.
'''


def wait_for_refs(t):
    ip, hg, h = t.get(IP), t.get(HG), t.get(H)
    if ip is None or 'kvm_gmem_unmap_host(' not in ip:
        return
    if 'int kvm_gmem_wait_for_refs(' not in ip:
        ip = PIN_OLD.sub('', ip)
        anchor = '/*\n * Make sure that the host can no longer reach pages'
        assert ip.count(anchor) == 1, 'unmap_host comment'
        ip = ip.replace(anchor, WAIT_DEF + anchor)
    if UNMAP_OLD in ip:
        ip = ip.replace(UNMAP_OLD, UNMAP_NEW)
        ip = ip.replace('\tbool drained = false;\n\tint tries = 0;\n',
                        '\tint tries = 0, r;\n', 1)
    rest = ip.split('int kvm_gmem_wait_for_refs(')[1].split('\n}\n', 1)[1]
    assert 'drained = ' not in rest and 'tries >= KVM' not in rest, 'unmap_host'
    for hdr in ('linux/delay.h', 'linux/swap.h'):
        assert '#include <%s>' % hdr in ip, hdr
    t[IP] = ip
    if h is not None:
        h = PIN_OLD.sub('', h)
        if WAIT_DECL not in h:
            anchor = 'bool kvm_gmem_host_may_access(struct inode *inode, pgoff_t index);\n'
            assert h.count(anchor) == 1, 'header anchor'
            h = h.replace(anchor, anchor + WAIT_DECL)
        t[H] = h
    if hg is not None and SPLIT_OLD in hg:
        hg = hg.replace(SPLIT_OLD, SPLIT_NEW).replace(SPLIT_DOC_OLD,
                                                      SPLIT_DOC_NEW)
        t[HG] = hg
    if hg is not None and 'usleep_range(' not in hg and \
            'lru_add_drain' not in hg:
        # what only the back-off needed
        hg = hg.replace('#include <linux/delay.h>\n', '')
        hg = hg.replace('#include <linux/swap.h>\n', '')
        t[HG] = hg
    if hg is not None:
        assert 'KVM_GMEM_PIN_RETRIES' not in hg and \
            'kvm_gmem_unmap_host()\n' not in hg, 'split_edge'

# --- kvm_gmem_block_bounds() -------------------------------------------------


BLOCK_OLD = re.compile(r'\n(\t+)if \(kvm_gmem_huge\(inode\)\) \{\n'
                       r'\1\t(\w+) = ALIGN_DOWN\(\2, KVM_GMEM_PMD_PAGES\);\n'
                       r'\1\t(\w+) = ALIGN\(\3, KVM_GMEM_PMD_PAGES\);\n'
                       r'\1\}\n')
BLOCK_DEF = '''
/*
 * In a HUGE_PMD file, widen file pages [*start, *end) to the 2 MiB blocks
 * that hold them, which are zapped and locked whole there.
 */
static inline void kvm_gmem_block_bounds(struct inode *inode, pgoff_t *start,
					 pgoff_t *end)
{
	if (kvm_gmem_huge(inode)) {
		*start = ALIGN_DOWN(*start, KVM_GMEM_PMD_PAGES);
		*end = ALIGN(*end, KVM_GMEM_PMD_PAGES);
	}
}
'''
HUGE_PRED = '''static inline bool kvm_gmem_huge(struct inode *inode)
{
	return kvm_gmem_flags(inode) & GUEST_MEMFD_FLAG_HUGE_PMD;
}
'''


def block_bounds(t):
    used = False
    for p in (C, IP, HG):
        if p not in t:
            continue
        s, n = BLOCK_OLD.subn(
            lambda m: '\n%skvm_gmem_block_bounds(inode, &%s, &%s);\n' %
            (m.group(1), m.group(2), m.group(3)), t[p])
        t[p] = s
        used |= 'kvm_gmem_block_bounds(' in s
    if used:
        h = t[H]
        if 'kvm_gmem_block_bounds(' not in h:
            assert h.count(HUGE_PRED) == 1, 'kvm_gmem_huge()'
            h = h.replace(HUGE_PRED, HUGE_PRED + BLOCK_DEF)
        t[H] = h

# --- kvm_gmem_get_index() ----------------------------------------------------


INDEX_EXPR = 'gfn - slot->base_gfn + slot->gmem.pgoff'
INDEX_DEF = '''/* The page of its file that backs @gfn of the guest_memfd slot @slot. */
static inline pgoff_t kvm_gmem_get_index(struct kvm_memory_slot *slot,
					 gfn_t gfn)
{
	return gfn - slot->base_gfn + slot->gmem.pgoff;
}
'''
INDEX_DEF_C = INDEX_DEF.replace('static inline pgoff_t', 'static pgoff_t') \
    .replace('static pgoff_t kvm_gmem_get_index(struct kvm_memory_slot *slot,\n'
             '\t\t\t\t\t gfn_t gfn)',
             'static pgoff_t kvm_gmem_get_index(struct kvm_memory_slot *slot, gfn_t gfn)')


def get_index(t):
    c = t.get(C)
    if c is None:
        return
    # the definitions hold the expression too; count the uses alone
    def uses(s):
        return s.replace(INDEX_DEF, '').replace(INDEX_DEF_C, '')
    if INDEX_EXPR not in uses(c) and INDEX_EXPR not in uses(t.get(IP, '')) \
            and 'kvm_gmem_get_index(' not in c:
        return
    for p in (C, IP):
        if p in t:
            s = t[p].replace(INDEX_DEF + '\n', '').replace(INDEX_DEF_C + '\n', '')
            s = s.replace('= ' + INDEX_EXPR + ';', '= kvm_gmem_get_index(slot, gfn);')
            s = s.replace('\t\t\t\t\t    ' + INDEX_EXPR + ');',
                          '\t\t\t\t\t    kvm_gmem_get_index(slot, gfn));')
            assert INDEX_EXPR not in s, 'a use of the index left in ' + p
            t[p] = s
    if H in t:
        h = t[H]
        if INDEX_DEF not in h:
            anchor = HUGE_PRED if HUGE_PRED in h else \
                'static inline bool kvm_gmem_in_place(struct inode *inode)\n{\n' \
                '\treturn kvm_gmem_flags(inode) & GUEST_MEMFD_FLAG_IN_PLACE;\n}\n'
            assert h.count(anchor) == 1, 'index anchor'
            # after the block helper, if any, else after the predicate
            if BLOCK_DEF in h:
                anchor = HUGE_PRED + BLOCK_DEF
            h = h.replace(anchor, anchor + '\n' + INDEX_DEF)
        t[H] = h
    else:
        c = t[C]
        # before the first function that uses it
        i = c.index('kvm_gmem_get_index(slot, gfn)')
        j = c.rfind('\n/*\n', 0, i)
        k = c.rfind('\n}\n', 0, i)
        at = j + 1 if j > k else k + 3
        t[C] = c[:at] + INDEX_DEF_C + '\n' + c[at:]

# --- kvm_gmem_invalidate_begin_atomic() ------------------------------------


ATOMIC_CALL_OLD = '__kvm_gmem_invalidate_begin(gmem, start, end, false);'
ATOMIC_CALL_NEW = 'kvm_gmem_invalidate_begin_atomic(gmem, start, end);'
BEGIN_WRAP = '''static void kvm_gmem_invalidate_begin(struct kvm_gmem *gmem, pgoff_t start,
				      pgoff_t end)
{
	__kvm_gmem_invalidate_begin(gmem, start, end, true);
}
'''
ATOMIC_WRAP = '''
/* For callers that hold the bindings' tree lock, which may not block. */
static void kvm_gmem_invalidate_begin_atomic(struct kvm_gmem *gmem,
					     pgoff_t start, pgoff_t end)
{
	__kvm_gmem_invalidate_begin(gmem, start, end, false);
}
'''


def invalidate_atomic(t):
    c = t.get(C)
    if c is None or ATOMIC_CALL_OLD not in c.replace(ATOMIC_WRAP, ''):
        return
    c = c.replace(ATOMIC_WRAP, '')
    c = c.replace(ATOMIC_CALL_OLD, ATOMIC_CALL_NEW)
    assert c.count(BEGIN_WRAP) == 1, 'kvm_gmem_invalidate_begin()'
    c = c.replace(BEGIN_WRAP, BEGIN_WRAP + ATOMIC_WRAP)
    t[C] = c


def transform(texts):
    t = dict(texts)
    wait_for_refs(t)
    block_bounds(t)
    get_index(t)
    invalidate_atomic(t)
    return t


if __name__ == '__main__':
    main(sys.argv, (C, IP, HG, H), transform)
