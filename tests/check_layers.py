#!/usr/bin/env python3
"""The core's layers, checked: no cycle among its files, and no call or
include from a layer into one above it.

usage: check_layers.py SRC_DIR CALLGRAPH_DIR

The layers are the folders of src/, in the order in which src/sources.cmake
first names them (base, parse, device, mft, ...): a file may call into and
include files of its own folder and of the folders before it. The calls
come from GCC's call graph of the core (-fcallgraph-info, *.ci files under
CALLGRAPH_DIR): a function is charged to the file that defines it. Calls
within one folder are allowed, as long as no files call each other in a
circle. Prints every violation and exits 1, or prints the file graph's size
and exits 0.
"""
import os
import re
import sys


def layer_order(src):
    with open(os.path.join(src, "sources.cmake")) as f:
        text = f.read()
    block = text[text.index("set(NTX_CORE_SOURCES"):]
    block = block[:block.index(")")]
    order = []
    for path in re.findall(r"[\w/]+\.c", block):
        folder = path.split("/")[0]
        if folder not in order:
            order.append(folder)
    return order


def call_graph(cg_dir):
    """(defined, edges): defined[function] = file, edges = [(caller, callee)]."""
    defined, edges = {}, []
    node = re.compile(r'node: \{ title: "([^"]+)" label: "[^\\"]*\\n([^:"]+):\d+:\d+\\n\d+ bytes')
    edge = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
    for root, _, files in os.walk(cg_dir):
        for name in files:
            if not name.endswith(".ci"):
                continue
            with open(os.path.join(root, name)) as f:
                for line in f:
                    m = node.match(line)
                    if m:
                        defined[m.group(1)] = os.path.normpath(m.group(2))
                        continue
                    m = edge.match(line)
                    if m:
                        edges.append((m.group(1), m.group(2)))
    return defined, edges


def rel(src, path):
    return os.path.relpath(path, src)


def find_cycle(graph):
    """A list of files forming a cycle in graph (file -> set of files), or None."""
    state, stack = {}, []
    for start in sorted(graph):
        if state.get(start):
            continue
        # iterative depth-first search: (node, iterator over its successors)
        work = [(start, iter(sorted(graph.get(start, ()))))]
        state[start] = 1
        stack.append(start)
        while work:
            n, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                state[n] = 2
                stack.pop()
                work.pop()
            elif state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append(nxt)
                work.append((nxt, iter(sorted(graph.get(nxt, ())))))
    return None


def main():
    src, cg_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
    order = layer_order(src)
    rank = {folder: i for i, folder in enumerate(order)}
    problems = []

    defined, edges = call_graph(cg_dir)
    if not defined:
        print("no call graph files (*.ci) under %s" % cg_dir)
        return 1
    graph = {}
    for caller, callee in edges:
        a, b = defined.get(caller), defined.get(callee)
        if a is None or b is None or a == b:
            continue  # outside the core (the read callback), or within a file
        ra, rb = rel(src, a), rel(src, b)
        graph.setdefault(ra, set()).add(rb)
        la, lb = ra.split("/")[0], rb.split("/")[0]
        if la not in rank or lb not in rank:
            problems.append("%s calls %s: a folder sources.cmake does not list" % (ra, rb))
        elif rank[lb] > rank[la]:
            problems.append("%s (%s) calls %s in %s, a layer above it (from %s)"
                            % (ra, la, callee.split(":")[-1], rb, caller.split(":")[-1]))
    cycle = find_cycle(graph)
    if cycle:
        problems.append("files call each other in a circle: " + " -> ".join(cycle))

    # includes: "../X/y.h" reaches folder X, a bare "y.h" its own folder
    inc = re.compile(r'#include "(?:\.\./(\w+)/)?[\w]+\.h"')
    for folder in order:
        for name in sorted(os.listdir(os.path.join(src, folder))):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(src, folder, name)) as f:
                for n, line in enumerate(f, 1):
                    m = inc.match(line)
                    if m and m.group(1) and rank.get(m.group(1), len(order)) > rank[folder]:
                        problems.append("%s/%s:%d includes %s, a layer above it"
                                        % (folder, name, n, line.split('"')[1]))

    for p in problems:
        print(p)
    if problems:
        return 1
    calls = sum(len(v) for v in graph.values())
    print("layers %s: %d files, %d calls between files, no cycle, none upward"
          % (" < ".join(order), len(set(defined.values())), calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
