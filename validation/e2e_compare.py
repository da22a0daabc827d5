#!/usr/bin/env python3
"""Compares `dssim predict` with end-to-end timings of the reference decoder on a real GPU.

Usage: validation/e2e_compare.py [E2E.csv] [--dssim build/dssim] [--gpu h200-sxm]

E2E.csv has the schema written by the H200 probe (validation/data/h200/README.md):
model,phase,batch,new_tokens,context,mode,seconds,... (prefill rows: context = prompt length;
decode rows: one step whose new token attends to `context` positions, mode eager|cudagraph).
Without a file it prints dssim's predictions for the probe's own plan of shapes, so the table can be
filled in as soon as measurements exist. Standard library only.
"""
import ast, csv, json, os, statistics, subprocess, sys

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "h200", "probe.py")


def probe_plan():
    """The probe's own end-to-end plan (E2E_PLAN in probe.py): prefill (B, S) eager; decode (B, C).
    Evaluated alone (only dict() allowed) because probe.py imports torch at the top."""
    tree = ast.parse(open(PROBE).read(), PROBE)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "E2E_PLAN" for t in node.targets):
            expr = compile(ast.Expression(node.value), PROBE, "eval")
            plan = eval(expr, {"__builtins__": {}}, {"dict": dict})
            return {m: p for m, p in plan.items() if m.startswith("deepseek-")}  # "tiny" is the CPU dry run
    sys.exit(f"{PROBE}: no E2E_PLAN literal")


def prefill_args(batch, prompt):
    """`dssim predict` arguments whose prefill_s is one eager forward over `batch` prompts of `prompt` tokens."""
    return ["--batch", str(batch), "--prompt", str(prompt), "--output", "1"]


def decode_args(batch, ctx, graphs):
    """`dssim predict` arguments whose decode_step_s is one step whose new token attends to `ctx` positions
    (ctx - 1 already cached), replayed as a CUDA graph or not."""
    return ["--batch", str(batch), "--prompt", str(ctx - 1), "--output", "2", "--context", str(ctx - 1),
            "--cuda-graphs", "on" if graphs else "off"]


def predict(dssim, gpu, model, phase, batch, ctx, mode):
    if phase == "prefill":
        args, key = prefill_args(batch, ctx), "prefill_s"
    else:
        args, key = decode_args(batch, ctx, mode == "cudagraph"), "decode_step_s"
    out = subprocess.run([dssim, "predict", "--model", model, "--gpu", gpu, "--format", "json"] + args,
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return json.loads(out.stdout)[key], ""


def main():
    argv = sys.argv[1:]
    dssim, gpu, path = "build/dssim", "h200-sxm", None
    while argv:
        a = argv.pop(0)
        if a == "--dssim": dssim = argv.pop(0)
        elif a == "--gpu": gpu = argv.pop(0)
        else: path = a
    rows = []
    if path:
        with open(path) as f:
            for r in csv.DictReader(f):
                rows.append((r["model"], r["phase"], int(r["batch"]), int(r["context"]), r["mode"], float(r["seconds"])))
    else:
        for m, p in probe_plan().items():
            rows += [(m, "prefill", b, s, "eager", None) for b, s in p["prefill"]]
            for b, c in p["decode"]:
                if b == 1:
                    rows.append((m, "decode", b, c, "eager", None))
                rows.append((m, "decode", b, c, "cudagraph", None))
    errs = []
    print(f"{'model':20} {'phase':8} {'batch':>5} {'context':>7} {'mode':10} {'dssim ms':>10} {'measured ms':>12} {'error':>8}")
    for m, phase, b, c, mode, meas in rows:
        pred, why = predict(dssim, gpu, m, phase, b, c, mode)
        if pred is None:
            print(f"{m:20} {phase:8} {b:5d} {c:7d} {mode:10} {'-':>10}  {why}")
            continue
        e = "" if meas is None else f"{(pred - meas) / meas * 100:+7.1f}%"
        if meas is not None:
            errs.append(abs(pred - meas) / meas)
        print(f"{m:20} {phase:8} {b:5d} {c:7d} {mode:10} {pred * 1e3:10.3f} {'' if meas is None else f'{meas * 1e3:12.3f}':>12} {e:>8}")
    if errs:
        print(f"\n{len(errs)} points: median |error| {statistics.median(errs) * 100:.1f} %, max {max(errs) * 100:.1f} %")
    else:
        print("\nno measurements given: predictions only")


if __name__ == "__main__":
    main()
