#!/usr/bin/env python3
"""--index-filter: the vendor invalidate hook and the zeroing of pages (but
poisoned ones, once memory failure keeps them) each become one helper of
guest_memfd.h, kvm_gmem_arch_invalidate() (a stub without the hook, so no
#ifdef is left in a function body) and kvm_gmem_zero_pages(), for the
callers that conversion and huge pages add."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load_all, store_changed  # noqa: E402

IP, HG, H = ('virt/kvm/guest_memfd_in_place.c', 'virt/kvm/guest_memfd_huge.c',
             'virt/kvm/guest_memfd.h')

INV_A = '''#ifdef CONFIG_HAVE_KVM_ARCH_GMEM_INVALIDATE
			if (!to_private) {
				kvm_pfn_t pfn = folio_pfn(folio);

				kvm_arch_gmem_invalidate(pfn,
							 pfn + folio_nr_pages(folio));
			}
#endif
			if (zero)
				for (j = 0; j < folio_nr_pages(folio); j++)
					clear_highpage(folio_page(folio, j));
'''
NEW_A = '''			if (!to_private)
				kvm_gmem_arch_invalidate(folio, folio->index,
							 folio_next_index(folio));
			if (zero)
				kvm_gmem_zero_pages(folio, folio->index,
						    folio_next_index(folio));
'''
INV_B = '''#ifdef CONFIG_HAVE_KVM_ARCH_GMEM_INVALIDATE
			if (!to_private) {
				kvm_pfn_t pfn = folio_pfn(folio) - folio->index;

				kvm_arch_gmem_invalidate(pfn + first, pfn + last);
			}
#endif
'''
NEW_B = '''			if (!to_private)
				kvm_gmem_arch_invalidate(folio, first, last);
'''
ZERO_B = '''			if (zero)
				for (j = first; j < last; j++)
					clear_highpage(folio_file_page(folio, j));
'''
ZERO_C = '''			for (j = first; zero && j < last; j++)
				if (!PageHWPoison(folio_file_page(folio, j)))
					clear_highpage(folio_file_page(folio, j));
'''
NEW_Z = '''			if (zero)
				kvm_gmem_zero_pages(folio, first, last);
'''
HINV = '''#ifdef CONFIG_HAVE_KVM_ARCH_GMEM_INVALIDATE
	kvm_arch_gmem_invalidate(folio_pfn(folio) + start - folio->index,
				 folio_pfn(folio) + end - folio->index);
#endif
'''
HZERO_B = '''	for (i = start; i < end; i++)
		clear_highpage(folio_file_page(folio, i));
'''
HZERO_C = '''	for (i = start; i < end; i++)
		if (!PageHWPoison(folio_file_page(folio, i)))
			clear_highpage(folio_file_page(folio, i));
'''
HNEW = '''	kvm_gmem_arch_invalidate(folio, start, end);
	kvm_gmem_zero_pages(folio, start, end);
'''

HELPERS = '''
/*
 * The vendor's invalidate hook for file pages [first, last) of @folio, which
 * holds them: see kvm_arch_gmem_invalidate() at the top of guest_memfd.c.
 */
#ifdef CONFIG_HAVE_KVM_ARCH_GMEM_INVALIDATE
static inline void kvm_gmem_arch_invalidate(struct folio *folio, pgoff_t first,
					    pgoff_t last)
{
	kvm_pfn_t pfn = folio_pfn(folio) - folio->index;

	kvm_arch_gmem_invalidate(pfn + first, pfn + last);
}
#else
static inline void kvm_gmem_arch_invalidate(struct folio *folio, pgoff_t first,
					    pgoff_t last)
{
}
#endif

/* Zero file pages [first, last) of @folio%s. */
static inline void kvm_gmem_zero_pages(struct folio *folio, pgoff_t first,
				       pgoff_t last)
{
	pgoff_t i;

	for (i = first; i < last; i++)
%s
}
'''
Z_PLAIN = '\t\tclear_highpage(folio_file_page(folio, i));'
Z_POISON = ('\t\tif (!PageHWPoison(folio_file_page(folio, i)))\n'
            '\t\t\tclear_highpage(folio_file_page(folio, i));')


def drop_unused_j(text):
    """The loop variable of kvm_gmem_convert_folios(), if now unused."""
    m = re.search(r'^static void kvm_gmem_convert_folios\(', text, re.M)
    if not m:
        return text
    e = text.index('\n}\n', m.start())
    body = text[m.start():e]
    for decl in ('\tpgoff_t j;\n', '\tlong j;\n'):
        if decl in body and len(re.findall(r'\bj\b', body)) == 1:
            body = body.replace(decl, '')
    return text[:m.start()] + body + text[e:]


texts, modes = load_all((IP, HG, H))
new = dict(texts)
poison = None
if IP in new:
    t = new[IP]
    if ZERO_C in t:
        poison = True
    elif ZERO_B in t or INV_A in t:
        poison = False
    t = t.replace(INV_A, NEW_A).replace(INV_B, NEW_B)
    t = t.replace(ZERO_B, NEW_Z).replace(ZERO_C, NEW_Z)
    new[IP] = drop_unused_j(t)
if HG in new:
    t = new[HG]
    for z, p in ((HZERO_C, True), (HZERO_B, False)):
        if HINV + z in t:
            assert poison in (None, p), 'zeroing differs between the files'
            poison = p
            t = t.replace(HINV + z, HNEW)
    if 'kvm_gmem_zero_pages(' in t:
        s = t.index('static void kvm_gmem_punch_part(')
        e = t.index('\n}\n', s)
        body = t[s:e].replace('\tpgoff_t i;\n', '', 1)
        if not re.search(r'\bi\b', body):
            t = t[:s] + body + t[e:]
    new[HG] = t
if H in new and poison is not None and 'kvm_gmem_zero_pages(' not in new[H]:
    h = new[H]
    helpers = HELPERS % (', skipping poisoned ones' if poison else '',
                         Z_POISON if poison else Z_PLAIN)
    # After the last static inline predicate of the header.
    anchor = re.search(r'static inline bool kvm_gmem_huge\(struct inode \*inode\)\n\{\n[^}]*\}\n', h)
    if not anchor:
        anchor = re.search(r'static inline bool kvm_gmem_in_place\(struct inode \*inode\)\n\{\n[^}]*\}\n', h)
    h = h[:anchor.end()] + helpers + h[anchor.end():]
    h = h.replace('#include <linux/fs.h>\n', '#include <linux/fs.h>\n#include <linux/highmem.h>\n', 1)
    h = h.replace('#include <linux/mempolicy.h>\n', '#include <linux/mempolicy.h>\n#include <linux/pagemap.h>\n', 1)
    new[H] = h
store_changed(texts, new, modes)
