#!/usr/bin/env python3
"""Check the history that split-gmem.py rewrote, without compiling.

  python3 verify-split-gmem.py [REPO [ORIG [NEW [BASE]]]]

defaults: /work/split series split-work base.  For every pair of commits
(same position in BASE..ORIG and BASE..NEW, same subject):
 (a) the split files hold exactly the items (function bodies with their
     comments, types, macros, variables) of the original guest_memfd.c,
     up to `static'/`inline'/whitespace; range_tree.c + kvm_main.c are the
     original kvm_main.c;
 (b) what a file uses from another .c file is declared in guest_memfd.h
     (or, for functions that were global already, in kvm_mm.h/kvm_host.h);
 (c) nothing is defined twice;
 plus: statics used before their definition, unused statics, header
 inlines that need a .c file, Makefile.kvm lines, and
 (d) no difference outside virt/kvm.  Prints a table of line counts.
"""
import importlib.util
import os
import re
import subprocess
import sys

spec = importlib.util.spec_from_file_location(
    'split_gmem', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               'split-gmem.py'))
sg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sg)

REPO = sys.argv[1] if len(sys.argv) > 1 else '/work/split'
ORIG = sys.argv[2] if len(sys.argv) > 2 else 'series'
NEW = sys.argv[3] if len(sys.argv) > 3 else 'split-work'
BASE = sys.argv[4] if len(sys.argv) > 4 else 'base'

P = sg.PATHS
FILES = [sg.CORE, sg.IN_PLACE, sg.HUGE]
errors = []


def git(*a):
    return subprocess.run(['git', '-C', REPO] + list(a), capture_output=True,
                          check=True).stdout.decode()


def show(c, path):
    r = subprocess.run(['git', '-C', REPO, 'show', '%s:%s' % (c, path)],
                       capture_output=True)
    return r.stdout.decode() if r.returncode == 0 else None


def err(c, msg):
    errors.append('%s: %s' % (c, msg))


def norm(lines):
    text = '\n'.join(lines)
    text = re.sub(r'^(static\s+inline\s+|static\s+|extern\s+)', '', text, flags=re.M)
    return re.sub(r'\s+', ' ', text).strip()


def items_of(text):
    head, items = sg.parse(text)
    return [it for it in sg.walk(items)]


def defs_of(items):
    return [it for it in items if it.kind in ('func', 'var', 'init', 'define', 'struct')]


def check_commit(c, o, subj):
    orig = show(o, P[sg.CORE])
    new = {f: show(c, P[f]) for f in FILES + [sg.HEADER]}
    counts = {f: (new[f].count('\n') if new[f] else 0) for f in new}
    if orig is None:
        if any(new.values()):
            err(c, 'split files without guest_memfd.c')
        return counts
    if new[sg.HEADER] is None:
        if new[sg.CORE] != orig:
            err(c, 'guest_memfd.c changed without a split')
        return counts
    kunit = show(c, sg.DIR + sg.KUNIT) or ''
    for path, old, fixed in sg.COMMENT_FIXES:     # intended comment edits
        f = [k for k in P if P[k] == path][0]
        if new.get(f) and fixed in new[f]:
            orig = orig.replace(old, fixed)
            fixes_applied.add(c)
    oitems = items_of(orig)
    fitems = {f: items_of(new[f]) for f in new if new[f]}
    # (a) the same items
    fwd = {it.name for it in oitems if it.kind == 'var'
           and any(x.kind == 'init' and x.name == it.name for x in oitems)}
    want = sorted(norm(it.lines) for it in oitems
                  if it.kind in ('func', 'var', 'init', 'define', 'struct'))
    got, gotfwd = [], 0
    for f, its in fitems.items():
        for it in its:
            if it.kind in ('func', 'var', 'init', 'define', 'struct'):
                if f == sg.HEADER and it.name == '__KVM_GUEST_MEMFD_H__':
                    continue
                if f == sg.HEADER and it.kind == 'var':
                    continue            # extern declarations
                got.append(norm(it.lines))
    got.sort()
    # forward declarations of cross-file variables are dropped by design
    missing = [x for x in want if x not in got]
    extra = [x for x in got if x not in want]
    missing = [x for x in missing
               if not any(x == 'const struct file_operations %s;' % n or
                          x.endswith(' %s;' % n) for n in fwd)]
    for x in missing:
        err(c, '(a) missing: %s' % x[:90])
    for x in extra:
        err(c, '(a) extra: %s' % x[:90])
    ofuncs = sorted(norm(it.lines) for it in oitems if it.kind == 'func')
    nfuncs = sorted(norm(it.lines) for its in fitems.values() for it in its
                    if it.kind == 'func')
    if ofuncs != nfuncs:
        err(c, '(a) function bodies differ')
    # (c) nothing defined twice
    seen = {}
    for f, its in fitems.items():
        for it in defs_of(its):
            if f == sg.HEADER and it.name == '__KVM_GUEST_MEMFD_H__':
                continue
            if it.kind == 'var' and any(x.kind == 'init' and x.name == it.name
                                        for x in its):
                continue            # forward declaration
            if f == sg.HEADER and it.kind == 'var':
                continue
            if it.name in seen:
                err(c, '(c) %s defined in %s and %s' % (it.name, seen[it.name], f))
            seen[it.name] = f
    # (b) cross-file uses are declared
    hdr = fitems[sg.HEADER]
    protos = {it.name for it in hdr if it.kind == 'decl'}
    externs = {it.name for it in hdr if it.kind == 'var'}
    hdefs = {it.name for it in defs_of(hdr)}
    public = (show(c, sg.DIR + 'kvm_mm.h') or '') + (show(c, 'include/linux/kvm_host.h') or '')
    home = {}
    for f in FILES:
        for it in defs_of(fitems.get(f, [])):
            if it.kind == 'var' and any(x.kind == 'init' and x.name == it.name
                                        for x in fitems[f]):
                continue
            home[it.name] = (f, it)
    via_public = set()
    for f in FILES:
        if f not in fitems:
            continue
        for it in fitems[f]:
            if it.kind in ('include', 'comment'):
                continue
            u = sg.uses_of(it.code())
            if sg.KUNIT_INCLUDE in it.code():
                u |= sg.uses_of(kunit)
            for name in u:
                if name not in home or home[name][0] == f:
                    continue
                g, d = home[name]
                if d.kind == 'func':
                    if name in protos:
                        pass
                    elif re.search(r'\b%s\(' % re.escape(name), public) and \
                            not d.code().startswith('static'):
                        via_public.add(name)
                    else:
                        err(c, '(b) %s uses %s of %s, not declared' % (f, name, g))
                    if d.code().startswith('static'):
                        err(c, '(b) %s is static but used by %s' % (name, f))
                elif d.kind in ('var', 'init'):
                    if name not in externs:
                        err(c, '(b) %s uses variable %s of %s' % (f, name, g))
                else:
                    err(c, '(b) %s uses %s %s of %s' % (f, d.kind, name, g))
    # header inlines and types use nothing of the .c files
    for it in hdr:
        if it.kind in ('func', 'struct', 'define'):
            for name in sg.uses_of(it.code()):
                if name in home:
                    err(c, 'header %s uses %s of %s' % (it.name, name, home[name][0]))
    # prototypes match definitions, and every prototype is used elsewhere
    for name in protos:
        if name not in home:
            err(c, 'prototype of undefined %s' % name)
    # statics: used before definition / unused
    for f in FILES:
        its = fitems.get(f, [])
        pos = {}
        for k, it in enumerate(its):
            if it.kind in ('func', 'init', 'var') and it.name not in pos:
                pos[it.name] = k
        text_uses = [(k, sg.uses_of(it.code()) | (sg.uses_of(kunit) if sg.KUNIT_INCLUDE in it.code() else set()))
                     for k, it in enumerate(its)]
        for k, it in enumerate(its):
            if it.kind != 'func' or not it.code().startswith('static'):
                continue
            users = [j for j, u in text_uses if it.name in u and j != k]
            if not users:
                ow = [x for x in oitems if x.name == it.name]
                used_orig = any(it.name in sg.uses_of(x.code()) for x in oitems
                                if x.name != it.name) or it.name in kunit
                if used_orig:
                    err(c, 'static %s unused in %s' % (it.name, f))
            elif min(users) < pos[it.name]:
                err(c, 'static %s used before its definition in %s' % (it.name, f))
    # Makefile
    mk = show(c, sg.MAKEFILE)
    for f, obj in ((sg.IN_PLACE, 'guest_memfd_in_place.o'), (sg.HUGE, 'guest_memfd_huge.o')):
        line = 'kvm-$(CONFIG_KVM_GUEST_MEMFD) += $(KVM)/%s' % obj
        if (line in mk.split('\n')) != (new[f] is not None):
            err(c, 'Makefile.kvm and %s disagree' % obj)
    if via_public:
        global_note.update(via_public)
    return counts


global_note = set()
fixes_applied = set()


def check_range_tree(c, o):
    rt = show(c, sg.RANGE_TREE)
    om, nm = show(o, sg.KVM_MAIN), show(c, sg.KVM_MAIN)
    mk = show(c, sg.MAKEFILE)
    if rt is None:
        if om != nm:
            err(c, 'kvm_main.c changed without range_tree.c')
        if 'range_tree.o' in (mk or ''):
            err(c, 'range_tree.o without range_tree.c')
        return 0
    if 'kvm-y += $(KVM)/range_tree.o' not in mk.split('\n'):
        err(c, 'range_tree.o missing from Makefile.kvm')
    funcs = [it for it in items_of(rt) if it.kind == 'func']
    rebuilt = om
    for it in funcs:
        block = '\n'.join(it.lines) + '\n'
        if block + '\n' not in rebuilt:
            err(c, 'range_tree.c: %s not verbatim from kvm_main.c' % it.name)
        rebuilt = rebuilt.replace(block + '\n', '', 1)
    if rebuilt != nm:
        rebuilt2 = rebuilt.replace('#include <linux/maple_tree.h>\n', '', 1)
        if rebuilt2 != nm:
            err(c, 'kvm_main.c is not the original minus the range trees')
    if re.search(r'^[a-z].*\bkvm_range_tree_\w+\(', nm, re.M):
        err(c, 'kvm_main.c still defines a range tree function')
    return rt.count('\n')


def main():
    olist = git('rev-list', '--reverse', '%s..%s' % (BASE, ORIG)).split()
    nlist = git('rev-list', '--reverse', '%s..%s' % (BASE, NEW)).split()
    assert len(olist) == len(nlist), (len(olist), len(nlist))
    rows = []
    prev = None
    for o, c in zip(olist, nlist):
        so = git('log', '-1', '--format=%s', o).strip()
        sn = git('log', '-1', '--format=%s', c).strip()
        if so != sn:
            err(c, 'subject differs')
        # (d) nothing outside virt/kvm differs
        d = git('diff', '--name-only', o, c, '--', '.', ':!virt/kvm')
        if d.strip():
            err(c, '(d) differs outside virt/kvm: %s' % d.split())
        counts = check_commit(c[:7], o, so)
        rtn = check_range_tree(c[:7], o)
        changed = git('diff', '--name-only', o, c).split()
        allowed = set(P.values()) | {sg.MAKEFILE, sg.KVM_MAIN, sg.RANGE_TREE,
                                     sg.RANGE_TREE_KUNIT, sg.DIR + sg.KUNIT}
        for p in changed:
            if p not in allowed:
                err(c[:7], 'unexpected change to %s' % p)
        row = (c[:7], so, counts[sg.CORE], counts[sg.IN_PLACE], counts[sg.HUGE],
               counts[sg.HEADER], rtn, changed)
        rows.append(row)
    print('%-7s %-60s %5s %5s %5s %4s %5s' % ('commit', 'subject', 'gmem', 'inpl', 'huge', '.h', 'rtree'))
    last = None
    for r in rows:
        key = r[2:7]
        mark = '' if key != last else ''
        print('%-7s %-60.60s %5d %5d %5d %4d %5d%s' % (r[0], r[1], r[2], r[3], r[4], r[5], r[6], mark))
        last = key
    d = git('diff', '--stat', ORIG, NEW, '--', '.', ':!virt/kvm')
    print('(d) git diff %s %s -- . :!virt/kvm: %s' % (ORIG, NEW, 'empty' if not d.strip() else d))
    print('tip differs in: %s' % ' '.join(git('diff', '--name-only', ORIG, NEW).split()))
    if fixes_applied:
        print('comment fix of COMMENT_FIXES applied in %d commits (from %s on)'
              % (len(fixes_applied), sorted(fixes_applied, key=lambda x: [r[0] for r in rows].index(x))[0]))
    if global_note:
        print('cross-file uses declared in kvm_mm.h/kvm_host.h (global before the split): %s'
              % ' '.join(sorted(global_note)))
    print('%d error(s)' % len(errors))
    for e in errors:
        print('  ' + e)
    sys.exit(1 if errors else 0)


main()
