#!/usr/bin/env python3
"""--index-filter: in guest_memfd.c's contract comment, name the file that
holds each extension, in every snapshot where that file exists."""
import textwrap
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import git, load, store  # noqa: E402

def exists(path):
    return bool(git('ls-files', '--', path).strip())

P = 'virt/kvm/guest_memfd.c'
mode, text = load(P)
if text is not None:
    new = text
    for start, src, name in [
            (' * A GUEST_MEMFD_FLAG_IN_PLACE file', 'virt/kvm/guest_memfd_in_place.c',
             'guest_memfd_in_place.c'),
            (' * A GUEST_MEMFD_FLAG_HUGE_PMD file', 'virt/kvm/guest_memfd_huge.c',
             'guest_memfd_huge.c')]:
        i = new.find(start)
        if i < 0 or not exists(src):
            continue
        j = new.index('\n *\n', i)
        body = ' '.join(l[3:] for l in new[i:j].split('\n'))
        if name in body:
            continue
        body = body.rstrip() + '  The code is in %s.' % name
        lines = textwrap.wrap(body, 74, break_on_hyphens=False)
        new = new[:i] + '\n'.join(' * ' + l for l in lines) + new[j:]
    if new != text:
        store(P, new, mode)
