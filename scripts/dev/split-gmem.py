#!/usr/bin/env python3
"""git filter-branch --index-filter helper: split virt/kvm/guest_memfd.c by
concern, and move KVM's range trees out of virt/kvm/kvm_main.c.

  git filter-branch -f --index-filter \
	"python3 $TOP/scripts/dev/split-gmem.py" base..split-work

At every commit whose snapshot has virt/kvm/guest_memfd.c, its top-level
items are distributed by the fixed name -> file map MAP below over
  guest_memfd.c           the core (file, fs, allocation, punch, fault, ...)
  guest_memfd_in_place.c  in-place conversion (state tree, range lock, ...)
  guest_memfd_huge.c      huge pages
  guest_memfd.h           the private header: types, predicates, prototypes
Anything not in MAP stays in guest_memfd.c.  Functions one file defines and
another uses lose `static' and get a prototype in guest_memfd.h; a #define
or type used by more than one file moves to the header; a static variable
used by one other file only follows its user, one used by several becomes
extern.  Each file keeps the relative order of its items.

At every commit whose kvm_main.c defines kvm_range_tree_*(), those
functions move to virt/kvm/range_tree.c.

Each snapshot is transformed on its own, deterministically, so the
rewritten history has no conflicts.  A snapshot without guest_memfd.c (or
one that was split already) is left alone.

`python3 split-gmem.py --stdout FILE' prints the split of FILE instead.
"""
import os
import re
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import col as vcol, git, indent_to, load, store  # noqa: E402

# ---------------------------------------------------------------------------
# The map.  Keys are function, variable, macro and type names ("struct X").

CORE, IN_PLACE, HUGE, HEADER = 'core', 'in_place', 'huge', 'header'

MAP = {}
for _n in '''GUEST_MEMFD_MAGIC kvm_gmem_mnt kvm_gmem_bindings_key kvm_gmem_fops
        __kvm_gmem_invalidate_begin kvm_gmem_invalidate_begin
        kvm_gmem_invalidate_end kvm_gmem_invalidate_begin_all
        kvm_gmem_alloc_folio kvm_gmem_get_folio kvm_gmem_allocate
        kvm_gmem_truncate_range kvm_gmem_punch_hole kvm_gmem_fallocate
        kvm_gmem_release kvm_gmem_fault kvm_gmem_set_policy
        kvm_gmem_get_policy kvm_gmem_vm_ops kvm_gmem_mmap
        kvm_gmem_show_fdinfo kvm_gmem_setattr kvm_gmem_iops
        kvm_gmem_migrate_folio kvm_gmem_free_folio kvm_gmem_error_remove_page
        kvm_gmem_aops kvm_gmem_create_file kvm_gmem_get_supported_flags
        kvm_gmem_create kvm_gmem_bind kvm_gmem_unbind kvm_gmem_prepare
        kvm_gmem_get_file kvm_gmem_get_bound_folio kvm_gmem_get_pfn
        kvm_gmem_populate_one kvm_gmem_populate kvm_gmem_evict_inode
        kvm_gmem_sops kvm_gmem_init_fs_context kvm_gmem_fs kvm_gmem_init
        kvm_gmem_exit'''.split():
    MAP[_n] = CORE
for _n in '''kvm_gmem_private_entry kvm_gmem_index_is_private kvm_gmem_state_is
        kvm_gmem_attrs_store kvm_gmem_range_key kvm_gmem_range_lock_init
        kvm_gmem_range_trylock kvm_gmem_range_lock kvm_gmem_range_unlock
        kvm_gmem_host_may_access kvm_gmem_conversion_zap_range
        KVM_GMEM_PIN_RETRIES kvm_gmem_unmap_host kvm_gmem_convert_folios
        kvm_gmem_set_attributes kvm_gmem_ioctl kvm_gmem_range_is
        kvm_gmem_mem_is_private'''.split():
    MAP[_n] = IN_PLACE
for _n in '''KVM_GMEM_PMD_ORDER KVM_GMEM_PMD_PAGES kvm_gmem_huge_pmd_size
        kvm_gmem_invalidate_begin_blocks kvm_gmem_alloc_order
        kvm_gmem_punch_part kvm_gmem_truncate kvm_gmem_split_edge
        kvm_gmem_split_edges kvm_gmem_get_unmapped_area
        kvm_gmem_block_is_contig kvm_gmem_max_order'''.split():
    MAP[_n] = HUGE
for _n in ['struct kvm_gmem_inode', 'struct kvm_gmem', 'struct kvm_gmem_range',
           'kvm_gmem_i', 'kvm_gmem_flags', 'kvm_gmem_in_place',
           'kvm_gmem_huge']:
    MAP[_n] = HEADER

DIR = 'virt/kvm/'
PATHS = {CORE: DIR + 'guest_memfd.c', IN_PLACE: DIR + 'guest_memfd_in_place.c',
         HUGE: DIR + 'guest_memfd_huge.c', HEADER: DIR + 'guest_memfd.h'}
FILES = (CORE, IN_PLACE, HUGE)
KUNIT = 'guest_memfd_kunit.c'
KUNIT_INCLUDE = '#include "%s"' % KUNIT
MAKEFILE = DIR + 'Makefile.kvm'
KVM_MAIN = DIR + 'kvm_main.c'
RANGE_TREE = DIR + 'range_tree.c'
RANGE_TREE_KUNIT = DIR + 'range_tree_kunit.c'

# Which <linux/...> include of guest_memfd.c a new file needs, by what it
# uses; only includes that the original has are copied.
INCLUDE_NEEDS = [
    ('<linux/anon_inodes.h>', r'\banon_inode_\w+'),
    ('<linux/delay.h>', r'\b(usleep_range|msleep|udelay|fsleep)\b'),
    ('<linux/fs.h>', r'.'),
    ('<linux/falloc.h>', r'\bFALLOC_FL_\w+'),
    ('<linux/highmem.h>', r'\b(clear_highpage|k?map_local\w*|kmap\w*|kunmap\w*)\b'),
    ('<linux/huge_mm.h>', r'\b(split_folio|split_huge_page\w*|thp_get_unmapped_area)\b'),
    ('<linux/kvm_host.h>', r'.'),
    ('<linux/maple_tree.h>', r'\b(mt_\w+|mtree_\w+|mas_\w+|MA_STATE|maple_tree)\b'),
    ('<linux/mempolicy.h>', r'\b(mpol_\w+|mempolicy|shared_policy)\b'),
    ('<linux/mount.h>', r'\b(kern_mount|kern_unmount|MNT_\w+)\b'),
    ('<linux/pagemap.h>', r'\b(filemap_\w+|__filemap_\w+|mapping_\w+|unmap_mapping_pages|truncate_inode_pages\w*|folio_\w+)\b'),
    ('<linux/pagevec.h>', r'\bfolio_batch\w*'),
    ('<linux/pseudo_fs.h>', r'\b(init_pseudo|pseudo_fs_context)\b'),
    ('<linux/seq_file.h>', r'\bseq_\w+'),
    ('<linux/swap.h>', r'\blru_add_drain\w*'),
]

# ---------------------------------------------------------------------------
# Contract heads of the new files.  Each sentence is kept only if its
# condition holds for the snapshot (`has' = names defined in it).


def head_in_place(has, text):
    range_lock = 'kvm_gmem_range_lock' in has
    p1 = ('In-place conversion for guest_memfd: a GUEST_MEMFD_FLAG_IN_PLACE '
          'file keeps the state of each page, shared or private, in a maple '
          'tree of the inode (kvm_gmem_inode.attrs).  '
          'KVM_GMEM_SET_ATTRIBUTES flips it in place, zapping guest mappings '
          'inside an MMU invalidation, and makes a page private only once '
          'the host has no mapping of it and no reference but the page '
          'cache\'s.')
    if 'kvm_gmem_split_edges' in has:
        p1 += ('  Huge folios that a conversion cuts are split first '
               '(guest_memfd_huge.c).')
    if 'kvm_gmem_mem_is_private' in has:
        p1 += ('  kvm_gmem_mem_is_private() serves kvm_mem_is_private() '
               'for the memslots of such files.')
    if range_lock:
        p2 = ('A conversion holds the invalidate lock shared and its range '
              'exclusively in the range lock defined here '
              '(kvm_gmem_range_lock()), which allocation, faults and '
              'kvm_gmem_get_pfn() take shared')
        p2 += ('; attrs_lock serializes the writers of the tree.'
               if 'attrs_lock' in text else '.')
    else:
        p2 = ('A conversion holds the invalidate lock exclusively, keeping '
              'allocation, faults and kvm_gmem_get_pfn(), which hold it '
              'shared, away while the state changes.')
    p2 += '  Lock order: top of guest_memfd.c.'
    if range_lock and KUNIT_INCLUDE in text:
        p2 += ('  The range lock\'s KUnit test (%s) is included at the end.'
               % KUNIT)
    return [p1, p2]


def head_huge(has, text):
    p1 = ('Huge pages for guest_memfd: a GUEST_MEMFD_FLAG_HUGE_PMD file '
          'backs each aligned PMD-sized block with one huge folio if the '
          'allocator has one and nothing of the block is in the file yet')
    if has.get('kvm_gmem_alloc_order') and \
            'kvm_gmem_state_is' in has['kvm_gmem_alloc_order']:
        p1 += ' (nor, IN_PLACE, both shared and private pages)'
    p1 += (', else with small pages (kvm_gmem_alloc_order()).  A partial '
           'hole punch zeroes part of a huge folio and keeps it '
           '(kvm_gmem_punch_part())')
    if 'kvm_gmem_invalidate_begin_blocks' in has:
        p1 += ', and zaps guest mappings by whole blocks'
    p1 += '.'
    split = 'kvm_gmem_split_edges' in has
    if split:
        p1 += ('  A conversion splits the huge folios it cuts '
               '(kvm_gmem_split_edges())')
        if 'kvm_gmem_block_is_contig' in has:
            p1 += (', whose pages KVM maps huge again once uniform')
        p1 += '.'
    p1 += ('  kvm_gmem_max_order() bounds the order KVM maps a page with.')
    range_lock = 'kvm_gmem_range_lock' in has
    excl = ['a hole punch', 'kvm_gmem_populate()']
    shared = ['allocation', 'faults', 'kvm_gmem_get_pfn()']
    if split:
        (shared if range_lock else excl).insert(0, 'a conversion')
    p2 = ('But for kvm_gmem_huge_pmd_size() and '
          'kvm_gmem_get_unmapped_area(), all runs under the invalidate '
          'lock: exclusive for %s, shared for %s'
          % (', '.join(excl[:-1]) + ' and ' + excl[-1],
             ', '.join(shared[:-1]) + ' and ' + shared[-1]))
    if range_lock:
        p2 += ', which also lock their range'
        if split:
            p2 += ' (whole blocks here)'
    p2 += ('.  Folios are %spunched locked.  Lock order: top of '
           'guest_memfd.c.' % ('split and ' if split else ''))
    return [p1, p2]


def head_range_tree(has, users):
    p1 = ('KVM\'s range trees: maple trees that keep a value per index as '
          'one range per run of equal values, merged on store '
          '(kvm_range_tree_store()), so that state over a terabyte costs '
          'what it does over a page.')
    if users:
        p1 += '  They hold %s.' % ' and '.join(users)
    if 'kvm_range_tree_uniform' in has:
        p1 += ('  kvm_range_tree_uniform() checks a range at the cost of '
               'one walk per distinct range met')
        if 'kvm_range_tree_widen' in has:
            p1 += (', and kvm_range_tree_widen() widens a range to the '
                   'blocks that a store over it makes uniform, which KVM '
                   'maps huge and so zaps whole')
        p1 += '.'
    p2 = ('The trees are not in RCU mode (6.1\'s maple tree freed nodes '
          'twice under many stores in that mode), so every function here '
          'takes the tree\'s lock, readers included.  The store may drop it '
          'to allocate, between looking at the neighbours and storing: '
          'callers serialize the writers of a tree')
    if 'kvm_range_tree_uniform' in has:
        p2 += (', and keep it from changing for as long as an answer about '
               'a range must hold')
    p2 += '.'
    return [p1, p2]


def comment_block(paras, width=77):
    out = ['/*']
    for i, p in enumerate(paras):
        if i:
            out.append(' *')
        out += textwrap.wrap(p, width=width, initial_indent=' * ',
                             subsequent_indent=' * ', break_on_hyphens=False,
                             break_long_words=False)
    out.append(' */')
    return out

# ---------------------------------------------------------------------------
# A crude parser of kernel-style C: top-level items.


ID = re.compile(r'\b[A-Za-z_]\w*\b')


class Item:
    def __init__(self, kind, lines, gap):
        self.kind = kind        # func var init struct define include region comment other decl
        self.lines = lines
        self.gap = gap          # blank lines before the item
        self.name = None
        self.sub = []           # items of a region
        self.cstart = 0         # first line after the leading comment
        self.home = None

    def code(self):
        return '\n'.join(self.lines[self.cstart:])


def strip_code(text):
    """Text without comments, strings and character literals."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\\n])*'", "''", text)
    return text


def uses_of(text):
    code = strip_code(text)
    ids = set(ID.findall(code))
    ids |= {'%s %s' % m for m in re.findall(r'\b(struct|enum|union)\s+(\w+)', code)}
    return ids


def split_head(lines):
    i = 0
    if lines and lines[0].startswith('// SPDX'):
        i = 1
    if i < len(lines) and lines[i].startswith('/*'):
        while '*/' not in lines[i]:
            i += 1
        i += 1
    return lines[:i], lines[i:]


def _name_of(kind, code):
    if kind == 'func':
        return ID.findall(code.split('(')[0])[-1]
    if kind == 'struct':
        m = re.match(r'\s*(struct|enum|union)\s+(\w+)', code)
        return m.group(1) + ' ' + m.group(2) if m else None
    if kind == 'define':
        return re.match(r'#define\s+(\w+)', code).group(1)
    if kind == 'include':
        return code.strip()
    if kind == 'var':
        return ID.findall(re.sub(r'\[.*?\]', '', code.split(';')[0]))[-1]
    if kind == 'init':
        return ID.findall(re.sub(r'\[.*?\]', '', code.split('=')[0]))[-1]
    if kind == 'decl':
        return ID.findall(code.split('(')[0])[-1]
    return None


def parse_items(lines):
    items, i, n, gap = [], 0, len(lines), 0
    while i < n:
        if lines[i].strip() == '':
            gap += 1
            i += 1
            continue
        start = i
        while i < n and lines[i].startswith('/*'):
            while '*/' not in lines[i]:
                i += 1
            i += 1
        if i > start and (i >= n or lines[i].strip() == ''):
            items.append(Item('comment', lines[start:i], gap))
            gap = 0
            continue
        cstart, line = i, lines[i]
        if re.match(r'#\s*if', line):
            depth = 0
            while True:
                if re.match(r'#\s*if', lines[i]):
                    depth += 1
                elif re.match(r'#\s*endif', lines[i]):
                    depth -= 1
                    if not depth:
                        break
                i += 1
            i += 1
            it = Item('region', lines[start:i], gap)
            inner = [l for l in lines[cstart + 1:i - 1]
                     if not re.match(r'#\s*(else|elif)', l)]
            it.sub = parse_items(inner)
        elif line.startswith('#define'):
            while lines[i].endswith('\\'):
                i += 1
            i += 1
            it = Item('define', lines[start:i], gap)
        elif line.startswith('#include'):
            i += 1
            it = Item('include', lines[start:i], gap)
        elif line.startswith('#'):
            i += 1
            it = Item('other', lines[start:i], gap)
        else:
            while True:
                l = lines[i].rstrip()
                sofar = ' '.join(lines[cstart:i + 1])
                if l == '{':
                    kind = 'func'
                    while lines[i] != '}':
                        i += 1
                    i += 1
                    while i < n and re.match(r'(EXPORT_SYMBOL|ALLOW_ERROR_INJECTION)', lines[i]):
                        i += 1
                    break
                if l.endswith('{'):
                    kind = 'init' if '=' in sofar else 'struct'
                    while not lines[i].startswith('}'):
                        i += 1
                    i += 1
                    break
                if l.endswith(';'):
                    kind = 'decl' if '(' in sofar else 'var'
                    i += 1
                    break
                i += 1
            it = Item(kind, lines[start:i], gap)
        it.cstart = cstart - start
        it.name = _name_of(it.kind, it.code())
        items.append(it)
        gap = 0
    return items


def parse(text):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    head, rest = split_head(lines)
    return head, parse_items(rest)


def walk(items):
    for it in items:
        if it.kind == 'region':
            yield from walk(it.sub)
        else:
            yield it

# ---------------------------------------------------------------------------
# Rewriting signatures.


def sig_end(it):
    """Index (in it.lines) of the line that holds `{' of a function."""
    for k in range(it.cstart, len(it.lines)):
        if it.lines[k] == '{':
            return k
    raise ValueError(it.name)


def reprefix(lines, old, new):
    """Replace the prefix @old of lines[0] by @new and realign the
    continuation lines that were aligned with the parenthesis."""
    assert lines[0].startswith(old), (lines[0], old)
    first = new + lines[0][len(old):]
    paren = lines[0].find('(')
    out = [first]
    if paren < 0:
        return out + lines[1:]
    oldcol = len(lines[0][:paren + 1])   # the first line starts at column 0
    newcol = oldcol - len(old) + len(new)
    for l in lines[1:]:
        ws = l[:len(l) - len(l.lstrip())]
        if vcol(ws) == oldcol:
            l = indent_to(newcol) + l.lstrip()
        out.append(l)
    return out


def unstatic(it):
    """The function or variable @it without `static'."""
    code = it.lines[it.cstart:]
    if not code[0].startswith('static '):
        return
    if it.kind == 'func':
        k = sig_end(it) - it.cstart
        code = reprefix(code[:k], 'static ', '') + code[k:]
    else:
        code = [code[0][len('static '):]] + code[1:]
    it.lines = it.lines[:it.cstart] + code


def refill(sig, width=80):
    """Re-break a signature (list of lines) at parameter boundaries, the
    continuation lines aligned with the parenthesis, kernel style."""
    text = ' '.join(l.strip() for l in sig)
    text = re.sub(r'\(\s+', '(', re.sub(r'\s+\)', ')', text))
    paren = text.find('(')
    head, params = text[:paren + 1], text[paren + 1:]
    parts, depth, cur = [], 0, ''
    for ch in params:
        cur += ch
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        elif ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
    parts.append(cur.strip())
    col = len(head)
    lines, line = [], head
    for k, p in enumerate(parts):
        sep = '' if line.endswith('(') or not lines and line == head else ' '
        if vlen(line) + len(sep) + len(p) > width and line.strip() and \
                not line.endswith('('):
            lines.append(line)
            line = indent_to(col) + p
        else:
            line = line + sep + p
    lines.append(line)
    return lines


def prototype(it):
    sig = it.lines[it.cstart:sig_end(it)]
    sig = [re.sub(r'^static\s+', '', sig[0])] + sig[1:]
    sig[-1] += ';'
    return refill(sig)


def vlen(line):
    return vcol(line[:len(line) - len(line.lstrip())]) + len(line.lstrip())


def extern_decl(it):
    code = strip_code(it.code()).strip()
    if it.kind == 'init':
        code = code.split('=')[0].rstrip()
    else:
        code = code.rstrip(';').rstrip()
    code = re.sub(r'^static\s+', '', code)
    return 'extern %s;' % code


def make_inline(it):
    code = it.lines[it.cstart:]
    k = sig_end(it) - it.cstart
    code = reprefix(code[:k], 'static ', 'static inline ') + code[k:]
    it.lines = it.lines[:it.cstart] + code

# ---------------------------------------------------------------------------
# The guest_memfd.c split.


def home_of(it, defined):
    if it.kind == 'region':
        if any(KUNIT_INCLUDE in l for l in it.lines):
            return IN_PLACE if 'kvm_gmem_range_lock' in defined else CORE
        funcs = [s for s in walk(it.sub) if s.kind == 'func']
        first = funcs[0] if funcs else next(walk(it.sub), None)
        return home_of(first, defined) if first else CORE
    h = MAP.get(it.name)
    if h is None:
        if it.kind in ('func', 'var', 'init', 'define', 'struct'):
            sys.stderr.write('split-gmem: %s not in the map, left in guest_memfd.c\n'
                             % it.name)
        h = CORE
    return h


def emit(items, keep, lead=False):
    """Lines of the items for which keep(item), with the original spacing
    (the largest gap of a run of dropped items and the next kept one)."""
    out, pending = [], 0
    for it in items:
        pending = max(pending, it.gap)
        if not keep(it):
            continue
        if out or lead:
            out += [''] * pending
        out += it.lines
        pending = 0
    return out


def split_gmem(text, kunit_text=''):
    head, items = parse(text)
    flat = list(walk(items))
    defined = {it.name for it in flat if it.kind not in ('include', 'comment', 'other')}
    # standalone comments go with the next item
    for k, it in enumerate(items):
        if it.kind == 'comment':
            nxt = next((x for x in items[k + 1:] if x.kind != 'comment'), None)
            it.home = None if nxt is None else ('@', nxt)
    for it in items:
        if it.kind == 'region':
            it.home = home_of(it, defined)
            for s in walk(it.sub):
                s.home = it.home
                if s.kind == 'func' and MAP.get(s.name, it.home) != it.home:
                    sys.stderr.write('split-gmem: %s goes with its #if block to %s\n'
                                     % (s.name, it.home))
        elif it.kind == 'include':
            it.home = 'include'
        elif it.kind != 'comment':
            it.home = home_of(it, defined)
    for it in items:
        if it.kind == 'comment':
            it.home = it.home[1].home if it.home else CORE
    if not any(it.home in (IN_PLACE, HUGE) for it in flat):
        return None

    # Forward declarations (`static const struct file_operations kvm_gmem_fops;')
    fwd = {}
    for it in flat:
        if it.kind == 'var' and any(x.kind == 'init' and x.name == it.name for x in flat):
            fwd[it.name] = it
    # who uses what
    users = {}
    kunit_uses = uses_of(kunit_text) if kunit_text else set()
    for it in flat:
        if it.kind in ('include', 'comment'):
            continue
        u = uses_of(it.code()) - {it.name}
        if KUNIT_INCLUDE in it.code():
            u |= kunit_uses
        if it.kind == 'var' and it.name in fwd:
            continue
        for name in u:
            users.setdefault(name, set()).add(it)
    defs = {it.name: it for it in flat
            if it.kind in ('func', 'var', 'init', 'define', 'struct')
            and not (it.kind == 'var' and it.name in fwd)}

    def user_files(name):
        return {u.home for u in users.get(name, ())}

    # static variables used by one other file only follow their user
    for name, it in defs.items():
        if it.kind in ('var', 'init') and it.home in FILES:
            uf = user_files(name) - {HEADER}
            if uf and it.home not in uf and len(uf) == 1:
                it.home = uf.pop()
                if name in fwd:
                    fwd[name].home = it.home
    # macros and types used by several files go to the header (to a fixpoint)
    changed = True
    while changed:
        changed = False
        for name, it in defs.items():
            if it.kind in ('define', 'struct') and it.home != HEADER and \
                    user_files(name) - {it.home}:
                it.home = HEADER
                changed = True
    # the header may use only what it has
    for name, it in defs.items():
        if it.home != HEADER and HEADER in user_files(name) and \
                it.kind not in ('func', 'var', 'init'):
            raise SystemExit('split-gmem: the header needs %s' % name)
    # cross-file functions and variables
    cross = {}
    for name, it in defs.items():
        if it.kind in ('func', 'var', 'init') and it.home in FILES:
            if user_files(name) - {it.home}:
                cross[name] = it
    if any(it.home == HEADER for it in cross.values()):
        raise SystemExit('split-gmem: header function uses a .c function')
    hdr_protos = {f: [] for f in FILES}
    hdr_externs = []
    for name, it in sorted(cross.items(), key=lambda kv: flat.index(kv[1])):
        was_static = it.code().startswith('static ')
        if it.kind == 'func':
            if was_static:
                hdr_protos[it.home].append(prototype(it))
                unstatic(it)
            # else: already global, declared in kvm_mm.h / kvm_host.h
        else:
            if was_static:
                hdr_externs.append(extern_decl(it))
                unstatic(it)
            if name in fwd:
                fwd[name].home = 'drop'
    for it in flat:
        if it.home == HEADER and it.kind == 'func':
            make_inline(it)

    out = {}
    has = {it.name: it.code() for it in flat if it.name}
    # core: the original head and includes, plus the header
    core_lines = head[:]
    body = emit(items, lambda it: it.home in (CORE, 'include'), lead=True)
    inc_at = max(k for k, l in enumerate(body) if l.startswith('#include'))
    body.insert(inc_at + 1, '#include "guest_memfd.h"')
    out[CORE] = core_lines + body
    orig_includes = [it.lines[it.cstart] for it in items if it.kind == 'include'
                     and it.lines[it.cstart].startswith('#include <')]
    for f, headf in ((IN_PLACE, head_in_place), (HUGE, head_huge)):
        if not any(it.home == f for it in items):
            continue
        body = emit(items, lambda it: it.home == f)
        needs = strip_code('\n'.join(body)) + kunit_text
        incs = [l for l in orig_includes
                if any(l == '#include ' + h and re.search(p, needs)
                       for h, p in INCLUDE_NEEDS)]
        lines = ['// SPDX-License-Identifier: GPL-2.0-only']
        lines += comment_block(headf(has, '\n'.join(body) + text))
        lines += [''] + incs + ['', '#include "kvm_mm.h"',
                                '#include "guest_memfd.h"', ''] + body
        out[f] = lines
    # the header
    hitems = [it for it in flat if it.home == HEADER]
    hbody = []

    def add(block):
        if block:
            if hbody:
                hbody.append('')
            hbody.extend(block)
    for kind in ('struct', 'define', 'func'):
        prev = None
        for it in hitems:
            if it.kind == kind:
                if prev is not None and flat.index(it) == flat.index(prev) + 1 \
                        and not it.gap:
                    hbody.extend(it.lines)      # adjacent in the original
                else:
                    add(it.lines)
                prev = it
    add(hdr_externs)
    for f, what in ((CORE, 'guest_memfd.c: the file, its memory and KVM\'s lookups'),
                    (IN_PLACE, 'guest_memfd_in_place.c: in-place conversion'),
                    (HUGE, 'guest_memfd_huge.c: huge pages')):
        if hdr_protos[f]:
            add(['/* %s */' % what] + [l for p in hdr_protos[f] for l in p])
    needs = strip_code('\n'.join(hbody))
    hincs = [l for l in orig_includes
             if l in ('#include <linux/fs.h>', '#include <linux/kvm_host.h>',
                      '#include <linux/maple_tree.h>', '#include <linux/mempolicy.h>')
             and any(l == '#include ' + h and re.search(p, needs)
                     for h, p in INCLUDE_NEEDS)]
    names = [PATHS[f][len(DIR):] for f in FILES if f in out]
    hl = ['/* SPDX-License-Identifier: GPL-2.0-only */']
    hl += comment_block(['Private to %s and %s: the state of a file, the '
                         'predicates on its flags, and what one of these '
                         'files defines for the other%s.  See the top of '
                         'guest_memfd.c for what a guest_memfd is and how '
                         'it locks.' % (', '.join(names[:-1]), names[-1],
                                        's' if len(names) > 2 else '')])
    hl += ['#ifndef __KVM_GUEST_MEMFD_H__',
          '#define __KVM_GUEST_MEMFD_H__',
          ''] + hincs + [''] + hbody + ['', '#endif /* __KVM_GUEST_MEMFD_H__ */']
    out[HEADER] = hl
    res = {PATHS[f]: '\n'.join(l).rstrip('\n') + '\n' for f, l in out.items()}
    return fix_comments(res)


# Comments that read differently once their neighbours are elsewhere.
COMMENT_FIXES = [
    (PATHS[HUGE], ' * The same for a hole punch.  In a HUGE_PMD file whole blocks are zapped,\n'
                  ' * so that a block which may be mapped huge afterwards is mapped by the next\n'
                  ' * fault into an empty page table, never over small mappings that other\n'
                  ' * vCPUs are still using.\n',
     ' * kvm_gmem_invalidate_begin_all() for a hole punch.  In a HUGE_PMD file\n'
     ' * whole blocks are zapped, so that a block which may be mapped huge\n'
     ' * afterwards is mapped by the next fault into an empty page table, never\n'
     ' * over small mappings that other vCPUs are still using.\n'),
]


def fix_comments(res):
    for path, old, new in COMMENT_FIXES:
        if path in res and old in res[path]:
            res[path] = res[path].replace(old, new)
    return res


def makefile(text, created):
    lines = text.split('\n')
    anchor = {'guest_memfd_in_place.o': '$(KVM)/guest_memfd.o',
              'guest_memfd_huge.o': '$(KVM)/guest_memfd_in_place.o'}
    for obj, cond in created:
        new = 'kvm-%s += $(KVM)/%s' % (cond, obj)
        if new in lines:
            continue
        if obj == 'range_tree.o':
            at = next(k for k, l in enumerate(lines) if l.startswith('kvm-y :='))
        else:
            at = next((k for k, l in enumerate(lines) if l.endswith(anchor[obj])), None)
            if at is None:
                at = next(k for k, l in enumerate(lines) if l.endswith('$(KVM)/guest_memfd.o'))
        lines.insert(at + 1, new)
    return '\n'.join(lines)


def rewrap_comment_head(text, old, new):
    """Replace @old by @new in the first comment block of @text, rewrapped."""
    m = re.search(r'/\*\n((?: \*.*\n)*?) \*/\n', text)
    if not m:
        return text
    paras, cur = [], []
    for l in m.group(1).split('\n')[:-1]:
        l = l[2:].strip() if l.startswith(' *') else l
        if l:
            cur.append(l)
        else:
            paras.append(' '.join(cur))
            cur = []
    paras.append(' '.join(cur))
    joined = '\n'.join(paras)
    if old not in joined:
        return text
    # keep the double space after sentences
    paras = [p.replace('.  ', '.\0') for p in joined.replace(old, new).split('\n')]
    block = comment_block([p.replace('.\0', '.  ') for p in paras])
    return text[:m.start()] + '\n'.join(block) + '\n' + text[m.end():]

# ---------------------------------------------------------------------------
# The range trees.


RT_SIG = re.compile(r'^[a-z][\w \*]*\bkvm_range_tree_\w+\(')


def split_range_tree(main, gmem_text, attr_text):
    lines = main.split('\n')
    funcs = []                       # (start, end) line ranges, end exclusive
    depth = 0
    for k, l in enumerate(lines):
        if re.match(r'#\s*if', l):
            depth += 1
        elif re.match(r'#\s*endif', l):
            depth -= 1
        if RT_SIG.match(l):
            if depth:
                raise SystemExit('split-gmem: kvm_range_tree_* under #if')
            s = k
            if lines[s - 1] == ' */':
                while not lines[s - 1].startswith('/*'):
                    s -= 1
                s -= 1
            e = k
            while lines[e] != '}':
                e += 1
            e += 1
            funcs.append((s, e))
    if not funcs:
        return None
    body, drop = [], set()
    for s, e in funcs:
        if body:
            body.append('')
        body += lines[s:e]
        drop |= set(range(s, e))
        if e < len(lines) and lines[e] == '':
            drop.add(e)             # the blank line after it
    new = [l for k, l in enumerate(lines) if k not in drop]
    rest = strip_code('\n'.join(new))
    if not re.search(r'\b(mt_\w+|mtree_\w+|mas_\w+|MA_STATE)\b', rest):
        new = [l for l in new if l != '#include <linux/maple_tree.h>']
    has = {re.search(r'\b(kvm_range_tree_\w+)\(', l).group(1)
           for l in body if RT_SIG.match(l)}
    users = []
    if attr_text and 'kvm_range_tree_' in attr_text:
        users.append('the memory attributes of a VM (mem_attributes.c)')
    if gmem_text and 'kvm_range_tree_' in gmem_text:
        users.append('the shared and private pages of a guest_memfd '
                     'IN_PLACE file')
    rt = ['// SPDX-License-Identifier: GPL-2.0-only']
    rt += comment_block(head_range_tree(has, users))
    rt += ['', '#include <linux/kvm_host.h>', '#include <linux/maple_tree.h>',
           '', '#include "kvm_mm.h"', ''] + body
    return '\n'.join(new), '\n'.join(rt) + '\n'

# ---------------------------------------------------------------------------
# The index.


def read(path):
    return load(path)[1]


def write(path, text, mode='100644'):
    store(path, text, mode)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--stdout':
        res = split_gmem(open(sys.argv[2]).read())
        for path, text in (res or {}).items():
            print('==== %s' % path)
            sys.stdout.write(text)
        return
    created = []
    gmem = read(PATHS[CORE])
    if gmem is not None and read(PATHS[HEADER]) is None:
        kunit = read(DIR + KUNIT) or ''
        res = split_gmem(gmem, kunit)
        if res:
            for path, text in res.items():
                if text != read(path):
                    write(path, text)
            if PATHS[IN_PLACE] in res:
                created.append(('guest_memfd_in_place.o', '$(CONFIG_KVM_GUEST_MEMFD)'))
            if PATHS[HUGE] in res:
                created.append(('guest_memfd_huge.o', '$(CONFIG_KVM_GUEST_MEMFD)'))
            if PATHS[IN_PLACE] in res and kunit:
                fixed = rewrap_comment_head(kunit, 'included by guest_memfd.c (the',
                                            'included by guest_memfd_in_place.c (the')
                if fixed != kunit:
                    write(DIR + KUNIT, fixed)
    main_c = read(KVM_MAIN)
    if main_c is not None and read(RANGE_TREE) is None:
        res = split_range_tree(main_c, gmem, read(DIR + 'mem_attributes.c'))
        if res:
            write(KVM_MAIN, res[0])
            write(RANGE_TREE, res[1])
            created.append(('range_tree.o', 'y'))
            rtk = read(RANGE_TREE_KUNIT)
            if rtk and '(kvm_main.c)' in rtk:
                write(RANGE_TREE_KUNIT,
                      rewrap_comment_head(rtk, "range trees (kvm_main.c)",
                                          "range trees (range_tree.c)"))
    if created:
        mk = read(MAKEFILE)
        new = makefile(mk, created)
        if new != mk:
            write(MAKEFILE, new)


if __name__ == '__main__':
    main()
