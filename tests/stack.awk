# stack.awk - worst-case stack depth and recursion check of the core, from
# GCC's -fcallgraph-info=su output (*.ci files, VCG format).
#
# usage: awk -v budget=BYTES -f stack.awk *.ci
# Prints the deepest call chain with its frame sizes; exits 1 on a cycle in
# the call graph (recursion) or a chain over the budget. Calls through the
# caller's read callback are outside the core and not counted.
function bare(t) { sub(/^.*:/, "", t); return t }
function depth(f,    i, n, c, d, best, bestc) {
    if (state[f] == 2) return total[f]
    if (state[f] == 1) { cycle = cycle " " f; return 0 }
    state[f] = 1
    best = 0; bestc = ""
    n = ncallee[f]
    for (i = 1; i <= n; i++) {
        c = callee[f, i]
        d = depth(c)
        if (d > best) { best = d; bestc = c }
    }
    state[f] = 2
    total[f] = frame[f] + best
    next_in_chain[f] = bestc
    return total[f]
}
/^node:/ {
    match($0, /title: "[^"]*"/); t = bare(substr($0, RSTART + 8, RLENGTH - 9))
    if (match($0, /\\n[0-9]+ bytes/)) {
        s = substr($0, RSTART + 2, RLENGTH - 2); sub(/ bytes/, "", s)
        if (s + 0 > frame[t]) frame[t] = s + 0
        defined[t] = 1
        if ($0 ~ /dynamic/ && $0 !~ /bounded/) dynamic = dynamic " " t
    }
    nodes[t] = 1
}
/^edge:/ {
    match($0, /sourcename: "[^"]*"/); s = bare(substr($0, RSTART + 13, RLENGTH - 14))
    match($0, /targetname: "[^"]*"/); d = bare(substr($0, RSTART + 13, RLENGTH - 14))
    if (!((s, d) in seen)) { seen[s, d] = 1; callee[s, ++ncallee[s]] = d }
}
END {
    worst = 0
    for (f in nodes) if (depth(f) > worst) { worst = total[f]; root = f }
    printf "deepest call chain: %d bytes\n", worst
    for (f = root; f != ""; f = next_in_chain[f]) printf "  %6d  %s\n", frame[f], f
    for (f in nodes) if (!defined[f]) undefined = undefined " " f
    if (undefined != "") printf "called but not in the core:%s\n", undefined
    if (dynamic != "") { printf "unbounded dynamic frames:%s\n", dynamic; exit 1 }
    if (cycle != "") { printf "recursion (a cycle in the call graph) through:%s\n", cycle; exit 1 }
    if (budget + 0 > 0 && worst > budget + 0) { printf "over the budget of %d bytes\n", budget; exit 1 }
}
