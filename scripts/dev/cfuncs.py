"""Text surgery on C sources for the snapshot transforms: top-level
functions and macros by name, the arguments of calls, and re-wrapping a
statement kernel-style (continuations aligned after the open parenthesis
they belong to, 80 columns)."""
import re

from snapshot import col, indent_to


def func_span(text, name):
    """(start, end) of the top-level definition of function @name with the
    comment right above it and one blank line after it, or None."""
    m = re.search(r'^(?:static |inline )*[a-z_][\w \*]*?\b%s\([^;{]*?\)\n\{\n'
                  % re.escape(name), text, re.M)
    if not m:
        return None
    start = m.start()
    end = text.index('\n}\n', m.end() - 1) + 3
    # the comment block right above
    before = text[:start]
    cm = re.search(r'(/\*(?:[^*]|\*(?!/))*\*/\n)$', before)
    if cm and (cm.start() == 0 or before[cm.start() - 1] == '\n'):
        start = cm.start()
    if text[end:end + 1] == '\n':
        end += 1
    return start, end


def remove_func(text, name):
    s = func_span(text, name)
    return text if s is None else text[:s[0]] + text[s[1]:]


def get_func(text, name):
    s = func_span(text, name)
    return None if s is None else text[s[0]:s[1]]


def macro_span(text, name):
    """(start, end) of a #define of @name, continuation lines included."""
    m = re.search(r'^[ \t]*#define %s\b' % re.escape(name), text, re.M)
    if not m:
        return None
    end = m.start()
    while True:
        nl = text.index('\n', end)
        if text[nl - 1] != '\\':
            return m.start(), nl + 1
        end = nl + 1


def remove_macro(text, name):
    s = macro_span(text, name)
    return text if s is None else text[:s[0]] + text[s[1]:]


def call_args(text, i):
    """Arguments of the call whose '(' is at @i, and the index after ')'."""
    depth, args, cur, j = 0, [], '', i
    while True:
        ch = text[j]
        if ch in '([{':
            depth += 1
            if depth > 1:
                cur += ch
        elif ch in ')]}':
            depth -= 1
            if depth == 0:
                args.append(cur)
                return [' '.join(a.split()) for a in args], j + 1
            cur += ch
        elif ch == ',' and depth == 1:
            args.append(cur)
            cur = ''
        elif ch == '"':
            k = j + 1
            while text[k] != '"':
                k += 2 if text[k] == '\\' else 1
            cur += text[j:k + 1]
            j = k
        else:
            cur += ch
        j += 1


def wrap(line, limit=80):
    """@line (one statement with its indentation, no newline) wrapped after
    ', ' inside parentheses where it passes @limit columns, each
    continuation aligned one column after the parenthesis it continues."""
    ind = re.match(r'[ \t]*', line).group(0)
    body, out = line[len(ind):], []
    i, start_col, prefix, stack = 0, col(ind), ind, []
    while True:
        c, last, st, instr, k = start_col, None, list(stack), False, i
        while k < len(body):
            ch = body[k]
            if ch == '"' and body[k - 1] != '\\':
                instr = not instr
            elif not instr and ch == '(':
                st.append(c)
            elif not instr and ch == ')' and st:
                st.pop()
            c += 1
            if (not instr and ch == ',' and st and body[k + 1:k + 2] == ' '
                    and c <= limit):
                last = (k + 1, list(st))
            if c > limit and last:
                break
            k += 1
        if k >= len(body) or not last:
            out.append(prefix + body[i:])
            return '\n'.join(out)
        out.append(prefix + body[i:last[0]].rstrip())
        i, stack = last[0] + 1, last[1]
        start_col = stack[-1] + 1
        prefix = indent_to(start_col)


def statement_bounds(text, i):
    """(start of the line where the statement holding @i begins, its end:
    the end of the first line after which parentheses balance)."""
    start = text.rindex('\n', 0, i) + 1
    while True:
        depth, j, instr, low = 0, start, False, 0
        while True:
            ch = text[j]
            if ch == '"' and text[j - 1] != '\\' and text[j - 1:j + 2] != "'\"'":
                instr = not instr
            elif not instr:
                if ch == '(':
                    depth += 1
                elif ch == ')':
                    depth -= 1
                    low = min(low, depth)
                elif ch == '\n' and depth <= 0:
                    break
            j += 1
        if low >= 0 and depth == 0:
            return start, j
        # a continuation line: the statement began on a line above
        start = text.rindex('\n', 0, start - 1) + 1


def rewrite_calls(text, name, fn):
    """Replace each call of @name (not its definition) by fn(args), a
    string (None: leave the call), re-wrapping the statement that holds it
    where the call spanned lines or a line now passes 80 columns."""
    pos = 0
    pat = re.compile(r'(?<![\w.>])%s\(' % re.escape(name))
    while True:
        m = pat.search(text, pos)
        if not m:
            return text
        ls = text.rindex('\n', 0, m.start()) + 1
        line = text[ls:text.index('\n', m.start())]
        if re.match(r'^(static |[a-z_][\w ]*[ *]%s\()' % re.escape(name),
                    line) or line.lstrip().startswith(('*', '/*', '#define')):
            pos = m.end()
            continue
        args, after = call_args(text, m.end() - 1)
        new = fn(args)
        if new is None:
            pos = m.end()
            continue
        multi = '\n' in text[m.start():after]
        text = text[:m.start()] + new + text[after:]
        s, e = statement_bounds(text, m.start())
        stmt = text[s:e]
        if multi or any(col(x) > 80 for x in stmt.split('\n')):
            flat = re.sub(r'\n[ \t]+', ' ', stmt)
            text = text[:s] + wrap(flat) + text[e:]
        pos = m.start() + len(new)


def rename_call(text, old, new):
    return rewrite_calls(text, old, lambda a: '%s(%s)' % (new, ', '.join(a)))
