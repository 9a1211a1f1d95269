#!/usr/bin/env python3
"""--index-filter: one kvm_gmem_invalidate_end_all() beside
kvm_gmem_invalidate_begin_all() instead of the loop written out by its
callers (kvm_gmem_invalidate_end() becomes static again where no other file
needs it); no forward declaration of kvm_gmem_fops where its definition
comes before every use."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load_all, store_changed  # noqa: E402

GM, IP, H = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
             'virt/kvm/guest_memfd.h')

END_ALL = '''
/* kvm_gmem_invalidate_end() in every VM the file is bound in. */
void kvm_gmem_invalidate_end_all(struct inode *inode)
{
	struct kvm_gmem *gmem;

	list_for_each_entry(gmem, &inode->i_mapping->private_list, entry)
		kvm_gmem_invalidate_end(gmem);
}
'''
LOOP = re.compile(r'\tlist_for_each_entry\(gmem, (?:gmem_list|&mapping->private_list|'
                  r'&inode->i_mapping->private_list), entry\)\n'
                  r'\t\tkvm_gmem_invalidate_end\(gmem\);\n')


def function(text, name):
    """(start, end) of the definition of @name, or None."""
    m = re.search(r'^[a-z][^\n;]*\b' + name + r'\(', text, re.M)
    if not m:
        return None
    e = text.index('\n}\n', m.start()) + 3
    return m.start(), e


def drop_unused(body, decl, var):
    """Drop the line declaring @var if the body no longer uses it."""
    if decl in body and len(re.findall(r'\b' + var + r'\b', body)) == 1:
        body = body.replace(decl, '', 1)
    return body


def dedupe_loops(text, fname):
    span = function(text, fname)
    if not span:
        return text
    s, e = span
    body = text[s:e]
    nb = LOOP.sub('\tkvm_gmem_invalidate_end_all(inode);\n', body)
    if nb == body:
        return text
    nb = drop_unused(nb, '\tstruct list_head *gmem_list = &mapping->private_list;\n', 'gmem_list')
    nb = drop_unused(nb, '\tstruct kvm_gmem *gmem;\n', 'gmem')
    return text[:s] + nb + text[e:]


texts, modes = load_all((GM, IP, H))
new = dict(texts)
g = new.get(GM)
if g is not None:
    # The forward declaration, when nothing uses kvm_gmem_fops before it is
    # defined.
    fwd = 'static const struct file_operations kvm_gmem_fops;\n'
    i = g.find(fwd)
    dfn = 'static const struct file_operations kvm_gmem_fops = {'
    if i >= 0 and g.find('kvm_gmem_fops', i + len(fwd)) == \
            g.find(dfn) + dfn.index('kvm_gmem_fops'):
        g = g[:i] + g[i + len(fwd):]
        g = g.replace('\n\n\n', '\n\n')
    new[GM] = g
if g is not None and re.search(r'^(static )?void kvm_gmem_invalidate_begin_all\(', g, re.M) \
        and 'kvm_gmem_invalidate_end_all(' not in g:
    g = dedupe_loops(g, 'kvm_gmem_punch_hole')
    # The conversion's loop goes too where it begins with begin_all().
    if IP in new and 'kvm_gmem_invalidate_begin_all(' in new[IP]:
        new[IP] = dedupe_loops(new[IP], 'kvm_gmem_set_attributes')
    outside = any('kvm_gmem_invalidate_end_all(' in t
                  for p, t in new.items() if p not in (GM, H))
    s, e = function(g, 'kvm_gmem_invalidate_begin_all')
    end_all = END_ALL if outside else END_ALL.replace('\nvoid ', '\nstatic void ')
    g = g[:e] + end_all + g[e:]
    if H in new and outside:
        h = new[H]
        begin = ('void kvm_gmem_invalidate_begin_all(struct inode *inode, pgoff_t start,\n'
                 '\t\t\t\t   pgoff_t end);\n')
        proto = 'void kvm_gmem_invalidate_end_all(struct inode *inode);\n'
        if begin in h:
            h = h.replace(begin, begin + proto)
        else:
            group = "/* guest_memfd.c: the file, its memory and KVM's lookups */\n"
            h = h.replace(group, group + proto)
        new[H] = h
    others = ''.join(t for p, t in new.items() if p not in (GM, H))
    if 'kvm_gmem_invalidate_end(' not in others:
        if H in new:
            new[H] = new[H].replace('void kvm_gmem_invalidate_end(struct kvm_gmem *gmem);\n', '')
        g = g.replace('\nvoid kvm_gmem_invalidate_end(struct kvm_gmem *gmem)\n{',
                      '\nstatic void kvm_gmem_invalidate_end(struct kvm_gmem *gmem)\n{')
    new[GM] = g
store_changed(texts, new, modes)
