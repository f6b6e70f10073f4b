#!/usr/bin/env python3
"""Checks a result.json's per-step attribution (issue 19).

  check-step-attribution.py RESULT_JSON leak STEP METRIC MIN_SHARE
      METRIC's growth is attributed to step STEP (1-based) with at least MIN_SHARE (0..1)
  check-step-attribution.py RESULT_JSON clean
      no step is blamed, yet every top-level step carries its per-step figures
"""
import json
import sys

result = json.load(open(sys.argv[1]))
steps = [s for s in result["steps"] if "step" in s]
if not steps or any("daemon.fds" not in s["growth_per_iter"] for s in steps):
    sys.exit(f"FAIL: per-step figures missing: {steps}")
if sys.argv[2] == "clean":
    if result["step_attribution"]:
        sys.exit(f"FAIL: a clean run blamed steps: {result['step_attribution']}")
    print("OK: no step blamed; per step:", [s["growth_per_iter"]["daemon.fds"] for s in steps])
    sys.exit(0)
step, metric, min_share = int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
found = [a for a in result["step_attribution"] if a["metric"] == metric]
if not found:
    sys.exit(f"FAIL: no attribution of {metric}: {result['step_attribution']}")
top = found[0]["shares"][0]
if top["step"] != step or top["share"] < min_share:
    sys.exit(f"FAIL: {metric}: {found[0]['text']}")
print(f"OK: {found[0]['text']}")
