#!/usr/bin/env python3
"""--index-filter (or --files DIR for a dry run on a checkout): readability
transforms of the split guest_memfd, applied to every snapshot.
 - range lock: kvm_gmem_range_lock_shared()/_exclusive() at call sites, the
   bool kept in an inlined __kvm_gmem_range_lock() that KUnit also uses;
 - kvm_gmem_conversion_zap_range() -> kvm_gmem_conversion_zap_bounds();
 - the host fault's comment says who may fault in, once IN_PLACE exists."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import col, indent_to, load_all, store_changed  # noqa: E402

FILES = ['virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
         'virt/kvm/guest_memfd_huge.c', 'virt/kvm/guest_memfd.h',
         'virt/kvm/guest_memfd_kunit.c']

def realign(text, name):
    """Re-indent the continuation lines of every call/definition of name(
    whose argument list spans lines, to one past its open parenthesis."""
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        m = re.search(r'\b' + re.escape(name) + r'\(', lines[i])
        if m:
            open_col = col(lines[i][:m.end()])
            depth = lines[i][m.end() - 1:].count('(') - lines[i][m.end() - 1:].count(')')
            j = i + 1
            while depth > 0 and j < len(lines):
                lines[j] = indent_to(open_col) + lines[j].lstrip()
                depth += lines[j].count('(') - lines[j].count(')')
                j += 1
        i += 1
    return '\n'.join(lines)

WRAPPERS = """
/* A conversion's lock: no other holder of an overlapping range. */
void kvm_gmem_range_lock_exclusive(struct inode *inode,
				   struct kvm_gmem_range *r,
				   pgoff_t start, pgoff_t end)
{
	__kvm_gmem_range_lock(inode, r, start, end, true);
}

/* An allocation's or a fault's lock: other shared holders may overlap. */
void kvm_gmem_range_lock_shared(struct inode *inode, struct kvm_gmem_range *r,
				pgoff_t start, pgoff_t end)
{
	__kvm_gmem_range_lock(inode, r, start, end, false);
}
"""

def transform(path, text, exists):
    new = text
    # --- range lock ---
    if 'bool exclusive)\n{' in new and 'void kvm_gmem_range_lock(' in new:
        new = new.replace('''void kvm_gmem_range_lock(struct inode *inode, struct kvm_gmem_range *r,
			 pgoff_t start, pgoff_t end, bool exclusive)
{''', '''static __always_inline void __kvm_gmem_range_lock(struct inode *inode,
						  struct kvm_gmem_range *r,
						  pgoff_t start, pgoff_t end,
						  bool exclusive)
{''')
        # the wrappers go right after the definition's closing brace
        k = new.index('static __always_inline void __kvm_gmem_range_lock(')
        e = new.index('\n}\n', k) + 3
        new = new[:e] + WRAPPERS + new[e:]
    new = re.sub(r'\bkvm_gmem_range_lock\(([^;]*?), true\);',
                 lambda m: 'kvm_gmem_range_lock_exclusive(%s);' % m.group(1), new, flags=re.S)
    new = re.sub(r'\bkvm_gmem_range_lock\(([^;]*?), false\);',
                 lambda m: 'kvm_gmem_range_lock_shared(%s);' % m.group(1), new, flags=re.S)
    new = re.sub(r'\bkvm_gmem_range_lock\((&l->t->inode, &r, l->start, l->end, l->exclusive)\);',
                 r'__kvm_gmem_range_lock(\1);', new)
    if path.endswith('.h'):
        new = new.replace('''void kvm_gmem_range_lock(struct inode *inode, struct kvm_gmem_range *r,
			 pgoff_t start, pgoff_t end, bool exclusive);''', '''void kvm_gmem_range_lock_exclusive(struct inode *inode,
				   struct kvm_gmem_range *r,
				   pgoff_t start, pgoff_t end);
void kvm_gmem_range_lock_shared(struct inode *inode, struct kvm_gmem_range *r,
				pgoff_t start, pgoff_t end);''')
    new = new.replace('see kvm_gmem_range_lock()', 'see __kvm_gmem_range_lock()')
    new = re.sub(r'(?<![_\w])kvm_gmem_range_lock\(\)', 'kvm_gmem_range_lock_*()', new)
    for nm in ['kvm_gmem_range_lock_exclusive', 'kvm_gmem_range_lock_shared', '__kvm_gmem_range_lock']:
        new = realign(new, nm)
    # --- zap bounds ---
    if 'kvm_gmem_conversion_zap_range' in new:
        new = new.replace('kvm_gmem_conversion_zap_range', 'kvm_gmem_conversion_zap_bounds')
        new = realign(new, 'kvm_gmem_conversion_zap_bounds')
    # --- host fault comment ---
    if 'virt/kvm/guest_memfd_in_place.c' in exists:
        new = new.replace(''' * A host page fault on a mapping of the file.  Only a file that holds
 * shared memory alone (INIT_SHARED) lets the host in; the page is
 * allocated and zeroed on first touch, like a guest access would.''', ''' * A host page fault on a mapping of the file.  The host may fault in every
 * page of an INIT_SHARED file and the shared pages of an IN_PLACE one
 * (kvm_gmem_host_may_access()), others get SIGBUS; the page is allocated
 * and zeroed on first touch, like a guest access would.''')
    return new

if len(sys.argv) > 2 and sys.argv[1] == '--files':
    root = sys.argv[2]
    texts = {}
    for p in FILES:
        fp = os.path.join(root, p)
        if os.path.exists(fp):
            texts[p] = open(fp).read()
    for p, t in texts.items():
        n = transform(p, t, texts)
        if n != t:
            open(os.path.join(root, p), 'w').write(n)
    sys.exit(0)

texts, modes = load_all(FILES)
store_changed(texts, {p: transform(p, t, texts) for p, t in texts.items()}, modes)
