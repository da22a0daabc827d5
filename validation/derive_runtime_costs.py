#!/usr/bin/env python3
"""Derives the runtime costs that dssim reads off the released H200 runs instead of the microbenchmarks.

Usage: validation/derive_runtime_costs.py [--dssim build/dssim] [--data validation/data/h200] [--check]

- kernel_in_model (platforms/runtimes/pytorch.toml [gpu_us]): the median, over the CUDA-graph decode
  rows of e2e_7b.csv (GPU-bound: the host issues one graph launch), of (measured - dssim's step without
  it) / the step's kernels;
then the released server's two host costs (validation/bench/h200_server_p4.toml), from serving_p4/:
- step_overhead_us: the median, over the run's sampled decode steps (steps.csv), of the measured step
  minus dssim's CUDA-graph step at the step's graph batch size and context bucket (what the graph runs);
- prefill_overhead_ms: the median, over the run's batches (batches.csv), of the measured prefill minus
  dssim's warm eager prefill of the batch's size and padded prompt.

All three are differences from dssim's own predictions, so they change whenever the cost model does:
rerun this after such a change, copy kernel_in_model first and rerun (the server's steps depend on it),
then copy the two server costs. `--check` (CTest validation.runtime_costs_current) exits 1 when a
stored value is not what its derivation gives, to the precision it is stored with. Standard library only.
"""
import argparse, csv, json, os, re, statistics, subprocess, sys

from e2e_compare import decode_args, prefill_args  # beside this file: the rows' predict arguments

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def predict(dssim, args, key=None):
    out = subprocess.run([dssim, "predict", "--model", "deepseek-llm-7b", "--gpu", "h200-sxm", "--format", "json"] + args,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"dssim predict {' '.join(args)}: {out.stderr.strip()}")
    d = json.loads(out.stdout)
    return d[key] if key else d


RUNTIME = os.path.join("platforms", "runtimes", "pytorch.toml")
SERVER = os.path.join("validation", "bench", "h200_server_p4.toml")


def stored(path, key):
    """The number a TOML file gives `key` (one plain `key = number` line), and its decimals."""
    m = re.search(r"^" + key + r"\s*=\s*([0-9.]+)", open(os.path.join(ROOT, path)).read(), re.M)
    if not m:
        sys.exit(f"{path}: no {key}")
    text = m.group(1)
    return float(text), len(text.split(".")[1]) if "." in text else 0


def quartiles(xs):
    q = statistics.quantiles(xs, n=4)
    return q[0], statistics.median(xs), q[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dssim", default=os.path.join(ROOT, "build", "dssim"))
    ap.add_argument("--data", default=os.path.join(ROOT, "validation", "data", "h200"))
    ap.add_argument("--check", action="store_true", help="exit 1 when a stored value is stale")
    a = ap.parse_args()
    stale = []

    def compare(path, key, derived):
        value, decimals = stored(path, key)
        if round(derived, decimals) != value:
            stale.append(f"{path}: {key} = {value}, its derivation gives {round(derived, decimals)}")

    in_model, per_kernel = stored(RUNTIME, "kernel_in_model")[0], []
    for r in csv.DictReader(open(os.path.join(a.data, "e2e_7b.csv"))):
        if r["phase"] != "decode" or r["mode"] != "cudagraph":
            continue
        d = predict(a.dssim, decode_args(r["batch"], int(r["context"]), True))
        without = d["decode_step_s"] - d["decode_kernels"] * in_model * 1e-6
        per_kernel.append((float(r["seconds"]) - without) / d["decode_kernels"] * 1e6)
    print(f"kernel_in_model     median {statistics.median(per_kernel):.2f} us  (now {in_model}; "
          f"{min(per_kernel):.2f} .. {max(per_kernel):.2f} over {len(per_kernel)} CUDA-graph decode rows)")
    compare(RUNTIME, "kernel_in_model", statistics.median(per_kernel))
    run = os.path.join(a.data, "serving_p4")
    steps, memo = [], {}
    for r in csv.DictReader(open(os.path.join(run, "steps.csv"))):
        b, c = int(r["bucket"]), int(r["ctx_bucket"])
        if (b, c) not in memo:  # the graph attends to the whole context bucket
            memo[(b, c)] = predict(a.dssim, decode_args(b, c, True), "decode_step_s")
        steps.append((float(r["seconds"]) - memo[(b, c)]) * 1e6)
    pre = []
    for r in csv.DictReader(open(os.path.join(run, "batches.csv"))):
        t = predict(a.dssim, prefill_args(r["size"], r["padded_prompt"]), "prefill_s")
        pre.append((float(r["prefill_s"]) - t) * 1e3)
    q1, m, q3 = quartiles(steps)
    print(f"step_overhead_us    median {m:.0f}  (quartiles {q1:.0f} .. {q3:.0f}; {len(steps)} sampled steps)")
    compare(SERVER, "step_overhead_us", m)
    q1, m, q3 = quartiles(pre)
    print(f"prefill_overhead_ms median {m:.1f}  (quartiles {q1:.1f} .. {q3:.1f}, max {max(pre):.0f}; {len(pre)} batches)")
    compare(SERVER, "prefill_overhead_ms", m)
    if a.check:
        for line in stale:
            print("STALE " + line)
        if stale:
            sys.exit(1)
        print("every derived runtime cost is current")


if __name__ == "__main__":
    main()
