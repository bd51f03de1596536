#!/usr/bin/env python3
"""Runs every `$ tier ...` example of README.md and compares its output with the text shown.

Usage: python3 scripts/check_readme.py [--bin target/ci/tier] [--update]

An example is a `$ ` line (other than `$ cargo`) inside a ```console block; its output is the lines up
to the next `$` line or the end of the block. A line `...` in the shown output stands for any
number of lines. stderr is merged into stdout (as a terminal shows it). Exit 1 on a mismatch.
`--update` rewrites the shown output of examples without `...` to the actual output.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def examples(text):
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        i = 0
        while i < len(lines):
            if lines[i].startswith("$ ") and not lines[i].startswith("$ cargo"):
                cmd = lines[i][2:]
                j = i + 1
                while j < len(lines) and not lines[j].startswith("$ "):
                    j += 1
                yield cmd, lines[i + 1 : j]
                i = j
            else:
                i += 1


def matches(shown, actual):
    """Whether `actual` fits `shown`, where a `...` line matches any run of lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(matches(shown[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and matches(shown[1:], actual[1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "ci", "tier"))
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    bindir = os.path.join(ROOT, "target", "readme-bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "tier")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(args.bin), link)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    bad = 0
    updated = text
    for cmd, shown in examples(text):
        run = subprocess.run(
            ["bash", "-c", "{ " + cmd + " ; } 2>&1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        actual = run.stdout.rstrip("\n").split("\n") if run.stdout.strip() else []
        if matches(shown, actual):
            print(f"ok    {cmd}")
        elif args.update and "..." not in shown:
            old = "$ " + cmd + "\n" + "".join(l + "\n" for l in shown)
            new = "$ " + cmd + "\n" + "".join(l + "\n" for l in actual)
            updated = updated.replace(old, new, 1)
            print(f"fixed {cmd}")
        else:
            bad += 1
            print(f"DIFF  {cmd}")
            print("  shown:")
            print("\n".join("    " + l for l in shown))
            print("  actual:")
            print("\n".join("    " + l for l in actual))
    if updated != text:
        open(os.path.join(ROOT, "README.md"), "w", encoding="utf-8").write(updated)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
