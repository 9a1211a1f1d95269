#!/usr/bin/env python3
"""--index-filter: one selftest library for the guest_memfd tests, in every
patch from the first test that needs a piece of it.

What the tests had each written out moves to the library:
- the guest command protocol (struct guest_cmd, its per-vCPU slots, the
  host's set/run/finish) to include/guest_cmd.h and lib/guest_cmd.c;
- EXPECT() to ASSERT_ERRNO() in test_util.h;
- PAGE, HPAGE, PRIVATE and VM_SHAPE_PRIVATE to include/gmem_util.h, and the
  in-place conversion test VM, which two tests share, to lib/gmem_util.c;
- the host probes (sigbus_read() and the rest, which one later patch moved
  into the library) to test_util.c from their first user on;
- the VM's type and gmem-only memory are a struct vm_shape passed to the
  creators, not globals set around a call;
- the punch-hole assertion, the KVM_GMEM_SET_ATTRIBUTES wrappers and the
  bool-taking VM creators to one helper each.
And the tests that were parts of bigger ones stand alone:
gmem_host_access_test (from gmem_conversion_test), guest_memfd_numa_test
and guest_memfd_teardown_test (from guest_memfd_test).

The library pieces are added to a snapshot when a test of it uses them, so
each arrives with its first user; nothing here looks at commit ids."""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from snapshot import main  # noqa: E402
from cfuncs import (remove_func, remove_macro, get_func, rename_call,  # noqa
                    rewrite_calls, wrap, func_span)

K = 'tools/testing/selftests/kvm/'
FRAG = os.path.join(HERE, 'selftests-lib')

TESTS = [K + p for p in (
    'guest_memfd_test.c', 'guest_memfd_numa_test.c',
    'guest_memfd_teardown_test.c', 'gmem_conversion_test.c',
    'gmem_host_access_test.c', 'gmem_conversion_bench.c',
    'gmem_fault_inject_test.c', 'gmem_huge_bench.c', 'gmem_huge_test.c',
    'gmem_hwpoison_test.c', 'guest_memfd_stress.c',
    'x86_64/gmem_populate_test.c', 'x86_64/pre_fault_memory_test.c',
    'x86_64/private_mem_bench.c', 'x86_64/private_mem_test.c',
    'aarch64/gmem_share_race_test.c')]
MK = K + 'Makefile'
TUH, TUC = K + 'include/test_util.h', K + 'lib/test_util.c'
KUH, KUC = K + 'include/kvm_util_base.h', K + 'lib/kvm_util.c'
GCH, GCC = K + 'include/guest_cmd.h', K + 'lib/guest_cmd.c'
GUH, GUC = K + 'include/gmem_util.h', K + 'lib/gmem_util.c'
PATHS = TESTS + [MK, TUH, TUC, KUH, KUC, GCH, GCC, GUH, GUC]


def frag(name):
    with open(os.path.join(FRAG, name)) as f:
        return f.read()


def sub1(t, old, new, what):
    """@old -> @new where @old stands; it must stand unless @new does."""
    if old in t:
        return t.replace(old, new, 1)
    assert new in t, what
    return t


def apply_patch(text, patch):
    """@text with @patch (one file's unified diff) applied, if it applies
    cleanly; else @text."""
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, 'f')
        with open(f, 'w') as o:
            o.write(text)
        r = subprocess.run(['patch', '-s', '-F0', '-N', '-r', '-', f],
                           input=patch.encode(), capture_output=True)
        if r.returncode:
            return text
        with open(f) as o:
            return o.read()


def file_patches(name):
    """{path: that file's diff} of the fragment patch @name."""
    out, cur = {}, None
    for line in frag(name).splitlines(True):
        if line.startswith('diff --git '):
            cur = line.split()[2][2:]
            out[cur] = ''
        elif cur:
            out[cur] += line
    return {p: ''.join(d.split('\n', 2)[2:]) if d.startswith('index') else d
            for p, d in out.items()}


# --- the library moves of later patches, made where the copies were -------
def early_moves(t, path):
    for name in ('meminfo.patch', 'probes.patch'):
        d = file_patches(name).get(path)
        if d:
            t = apply_patch(t, d)
    return t


# --- pieces every test may use --------------------------------------------
def include_after(t, inc, after='#include "kvm_util.h"\n'):
    line = '#include "%s"\n' % inc
    if line in t:
        return t
    assert after in t, 'no %s to include %s after' % (after, inc)
    return t.replace(after, after + line, 1)


def common(t):
    for name, pat in (('PAGE', r'4096ULL?'), ('HPAGE', r'\(2ULL << 20\)'),
                      ('PRIVATE', r'KVM_MEMORY_ATTRIBUTE_PRIVATE')):
        t = re.sub(r'^#define %s[ \t]+%s\n' % (name, pat), '', t, flags=re.M)
    t = remove_macro(t, 'EXPECT')
    t = rename_call(t, 'EXPECT', 'ASSERT_ERRNO')
    t = punch_holes(t)
    if re.search(r'\bguest_cmd', t):
        t = include_after(t, 'guest_cmd.h')
    if re.search(r'\b(PAGE|HPAGE|PRIVATE|VM_SHAPE_PRIVATE|gmem_vm|gmem_mmap|'
                 r'gmem_punch_hole)\b', t):
        t = include_after(t, 'gmem_util.h')
    return re.sub(r'\n\n\n+', '\n\n', t)


PUNCH = re.compile(r'^!fallocate\((.+), FALLOC_FL_KEEP_SIZE \| '
                   r'FALLOC_FL_PUNCH_HOLE, (.+), (.+)\)$')


def punch_holes(t):
    """TEST_ASSERT(!fallocate(fd, KEEP_SIZE | PUNCH_HOLE, off, len), ...)
    and the tests' own wrappers of it: gmem_punch_hole()."""
    def one(args):
        m = PUNCH.match(args[0])
        if not m or len(args) > 2:
            return None
        return 'gmem_punch_hole(%s, %s, %s)' % m.groups()
    t = rewrite_calls(t, 'TEST_ASSERT', one)
    for name in ('punch', 'gmem_punch'):
        f = get_func(t, name)
        if f and 'FALLOC_FL_PUNCH_HOLE' in f:
            t = remove_func(t, name)
            t = rename_call(t, name, 'gmem_punch_hole')
    return t


# --- the guest command protocol --------------------------------------------
def vcpu_of(t_arg, id_arg):
    if t_arg.startswith('&'):
        return '%s.vcpus[%s]' % (t_arg[1:], id_arg)
    return '%s->vcpus[%s]' % (t_arg, id_arg)


def drop_local_protocol(t):
    t = re.sub(r'^struct guest_cmd \{\n(?:\t[^\n]*\n)+\};\n\n', '', t,
               flags=re.M)
    t = re.sub(r'^static struct guest_cmd cmds?(?:\[\w+\])?;\n', '', t,
               flags=re.M)
    t = remove_func(t, 'finish_op')
    t = rename_call(t, 'finish_op', 'guest_cmd_finish')
    return t


def protocol_conversion(t):
    """gmem_conversion_test and its host-access part: set_cmd(t, id, op,
    gpa, val, n); guest_op(t, id, op, gpa, val) stays, on the library."""
    if 'guest_cmd_get(id)' not in t or 'cmds[id]' in t:
        t = sub1(t, '''		struct guest_cmd *c = &cmds[id];
		uint64_t op = READ_ONCE(c->op), gpa = READ_ONCE(c->gpa);
		uint64_t val = READ_ONCE(c->val), n = READ_ONCE(c->n);
''', '''		struct guest_cmd c = guest_cmd_get(id);
		uint64_t op = c.op, gpa = c.gpa, val = c.val, n = c.n;
''', 'conversion guest code')
    t = remove_func(t, 'set_cmd')
    t = rewrite_calls(t, 'set_cmd', lambda a: 'guest_cmd_set(%s)' % ', '.join(
        [vcpu_of(a[0], a[1])] + a[2:]))
    t = t.replace('''	guest_cmd_set(t->vcpus[id], op, gpa, val, 0);
	return guest_cmd_finish(t->vcpus[id]);
''', '''	return guest_cmd_run(t->vcpus[id], op, gpa, val, 0);
''')
    t = t.replace('''	cmds[0] = (struct guest_cmd){ .op = OP_HVC, .gpa = 0,
				      .val = SMCCC_KVM_MEM_SHARE };
	sync_global_to_guest(vm, cmds);
''', '''	guest_cmd_set(vcpu, OP_HVC, 0, SMCCC_KVM_MEM_SHARE, 0);
''')
    t = t.replace('''		cmds[i] = (struct guest_cmd){ .op = OP_CHURN,
					      .gpa = GPA + i * 4 * PAGE,
					      .val = 0x100 * (i + 1), .n = 4 };
	sync_global_to_guest(t->vm, cmds);
''', '''		guest_cmd_set(t->vcpus[i], OP_CHURN, GPA + i * 4 * PAGE,
			      0x100 * (i + 1), 4);
''')
    return t


def protocol(path, t):
    base = os.path.basename(path)
    if 'struct guest_cmd' in t:
        t = drop_local_protocol(t)
    if base in ('gmem_conversion_test.c', 'gmem_host_access_test.c'):
        t = protocol_conversion(t)
    elif base in ('guest_memfd_test.c', 'guest_memfd_numa_test.c',
                  'guest_memfd_teardown_test.c'):
        if base == 'guest_memfd_test.c':
            t = sub1(t, '''		uint64_t op = READ_ONCE(cmd.op), gpa = READ_ONCE(cmd.gpa);
		uint64_t val = READ_ONCE(cmd.val), n = READ_ONCE(cmd.n), i, r;
''', '''		struct guest_cmd c = guest_cmd_get(0);
		uint64_t op = c.op, gpa = c.gpa, val = c.val, n = c.n, i, r;
''', 'guest_memfd_test guest code')
        t = remove_func(t, 'guest_op')
        t = rename_call(t, 'guest_op', 'guest_cmd_run')
        t = t.replace('''	cmd = (struct guest_cmd){ .op = OP_READ, .gpa = GPA_X + 2 * PAGE + 8 };
	sync_global_to_guest(vm, cmd);
''', '''	guest_cmd_set(vcpu, OP_READ, GPA_X + 2 * PAGE + 8, 0, 0);
''')
        t = t.replace('(vm_vaddr_t)&cmd)', '(vm_vaddr_t)&guest_cmds[0])')
        t = t.replace('(uint64_t)&cmd.n', '(uint64_t)&guest_cmds[0].n')
        t = remove_func(t, 'create_vm')
        t = rewrite_calls(t, 'create_vm', lambda a:
                          'vm_create_with_one_vcpu(%s, guest_code)' % a[0])
        t = remove_func(t, 'map_gmem')
        t = remove_func(t, 'punch')
        t = rename_call(t, 'punch', 'gmem_punch_hole')
        t = rename_call(t, 'map_gmem', 'gmem_mmap')
    elif base == 'guest_memfd_stress.c':
        # PAGE was 4096UL here: offsets computed with it are unsigned long long
        t = t.replace('"EAGAIN\'s error_offset 0x%lx outside 0x%lx+%lu pages\' blocks"',
                      '"EAGAIN\'s error_offset 0x%lx outside 0x%llx+%lu pages\' blocks"')
        t = t.replace('"error_offset 0x%lx for a pin at 0x%lx", eoff, p * PAGE);',
                      '"error_offset 0x%lx for a pin at 0x%llx", eoff, p * PAGE);')
    elif base == 'gmem_huge_test.c':
        t = sub1(t, '''		struct guest_cmd *c = &cmds[id];
		uint64_t op = READ_ONCE(c->op), gpa = READ_ONCE(c->gpa);
		uint64_t n = READ_ONCE(c->n), val = READ_ONCE(c->val);
''', '''		struct guest_cmd c = guest_cmd_get(id);
		uint64_t op = c.op, gpa = c.gpa, n = c.n, val = c.val;
''', 'huge guest code')
        # set_cmd(t, id, op, gpa, n, val): the library's order is val, n
        t = remove_func(t, 'set_cmd')
        t = rewrite_calls(t, 'set_cmd', lambda a: 'guest_cmd_set(%s)' % ', '.join(
            [vcpu_of(a[0], a[1]), a[2], a[3], a[5], a[4]]))
        t = sub1(t, '''	guest_cmd_set(t->vcpus[0], op, gpa, val, n);
	return guest_cmd_finish(t->vcpus[0]);
''', '''	return guest_cmd_run(t->vcpus[0], op, gpa, val, n);
''', 'huge guest_op')
    elif base == 'gmem_populate_test.c':
        t = sub1(t, '''		uint64_t gpa = READ_ONCE(cmd.gpa), n = READ_ONCE(cmd.n);
		uint64_t bad = 0, i, v;

		switch (READ_ONCE(cmd.op)) {
''', '''		struct guest_cmd c = guest_cmd_get(0);
		uint64_t gpa = c.gpa, n = c.n, bad = 0, i, v;

		switch (c.op) {
''', 'populate guest code')
        t = remove_func(t, 'guest_op')
        t = rewrite_calls(t, 'guest_op', lambda a: 'guest_cmd_run(%s, %s, %s, 0, %s)'
                          % (a[1], a[2], a[3], a[4]))
    elif base == 'private_mem_test.c':
        # OP_MAP_GPA: @val pages, attributes @n (the test's "attrs")
        t = sub1(t, '''		struct guest_cmd *c = &cmds[id];
		uint64_t *p = (uint64_t *)READ_ONCE(c->gpa);

		switch (READ_ONCE(c->op)) {
		case OP_WRITE:
			WRITE_ONCE(*p, READ_ONCE(c->val));
''', '''		struct guest_cmd c = guest_cmd_get(id);
		uint64_t *p = (uint64_t *)c.gpa;

		switch (c.op) {
		case OP_WRITE:
			WRITE_ONCE(*p, c.val);
''', 'private_mem guest code')
        t = sub1(t, '''			GUEST_SYNC(kvm_hypercall(HC_MAP_GPA_RANGE, READ_ONCE(c->gpa),
						 READ_ONCE(c->val),
						 READ_ONCE(c->attrs), 0));
''', '''			GUEST_SYNC(kvm_hypercall(HC_MAP_GPA_RANGE, c.gpa, c.val,
						 c.n, 0));
''', 'private_mem MAP_GPA')
        t = remove_func(t, 'set_cmd')
        t = rewrite_calls(t, 'set_cmd', lambda a: 'guest_cmd_set(%s, 0)' % ', '.join(
            [vcpu_of(a[0], a[1])] + a[2:]))
        t = sub1(t, '''	guest_cmd_set(t->vcpus[id], op, gpa, val, 0);
	return guest_cmd_finish(t->vcpus[id]);
''', '''	return guest_cmd_run(t->vcpus[id], op, gpa, val, 0);
''', 'private_mem guest_op')
        t = t.replace('''	cmds[0] = (struct guest_cmd){ OP_MAP_GPA, GPA_A, NPAGES, 0 };
	sync_global_to_guest(t->vm, cmds);
''', '''	guest_cmd_set(t->vcpus[0], OP_MAP_GPA, GPA_A, NPAGES, 0);
''')
    return t


# --- tests that were parts of bigger ones ----------------------------------
def span_range(t, first, last):
    """(start, end): from function @first (with its comment) to the end of
    function @last, everything between included."""
    a, b = func_span(t, first), func_span(t, last)
    assert a and b and a[0] < b[1], (first, last)
    return a[0], b[1]


def cut(t, start, end):
    return t[:start] + t[end:], t[start:end]


def main_calls(t, names):
    """Remove from main() each 'pr_info(...);' + 'test_NAME(...);' pair (or
    the call alone, or under its own #ifdef) and return them, in order."""
    out = []
    for name in names:
        m = re.search(r'(?:\tpr_info\("[^"]*"\);\n)?(?:#ifdef \w+\n)?'
                      r'\t%s\([^;]*\);\n(?:#endif\n)?' % name, t)
        if m:
            out.append(m.group(0))
            t = t[:m.start()] + t[m.end():]
    return t, out


def fill(template, **kw):
    for k, v in kw.items():
        template = template.replace('@%s@' % k, v)
    return template


def split_host_access(new):
    c, h = K + 'gmem_conversion_test.c', K + 'gmem_host_access_test.c'
    if c not in new or 'test_host_paths' not in new[c]:
        return
    t = new[c]
    a, _ = func_span(t, 'have_process_vm_readv')
    b, _ = func_span(t, 'test_contents')
    t, funcs = cut(t, a, b)
    t, calls = main_calls(t, ['test_host_paths', 'test_core_dump',
                              'test_kvm_accesses'])
    m = re.search(r'\n\t/\* Say which host paths.*?\n\t\tclose\(fd\);\n', t,
                  re.S)
    t, say = cut(t, m.start() + 1, m.end())
    t = t.replace('\tstruct test_vm t;\n\tint fd;\n', '\tstruct test_vm t;\n')
    if 'test_translate' in funcs:
        kvm = ("kvmclock, KVM_TRANSLATE's walk and the\n"
               " * emulator on x86, stolen time on arm64")
    else:
        kvm = 'kvmclock on x86'
    tmpl, ops = frag('gmem_host_access_test.c'), ['OP_READ = 1', 'OP_WRITE']
    for op, name in (('OP_WRMSR', 'WRMSR'), ('OP_MOVS', 'MOVS'),
                     ('OP_HVC', 'HVC')):
        tmpl = cond(tmpl, name, op in funcs)
        if op in funcs:
            ops.append(op)
    calls = calls[0] + '\tgmem_vm_destroy(&t);\n' + ''.join(calls[1:])
    new[h] = fill(tmpl, KVM=kvm, OPS=', '.join(ops + ['OP_DONE']),
                  FUNCS=funcs, SAY=say, CALLS=calls)
    new[c] = conversion_without_host_access(t)


def conversion_without_host_access(t):
    t = re.sub(r'\n \* "Host paths" is the host-access test:.*?secret\.\n \*\n',
               '\n * The host\'s ways into private pages are gmem_host_access_test\'s.\n *\n',
               t, flags=re.S)
    t = t.replace(''' * the same physical page.  Checked here: the uAPI and its errnos, every
 * host path to a private page refused, contents kept or zeroed, the pfn
 * unchanged, pins (kb18), guest-driven conversion (KVM_HC_MAP_GPA_RANGE on
 * x86, MEM_SHARE/MEM_UNSHARE on arm64), races between vCPUs, conversions,
 * host accesses and hole punches, and no page leaked after any close order.
''', ''' * the same physical page.  Checked here: the uAPI and its errnos, contents
 * kept or zeroed, the pfn unchanged, pins (kb18), guest-driven conversion
 * (KVM_HC_MAP_GPA_RANGE on x86, MEM_SHARE/MEM_UNSHARE on arm64), races
 * between vCPUs, conversions, host accesses and hole punches, and no page
 * leaked after any close order.
''')
    for name in ('MADV_POPULATE_READ', 'MSR_KVM_SYSTEM_TIME_NEW'):
        t = re.sub(r'#ifndef %s\n#define %s\t+\w+\n#endif\n\n' % (name, name),
                   '', t)
    t = re.sub(r'/\* Values no other memory of the test holds. \*/\n'
               r'#define SECRET\t+\w+\n#define MARKER\t+\w+\n\n', '', t)
    t = t.replace('''enum {
	OP_READ = 1, OP_WRITE, OP_CHURN, OP_MAP_GPA, OP_HVC, OP_WRMSR, OP_MOVS,
	OP_DONE
};''', 'enum { OP_READ = 1, OP_WRITE, OP_CHURN, OP_MAP_GPA, OP_HVC, OP_DONE };')
    for op in ('OP_WRMSR', 'OP_MOVS'):
        t = t.replace(' %s,' % op, '')
        m = re.search(r'\t\tcase %s[^\n]*\n.*?\t\t\tbreak;\n(?:\t\t\}\n)?' % op,
                      t, re.S)
        if m:
            t = t[:m.start()] + t[m.end():]
    t = t.replace('#define _GNU_SOURCE /* for fallocate(), process_vm_readv() '
                  'and vmsplice() */', '#define _GNU_SOURCE /* for fallocate() */')
    for inc in ('linux/elf.h', 'sys/ptrace.h', 'sys/resource.h',
                'sys/sendfile.h', 'sys/syscall.h', 'sys/uio.h', 'sys/wait.h',
                'sys/stat.h'):
        t = t.replace('#include <%s>\n' % inc, '')
    return t


def split_guest_memfd(new):
    g = K + 'guest_memfd_test.c'
    if g not in new:
        return
    t = new[g]
    if 'test_numa' in t:
        a, b = span_range(t, 'nr_nodes', 'test_numa')
        t, funcs = cut(t, a, b)
        m = re.search(r'\n\tnodes = nr_nodes\(\);\n.*?\n\t\}\n', t, re.S)
        t, _ = cut(t, m.start() + 1, m.end())
        new[K + 'guest_memfd_numa_test.c'] = fill(
            frag('guest_memfd_numa_test.c'), FUNCS=funcs)
        t = guest_memfd_without_numa(t)
    if 'test_leaked_files' in t:
        last = 'test_teardown' if 'test_teardown' in t else 'test_leaked_files'
        a, b = span_range(t, 'test_leaked_files', last)
        t, funcs = cut(t, a, b)
        t, calls = main_calls(t, ['test_leaked_files', 'test_teardown'])
        kb16 = ('; the teardown of a VM with much guest_memfd\n'
                ' * memory, and of its file, gives the CPU up now and then '
                '(kb16)')
        tmpl = cond(frag('guest_memfd_teardown_test.c'), 'TEARDOWN',
                    'test_teardown' in funcs)
        new[K + 'guest_memfd_teardown_test.c'] = fill(
            tmpl, FUNCS=funcs, CALLS=''.join(calls),
            KB16=kb16 if 'test_teardown' in funcs else '')
    new[g] = guest_memfd_header(t)


def guest_memfd_header(t):
    """guest_memfd_test's head comment names the known failure modes its
    body still tests; what only its former parts used goes."""
    import textwrap
    a = t.index('/*\n * guest_memfd as the memory of any VM')
    b = t.index(' */\n', a) + 4
    kbs = sorted(set(re.findall(r'\bkb\d\d\b', t[b:])))
    text = ('guest_memfd as the memory of any VM, on x86_64 and arm64: the '
            'GUEST_MEMFD_FLAG_MMAP and GUEST_MEMFD_FLAG_INIT_SHARED flags, '
            'host mappings of a guest_memfd, gmem-only memslots whose every '
            'guest access is served from the file, and the races and bad '
            'inputs that broke other implementations (%s in the project\'s '
            'list of known failure modes).' % ', '.join(kbs))
    lines = textwrap.wrap(text, 73, break_on_hyphens=False)
    t = t[:a] + '/*\n' + ''.join(' * %s\n' % x for x in lines) + ' */\n' + t[b:]
    if not re.search(r'\b(sched_|CPU_)', t):
        t = t.replace('#include <sched.h>\n', '')
    if not re.search(r'\bMIB\b', t.replace('#define MIB', '')):
        t = re.sub(r'#define MIB\t+\(256 \* PAGE\)\n', '', t)
    t = re.sub(r'#define HUGE\t+\(2ULL << 20\)\n', '', t)
    return re.sub(r'\bHUGE\b', 'HPAGE', t)


def guest_memfd_without_numa(t):
    t = t.replace(' * is served from the file, NUMA placement by mbind(), and the races and\n',
                  ' * is served from the file, and the races and\n')
    t = t.replace('kb13, kb15, kb16, kb22', 'kb13, kb16, kb22')
    t = re.sub(r' \*\n \* Usage: guest_memfd_test \[-n NODES\].*?\n \*/\n', ' */\n',
               t, flags=re.S)
    t = re.sub(r'\n\twhile \(\(opt = getopt\(argc, argv, "n:"\)\) != -1\) \{\n.*?\n\t\}\n',
               '\n', t, flags=re.S)
    t = t.replace('\tint opt, need_nodes = 0, nodes, fd;\n', '\tint fd;\n')
    t = t.replace('#include <linux/mempolicy.h>\n', '')
    return t


# --- one helper each for conversions and test VMs ---------------------------
SHAPE = {'true': 'VM_SHAPE_PRIVATE', 'false': 'VM_SHAPE()'}


def helpers(path, t):
    base = os.path.basename(path)
    if base in ('gmem_conversion_test.c', 'gmem_host_access_test.c'):
        t = re.sub(r'^struct test_vm \{\n(?:\t[^\n]*\n)+\};\n\n', '', t,
                   flags=re.M)
        for f in ('create_private_vm', 'have_private_vm', 'destroy_test_vm',
                  'gmem_set_attrs', 'gmem_convert'):
            t = remove_func(t, f)
        f = get_func(t, 'create_test_vm')
        if f and 'gmem_vm_create_in_place' not in f:
            s0, e0 = func_span(t, 'create_test_vm')
            t = t[:s0] + frag('create_test_vm.c') + t[e0:]
        t = t.replace('struct test_vm', 'struct gmem_vm')
        t = rename_call(t, 'destroy_test_vm', 'gmem_vm_destroy')
        t = rename_call(t, 'have_private_vm', 'gmem_in_place_supported')
        t = rewrite_calls(t, 'create_private_vm', lambda a:
                          'vm_create_shape_with_vcpus(VM_SHAPE_PRIVATE, %s, 0, '
                          'guest_code, %s)' % (a[1], a[0]))
        t = rename_call(t, 'gmem_convert', 'gmem_set_attributes')
        t = rewrite_calls(t, 'gmem_set_attrs', lambda a:
                          '__gmem_set_attributes(%s, NULL)' % ', '.join(a))
    elif base == 'gmem_huge_test.c':
        t = remove_func(t, 'create_vm')
        t = t.replace('static struct test_vm create_test_vm(bool private, int nr_vcpus)',
                      'static struct test_vm create_test_vm(struct vm_shape shape, '
                      'int nr_vcpus)')
        t = t.replace('\tt.vm = create_vm(private, t.vcpus, nr_vcpus);\n',
                      '\tt.vm = vm_create_shape_with_vcpus(shape, nr_vcpus, 0, guest_code,\n'
                      '\t\t\t\t\t  t.vcpus);\n')
        t = rewrite_calls(t, 'create_test_vm', lambda a:
                          'create_test_vm(%s, %s)' % (SHAPE.get(a[0], a[0]), a[1]))
        t = rewrite_calls(t, 'create_vm', lambda a:
                          'vm_create_shape_with_vcpus(%s, %s, 0, guest_code, %s)'
                          % (SHAPE[a[0]], a[2], a[1]))
        t = remove_func(t, 'gmem_convert')
        t = remove_func(t, 'convert')
        t = remove_func(t, 'vm_pages')
        t = rename_call(t, 'vm_pages', 'vm_mapped_pages')
        t = rewrite_calls(t, 'gmem_convert', lambda a:
                          '__gmem_set_attributes(%s, %s, %s, %s, 0, %s)'
                          % (a[0], a[1], a[2], attrs_of(a[3]), a[4]))

        def conv(a):
            if a[3] in ('true', 'false'):
                return 'gmem_set_%s(%s)' % ('private' if a[3] == 'true'
                                            else 'shared', ', '.join(a[:3]))
            return 'gmem_set_attributes(%s, %s, 0)' % (', '.join(a[:3]),
                                                       attrs_of(a[3]))
        t = rewrite_calls(t, 'convert', conv)
    elif base == 'gmem_huge_bench.c':
        t = remove_func(t, 'vm_pages')
        t = rename_call(t, 'vm_pages', 'vm_mapped_pages')
    elif base == 'gmem_hwpoison_test.c':
        # the test's own adapter, by page index: not another gmem_convert()
        t = re.sub(r'\bgmem_convert\(', 'convert_page(', t)
    elif base == 'gmem_fault_inject_test.c':
        t = re.sub(r'\bgmem_convert\(', 'convert_all(', t)
        t = t.replace('/* In-place conversion to private of pages the host wrote. */',
                      '/* The whole file converted in place: 0 or the errno. */')
    elif base == 'gmem_populate_test.c':
        t = re.sub(r'\bKB12_SECONDS\b', 'SAME_FILE_SECONDS', t)
    return t


def attrs_of(private):
    return {'true': 'PRIVATE', 'false': '0'}.get(private,
                                                 '%s ? PRIVATE : 0' % private)


def transform(texts):
    new = dict(texts)
    for p in TESTS:
        if p in new:
            new[p] = early_moves(new[p], p)
    split_host_access(new)
    split_guest_memfd(new)
    for p in TESTS:
        if p in new:
            new[p] = common(helpers(p, protocol(p, new[p])))
    return library(new)


# --- the library ------------------------------------------------------------
def uses(new, pat):
    return any(re.search(pat, new[p]) for p in TESTS if p in new)


def add_after(t, anchor, block, what):
    """@block after @anchor, unless it is there already."""
    if block in t:
        return t
    assert anchor in t, what
    return t.replace(anchor, anchor + block, 1)


def cond(text, name, keep):
    """The @NAME{@ ... @}NAME@ parts of a fragment, kept or dropped."""
    return re.sub(r'@%s\{@\n(.*?)@\}%s@\n' % (name, name),
                  r'\1' if keep else '', text, flags=re.S)


def library(new):
    vm_shape(new)
    # (a library patch before its first user keeps what it added)
    in_place = (uses(new, r'\bgmem_vm\b') or
                'struct gmem_vm {' in new.get(GUH, ''))
    if uses(new, r'\bguest_cmd_'):
        new[GCH], new[GCC] = frag('guest_cmd.h'), frag('guest_cmd.c')
        new[MK] = add_after(new[MK], 'LIBKVM += lib/elf.c\n',
                            'LIBKVM += lib/guest_cmd.c\n', 'Makefile LIBKVM')
    if uses(new, r'#include "gmem_util.h"'):
        new[GUH] = cond(frag('gmem_util.h'), 'IN_PLACE', in_place)
        new[GUC] = cond(frag('gmem_util.c'), 'IN_PLACE', in_place)
        new[MK] = add_after(new[MK], 'LIBKVM += lib/elf.c\n',
                            'LIBKVM += lib/gmem_util.c\n', 'Makefile LIBKVM')
        if uses(new, r'\bvm_mapped_pages\('):
            new[GUH] = add_after(new[GUH], 'void gmem_punch_hole(int fd, '
                                 'uint64_t offset, uint64_t len);\n',
                                 'uint64_t vm_mapped_pages(struct kvm_vm *vm, '
                                 'const char *size);\n', 'gmem_util.h')
            new[GUC] = add_after(new[GUC], '''		    offset, len, errno);
}
''', frag('vm_mapped_pages.c'), 'gmem_util.c')
            new[GUC] = add_after(new[GUC], '#include <linux/falloc.h>\n',
                                 '#include <stdio.h>\n', 'stdio.h')
    for t, after in (('gmem_host_access_test', 'gmem_conversion_test'),
                     ('guest_memfd_numa_test', 'guest_memfd_test'),
                     ('guest_memfd_teardown_test', 'guest_memfd_test')):
        if K + t + '.c' in new:
            for arch in ('x86_64', 'aarch64'):
                line = 'TEST_GEN_PROGS_%s += %s\n' % (arch, after)
                new[MK] = add_after(new[MK], line,
                                    'TEST_GEN_PROGS_%s += %s\n' % (arch, t),
                                    'Makefile ' + t)
    if uses(new, r'\bASSERT_ERRNO\('):
        new[TUH] = add_after(new[TUH],
                             '#define TEST_ASSERT_EQ(a, b) ASSERT_EQ(a, b)\n',
                             frag('assert_errno.h'), 'TEST_ASSERT_EQ')
    if uses(new, r'\b(meminfo_kb|unevictable_settled|count_gmem_fds|'
            r'sigbus_read|sigbus_write|host_pfn|write_file_str)\('):
        probes(new)
    if uses(new, r'\b(__)?gmem_set_(attributes|private|shared)\('):
        new[KUH] = add_after(new[KUH], '''	vm_set_memory_attributes(vm, gpa, size, 0);
}

''', frag('gmem_set_attributes.h'), 'vm_mem_set_shared')
        new[KUH] = add_after(new[KUH], frag('gmem_set_attributes.h'),
                             frag('gmem_set_private.h'), 'gmem_set_attributes')
    return new


def probes(new):
    """The host probes in test_util.[ch], as the library has them."""
    h = new[TUH]
    if frag('probes.h') not in h:
        for line in frag('probes.h').splitlines(True):
            h = h.replace(line, '')
    new[TUH] = add_after(h, 'size_t get_def_hugetlb_pagesz(void);\n',
                         frag('probes.h'), 'probes.h')
    t = new[TUC]
    for inc, after in (('dirent.h', 'ctype.h'), ('fcntl.h', 'dirent.h'),
                       ('pthread.h', 'limits.h'), ('setjmp.h', 'pthread.h'),
                       ('signal.h', 'setjmp.h'), ('unistd.h', 'time.h')):
        t = add_after(t, '#include <%s>\n' % after, '#include <%s>\n' % inc,
                      inc)
    t = add_after(t, '#include "linux/kernel.h"\n',
                  '#include <linux/compiler.h>\n', 'compiler.h')
    body = frag('probes.c')
    if body not in t:
        if 'long meminfo_kb(' in t:
            # meminfo_kb() alone, as the first user of the library put it
            a = t.index('/* The value of @field')
            t = t[:a] + t[t.index('#define ANON_FLAGS'):]
        b = t.index('#define ANON_FLAGS')
        t = t[:b] + body + t[b:]
    new[TUC] = t


def vm_shape(new):
    """The VM's type, and gmem-only memory, as a struct vm_shape."""
    c, h = new.get(KUC, ''), new.get(KUH, '')
    if 'vm_next_type' not in c:
        return
    gmem_only = 'vm_next_gmem_only' in c
    old = ('/* The KVM_CREATE_VM type for the next VM, see '
           'vm_create_type_with_vcpus(). */\n'
           'static unsigned long vm_next_type;\n')
    if gmem_only:
        old += ('/* Memory of the next VM in a guest_memfd, see '
                'vm_create_gmem_only_with_one_vcpu(). */\n'
                'static bool vm_next_gmem_only;\n')
    old += '''
struct kvm_vm *____vm_create(enum vm_guest_mode mode, uint64_t nr_pages)
{
	struct kvm_vm *vm;
'''
    c = sub1(c, old, '''struct kvm_vm *____vm_create(struct vm_shape shape, uint64_t nr_pages)
{
	enum vm_guest_mode mode = shape.mode;
	struct kvm_vm *vm;
''', 'kvm_util.c globals')
    c = sub1(c, '\tvm->type = vm_next_type;\n', '\tvm->type = shape.type;\n',
             'type')
    c = c.replace('if (nr_pages != 0 && vm_next_gmem_only) {',
                  'if (nr_pages != 0 && shape.gmem_only) {')
    c = sub1(c, """struct kvm_vm *__vm_create(enum vm_guest_mode mode, uint32_t nr_runnable_vcpus,
			   uint64_t nr_extra_pages)
{
	uint64_t nr_pages = vm_nr_pages_required(mode, nr_runnable_vcpus,
						 nr_extra_pages);
	struct kvm_vm *vm;

	vm = ____vm_create(mode, nr_pages);
""", """struct kvm_vm *__vm_create_shape(struct vm_shape shape,
				 uint32_t nr_runnable_vcpus,
				 uint64_t nr_extra_pages)
{
	uint64_t nr_pages = vm_nr_pages_required(shape.mode, nr_runnable_vcpus,
						 nr_extra_pages);
	struct kvm_vm *vm;

	vm = ____vm_create(shape, nr_pages);
""", '__vm_create')
    c = sub1(c, """				      void *guest_code, struct kvm_vcpu *vcpus[])
{
	struct kvm_vm *vm;
	int i;

	TEST_ASSERT(!nr_vcpus || vcpus, "Must provide vCPU array");

	vm = __vm_create(mode, nr_vcpus, extra_mem_pages);
""", """				      void *guest_code, struct kvm_vcpu *vcpus[])
{
	return vm_create_shape_with_vcpus((struct vm_shape){ .mode = mode },
					  nr_vcpus, extra_mem_pages,
					  guest_code, vcpus);
}

struct kvm_vm *vm_create_shape_with_vcpus(struct vm_shape shape,
					  uint32_t nr_vcpus,
					  uint64_t extra_mem_pages,
					  void *guest_code,
					  struct kvm_vcpu *vcpus[])
{
	struct kvm_vm *vm;
	int i;

	TEST_ASSERT(!nr_vcpus || vcpus, "Must provide vCPU array");

	vm = __vm_create_shape(shape, nr_vcpus, extra_mem_pages);
""", '__vm_create_with_vcpus')
    c = remove_func(c, 'vm_create_type_with_vcpus')
    c = remove_func(c, 'vm_create_gmem_only_with_one_vcpu')
    new[KUC] = c

    h = sub1(h, """struct kvm_vm *____vm_create(enum vm_guest_mode mode, uint64_t nr_pages);
struct kvm_vm *__vm_create(enum vm_guest_mode mode, uint32_t nr_runnable_vcpus,
			   uint64_t nr_extra_pages);

static inline struct kvm_vm *vm_create_barebones(void)
{
	return ____vm_create(VM_MODE_DEFAULT, 0);
}
""", cond(frag('vm_shape.h'), 'GMEM_ONLY', gmem_only), 'creators')
    h = sub1(h, """/* As __vm_create_with_vcpus(), for a VM of KVM_CREATE_VM type @type. */
struct kvm_vm *vm_create_type_with_vcpus(unsigned long type, uint32_t nr_vcpus,
					 uint64_t extra_mem_pages,
					 void *guest_code,
					 struct kvm_vcpu *vcpus[]);
""", cond(frag('vm_create_shape.h'), 'GMEM_ONLY', gmem_only),
        'vm_create_type_with_vcpus')
    h = h.replace("""struct kvm_vm *vm_create_gmem_only_with_one_vcpu(struct kvm_vcpu **vcpu,
						 void *guest_code);
""", '')
    new[KUH] = h


def worktree():
    """--worktree: transform the files of the current directory (a kernel
    tree) in place, for trying the transform out."""
    texts = {}
    for p in PATHS:
        if os.path.exists(p):
            with open(p) as f:
                texts[p] = f.read()
    for p, t in transform(texts).items():
        if t != texts.get(p):
            with open(p, 'w') as f:
                f.write(t)
            print('changed', p)


if __name__ == '__main__':
    if sys.argv[1:] == ['--worktree']:
        worktree()
    else:
        main(sys.argv, PATHS, transform)
