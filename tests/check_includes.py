#!/usr/bin/python3
"""Checks the project's include graph.

Usage: check_includes.py SOURCE_DIR [--allow-cycle NODE,NODE,...]...

Reads every .h and .cpp under sim/, models/, output/, bench/ and tests/ and fails (exit 1,
naming each offence) when
  - a file under models/ or output/ includes anything from sim/ (the domain and the
    output know nothing of the engine side), or
  - the project's own includes form a cycle between files. A file is a node by its path
    without extension, so that x.cpp and x.h are one node: "scenario.cpp includes
    microdata.h, microdata.h includes scenario.h" is the cycle scenario <-> microdata.
Only quoted includes that name a file of the project count (resolved from SOURCE_DIR or
from the including file's folder); system headers and generated ones (cradle_version.h)
are outside the graph. --allow-cycle names a cycle known and scheduled for removal (its
exact set of nodes): it is reported, not failed, and noted when it no longer exists.
Exits 0 when both rules hold.
"""

import os
import re
import sys

FOLDERS = ("sim", "models", "output", "bench", "tests")
LOWER_LAYERS = ("models", "output")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def project_files(root):
    """Paths (relative to root, with '/') of every .h and .cpp in FOLDERS."""
    found = []
    for folder in FOLDERS:
        for dirpath, _, names in os.walk(os.path.join(root, folder)):
            for name in names:
                if name.endswith((".h", ".cpp")):
                    found.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(found)


def resolve(root, including, target):
    """The project file an include names, or None if it is not one."""
    for candidate in (target, os.path.join(os.path.dirname(including), target)):
        path = os.path.normpath(candidate).replace(os.sep, "/")
        if os.path.isfile(os.path.join(root, path)):
            return path
    return None


def node(path):
    return os.path.splitext(path)[0]


def find_cycles(graph):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, successors = work[-1]
            w = next(successors, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def main(argv):
    args = argv[1:]
    allowed = set()
    while len(args) >= 2 and args[-2] == "--allow-cycle":
        allowed.add(frozenset(args[-1].split(",")))
        args = args[:-2]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = args[0]
    errors = []
    graph = {}
    evidence = {}
    for path in project_files(root):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        graph.setdefault(node(path), set())
        for target in INCLUDE.findall(text):
            resolved = resolve(root, path, target)
            if path.split("/")[0] in LOWER_LAYERS and (target.startswith("sim/") or
                                                       (resolved or "").startswith("sim/")):
                errors.append(f"{path} includes \"{target}\": models/ and output/ must include nothing from sim/")
            if resolved is None or node(resolved) == node(path):
                continue
            graph[node(path)].add(node(resolved))
            evidence.setdefault((node(path), node(resolved)), f"{path} includes \"{target}\"")
    known = 0
    for component in find_cycles(graph):
        members = frozenset(component)
        edges = [evidence[(a, b)] for a in component for b in sorted(graph[a]) if b in members]
        message = "include cycle between " + ", ".join(component) + ":\n    " + "\n    ".join(edges)
        if members in allowed:
            allowed.discard(members)
            known += 1
            print("known " + message)
        else:
            errors.append(message)
    for members in allowed:
        print("allowed cycle no longer exists, drop --allow-cycle " + ",".join(sorted(members)))
    for error in errors:
        print(error, file=sys.stderr)
    if not errors:
        print(f"include graph: {len(graph)} nodes, models/ and output/ free of sim/, "
              f"no cycles{' but the allowed' if known else ''}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
