"""What the --index-filter transforms of this directory share: reading and
writing blobs of the index git filter-branch hands them, and the column
arithmetic of kernel-style indentation (tabs of 8)."""
import subprocess


def git(*a, inp=None):
    return subprocess.run(['git'] + list(a), input=inp, capture_output=True,
                          check=True).stdout


def load(path):
    """(mode, text) of @path in the index, or (None, None)."""
    ls = git('ls-files', '-s', '--', path).decode().split()
    if not ls:
        return None, None
    return ls[0], git('cat-file', 'blob', ls[1]).decode()


def store(path, text, mode='100644'):
    """Put @text into the index as @path (added if new)."""
    sha = git('hash-object', '-w', '--stdin', inp=text.encode()).decode().strip()
    git('update-index', '--add', '--cacheinfo', '%s,%s,%s' % (mode, sha, path))


def col(s):
    """Visual width of @s (tabs to the next multiple of 8)."""
    c = 0
    for ch in s:
        c = (c // 8 + 1) * 8 if ch == '\t' else c + 1
    return c


def indent_to(c):
    return '\t' * (c // 8) + ' ' * (c % 8)


def load_all(paths):
    """({path: text}, {path: mode}) of those of @paths in the index."""
    texts, modes = {}, {}
    for p in paths:
        mode, t = load(p)
        if t is not None:
            texts[p], modes[p] = t, mode
    return texts, modes


def store_changed(texts, new, modes):
    """Store each text of @new that differs from @texts."""
    for p, t in new.items():
        if t != texts.get(p):
            store(p, t, modes.get(p, '100644'))


def check(revs, paths, transform):
    """Print, for each commit of @revs, which of @paths @transform would
    change, whether it fails an assertion, and whether it is idempotent."""
    import os
    for rev in revs:
        texts = {}
        for p in paths:
            try:
                texts[p] = git('show', '%s:%s' % (rev, p)).decode()
            except Exception:
                pass
        try:
            new = transform(texts)
        except AssertionError as e:
            print(rev, 'FAILS:', e)
            continue
        again = transform(new)
        changed = [os.path.basename(p) for p in new if new[p] != texts.get(p)]
        idem = all(again[p] == new[p] for p in new)
        print(rev, ' '.join(changed) or '-', '' if idem else 'NOT IDEMPOTENT')


def main(argv, paths, transform):
    """--index-filter entry point, or --check REV... (see check())."""
    if argv[1:2] == ['--check']:
        check(argv[2:], paths, transform)
    else:
        texts, modes = load_all(paths)
        store_changed(texts, transform(texts), modes)
