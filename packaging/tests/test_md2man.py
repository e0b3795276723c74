#!/usr/bin/env python3
"""Tests for packaging/md2man.py (run by ctest as md2man.*; stdlib only).

  test_md2man.py                    the fixture tests/data/md2man/cli.md converts to
                                    tests/data/md2man/cli.8 exactly; every unsupported
                                    construct is rejected with FILE:LINE; groff and man
                                    (when installed) render the fixture without warnings
  test_md2man.py --check FILE.md    FILE.md (the real docs/cli.md) converts, and
                                    `groff -man -ww -z` / `man --warnings -l` are clean
Set MD2MAN_REGENERATE=1 to rewrite cli.8 from the converter (then review the diff).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "packaging"))
import md2man  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "data", "md2man", "cli.md")
EXPECTED = os.path.join(ROOT, "tests", "data", "md2man", "cli.8")
DATE, SOURCE = "2025-01-01", "snoc 0.1.0"

HEAD = "# snoc(8) \u2014 test\n\n## NAME\n\nsnoc \u2014 test\n\n## DESCRIPTION\n\n"
HEAD_LINES = HEAD.count("\n")  # the first body line is HEAD_LINES + 1

# (body after HEAD, line of the error counted from the first body line, words in the message)
REJECTED = [
    ("| a | b |\n|---|---|\n| 1 | 2 |\n", 1, "table"),
    ("a | b\n--|--\n", 2, "table"),
    ("<div>x</div>\n", 1, "HTML"),
    ("text with <b>bold</b>\n", 1, "HTML"),
    ("text <!-- comment -->\n", 1, "HTML"),
    ("a &amp; b\n", 1, "HTML entity"),
    ("- a\n  - nested\n", 2, "nested list"),
    ("- a\n    * nested\n", 2, "nested list"),
    ("1. one\n2. two\n", 1, "numbered list"),
    ("text\n\n2) two\n", 3, "numbered list"),
    ("* star bullet\n", 1, "bullets are not supported"),
    ("+ plus bullet\n", 1, "bullets are not supported"),
    ("> quote\n", 1, "block quote"),
    ("#### deep\n", 1, "heading level 4"),
    ("### sub\n", 1, "only allowed under '## COMMANDS'"),
    ("text\n\n## OPTIONS\n", 3, "not a man section"),
    ("## DESCRIPTION\n", 1, "appears twice"),
    ("Title\n=====\n", 2, "setext heading"),
    ("para\n---\n", 2, "setext heading"),
    ("x\n\n---\n", 3, "horizontal rule"),
    ("x\n\n    indented code\n", 3, "indented code block"),
    ("```python\nx = 1\n```\n", 1, "only ```sh"),
    ("```sh\nnever closed\n", 1, "unterminated code block"),
    ("~~~\ncode\n~~~\n", 1, "~~~ fence"),
    ("some *emphasis* here\n", 1, "*emphasis*"),
    ("some _emphasis_ here\n", 1, "_emphasis_"),
    ("some __bold__ here\n", 1, "__bold__"),
    ("an unterminated `code span\n", 1, "unterminated inline code"),
    ("an **unterminated bold\n", 1, "unterminated **bold**"),
    ("an image ![alt](x.png)\n", 1, "image"),
    ("a reference [text][ref] link\n", 1, "reference link"),
    ("first line\nsecond *line* here\n", 2, "*emphasis*"),
    ("- item\n\n  second paragraph\n", 3, "multi-paragraph"),
    ("- item\ncontinuation not indented\n", 2, "indented by two spaces"),
    ("- item\n  ```sh\n  x\n  ```\n", 2, "code block inside a list item"),
    ("\tTabbed\n", 1, "tab indentation"),
]


def convert_text(md):
    return md2man.convert(md, DATE, SOURCE)


def roff_warnings(path):
    """Warnings of groff and man on a roff file; None when neither is installed."""
    found = False
    msgs = []
    if shutil.which("groff"):
        found = True
        r = subprocess.run(["groff", "-man", "-ww", "-z", path], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            msgs.append("groff -man -ww -z: rc=%d %s" % (r.returncode, r.stderr.strip()))
    if shutil.which("man"):
        found = True
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        r = subprocess.run(["man", "--warnings", "-l", path], capture_output=True, text=True, env=env)
        if r.returncode != 0 or r.stderr.strip():
            msgs.append("man --warnings -l: rc=%d %s" % (r.returncode, r.stderr.strip()))
        elif "NAME" not in r.stdout:
            msgs.append("man -l rendered no NAME section")
    return msgs if found else None


class Fixture(unittest.TestCase):
    def test_fixture_matches_expected_roff(self):
        with open(FIXTURE, encoding="utf-8") as f:
            roff = convert_text(f.read())
        if os.environ.get("MD2MAN_REGENERATE") == "1":
            with open(EXPECTED, "w", encoding="ascii") as f:
                f.write(roff)
        with open(EXPECTED, encoding="ascii") as f:
            expected = f.read()
        self.assertEqual(expected, roff)

    def test_output_is_ascii_and_guarded(self):
        with open(FIXTURE, encoding="utf-8") as f:
            roff = convert_text(f.read())
        roff.encode("ascii")
        for ln in roff.splitlines():
            self.assertTrue(ln, "empty roff line")
            self.assertFalse(ln[0] == "'", "line starts with a quote: " + ln)
            if ln.startswith("."):
                self.assertRegex(ln, r'^\.(\\"|TH|SH|SS|PP|IP|RS|RE|nf|fi|sp)( |$)', "unexpected request: " + ln)
        self.assertIn(r"\&.lines that start", roff)
        self.assertIn(r"\&.leading\-dot", roff)
        self.assertIn(r"back\eslash \e and", roff)
        self.assertIn(r"\fB\-\-placement ovs\fR", roff)
        self.assertIn(r"snoc \- SmartNIC", roff)
        self.assertIn(r"jq \(aq.nics[0]\(aq", roff)
        self.assertIn("spec-reference.md and", roff)  # the link became its text
        self.assertIn(r"na\[u00EF]ve \(-> done", roff)

    def test_fixture_renders_without_warnings(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "snoc.8")
            self.assertEqual(0, md2man.main(["--date", DATE, "--source", SOURCE, FIXTURE, "-o", out]))
            msgs = roff_warnings(out)
            if msgs is None:
                self.skipTest("neither groff nor man is installed")
            self.assertEqual([], msgs)


class Rejects(unittest.TestCase):
    def test_each_unsupported_construct(self):
        for body, line, words in REJECTED:
            with self.subTest(body=body):
                with self.assertRaises(md2man.ConvertError) as cm:
                    convert_text(HEAD + body)
                self.assertIn(words, cm.exception.message)
                self.assertEqual(HEAD_LINES + line, cm.exception.line, cm.exception.message)

    def test_title_line(self):
        for first in ("snoc(8) - x", "# snoc - x", "## snoc(8) \u2014 x", "# Snoc(8) \u2014 x"):
            with self.subTest(first=first):
                with self.assertRaises(md2man.ConvertError) as cm:
                    convert_text(first + "\n\n## NAME\n\nsnoc \u2014 x\n")
                self.assertEqual(1, cm.exception.line)

    def test_text_before_first_section(self):
        with self.assertRaises(md2man.ConvertError) as cm:
            convert_text("# snoc(8) \u2014 x\n\nstray text\n")
        self.assertEqual(3, cm.exception.line)

    def test_plain_text_that_looks_special_is_accepted(self):
        roff = convert_text(HEAD + "5 * 3 and snake_case and [--dry-run] and C:\\x\n")
        self.assertIn(r"5 * 3 and snake_case and [\-\-dry\-run] and C:\ex", roff)

    def test_cli_reports_file_and_line_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "bad.md")
            out = os.path.join(d, "bad.8")
            with open(src, "w", encoding="utf-8") as f:
                f.write(HEAD + "text\n\n| a | b |\n")
            r = subprocess.run([sys.executable, os.path.join(ROOT, "packaging", "md2man.py"), src, "-o", out],
                               capture_output=True, text=True)
            self.assertEqual(1, r.returncode)
            self.assertEqual("%s:%d: table is not supported: | a | b |\n" % (src, HEAD_LINES + 3), r.stderr)
            self.assertFalse(os.path.exists(out))


def check_file(md_path):
    """Converts md_path and checks the page with groff and man; returns an exit code."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "snoc.8")
        rc = md2man.main(["--date", DATE, "--source", SOURCE, md_path, "-o", out])
        if rc != 0:
            return rc
        msgs = roff_warnings(out)
        if msgs is None:
            print("test_md2man: neither groff nor man installed; only the conversion was checked")
            return 0
        for m in msgs:
            print("%s: %s" % (md_path, m), file=sys.stderr)
        if not msgs:
            print("%s: converts; groff -man -ww -z and man --warnings -l are clean" % md_path)
        return 1 if msgs else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check_file(sys.argv[2]))
    unittest.main()
