#!/usr/bin/env python3
"""The leakgate-run parts of scripts/bench (stdlib only).

  leakbench.py overhead  --leakgate L --trackerd T --scenario S --iterations N --runs R --hz H
  leakbench.py detection --leakgate L --trackerd T --scenarios DIR

Each prints its section of the final table on stdout and progress lines on stderr.
Every leakgate run gets its own report directory under $TMPDIR, removed after reading;
scripts/bench points $TMPDIR at a temp directory of its own (the daemons' work directories).
"""

import argparse
import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

# The issue's targets ("The harness", Performance): what sampling at 1 kHz may cost.
WALL_TARGET = 1.05
DAEMON_CPU_TARGET = 1.02

DETECTION_ITERATIONS = (1, 2, 3, 5, 10, 20, 50)

# injection, scenario file, the metric that must catch it, leak per iteration, issue target
# (the most iterations allowed; None = the issue sets none). engine-per-sync leaks once per
# 100 ms sync tick, and an iteration lasts ~100 ms.
DETECTIONS = (
    ("fd-per-request", "detect-fds.yaml", "daemon.fds", "1 fd", 10),
    ("heap-per-request", "detect-heap.yaml", "daemon.heap", "64 KiB", None),
    ("thread-per-request", "detect-threads.yaml", "daemon.threads", "1 thread", None),
    ("session-per-call", "detect-sessions.yaml", "client.sessions", "1 session", 1),
    ("engine-per-sync", "detect-engines.yaml", "daemon.engines", "~1 engine", None),
    ("heap 1 KiB/iter.", "detect-heap-1kib.yaml", "daemon.heap", "1 KiB", 50),
)


def progress(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


class RunError(RuntimeError):
    pass


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# One `leakgate run`: its result.json, the CPU time of leakgate and of the daemon it reaped,
# and the wall time from start to exit.
Run = collections.namedtuple("Run", "result cpu_s wall_s")


def run_leakgate(args, scenario, *options):
    with tempfile.TemporaryDirectory(prefix="bench-report-") as report_dir:
        command = [args.leakgate, "run", scenario, "--quiet", "--report-dir", report_dir,
                   "--var", f"TRACKERD={args.trackerd}", *options]
        cpu_before, wall_before = children_cpu_s(), time.monotonic()
        # leakgate exits 1 when a budget is violated: that is a result here, not an error.
        done = subprocess.run(command, capture_output=True, text=True)
        cpu_s = children_cpu_s() - cpu_before
        wall_s = time.monotonic() - wall_before
        if done.returncode not in (0, 1):
            raise RunError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.strip()}")
        tests = [name for name in os.listdir(report_dir) if name.startswith("leak.")]
        if len(tests) != 1:
            raise RunError(f"{scenario}: expected one test directory in {report_dir}, got {tests}")
        with open(os.path.join(report_dir, tests[0], "result.json")) as f:
            result = json.load(f)
    if result.get("error"):
        raise RunError(f"{scenario}: {result['error']}")
    return Run(result, cpu_s, wall_s)


def measured_phase(result):
    for phase in result["phases"]:
        if phase["name"] == "measured":
            return phase["start_s"], phase["end_s"]
    raise RunError(f"{result['test']}: no measured phase in result.json")


# ---------------------------------------------------------------------------- overhead

def overhead_sample(args, hz):
    run = run_leakgate(args, args.scenario, "--sample-hz", str(hz),
                       "--iterations", str(args.iterations))
    result = run.result
    start, end = measured_phase(result)
    daemon_cpu_s = result["daemon"].get("cpu_s")
    if daemon_cpu_s is None:
        raise RunError("result.json has no daemon.cpu_s: this leakgate predates it; rebuild")
    # Rows in the measured phase beyond the one checkpoint per iteration: what the sampler
    # thread really delivered (a sampler that cannot keep up would understate the cost).
    # The timeline is bounded: a point stands for samples_per_point consecutive samples.
    timeline = result["timeline"]
    times = timeline["t_s"]
    per_point = timeline.get("samples_per_point", 1)
    checkpoints = result["iterations"]["completed"]
    rows = per_point * sum(1 for t in times if start <= t <= end)
    sampled_hz = max(0, rows - checkpoints) / (end - start)
    return {"wall_s": end - start, "run_wall_s": run.wall_s,
            "daemon_cpu_s": daemon_cpu_s,
            "harness_cpu_s": run.cpu_s - daemon_cpu_s, "sampled_hz": sampled_hz,
            "samples": max(0, timeline.get("samples", len(times)) - checkpoints),
            "sampler_cpu_us_per_tick": sampler_cpu_us_per_tick(result),
            "verdict": result["verdict"]}


def sampler_cpu_us_per_tick(result):
    """The sampler thread's own CPU time per tick (its CLOCK_THREAD_CPUTIME_ID), or None."""
    thread = result.get("sampler_thread") or {}
    if not thread.get("ticks"):
        return None
    return thread["cpu_s"] / thread["ticks"] * 1e6


def overhead(args):
    samples = {0: [], args.hz: []}
    for run in range(1, args.runs + 1):
        # Interleaved, alternating which goes first: both see the same machine drift.
        order = (0, args.hz) if run % 2 else (args.hz, 0)
        for hz in order:
            sample = overhead_sample(args, hz)
            samples[hz].append(sample)
            progress(f"overhead run {run}/{args.runs} at {hz:g} Hz: measured phase "
                     f"{sample['wall_s']:.2f} s, daemon CPU {sample['daemon_cpu_s']:.2f} s, "
                     f"harness CPU {sample['harness_cpu_s']:.2f} s")
    print_overhead(args, samples[0], samples[args.hz])


def median_of(samples, key):
    return statistics.median(s[key] for s in samples)


def paired_ratios(off, on, key):
    """Median and quartiles of on/off within each interleaved pair: how sure the headline is."""
    ratios = sorted(b[key] / a[key] for a, b in zip(off, on) if a[key] > 0)
    if len(ratios) < 2:
        return "too few runs"
    low, median, high = statistics.quantiles(ratios, n=4)
    return f"median {median:.2f}, quartiles {low:.2f}-{high:.2f}, n={len(ratios)}"


def print_overhead(args, off, on):
    name = os.path.basename(args.scenario)
    print(f"Harness overhead: {name}, {args.iterations} iterations, sampling off vs "
          f"{args.hz:g} Hz, {args.runs} interleaved runs each, medians")
    print(f"  {'figure':34} {'off':>8} {f'{args.hz:g} Hz':>8} {'ratio':>6}  target")
    rows = (("measured phase wall time (s)", "wall_s", WALL_TARGET),
            ("daemon CPU time (s)", "daemon_cpu_s", DAEMON_CPU_TARGET),
            ("whole run wall time (s)", "run_wall_s", None),
            ("harness CPU time (s, approx.)", "harness_cpu_s", None))
    for label, key, target in rows:
        a, b = median_of(off, key), median_of(on, key)
        ratio = b / a if a > 0 else float("nan")
        verdict = "-" if target is None else (
            f"<= {target:.2f} {'PASS' if ratio <= target else 'MISS'}")
        print(f"  {label:34} {a:8.2f} {b:8.2f} {ratio:6.2f}  {verdict}")
    print(f"  {'samples/s delivered by the sampler':34} {median_of(off, 'sampled_hz'):8.0f} "
          f"{median_of(on, 'sampled_hz'):8.0f}")
    # What sampling costs the harness itself: the extra CPU over the extra samples.
    extra_samples = median_of(on, "samples") - median_of(off, "samples")
    if extra_samples > 0:
        extra_cpu = median_of(on, "harness_cpu_s") - median_of(off, "harness_cpu_s")
        print(f"  (harness CPU per sample: {extra_cpu / extra_samples * 1e6:.0f} us, "
              f"{extra_samples:.0f} samples per run; includes the main thread's slowdown)")
    per_tick = [s["sampler_cpu_us_per_tick"] for s in on if s["sampler_cpu_us_per_tick"]]
    if per_tick:
        print(f"  (the sampler thread's own CPU per tick: {statistics.median(per_tick):.1f} us)")
    for label, key in (("wall time", "wall_s"), ("daemon CPU", "daemon_cpu_s")):
        print(f"  (paired runs' {label} ratios: {paired_ratios(off, on, key)})")
    spread = max(s["wall_s"] for s in off) / min(s["wall_s"] for s in off)
    print(f"  (run-to-run spread of the measured wall time, sampling off: max/min {spread:.2f})")
    if median_of(on, "wall_s") < median_of(off, "wall_s"):
        print("  (sampling made the run faster: its cost is below this machine's noise)")
    verdicts = sorted({s["verdict"] for s in off + on})
    if verdicts != ["pass"]:
        print(f"  (verdicts seen: {', '.join(verdicts)}: budgets do not matter for timing)")


# --------------------------------------------------------------------------- detection

def violations_of(result):
    return {(v["metric"], v["key"]): v for v in result["violations"]}


def caught_by(violations, metric):
    """The violations of `metric` itself (daemon.fds, not daemon.fds.file)."""
    return [v for (m, _), v in violations.items() if m == metric]


def describe(violation):
    """'daemon.fds growth +1 > 0 (baseline 12, ...)' -> 'growth +1 > 0'."""
    text = violation["message"].removeprefix(violation["metric"]).strip()
    return text.split(" (")[0]


def detect_one(args, injection, scenario_file, metric):
    """Raises the iterations until `metric` is violated.

    Returns (iterations or None, the metric's violations, (iterations, budgets) of the
    first run in which any budget was violated, or None)."""
    scenario = os.path.join(args.scenarios, scenario_file)
    first_any = None
    for iterations in DETECTION_ITERATIONS:
        run = run_leakgate(args, scenario, "--iterations", str(iterations))
        violations = violations_of(run.result)
        budgets = sorted(f"{m}.{k}" for m, k in violations)
        progress(f"detection {injection} x{iterations}: {', '.join(budgets) or 'no violation'}")
        if budgets and first_any is None:
            first_any = (iterations, budgets)
        hits = caught_by(violations, metric)
        if hits:
            return iterations, hits, first_any
    return None, [], first_any


def clean_control(args, scenario_file):
    """Violations of the same scenario with its injection dropped, at the most iterations."""
    scenario = os.path.join(args.scenarios, scenario_file)
    run = run_leakgate(args, scenario, "--no-inject", "--iterations", str(DETECTION_ITERATIONS[-1]))
    return sorted(f"{m}.{k}" for m, k in violations_of(run.result))


def detection_row(args, injection, scenario_file, metric, leak, target):
    iterations, hits, first_any = detect_one(args, injection, scenario_file, metric)
    control = clean_control(args, scenario_file)
    progress(f"control {injection} (--no-inject): {', '.join(control) or 'no violation'}")
    if iterations:
        caught = f"{iterations} iteration{'s' if iterations > 1 else ''}"
    else:
        caught = f"not in {DETECTION_ITERATIONS[-1]}"
    goal = "-"
    if target is not None:
        goal = f"<= {target} it. {'PASS' if iterations and iterations <= target else 'MISS'}"
    verdict = "clean" if not control else "FALSE+"
    lines = [f"  {injection:19} {leak:12} {metric:16} {caught:13} {verdict:8} {goal:16} "
             f"{'; '.join(describe(v) for v in hits) or '-'}"]
    if first_any and first_any[0] != iterations:
        lines.append(f"  {'':19} first violation at {first_any[0]} iterations: "
                     f"{', '.join(first_any[1])}")
    if control:
        lines.append(f"  {'':19} control violated: {', '.join(control)}")
    return lines


def detection(args):
    tried = " ".join(str(n) for n in DETECTION_ITERATIONS)
    lines = [f"Detection power at the default budgets (iterations tried: {tried}; "
             f"control: the same scenario --no-inject x{DETECTION_ITERATIONS[-1]})",
             f"  {'injection':19} {'leak/iter.':12} {'metric':16} {'caught after':13} "
             f"{'control':8} {'issue target':16} violated budget"]
    for spec in DETECTIONS:
        lines += detection_row(args, *spec)
    print("\n".join(lines))


# ---------------------------------------------------------------------------------- cli

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("overhead", "detection"):
        p = sub.add_parser(name)
        p.add_argument("--leakgate", required=True)
        p.add_argument("--trackerd", required=True)
    over = sub.choices["overhead"]
    over.add_argument("--scenario", required=True)
    over.add_argument("--iterations", type=int, default=2000)
    over.add_argument("--runs", type=int, default=9)
    over.add_argument("--hz", type=float, default=1000)
    sub.choices["detection"].add_argument("--scenarios", required=True)
    args = parser.parse_args()
    try:
        overhead(args) if args.command == "overhead" else detection(args)
    except (RunError, OSError, json.JSONDecodeError) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
