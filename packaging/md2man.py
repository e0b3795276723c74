#!/usr/bin/env python3
"""Convert snoc's restricted-Markdown manual page (docs/cli.md) to roff (man(7)).

Usage: md2man.py [--date YYYY-MM-DD] [--source "snoc 0.1.0"] [--manual TEXT] INPUT.md [-o OUTPUT]

Python 3 standard library only. The input is the restricted Markdown that
docs/cli.md is written in, and nothing else is accepted:

  - line 1: "# NAME(SECTION) — title", e.g. "# snoc(8) — SmartNIC offload controller";
  - "## HEADING": a man section; HEADING is one of ALLOWED_SECTIONS;
  - "### HEADING": a subsection, only under "## COMMANDS" (one per subcommand);
  - paragraphs (consecutive non-blank lines);
  - "- item" bullet lists, one level; an item continues on lines indented
    by two or more spaces;
  - fenced code blocks opened by ```sh (or a bare ```) and closed by ```;
  - inline: `code`, **bold**, links [text](target) -> text (an http(s)
    target is kept as "text <target>"), backslash escapes of punctuation.

Anything else (tables, HTML, block quotes, nested or numbered lists, other
heading levels, setext headings, rules, indented code, *emphasis*, images,
reference links, ~~~ fences) is an error: it is reported as FILE:LINE: what
was found, and the exit status is 1. Nothing is written on error.

Output is plain ASCII roff: backslashes become \\e, every "-" in code and
in option-like words becomes \\-, quotes in code become \\(aq / \\(ga, text
lines that would start with "." or "'" get a \\& guard, and non-ASCII
characters become groff escapes (\\(em, \\[u2192], ...).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

ALLOWED_SECTIONS = (
    "NAME",
    "SYNOPSIS",
    "DESCRIPTION",
    "COMMANDS",
    "GLOBAL OPTIONS",
    "EXIT STATUS",
    "FILES",
    "ENVIRONMENT",
    "EXAMPLES",
    "SEE ALSO",
)

DEFAULT_MANUALS = {
    "1": "User Commands",
    "5": "File Formats Manual",
    "7": "Miscellaneous Information Manual",
    "8": "System Manager's Manual",
}

# Non-ASCII characters with a classic groff name; any other becomes \[uXXXX].
GLYPHS = {
    "\u2014": r"\(em",
    "\u2013": r"\(en",
    "\u2018": r"\(oq",
    "\u2019": r"\(cq",
    "\u201c": r"\(lq",
    "\u201d": r"\(rq",
    "\u2026": r".\|.\|.",
    "\u2192": r"\(->",
    "\u2190": r"\(<-",
    "\u2264": r"\(<=",
    "\u2265": r"\(>=",
    "\u00d7": r"\(mu",
    "\u00b7": r"\(pc",
    "\u00a0": r"\ ",
    "\u2022": r"\(bu",
}

TITLE_RE = re.compile(r"^# ([a-z][a-z0-9._-]*)\(([1-9][a-z]*)\) (?:\u2014|-|--) (\S.*)$")
FENCE_OPEN_RE = re.compile(r"^```([A-Za-z0-9_+-]*)\s*$")
NUMBERED_RE = re.compile(r"^\s*\d+[.)](\s|$)")
BULLET_RE = re.compile(r"^([-*+])(\s+|$)")
NESTED_BULLET_RE = re.compile(r"^\s+([-*+]|\d+[.)])\s")
HTML_RE = re.compile(r"<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)")
AUTOLINK_RE = re.compile(r"<(https?://[^\s<>]+)>")
RULE_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
MD_PUNCT = "\\`*_{}[]()#+-.!|<>~\"'"


class ConvertError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


# --------------------------------------------------------------------------
# character escaping


def esc_char(c: str, code: bool) -> str:
    if c == "\\":
        return r"\e"
    if c == "-":
        return r"\-" if code else "-"
    if code and c == "'":
        return r"\(aq"
    if code and c == "`":
        return r"\(ga"
    if ord(c) < 128:
        if c not in "\t\n" and (ord(c) < 32 or ord(c) == 127):
            return ""
        return c
    if c in GLYPHS:
        return GLYPHS[c]
    return r"\[u%04X]" % ord(c)


def esc(text: str, code: bool = False) -> str:
    return "".join(esc_char(c, code) for c in text)


def esc_prose(text: str) -> str:
    """Escape prose: hyphens of option-like words (-o, --dry-run) become \\-."""
    out = []
    for m in re.finditer(r"\S+|\s+", text):
        word = m.group(0)
        if re.match(r"^[(\[\"']?--?[A-Za-z0-9]", word):
            out.append(esc(word, code=True).replace(r"\(aq", "'").replace(r"\(ga", "`"))
        else:
            out.append(esc(word))
    return "".join(out)


# --------------------------------------------------------------------------
# inline Markdown


class Inline:
    """Renders one block's inline Markdown; `line` is the block's first source line."""

    def __init__(self, text: str, line: int):
        self.text = text
        self.line = line

    def lineno(self, pos: int) -> int:
        return self.line + self.text.count("\n", 0, pos)

    def fail(self, pos: int, message: str) -> None:
        raise ConvertError(self.lineno(pos), message)

    def render(self) -> str:
        return self._render(0, len(self.text), bold=False)

    def _render(self, start: int, end: int, bold: bool) -> str:
        t = self.text
        out: list[str] = []
        plain: list[str] = []

        def flush() -> None:
            if plain:
                out.append(esc_prose("".join(plain)))
                plain.clear()

        i = start
        while i < end:
            c = t[i]
            if c == "\\" and i + 1 < end and t[i + 1] in MD_PUNCT:
                plain.append(t[i + 1])
                i += 2
                continue
            if c == "`":
                run = 1
                while i + run < end and t[i + run] == "`":
                    run += 1
                j = i + run
                k = -1
                while j < end:
                    if t[j] != "`":
                        j += 1
                        continue
                    r2 = 1
                    while j + r2 < end and t[j + r2] == "`":
                        r2 += 1
                    if r2 == run:
                        k = j
                        break
                    j += r2
                if k < 0:
                    self.fail(i, "unterminated inline code span (%s)" % ("`" * run))
                code = t[i + run:k].replace("\n", " ")
                if code.startswith(" ") and code.endswith(" ") and code.strip():
                    code = code[1:-1]
                flush()
                body = esc(code, code=True)
                out.append(body if bold else r"\fB" + body + r"\fR")
                i = k + run
                continue
            if t.startswith("**", i):
                k = t.find("**", i + 2, end)
                if k < 0:
                    self.fail(i, "unterminated **bold**")
                if bold:
                    self.fail(i, "nested **bold**")
                if k == i + 2 or t[i + 2].isspace() or t[k - 1].isspace():
                    self.fail(i, "malformed **bold** (no text, or space inside the markers)")
                flush()
                out.append(r"\fB" + self._render(i + 2, k, bold=True) + r"\fR")
                i = k + 2
                continue
            if c == "*":
                if i + 1 < end and not t[i + 1].isspace() and t.find("*", i + 1, end) > i + 1:
                    self.fail(i, "*emphasis* is not supported (use `code` or **bold**)")
                plain.append(c)
                i += 1
                continue
            if c == "_" and (i == start or not t[i - 1].isalnum()):
                if t.startswith("__", i) and t.find("__", i + 2, end) > i + 2:
                    self.fail(i, "__bold__ is not supported (use **bold**)")
                m = re.match(r"_[^_\s][^_]*_(?![A-Za-z0-9])", t[i:end])
                if m:
                    self.fail(i, "_emphasis_ is not supported (use `code` or **bold**)")
                plain.append(c)
                i += 1
                continue
            if c == "!" and t.startswith("![", i):
                self.fail(i, "image ![...](...) is not supported")
            if c == "[":
                m = re.match(r"\[([^\[\]]*)\]\(([^()\s]*)\)", t[i:end])
                if m:
                    label, target = m.group(1), m.group(2)
                    if not label.strip():
                        self.fail(i, "link with empty text: %s" % m.group(0))
                    if not target:
                        self.fail(i, "link with empty target: %s" % m.group(0))
                    flush()
                    out.append(self._render(i + 1, i + 1 + len(label), bold))
                    if re.match(r"https?://", target):
                        out.append(" <" + esc(target, code=True).replace(r"\-", "-") + ">")
                    i += len(m.group(0))
                    continue
                if re.match(r"\[[^\[\]]*\]\[[^\[\]]*\]", t[i:end]):
                    self.fail(i, "reference link [text][ref] is not supported (use [text](file.md))")
                if re.match(r"\[[^\[\]]*\]\(", t[i:end]):
                    self.fail(i, "malformed link: %s" % t[i:end].split("\n")[0][:60])
                plain.append(c)
                i += 1
                continue
            if c == "&" and re.match(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", t[i:end]):
                self.fail(i, "HTML entity is not supported: %s" % t[i:end].split(";")[0] + ";")
            if c == "<":
                m = AUTOLINK_RE.match(t, i, end)
                if m:
                    flush()
                    out.append("<" + esc(m.group(1)) + ">")
                    i = m.end()
                    continue
                m = HTML_RE.match(t, i, end)
                if m:
                    self.fail(i, "HTML is not supported: %s" % m.group(0)[:60])
                plain.append(c)
                i += 1
                continue
            plain.append(c)
            i += 1
        flush()
        return "".join(out)


def text_lines(roff: str) -> list[str]:
    """Roff text lines: no leading blanks, no empty lines, '.'/''' guarded."""
    lines = []
    for ln in roff.split("\n"):
        ln = ln.strip()
        if not ln:
            continue
        if ln[0] in ".'":
            ln = r"\&" + ln
        lines.append(ln)
    return lines


def macro_arg(roff: str) -> str:
    return '"' + roff.replace('"', r"\(dq").replace("\n", " ") + '"'


# --------------------------------------------------------------------------
# blocks


def check_line(ln: str, lineno: int, in_item: bool) -> None:
    """Rejects block constructs that are not part of the restricted Markdown."""
    s = ln.lstrip(" ")
    if ln.startswith("\t"):
        raise ConvertError(lineno, "tab indentation is not supported: %r" % ln[:40])
    if s.startswith("|") or (
        "|" in s and re.match(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$", s)
    ):
        raise ConvertError(lineno, "table is not supported: %s" % s[:60])
    if s.startswith(">"):
        raise ConvertError(lineno, "block quote is not supported: %s" % s[:60])
    if s.startswith("```"):
        raise ConvertError(lineno, "code block inside a list item or paragraph is not supported (start it at column 0 after a blank line)")
    if s.startswith("~~~"):
        raise ConvertError(lineno, "~~~ fence is not supported (use ```sh)")
    if re.match(r"^<(!--|/?[A-Za-z][A-Za-z0-9-]*(\s|/?>|$))", s):
        raise ConvertError(lineno, "HTML is not supported: %s" % s[:60])
    if NUMBERED_RE.match(ln):
        raise ConvertError(lineno, "numbered list is not supported (use - bullets): %s" % s[:60])
    if RULE_RE.match(ln):
        raise ConvertError(lineno, "horizontal rule is not supported: %s" % s[:60])
    if NESTED_BULLET_RE.match(ln):
        raise ConvertError(lineno, "nested list is not supported (one level of - bullets): %s" % s[:60])
    if s.startswith("#"):
        raise ConvertError(lineno, "heading in the middle of a block, or heading level not supported: %s" % s[:60])
    if not in_item and ln.startswith("    ") and s:
        raise ConvertError(lineno, "indented code block is not supported (use ```sh): %s" % s[:60])


def convert(md: str, date: str, source: str, manual: str | None = None) -> str:
    lines = md.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ConvertError(1, "empty file")
    for n, ln in enumerate(lines, 1):
        if "\r" in ln:
            raise ConvertError(n, "carriage return (CRLF line ends) is not supported")

    m = TITLE_RE.match(lines[0])
    if not m:
        raise ConvertError(1, "first line must be '# name(section) \u2014 title', found: %s" % lines[0][:60])
    name, section, title = m.groups()
    out = [
        '.\\" Generated by packaging/md2man.py from docs/cli.md; do not edit.',
        ".TH %s %s %s %s %s"
        % (
            macro_arg(esc(name.upper())),
            section,
            macro_arg(esc(date)),
            macro_arg(esc(source)),
            macro_arg(esc(manual or DEFAULT_MANUALS.get(section[0], ""))),
        ),
    ]

    sections_seen: list[str] = []
    current = None  # current ## section
    i = 1
    para_open = False  # whether a .PP is needed before the next block

    def need_pp() -> None:
        if para_open:
            out.append(".PP")

    while i < len(lines):
        ln = lines[i]
        n = i + 1
        if not ln.strip():
            i += 1
            continue
        if ln.startswith("## "):
            heading = ln[3:].strip()
            if heading not in ALLOWED_SECTIONS:
                raise ConvertError(n, "section '## %s' is not a man section (allowed: %s)" % (heading, ", ".join(ALLOWED_SECTIONS)))
            if heading in sections_seen:
                raise ConvertError(n, "section '## %s' appears twice" % heading)
            if not sections_seen and heading != "NAME":
                out.append(".SH NAME")
                out.append("%s \\- %s" % (esc(name), text_lines(Inline(title, 1).render())[0]))
                sections_seen.append("NAME")
            sections_seen.append(heading)
            current = heading
            out.append(".SH " + macro_arg(esc(heading)))
            para_open = False
            i += 1
            continue
        if ln.startswith("### "):
            if current != "COMMANDS":
                raise ConvertError(n, "'###' subsections are only allowed under '## COMMANDS', found under %s"
                                   % ("'## %s'" % current if current else "no section"))
            out.append(".SS " + macro_arg(Inline(ln[4:].strip(), n).render()))
            para_open = False
            i += 1
            continue
        if ln.startswith("#"):
            level = len(ln) - len(ln.lstrip("#"))
            raise ConvertError(n, "heading level %d is not supported (only '#' on line 1, '##', '###'): %s" % (level, ln[:60]))
        if current is None:
            raise ConvertError(n, "text before the first '## SECTION' heading: %s" % ln[:60])

        fm = FENCE_OPEN_RE.match(ln)
        if ln.startswith("```"):
            if not fm or fm.group(1) not in ("", "sh"):
                raise ConvertError(n, "only ```sh (or bare ```) code blocks are supported, found: %s" % ln[:60])
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            if j == len(lines):
                raise ConvertError(n, "unterminated code block (no closing ```)")
            need_pp()
            out.append(".RS 4")
            out.append(".nf")
            for code in lines[i + 1:j]:
                code = code.rstrip()
                if not code:
                    out.append(".sp")
                    continue
                body = esc(code.expandtabs(8), code=True)
                if body[0] in ".'":
                    body = r"\&" + body
                out.append(body)
            out.append(".fi")
            out.append(".RE")
            para_open = True
            i = j + 1
            continue

        bm = BULLET_RE.match(ln)
        if bm:
            if bm.group(1) != "-":
                raise ConvertError(n, "'%s' bullets are not supported (use '- ')" % bm.group(1))
            while i < len(lines):
                ln = lines[i]
                n = i + 1
                bm = BULLET_RE.match(ln)
                if not bm:
                    break
                if bm.group(1) != "-":
                    raise ConvertError(n, "'%s' bullets are not supported (use '- ')" % bm.group(1))
                item = [ln[bm.end():]]
                start = n
                if not item[0].strip():
                    raise ConvertError(n, "empty list item")
                check_line(item[0], n, in_item=True)
                i += 1
                while i < len(lines) and lines[i].strip():
                    cont = lines[i]
                    if BULLET_RE.match(cont):
                        break
                    if not cont.startswith("  "):
                        raise ConvertError(i + 1, "list item continuation must be indented by two spaces: %s" % cont[:60])
                    check_line(cont, i + 1, in_item=True)
                    item.append(cont.strip())
                    i += 1
                out.append(r".IP \(bu 2")
                out.extend(text_lines(Inline("\n".join(item), start).render()))
                # a blank line between items is fine; a blank line then an
                # indented line would be a second paragraph in the item
                k = i
                while k < len(lines) and not lines[k].strip():
                    k += 1
                if k > i and k < len(lines) and lines[k].startswith(" ") and lines[k].strip():
                    raise ConvertError(k + 1, "multi-paragraph list items are not supported")
                if k < len(lines) and BULLET_RE.match(lines[k]):
                    i = k
                    continue
                break
            para_open = True
            continue

        # a paragraph
        check_line(ln, n, in_item=False)
        para = [ln]
        start = n
        i += 1
        while i < len(lines) and lines[i].strip():
            nxt = lines[i]
            if SETEXT_RE.match(nxt):
                raise ConvertError(i + 1, "setext heading (underlined with %s) is not supported" % nxt.strip()[0])
            if nxt.startswith("#") or nxt.startswith("```") or BULLET_RE.match(nxt):
                break
            check_line(nxt, i + 1, in_item=True)
            para.append(nxt)
            i += 1
        need_pp()
        text = "\n".join(s.strip() for s in para)
        if current == "NAME":
            text = re.sub(r"^(\S+) (?:\u2014|--?) ", lambda mm: mm.group(1) + " \ue000 ", text, count=1)
            rendered = Inline(text, start).render().replace(r"\[uE000]", r"\-")
        else:
            rendered = Inline(text, start).render()
        out.extend(text_lines(rendered))
        para_open = True
        continue

    if "NAME" not in sections_seen:
        raise ConvertError(len(lines), "no '## NAME' section and no other section")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Convert restricted Markdown (docs/cli.md) to a roff man page.")
    ap.add_argument("input")
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    ap.add_argument("--date", help="date in the page footer (default: SOURCE_DATE_EPOCH, else today), YYYY-MM-DD")
    ap.add_argument("--source", default="", help='footer source, e.g. "snoc 0.1.0"')
    ap.add_argument("--manual", help="header manual name (default by section, e.g. System Manager's Manual)")
    args = ap.parse_args(argv)

    date = args.date
    if not date:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        date = time.strftime("%Y-%m-%d", time.gmtime(int(epoch) if epoch else None))
    try:
        with open(args.input, encoding="utf-8") as f:
            md = f.read()
    except UnicodeDecodeError as e:
        print("%s: not UTF-8: %s" % (args.input, e), file=sys.stderr)
        return 1
    try:
        roff = convert(md, date, args.source, args.manual)
    except ConvertError as e:
        print("%s:%d: %s" % (args.input, e.line, e.message), file=sys.stderr)
        return 1
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(roff)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(roff)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
