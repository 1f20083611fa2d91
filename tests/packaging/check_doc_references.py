"""Every Markdown file the repository's files name is in the repository (issue 13 item 8: the
README pointed at a design note outside the checkout, which neither a clone nor the package
has).

Scans the tracked files (or, outside a git checkout, every file but build output) for names
ending in ".md" and accepts one that exists relative to the repository root or to the naming
file's directory. Usage: check_doc_references.py [SOURCE_DIR] (default: the repository holding
this script). Exit status 0 when every reference resolves, 1 otherwise."""

import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
REFERENCE = re.compile(r"(?<![\w.-])((?:\.\./|\./)*[\w.-]+(?:/[\w.-]+)*\.md)\b")
SKIP_DIRS = re.compile(r"^(build[^/]*|var|\.git|\.cache|__pycache__)$")


def repository_files():
    try:
        listed = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True,
                                check=True).stdout.decode().split("\0")
        return [name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for directory, subdirs, files in os.walk(ROOT):
            subdirs[:] = [d for d in subdirs if not SKIP_DIRS.match(d)]
            names += [os.path.relpath(os.path.join(directory, f), ROOT) for f in files]
        return names


def inside(path):
    return os.path.commonpath([ROOT, path]) == ROOT


def unresolved(name):
    """The .md references in file `name` (relative to ROOT) that do not resolve inside ROOT."""
    try:
        with open(os.path.join(ROOT, name), encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return []  # binary files and the like
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        for reference in REFERENCE.findall(line):
            candidates = [os.path.normpath(os.path.join(ROOT, base, reference))
                          for base in ("", os.path.dirname(name))]
            if not any(inside(c) and os.path.isfile(c) for c in candidates):
                problems.append(f"{name}:{number}: {reference}: not in the repository")
    return problems


def main():
    files = repository_files()
    problems = [p for name in files for p in unresolved(name)]
    for problem in problems:
        print(problem)
    print(f"check_doc_references: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
