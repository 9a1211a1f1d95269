#!/usr/bin/env python3
"""--index-filter: each guest_memfd file includes the headers of what it uses,
and no header it stopped using when the file was split (the sleeps, the LRU
drain and the huge page helpers left the core for guest_memfd_in_place.c and
guest_memfd_huge.c).  A header is dropped only when none of the names that
bring it in is left in the file, and added once the file uses one of them."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot import load_all, store_changed  # noqa: E402

C, IP, HG = ('virt/kvm/guest_memfd.c', 'virt/kvm/guest_memfd_in_place.c',
             'virt/kvm/guest_memfd_huge.c')

# header -> what the file must use to need it
USES = {
    'linux/delay.h': r'\b[um]sleep|\b[umn]delay\(',
    'linux/swap.h': r'\blru_add_drain|\bswap',
    'linux/huge_mm.h': r'\bthp_|\bsplit_(huge_page|folio)|HPAGE_',
    'linux/file.h': r'\bfget\(|\bfput\(|\bfd_install\(|\bget_unused_fd_flags\(',
    'linux/uaccess.h': r'\bcopy_(from|to)_user\(',
    'linux/lockdep.h': r'\blockdep_|\brwsem_acquire',
    'linux/log2.h': r'\bilog2\(',
}
DROP = {C: ('linux/delay.h', 'linux/swap.h', 'linux/huge_mm.h'),
        IP: ('linux/delay.h', 'linux/swap.h'),
        HG: ('linux/delay.h', 'linux/swap.h', 'linux/huge_mm.h')}
ADD = {C: ('linux/file.h',),
       IP: ('linux/uaccess.h', 'linux/lockdep.h'),
       HG: ('linux/log2.h',)}


def body(t):
    """The file without its #include lines and comments."""
    t = re.sub(r'^#include .*\n', '', t, flags=re.M)
    t = re.sub(r'/\*.*?\*/', '', t, flags=re.S)
    return re.sub(r'//.*', '', t)


def fix(t, drop, add):
    b = body(t)
    for h in drop:
        if not re.search(USES[h], b):
            t = t.replace('#include <%s>\n' % h, '')
    for h in add:
        if re.search(USES[h], b) and '#include <%s>\n' % h not in t:
            incs = re.findall(r'^#include <linux/[^>]+>\n', t, flags=re.M)
            later = [i for i in incs if i > '#include <%s>\n' % h]
            line = '#include <%s>\n' % h
            if later:
                t = t.replace(later[0], line + later[0], 1)
            else:
                t = t.replace(incs[-1], incs[-1] + line, 1)
    return t


def transform(texts):
    t = dict(texts)
    for p in (C, IP, HG):
        if p in t:
            t[p] = fix(t[p], DROP[p], ADD[p])
    return t


if __name__ == '__main__':
    texts, modes = load_all((C, IP, HG))
    store_changed(texts, transform(texts), modes)
