#!/usr/bin/env python3
"""--index-filter: the seven guest_memfd functions that took a "bool private"
or "bool to_private" (kvm_gmem_state_is(), kvm_gmem_conversion_zap_bounds(),
kvm_gmem_convert_folios(), kvm_gmem_range_is(), kvm_gmem_split_edge(s)(),
kvm_gmem_max_order()) take the memory attributes instead, as
kvm_range_has_memory_attributes() does: 0 for shared,
KVM_MEMORY_ATTRIBUTE_PRIVATE for private.  A conversion passes on what
userspace asked for (args->attributes, and args->flags for the zeroing that
kvm_gmem_convert_folios() took as a second bool), and a call site says what
it asks about.

Run with --check REV... to print, per commit, what it would change."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import col, indent_to, main  # noqa: E402

C, IP, HG, H = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
                'virt/kvm/guest_memfd_huge.c', 'virt/kvm/guest_memfd.h')
FUNCS = ('kvm_gmem_state_is', 'kvm_gmem_conversion_zap_bounds',
         'kvm_gmem_convert_folios', 'kvm_gmem_range_is', 'kvm_gmem_split_edge',
         'kvm_gmem_split_edges', 'kvm_gmem_max_order')
PRIV = 'KVM_MEMORY_ATTRIBUTE_PRIVATE'


def wrap_call(lead, name, args, tail):
    """@lead + @name(@args) + @tail, wrapped at 80 columns with the
    arguments aligned after the parenthesis, as kernel style has it."""
    first = lead + name + '('
    ind = indent_to(col(first))
    lines, cur = [], first
    for i, a in enumerate(args):
        piece = a + (', ' if i < len(args) - 1 else ')' + tail)
        if cur != first and col(cur + piece.rstrip()) > 80:
            lines.append(cur.rstrip())
            cur = ind
        cur += piece
    lines.append(cur)
    return '\n'.join(lines)


def split_args(s):
    """The top-level comma-separated arguments of @s."""
    out, depth, cur = [], 0, ''
    for ch in s:
        if ch in '([':
            depth += 1
        elif ch in ')]':
            depth -= 1
        if ch == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    out.append(cur.strip())
    return [' '.join(a.split()) for a in out]


def rewrite_calls(t, name, fix_args):
    """Rewrite each call, prototype or definition of @name whose arguments
    @fix_args changes, re-wrapped."""
    out, pos = '', 0
    pat = re.compile(r'(^[^\n]*?)\b' + name + r'\(', re.M)
    while True:
        m = pat.search(t, pos)
        if not m:
            break
        # the argument list, to the matching parenthesis
        i, depth = m.end(), 1
        while depth:
            depth += {'(': 1, ')': -1}.get(t[i], 0)
            i += 1
        args = split_args(t[m.end():i - 1])
        new = fix_args(args)
        eol = t.index('\n', i)
        tail = t[i:eol]
        if new == args or m.group(1).lstrip().startswith('*'):
            out += t[pos:eol]
            pos = eol
            continue
        out += t[pos:m.start()] + wrap_call(m.group(1), name, new, tail)
        pos = eol
    return out + t[pos:]


def params(args):
    """bool private / bool to_private / bool zero -> the attributes."""
    new = []
    for a in args:
        if a in ('bool private', 'bool to_private'):
            new.append('unsigned long attrs')
        elif a == 'bool zero':
            new.append('u64 flags')
        else:
            new.append(a)
    return new


def body_of(t, name):
    m = re.search(r'\n(?:static )?(?:unsigned )?(?:bool|int|long|void) ' + name +
                  r'\(.*?\n\{\n(.*?)\n\}\n', t, re.S)
    return m


def in_body(t, name, f):
    m = body_of(t, name)
    if not m:
        return t
    return t[:m.start(1)] + f(m.group(1)) + t[m.end(1):]


def pass_attrs(args):
    return ['attrs' if a in ('private', 'to_private') else a for a in args]


def transform(texts):
    t = dict(texts)
    if IP not in t or 'bool private' not in ''.join(t.values()) and \
            'bool to_private' not in ''.join(t.values()):
        return t
    for p in (C, IP, HG, H):
        if p not in t:
            continue
        s = t[p]
        for fn in FUNCS:
            # definitions and prototypes
            s = rewrite_calls(s, fn, lambda a: params(a) if any(
                x.startswith('bool ') for x in a) else a)
        # bodies
        s = in_body(s, 'kvm_gmem_state_is', lambda b: b.replace(
            'private ? kvm_gmem_private_entry() : NULL',
            'attrs ? kvm_gmem_private_entry() : NULL'))
        s = in_body(s, 'kvm_gmem_conversion_zap_bounds', lambda b: b.replace(
            'private ? kvm_gmem_private_entry() : NULL',
            'attrs ? kvm_gmem_private_entry() : NULL'))
        s = in_body(s, 'kvm_gmem_range_is', lambda b: rewrite_calls(
            b.replace(',\n\t\t\t\t\t       private ?\n\t\t\t\t\t       %s : 0' % PRIV,
                      ', attrs')
             .replace('return !private;', 'return !attrs;'),
            'kvm_gmem_state_is', pass_attrs))
        s = in_body(s, 'kvm_gmem_split_edge', lambda b: b.replace(
            'kvm_gmem_index_is_private(inode, folio->index) == to_private',
            'kvm_gmem_index_is_private(inode, folio->index) == !!attrs'))
        s = in_body(s, 'kvm_gmem_split_edges', lambda b: rewrite_calls(
            b, 'kvm_gmem_split_edge', pass_attrs))
        s = in_body(s, 'kvm_gmem_max_order', lambda b: rewrite_calls(
            b, 'kvm_gmem_range_is', pass_attrs))
        s = in_body(s, 'kvm_gmem_convert_folios', lambda b: b if
                    'bool to_private = attrs' in b else b.replace(
            '\tstruct address_space *mapping = inode->i_mapping;\n',
            '\tbool to_private = attrs & %s;\n'
            '\tbool zero = flags & KVM_GMEM_SET_ATTRIBUTES_ZERO;\n'
            '\tstruct address_space *mapping = inode->i_mapping;\n' % PRIV, 1))
        # callers
        s = in_body(s, 'kvm_gmem_set_attributes', lambda b: rewrite_calls(
            rewrite_calls(rewrite_calls(
                b.replace('\tbool zero = args->flags & KVM_GMEM_SET_ATTRIBUTES_ZERO;\n', ''),
                'kvm_gmem_split_edges',
                lambda a: ['args->attributes' if x == 'to_private' else x for x in a]),
                'kvm_gmem_conversion_zap_bounds',
                lambda a: ['args->attributes' if x == 'to_private' else x for x in a]),
            'kvm_gmem_convert_folios',
            lambda a: ['args->attributes' if x == 'to_private' else
                       'args->flags' if x == 'zero' else x for x in a]))
        s = in_body(s, 'kvm_gmem_get_pfn', lambda b: rewrite_calls(
            b, 'kvm_gmem_max_order',
            lambda a: ['private ? %s : 0' % PRIV if x == 'private' else x
                       for x in a]))
        s = in_body(s, 'kvm_gmem_alloc_order', lambda b: rewrite_calls(
            b, 'kvm_gmem_state_is',
            lambda a: ['kvm_gmem_index_is_private(inode, start) ? %s : 0' % PRIV
                       if x == 'kvm_gmem_index_is_private(inode, start)' else x
                       for x in a]))
        s = s.replace('\t\t\t       kvm_gmem_index_is_private(inode, start) ? %s : 0))\n' % PRIV,
                      '\t\t\t       kvm_gmem_index_is_private(inode, start) ?\n'
                      '\t\t\t       %s : 0))\n' % PRIV)
        # comments
        s = s.replace('/* Whether gfns [start, start + nr) all are private, or all shared. */\n',
                      '/* Whether gfns [start, start + nr) all have the memory attributes @attrs. */\n')
        s = s.replace(' * Whether file pages [start, end) of an IN_PLACE file all are private, or\n'
                      ' * all shared, as @private says.\n',
                      ' * Whether file pages [start, end) of an IN_PLACE file all have the\n'
                      ' * memory attributes @attrs: all private (%s)\n'
                      ' * or all shared (0).\n' % PRIV)
        s = s.replace(' * The file pages whose guest mappings a conversion of [*start, *end) to\n'
                      ' * @private zaps:',
                      ' * The file pages whose guest mappings a conversion of [*start, *end) to\n'
                      ' * @attrs zaps:')
        s = s.replace('(as @private)', '(as @attrs)')
        t[p] = s
    for p in t:
        for fn in FUNCS:
            for m in re.finditer(r'\b' + fn + r'\(([^;{]*?)\)', t[p], re.S):
                assert 'bool ' not in m.group(1), (p, fn)
        assert '@private' not in t[p], p
    return t


if __name__ == '__main__':
    main(sys.argv, (C, IP, HG, H), transform)
