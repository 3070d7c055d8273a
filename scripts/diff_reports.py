"""Diff two paper-checks report.json files row by row: values, errors and verdicts.

Usage: python3 scripts/diff_reports.py BASE/report.json NEW/report.json [-v]
Prints every verdict change and every value that moved by more than the larger of its two
errors; with -v also every changed error.
"""
import json, sys, math
base = json.load(open(sys.argv[1]))
new = json.load(open(sys.argv[2]))
def rows(rep):
    return {c['row']: c for c in rep['checks']}
b, n = rows(base), rows(new)
print(f"rows: base {len(b)}, new {len(n)}")
for r in sorted(set(b) - set(n)): print("only in base:", r)
for r in sorted(set(n) - set(b)): print("only in new:", r)
moved = 0
for r in sorted(set(b) & set(n)):
    cb, cn = b[r], n[r]
    if cb['verdict'] != cn['verdict']:
        print(f"VERDICT {r}: {cb['verdict']} -> {cn['verdict']}")
    qb, qn = cb.get('quantities', {}), cn.get('quantities', {})
    for k in sorted(set(qb) | set(qn)):
        if k not in qb or k not in qn:
            print(f"  {r} / {k}: {'new only' if k in qn else 'base only'}"); continue
        vb, eb = qb[k]['value'], qb[k]['error']
        vn, en = qn[k]['value'], qn[k]['error']
        if vb is None or vn is None: continue
        d = abs(vn - vb)
        tol = max(eb or 0, en or 0)
        err_change = (eb != en) and not (math.isclose(eb or 0, en or 0, rel_tol=1e-6, abs_tol=0))
        if d > tol or (d > 0 and tol == 0):
            moved += 1
            print(f"MOVED {r} / {k}: {vb!r} ± {eb!r} -> {vn!r} ± {en!r} (|Δ| = {d:.3g})")
        elif err_change and ('-v' in sys.argv):
            print(f"  err {r} / {k}: {vb:.6g} ± {eb:.3g} -> {vn:.6g} ± {en:.3g}")
print("moved beyond error:", moved)
