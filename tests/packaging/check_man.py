"""The man pages lint clean and sluice.conf(5) documents every setting.

For each man/*.[58] page: `groff -ww -t -man -Tutf8 -z` and `man --warnings -l` print no
warning, and `mandoc -Tlint -W warning` (when mandoc is installed) reports nothing. Then every
setting written in conf/sluice.conf.example (the annotated file of every setting) has an entry
in sluice.conf(5) with a type, a default and an example, and every command that
`sluicectl --help` lists has its own tagged paragraph in sluicectl(8) (".TP", then a tag line
starting with the command; "hold, release" tags both). Usage: check_man.py [SOURCE_DIR]
(default: the repository holding this script); the built sluicectl is $SLUICECTL (ctest sets
it; without it that last check is skipped, and says so). Exit status 0 when clean, 1 otherwise."""

import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")


def lint_commands(page):
    yield ["groff", "-ww", "-t", "-man", "-Tutf8", "-z", page]
    yield ["man", "--warnings", "-E", "UTF-8", "-l", page]
    if shutil.which("mandoc"):
        yield ["mandoc", "-Tlint", "-W", "warning", page]


def lint(page):
    problems = []
    for command in lint_commands(page):
        result = subprocess.run(command, capture_output=True, text=True, env=ENV)
        # mandoc -Tlint writes its findings to stdout; groff and man to stderr.
        output = result.stderr if command[0] != "mandoc" else result.stdout + result.stderr
        if result.returncode != 0 or output.strip():
            problems.append(f"{' '.join(command)}: exit {result.returncode}\n{output}")
    return problems


def example_settings(path):
    """Dotted names of the settings in the groups of a libconfig file, e.g. "smtp.max_errors".
    Settings inside lists (listen, routes) are documented with their list; top-level scalars
    are returned bare."""
    names, group, depth = [], None, 0
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"([a-z_]+)\s*=", line)
        if m and depth == 0:
            if line.endswith("{"):
                group = m.group(1)
            else:
                names.append(m.group(1))
        elif m and depth == 1 and group:
            names.append(f"{group}.{m.group(1)}")
        depth += line.count("{") + line.count("(") - line.count("}") - line.count(")")
        if depth == 0:
            group = None
    return names


def undocumented(page, settings):
    """Settings without an entry (".TP" then ".B name"), a default (or "required") or an
    example. An entry runs to the next dotted setting, section or subsection, so the members
    of a list (listen, routes) and their shared example belong to it; a top-level setting may
    also have its example in its own subsection (".SS routes")."""
    text = open(page, encoding="utf-8").read()
    end = re.compile(r"^\.(TP\n\.B [a-z_]+\.[a-z_]+\n|SS |SH )", re.MULTILINE)
    missing = []
    for name in settings:
        m = re.search(r"^\.TP\n\.B " + re.escape(name) + r"\n", text, re.MULTILINE)
        if not m:
            missing.append(f"{name}: no entry")
            continue
        stop = end.search(text, m.end())
        entry = text[m.end():stop.start() if stop else len(text)]
        section = re.search(r"^\.SS " + re.escape(name) + r"\n(.*?)(?=^\.S[SH] )", text,
                            re.MULTILINE | re.DOTALL)
        if not re.search(r"default|required", entry):
            missing.append(f"{name}: neither a default nor \"required\"")
        elif "Example:" not in entry and not (section and "Example:" in section.group(1)):
            missing.append(f"{name}: no example")
    return missing


def help_commands(sluicectl):
    """The command names of `sluicectl --help` (the indented lines under "commands:")."""
    result = subprocess.run([sluicectl, "--help"], capture_output=True, text=True, env=ENV,
                            timeout=30)
    if result.returncode != 0:
        return None
    listing = result.stdout.split("commands:\n", 1)[-1]
    return re.findall(r"^  ([a-z][a-z-]*)  ", listing, re.MULTILINE)


def tagged_commands(page):
    """The commands that have a tagged paragraph in the DESCRIPTION of sluicectl(8): for each
    ".TP", the leading word of its tag line (font requests, quotes and escapes removed), or
    each of a leading comma-separated list ("hold, release [isp]")."""
    text = open(page, encoding="utf-8").read()
    section = re.search(r"^\.SH DESCRIPTION\n(.*?)(?=^\.SH )", text, re.MULTILINE | re.DOTALL)
    tags = re.findall(r"^\.TP\n(.*)$", section.group(1) if section else "", re.MULTILINE)
    names = set()
    for tag in tags:
        tag = re.sub(r"^\.[A-Z]+\s*", "", tag)            # .B / .BR / .BI ...
        tag = re.sub(r"\\f[A-Z]|\\f\(..|\\f\[[^]]*\]", "", tag)  # font escapes
        tag = tag.replace("\\-", "-").replace('"', "")
        m = re.match(r"([a-z][a-z-]*(?:\s*,\s*[a-z][a-z-]*)*)", tag)
        if m:
            names.update(n.strip() for n in m.group(1).split(","))
    return names


def untagged_commands(page, sluicectl):
    commands = help_commands(sluicectl)
    if not commands:
        return [f"{sluicectl} --help: no commands listed"]
    tagged = tagged_commands(page)
    return [f"{c}: listed by sluicectl --help, but has no tagged paragraph (.TP) of its own"
            for c in commands if c not in tagged]


def main():
    pages = sorted(glob.glob(os.path.join(ROOT, "man", "*.[58]")))
    failures = []
    for page in pages:
        failures += [f"{os.path.basename(page)}: {p}" for p in lint(page)]
    settings = example_settings(os.path.join(ROOT, "conf", "sluice.conf.example"))
    failures += [f"sluice.conf.5: {p}" for p in
                 undocumented(os.path.join(ROOT, "man", "sluice.conf.5"), settings)]
    sluicectl = os.environ.get("SLUICECTL")
    if sluicectl:
        failures += [f"sluicectl.8: {p}" for p in
                     untagged_commands(os.path.join(ROOT, "man", "sluicectl.8"), sluicectl)]
    else:
        print("check_man: SLUICECTL is not set; sluicectl(8) commands not checked against --help")
    for failure in failures:
        print(failure)
    print(f"check_man: {len(pages)} pages, {len(settings)} settings, {len(failures)} problems")
    return 1 if failures or len(pages) != 3 or len(settings) < 40 else 0


if __name__ == "__main__":
    sys.exit(main())
