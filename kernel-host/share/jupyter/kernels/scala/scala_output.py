"""What the Scala REPL said about a cell, sorted into Jupyter's kinds of output.

The kernel sends each cell as ``:paste <file>``. The program's own stdout goes to a pipe of
its own (the prelude points ``System.out`` and ``Console.out`` there) and its stderr to the
JVM's stderr, so what the REPL prints on its stdout is only the REPL's account of the cell:

- compile diagnostics, ``<file>:<line>: error: <message>`` then the source line and a caret;
- an exception that escaped the cell, ``java.lang.X: message`` then ``  at ...`` lines and
  ``  ... N elided``;
- else the summary: ``x: Int = 3``, ``defined class P``, ``f: (n: Int)Int`` and, when the
  cell ends in an expression, ``res4: Int = 3``.

Standard library only: the conformance test and the kernel import it as it is.
"""

import re

_DIAGNOSTIC = re.compile(r"^(?:(?P<file>.+?):(?P<line>\d+): )?(?P<kind>error|warning): (?P<message>.*)$")
_RESULT = re.compile(r"^res\d+: (?P<type>.+?) = (?P<value>.*)$", re.S)
_SUMMARY_ENTRY = re.compile(r"^(?:defined (?:class|object|trait|type alias|module) |import |[A-Za-z_$][\w$]*: )")
_TRACE_LINE = re.compile(r"^\s+(?:at |\.\.\. \d+ (?:elided|more))")


def classify(text, cell_file):
    """``{"error": {ename, evalue, traceback}}`` for a failed cell, else ``{"stdout": str,
    "stderr": str, "result": {"value", "type"} | None}`` (the summary and its warnings)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("Pasting file "):
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines.pop()
    errors, warnings, rest = _diagnostics(lines, cell_file)
    if errors:
        return {"error": _compile_error(errors)}
    if rest and _TRACE_LINE.match(rest[-1]):
        return {"error": _exception(rest)}
    return {"stderr": "".join(line + "\n" for line in warnings), **_summary(rest)}


def _diagnostics(lines, cell_file):
    """(error blocks, warning lines, the other lines): a diagnostic is its header line, then
    the source line and the caret line when it names the cell's file."""
    errors, warnings, rest = [], [], []
    index = 0
    while index < len(lines):
        match = _DIAGNOSTIC.match(lines[index])
        if match is None or (match.group("file") not in (None, cell_file)):
            rest.append(lines[index])
            index += 1
            continue
        block = [f"{match.group('kind')}: {match.group('message')}"]
        index += 1
        if match.group("file"):  # the offending source line and the caret under it
            while index < len(lines) and not _DIAGNOSTIC.match(lines[index]):
                block.append(lines[index])
                index += 1
                if block[-1].strip() == "^":
                    break
        if match.group("kind") == "error":
            errors.append(block)
        else:
            warnings.extend(block)
    return errors, warnings, rest


def _compile_error(blocks):
    """Each diagnostic is its message (a first line, maybe more: ``found``/``required``), then
    the source line and the caret under it. The REPL's line numbers count its wrapper's lines
    too, so they are left out; the source line and its caret lose the wrapper's indentation
    (together: the caret still points at the same character)."""
    lines, messages = [], []
    for block in blocks:
        message, source = (block[:-2], block[-2:]) if len(block) > 2 and block[-1].strip() == "^" else (block, [])
        indent = min((len(line) - len(line.lstrip()) for line in source if line.strip()), default=0)
        lines += [*message, *(line[indent:] for line in source)]
        messages.append("\n".join(message)[len("error: "):])
    return {"ename": "CompileError", "evalue": messages[0], "traceback": lines}


def _exception(lines):
    start = 0
    for index, line in enumerate(lines):  # the header is the line before the first frame
        if _TRACE_LINE.match(line):
            break
        start = index
    header = "\n".join(lines[: start + 1]) if lines else ""
    name, _, message = header.partition(": ")
    return {"ename": name.strip() or "Exception", "evalue": message, "traceback": lines}


def _summary(lines):
    """The summary as stdout, with the cell's value (a last ``resN: T = v``) taken out."""
    last = max((i for i, line in enumerate(lines) if line.startswith("res") and _RESULT.match(line)), default=None)
    if last is not None and not any(_SUMMARY_ENTRY.match(line) for line in lines[last + 1:]):
        match = _RESULT.match("\n".join(lines[last:]))
        stdout = "".join(line + "\n" for line in lines[:last])
        return {"stdout": stdout, "result": {"type": match.group("type"), "value": match.group("value")}}
    return {"stdout": "".join(line + "\n" for line in lines), "result": None}


_OPEN, _CLOSE = "([{", ")]}"


def completeness(code):
    """Jupyter's is_complete for Scala source: ``complete``, ``incomplete`` (an open bracket,
    string or comment) or ``invalid`` (a bracket closed that was never opened)."""
    stack, index, size = [], 0, len(code)
    while index < size:
        char = code[index]
        if code.startswith('"""', index):
            end = code.find('"""', index + 3)
            if end < 0:
                return "incomplete"
            index = end + 3
            while index < size and code[index] == '"':  # """a""""" ends at the last quote
                index += 1
            continue
        if char == '"':
            index = _skip_quoted(code, index, '"')
            if index < 0:
                return "invalid"
            continue
        if char == "'" and (code[index + 1 : index + 2] == "\\" or code[index + 2 : index + 3] == "'"):
            index = _skip_quoted(code, index, "'")
            if index < 0:
                return "invalid"
            continue
        if code.startswith("//", index):
            newline = code.find("\n", index)
            index = size if newline < 0 else newline
            continue
        if code.startswith("/*", index):
            end = code.find("*/", index + 2)
            if end < 0:
                return "incomplete"
            index = end + 2
            continue
        if char in _OPEN:
            stack.append(_CLOSE[_OPEN.index(char)])
        elif char in _CLOSE:
            if not stack or stack.pop() != char:
                return "invalid"
        index += 1
    return "incomplete" if stack else "complete"


def _skip_quoted(code, start, quote):
    """The index after the literal opened at ``start``, or -1 when the line ends first."""
    index = start + 1
    while index < len(code):
        char = code[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if char == "\n":
            return -1
        index += 1
    return -1
