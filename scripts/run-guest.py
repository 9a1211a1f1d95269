#!/usr/bin/env python3
"""Boot a test kernel under QEMU TCG, run the curated tests, report TAP.

The guest's /init runs the tests whose list indices harness.tests= names,
bracketing each with @@START/@@END markers on the serial console.  This
runner owns the clock: a test that overruns its timeout (plus a margin for
the guest's own kill) gets the guest killed, is reported as failed, and the
guest is booted again from the next test, so a hung guest never hangs the
run.  With --guests N the list is shared out among N guests that run at the
same time (one per host core: x86's guest runs on one TCG thread).  The
kernel log on the same console is scanned for WARNING/BUG/lockdep/KASAN/
UBSAN/... reports; any report fails the run.  --mode shell boots the test
guest with a shell on this terminal instead (Ctrl-A X quits).
"""
import argparse
import os
import platform
import re
import select
import signal
import subprocess
import sys
import threading
import time

BOOT_TIMEOUT = 300      # TCG + KASAN boots in well under a minute
MARGIN = 60             # beyond a test's own timeout before we kill the guest
IDLE_TIMEOUT = 120      # between the end of one test and the next marker

KLOG = re.compile(r'^\[\s*\d+\.\d+\]')
REPORT = re.compile(
    r'WARNING:|\bBUG[: ]|Oops|general protection fault|Kernel panic|'
    r'UBSAN:|KASAN:|KFENCE:|DEBUG_LOCKS_WARN_ON|possible (circular|recursive)'
    r' locking|inconsistent lock state|suspicious RCU usage|INFO: task|'
    r'rcu_.* self-detected stall|detected stalls|Call Trace:|'
    r'list_(add|del) corruption|soft lockup|hard LOCKUP|'
    r'unreferenced object')
# The stack dump of an allocation failure report (warn_alloc()) is no bug:
# the fault injection test makes allocations fail on purpose.  The test
# that gets no memory fails by itself.
ALLOC_FAILURE = re.compile(r'(page allocation failure|vmalloc error): ')
CALL_TRACE = re.compile(r'Call Trace:')
START = re.compile(r'@@START (\d+) (\S+)')
END = re.compile(r'@@END (\d+) (\S+) rc=(\d+)')
HANG = re.compile(r'@@(HUNG|STACK) ')     # the guest's dump of a hung test
KMEMLEAK = '@@KMEMLEAK '                  # the guest's kmemleak report


def host_tsc_khz():
    """The host's TSC rate in kHz (which is the TCG guest's), or None.

    See host-tsc-khz.c: the guest's own early calibration is too rough on a
    loaded host for a KVM built into the guest kernel.
    """
    if platform.machine() != 'x86_64':
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.environ.get('BUILD', os.path.join(here, '..', 'build'))
    src = os.path.join(here, 'host-tsc-khz.c')
    exe = os.path.join(build, 'host-tsc-khz')
    try:
        if (not os.path.exists(exe) or
                os.path.getmtime(exe) < os.path.getmtime(src)):
            subprocess.run(['gcc', '-O2', '-o', exe, src], check=True)
        out = subprocess.run([exe], capture_output=True, text=True)
        khz = int(out.stdout.strip()) if out.returncode == 0 else 0
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None
    return khz if 100000 < khz < 10000000 else None


def numa_nodes(mem, smp):
    """QEMU options for two NUMA nodes, each half the memory and CPUs."""
    half = '%dM' % (int(mem.rstrip('G')) * 512)
    opts = []
    for node in range(2):
        cpus = [c for c in range(smp) if c % 2 == node] or [0]
        opts += ['-object', 'memory-backend-ram,id=m%d,size=%s' % (node, half),
                 '-numa', 'node,nodeid=%d,memdev=m%d,cpus=%s' %
                 (node, node, ','.join(map(str, cpus)))]
    return opts


# A kmemleak suspect allocated while the kernel booted (start_kernel, an
# initcall), like ACPI's caches, which 6.1 keeps where kmemleak cannot see
# them once boot has overwritten the references: not the tests' doing.
BOOT_ALLOC = re.compile(r'\b(start_kernel|kernel_init|do_one_initcall)\+')


def kmemleak_objects(lines):
    """Split the guest's kmemleak report into objects (lists of lines):
    those the tests may have lost, and those allocated during boot."""
    objs = []
    for l in lines:
        if l.startswith('unreferenced object'):
            objs.append([l])
        elif objs:
            objs[-1].append(l)
    boot = [o for o in objs if any(BOOT_ALLOC.search(x) for x in o)]
    return [o for o in objs if o not in boot], boot


def qemu_cmd(arch, kernel, initrd, append, mem, smp, serial='stdio', disk=None):
    """The guest has two NUMA nodes, so NUMA placement is tested: x86 by
    the kernel's NUMA emulation (real nodes would need ACPI SRAT, which the
    PCI-less test kernel does not parse), arm64 by QEMU's device tree.
    The arm64 guest has MTE, which KVM offers its VMs and guest_memfd
    refuses.  serial='mon:stdio' gives an interactive console.  disk is a
    raw root file system image (the Debian system), as a virtio disk whose
    writes go to a throwaway overlay, so guests can share it; that system's
    x86 kernel has ACPI and gets QEMU's NUMA nodes."""
    console = ['-serial', serial] + (['-monitor', 'none']
                                     if serial == 'stdio' else [])
    if disk:
        console += ['-drive', 'file=%s,format=raw,if=virtio,snapshot=on' % disk]
        if arch == 'x86_64':
            # A distro kernel has ACPI (and no NUMA emulation): real nodes,
            # a socket each (CPUs that share a cache on two nodes WARN).
            console += numa_nodes(mem, smp) + ['-smp', '%d,sockets=%d' % (smp, smp)]
    if arch == 'x86_64':
        # One host thread runs both vCPUs (X86_ACCEL=tcg gives one thread
        # per vCPU again).  With a thread per vCPU, QEMU 7.2's emulation of
        # nested SVM now and then enters the selftest's guest with the L1
        # kernel's own state: the VMCB comes back holding L1's registers at
        # its VMRUN (rip just after it, rax = the VMCB's address, L1's cr3
        # and IDT), though KVM wrote the guest's rip into it just before
        # and MSR_VM_HSAVE_PA is right; or an L1 CPU stops answering even
        # NMIs.  guest_memfd_stress hit it about every two minutes with a
        # thread per vCPU and not once in 12 minutes with one thread (see
        # docs/findings.md).
        return ['qemu-system-x86_64', '-accel',
                os.environ.get('X86_ACCEL', 'tcg,thread=single'), '-cpu', 'max',
                '-m', mem, '-smp', str(smp), '-display', 'none'] + console + [
                '-no-reboot',
                '-nic', 'none', '-kernel', kernel, '-initrd', initrd,
                '-append', 'console=ttyS0 tsc=reliable ' +
                ('' if disk else 'numa=fake=2 ') + append]
    return ['qemu-system-aarch64', '-accel', 'tcg',
            '-M', 'virt,virtualization=on,gic-version=3,mte=on',
            '-cpu', 'max,pauth-impdef=on', '-m', mem, '-smp', str(smp)] + \
        numa_nodes(mem, smp) + [
            '-display', 'none'] + console + [
            '-no-reboot', '-nic', 'none', '-kernel', kernel,
            '-initrd', initrd, '-append', 'console=ttyAMA0 ' + append]


class Guest:
    """One QEMU process; yields serial lines with a deadline."""

    def __init__(self, cmd, log):
        self.log = log
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf = b''
        self.eof = False

    def readline(self, deadline):
        """Return a line, '' on timeout, None at EOF."""
        while True:
            nl = self.buf.find(b'\n')
            if nl >= 0:
                line, self.buf = self.buf[:nl + 1], self.buf[nl + 1:]
                text = line.decode('utf-8', 'replace').rstrip('\r\n')
                text = text.replace('\r', '')
                self.log.write(text + '\n')
                self.log.flush()
                return text
            if self.eof:
                if self.buf:
                    self.buf += b'\n'
                    continue
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return ''
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if chunk:
                    self.buf += chunk
                else:
                    self.eof = True

    def send(self, text):
        """Type a line on the guest's console (its /init reads it)."""
        try:
            self.proc.stdin.write(text.encode() + b'\n')
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


def load_list(path):
    tests = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith('#'):
                tests.append((parts[0], int(parts[1])))
    return tests


class Run:
    """The tests of one list, the queue the guests take them from (in list
    order: a guest asks for the next one when it is free), and what they
    gave: results, test output, kernel log, kmemleak scans."""

    def __init__(self, args, tests):
        self.args = args
        self.tests = tests
        self.queue = list(range(1, len(tests) + 1)) if args.mode == 'test' else []
        self.lock = threading.Lock()
        self.results = {}       # index -> (status, detail)
        self.output = {}        # index -> lines
        self.began = {}         # index -> start time
        self.klog = []
        self.kmemleak = []      # the guests' kmemleak reports
        self.info = set()       # @@INFO lines shown (each guest says them)
        self.unscanned = 0      # guests that finished without a scan
        self.boots = 0

    def next_test(self):
        with self.lock:
            return self.queue.pop(0) if self.queue else None

    def abandon(self, why):
        """No guest can make progress: fail what nobody ran."""
        with self.lock:
            rest, self.queue = self.queue, []
        for i in rest:
            self.report(i, 'fail', why)

    def report(self, i, status, detail=''):
        with self.lock:
            self.results[i] = (status, detail)
            if i in self.began:
                took = '%ds' % (time.monotonic() - self.began[i])
                detail = '%s (%s)' % (detail, took) if detail else took
            if self.args.mode != 'test':
                return
            name = self.tests[i - 1][0]
            if status == 'pass':
                print('ok %d - %s # %s' % (i, name, detail))
            else:
                print('not ok %d - %s # %s' % (i, name, detail))
                lines = self.output.get(i, [])
                hang = [x for x in lines if HANG.match(x)][:60]
                for line in [x for x in lines if not HANG.match(x)][-40:] + hang:
                    print('#   ' + line)
            sys.stdout.flush()

    def end_result(self, i, rc):
        if self.args.mode != 'test':
            self.results[1] = ('pass' if rc == 0 else 'fail', 'rc=%d' % rc)
        elif rc == 0:
            self.report(i, 'pass')
        elif rc == 4:
            # The list holds tests that run here; a skip means the kernel
            # or the config lost something (a skipped private_mem_test once
            # hid a dropped config option).
            self.report(i, 'fail', 'skipped (kselftest exit 4): a listed '
                        'test must run here')
        elif rc == 137:
            self.report(i, 'fail', 'timeout after %ds' % self.tests[i - 1][1])
        else:
            self.report(i, 'fail', 'exit code %d' % rc)


class Slot:
    """One guest at a time, booted again after a hung or dead one, until
    the queue is empty."""

    def __init__(self, run, n, extra):
        self.run = run
        self.extra = extra
        log = run.args.log if n == 0 else '%s.%d' % (run.args.log, n + 1)
        self.log = open(log, 'w')

    def loop(self):
        while self.boot():
            with self.run.lock:
                if not self.run.queue:
                    return

    def boot(self):
        """One guest from boot to @@DONE or death; True to boot again."""
        run, args = self.run, self.run.args
        with run.lock:
            run.boots += 1
        append = ' '.join(['panic=-1', 'printk.time=1'] + self.extra +
                          ['harness.mode=' + args.mode, args.append])
        g = Guest(qemu_cmd(args.arch, args.kernel, args.initrd, append,
                           args.mem, args.smp, disk=args.disk), self.log)
        deadline = time.monotonic() + args.boot_timeout
        cur = None
        booted = scanned = False
        why = None
        while True:
            line = g.readline(deadline)
            if line is None:
                why = 'guest died'
                break
            if line == '' and time.monotonic() >= deadline:
                why = 'timeout, guest killed' if booted else 'guest did not boot'
                break
            if KLOG.match(line):
                with run.lock:
                    run.klog.append(line)
            if cur is not None and (not line.startswith('@@') or
                                    HANG.match(line)):
                run.output.setdefault(cur, []).append(line)
            if (args.mode != 'test' and booted and not KLOG.match(line)
                    and '@@' not in line):
                print(line)
                sys.stdout.flush()
            if line.startswith(KMEMLEAK):
                scanned = True
                with run.lock:
                    run.kmemleak.append(line[len(KMEMLEAK):])
                continue
            if line.startswith('@@INFO'):
                with run.lock:
                    if line not in run.info:
                        run.info.add(line)
                        print('# guest: ' + line[2:])
                continue
            if line.startswith('@@MODULE'):
                print('# guest: ' + line[2:])
                continue
            if line.startswith('@@BOOT'):
                booted = True
                deadline = time.monotonic() + IDLE_TIMEOUT
                if args.mode != 'test':
                    # The demo or the benchmarks run as one test.
                    cur = 1
                    run.began[cur] = time.monotonic()
                    deadline = time.monotonic() + run.tests[0][1] + MARGIN
                    print('# guest: ' + line[7:])
                continue
            if line.startswith('@@NEXT'):
                i = run.next_test()
                g.send(str(i) if i else 'done')
                cur = i     # this guest's now, whatever becomes of it
                deadline = time.monotonic() + IDLE_TIMEOUT
                continue
            m = START.search(line)
            if m:
                cur = int(m.group(1))
                run.began[cur] = time.monotonic()
                deadline = time.monotonic() + run.tests[cur - 1][1] + MARGIN
                continue
            m = END.search(line)
            if m:
                run.end_result(int(m.group(1)), int(m.group(3)))
                cur = None
                deadline = time.monotonic() + IDLE_TIMEOUT
                continue
            if '@@DONE' in line:
                break
        g.kill()
        if why is None:
            if args.kmemleak and not scanned:
                with run.lock:
                    run.unscanned += 1
            return False
        if cur is not None:
            run.report(cur, 'fail', why)
            return True
        # Nothing in progress and no progress possible: give up on the
        # rest rather than loop.
        run.abandon(why)
        return False


def shell(args, extra):
    """The test guest with a shell on this terminal."""
    append = ' '.join(['panic=-1'] + extra + ['harness.mode=shell', args.append])
    cmd = qemu_cmd(args.arch, args.kernel, args.initrd, append, args.mem,
                   args.smp, serial='mon:stdio', disk=args.disk)
    os.execvp(cmd[0], cmd)


def summary(run, t0):
    """The kernel log and kmemleak checks, the totals; the exit code."""
    args = run.args
    klog = run.klog
    reports = [l for i, l in enumerate(klog) if REPORT.search(l) and
               not (CALL_TRACE.search(l) and
                    any(ALLOC_FAILURE.search(x) for x in klog[max(0, i - 4):i]))]
    passed = sum(1 for s, _ in run.results.values() if s == 'pass')
    failed = sum(1 for s, _ in run.results.values() if s == 'fail')
    if args.mode != 'test':
        ok = run.results.get(1, ('fail',))[0] == 'pass' and not reports
        print_reports(reports, args.log)
        print('%s: %s' % (args.mode, 'ok' if ok else 'FAILED'))
        return 0 if ok else 1
    n = len(run.tests) + 1
    if reports:
        print('not ok %d - kernel log clean # %d report lines' % (n, len(reports)))
    else:
        print('ok %d - kernel log clean' % n)
    passed, failed = passed + (not reports), failed + bool(reports)
    # Kernels with kmemleak (the debug ones): objects lost during the
    # tests, by each guest's scan after its last one.
    if args.kmemleak:
        n += 1
        leaks, boot = kmemleak_objects(run.kmemleak)
        if run.unscanned or not run.kmemleak:
            leaks = leaks or ['no kmemleak scan from a guest']
            print('not ok %d - kmemleak clean # a guest did not scan' % n)
        elif leaks:
            print('not ok %d - kmemleak clean # %d objects' % (n, len(leaks)))
            for l in [x for obj in leaks for x in obj][:150]:
                print('#   ' + l)
        else:
            print('ok %d - kmemleak clean # %d boot-time objects ignored'
                  % (n, len(boot)))
        passed, failed = passed + (not leaks), failed + bool(leaks)
    print_reports(reports, args.log)
    name = args.name or args.arch
    print('# %s: %d guest(s) at a time, %d boot(s), %d s' %
          (name, args.guests, run.boots, time.monotonic() - t0))
    print('%s: %d passed, %d failed, 0 skipped' % (name, passed, failed))
    return 1 if failed else 0


def print_reports(reports, log):
    if reports:
        print('# kernel log reports (%s*):' % log)
        for l in reports[:60]:
            print('#   ' + l)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', required=True)
    ap.add_argument('--name', help='what the summary calls the run '
                    '(default: the arch)')
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--list', help='guest test list (test mode)')
    ap.add_argument('--mode', default='test',
                    choices=['test', 'demo', 'bench', 'shell'])
    ap.add_argument('--log', help='serial log (a second guest writes LOG.2...)')
    ap.add_argument('--disk', help='root file system image (the Debian system)')
    ap.add_argument('--boot-timeout', type=int, default=BOOT_TIMEOUT,
                    help='seconds from start to the guest\'s @@BOOT')
    ap.add_argument('--mem', default='4G')
    ap.add_argument('--smp', type=int, default=2)
    ap.add_argument('--guests', type=int, default=1,
                    help='guests running tests of the list at the same time')
    ap.add_argument('--append', default='')
    ap.add_argument('--kmemleak', action='store_true',
                    help='the kernel has kmemleak: report its scan as a test')
    args = ap.parse_args()
    if args.disk and args.mode not in ('test', 'shell'):
        ap.error('--disk boots the Debian system, which runs tests or a shell')
    if args.mode != 'shell' and not args.log:
        ap.error('--log is required')

    extra = []
    if args.arch == 'x86_64':
        khz = host_tsc_khz()
        if khz:
            extra.append('tsc_early_khz=%d' % khz)
        elif args.mode != 'shell':
            print('# host TSC rate unknown: the guest calibrates its own')
    if args.mode == 'shell':
        shell(args, extra)
    tests = load_list(args.list) if args.mode == 'test' else [(args.mode, 1800)]
    if args.mode != 'test':
        args.guests = 1
    run = Run(args, tests)
    t0 = time.monotonic()
    if args.mode == 'test':
        print('TAP version 13')
        print('1..%d' % (len(tests) + 1 + args.kmemleak))
        sys.stdout.flush()
    slots = [Slot(run, n, extra) for n in range(max(1, args.guests))]
    threads = [threading.Thread(target=s.loop) for s in slots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(1, len(tests) + 1):
        if i not in run.results:
            run.report(i, 'fail', 'no result')
    return summary(run, t0)


if __name__ == '__main__':
    sys.exit(main())
