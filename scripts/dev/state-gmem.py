#!/usr/bin/env python3
"""--index-filter: kvm_gmem_create_file() allocated and set up the state of
the new inode (struct kvm_gmem_inode) inline, and freed it again by hand on
each error path, in step with kvm_gmem_evict_inode().  Give the state its
pair of helpers, kvm_gmem_alloc_state() and kvm_gmem_free_state(), from the
patch that adds the state, so that create_file() is left with the gmem, the
inode and the file, and one way to free the state.

Run with --check REV... to print, per commit, what it would change."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import main  # noqa: E402

C = 'virt/kvm/guest_memfd.c'

BLOCK_START = '\tgi = kzalloc(sizeof(*gi), GFP_KERNEL_ACCOUNT);\n'
BLOCK_END = '\n\tinode = anon_inode_make_secure_inode('
ALLOC_FAIL = '\tif (!gi) {\n\t\tr = -ENOMEM;\n\t\tgoto err_gmem;\n\t}\n'
STORE_FAIL = ('\t\tif (r) {\n\t\t\tmtree_destroy(&gi->attrs);\n'
              '\t\t\tkfree(gi);\n\t\t\tgoto err_gmem;\n\t\t}\n')
CALL = '''	gi = kvm_gmem_alloc_state(%s);
	if (IS_ERR(gi)) {
		r = PTR_ERR(gi);
		goto err_gmem;
	}
'''
INODE_FAIL = re.compile(r'(\tif \(IS_ERR\(inode\)\) \{\n)((?:\t\t(?:mpol_free_shared_policy'
                        r'\(&gi->policy\)|mtree_destroy\(&gi->attrs\)|kfree\(gi\));\n)+)'
                        r'(\t\tr = PTR_ERR\(inode\);\n)')
EVICT = re.compile(r'(static void kvm_gmem_evict_inode\(struct inode \*inode\)\n\{\n'
                   r'.*?clear_inode\(inode\);\n)(.*?\n)\}\n', re.S)
TEARDOWN = ('mpol_free_shared_policy(&gi->policy);', 'mtree_destroy(&gi->attrs);',
            'kfree(gi);')


def transform(texts):
    t = dict(texts)
    c = t.get(C)
    if c is None or BLOCK_START not in c or 'kvm_gmem_alloc_state(' in c:
        return t
    # the teardown evict_inode does, in its order
    m = EVICT.search(c)
    assert m, 'evict_inode'
    steps = [s for s in TEARDOWN if s in m.group(2)]
    assert steps and steps[-1] == 'kfree(gi);', 'evict teardown'
    evict_body = m.group(2)
    if 'kvm_gmem_free_state(gi);' not in evict_body:
        if 'if (gi) {' in evict_body:
            new_body = re.sub(r'\tif \(gi\) \{\n.*?\t\}\n',
                              '\tif (gi)\n\t\tkvm_gmem_free_state(gi);\n',
                              evict_body, flags=re.S)
        else:
            assert evict_body.strip() == 'kfree(gi);', evict_body
            new_body = '\tkvm_gmem_free_state(gi);\n'
        c = c[:m.start(2)] + new_body + c[m.end(2):]

    s = c.index(BLOCK_START)
    e = c.index(BLOCK_END, s)
    block = c[s:e]
    takes_size = re.search(r'\bsize\b', block.replace('sizeof', '')) is not None
    params = 'loff_t size, u64 flags' if takes_size else 'u64 flags'
    body = block.replace(ALLOC_FAIL, '\tif (!gi)\n\t\treturn ERR_PTR(-ENOMEM);\n')
    body = body.replace(STORE_FAIL, '\t\tif (r) {\n\t\t\tkvm_gmem_free_state(gi);\n'
                        '\t\t\treturn ERR_PTR(r);\n\t\t}\n')
    assert 'goto' not in body, 'a goto left in the state block'
    decls = '\tstruct kvm_gmem_inode *gi;\n' + ('\tint r;\n' if 'r = ' in body else '')
    free_fn = ('/* Free what kvm_gmem_alloc_state() allocated. */\n'
               'static void kvm_gmem_free_state(struct kvm_gmem_inode *gi)\n{\n' +
               ''.join('\t%s\n' % s for s in steps) + '}\n\n')
    alloc_fn = ('/*\n * The state of a new file\'s inode, which evicting the inode '
                'frees\n * (kvm_gmem_free_state()).\n */\n'
                'static struct kvm_gmem_inode *kvm_gmem_alloc_state(%s)\n{\n' % params +
                decls + '\n' + body + '\n\treturn gi;\n}\n\n')
    c = c[:s] + CALL % ('size, flags' if takes_size else 'flags') + c[e:]
    c, n = INODE_FAIL.subn(r'\1\t\tkvm_gmem_free_state(gi);\n\3', c)
    assert n == 1, 'inode error path'
    # the helpers go before create_file() and its comment, if any
    j = c.index('static struct file *kvm_gmem_create_file(')
    if c[:j].endswith(' */\n'):
        j = c.rfind('\n/*', 0, j) + 1
    c = c[:j] + free_fn + alloc_fn + c[j:]
    t[C] = c
    return t


if __name__ == '__main__':
    main(sys.argv, (C,), transform)
