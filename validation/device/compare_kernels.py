#!/usr/bin/env python3
"""Sets a real prefill's kernel profile beside dssim's kernel time by class.

Usage: validation/device/compare_kernels.py PREFILL_KERNELS.csv [--dssim build/dssim] [--gpu h200-sxm]

PREFILL_KERNELS.csv is what validation/device/questions.py writes (model, batch, context, forward_s,
kernel, calls, device_us): one eager prefill of the reference decoder under torch.profiler. Each kernel
name is put in dssim's classes (GEMM, attention, element-wise; element-wise split into PyTorch's
vectorized kernels and the rest: the generic strided path, copies, cat, norms, reductions), and each
shape is predicted with `dssim predict --format json` (its `kernel_classes`). The table says where the
measured time goes that dssim does not price. Standard library only; no GPU needed.
"""
import argparse, csv, json, subprocess, sys
from collections import OrderedDict

GEMM = ("gemm", "nvjet", "xmma", "cutlass", "gemv", "s16816", "s1688", "wgmma", "cublas")
ATTENTION = ("flash", "fmha", "sdpa", "attention", "attn")


def kernel_class(name):
    """dssim's class of a CUDA kernel name as torch.profiler reports it."""
    n = name.lower()
    if any(k in n for k in ATTENTION):
        return "attention"
    if any(k in n for k in GEMM):
        return "gemm"
    if "vectorized_elementwise_kernel" in n:
        return "elementwise_vectorized"
    return "elementwise_other"


def read_profile(path):
    shapes = OrderedDict()
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["model"], int(r["batch"]), int(r["context"]))
            s = shapes.setdefault(key, {"forward_s": float(r["forward_s"]), "gemm": 0.0, "attention": 0.0,
                                        "elementwise_vectorized": 0.0, "elementwise_other": 0.0, "kernels": 0})
            s[kernel_class(r["kernel"])] += float(r["device_us"]) * 1e-6
            s["kernels"] += int(r["calls"])
    return shapes


def predict(dssim, gpu, model, batch, context):
    out = subprocess.run([dssim, "predict", "--model", model, "--gpu", gpu, "--batch", str(batch), "--prompt",
                          str(context), "--output", "1", "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    d = json.loads(out.stdout)
    return d, ""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("profile")
    ap.add_argument("--dssim", default="build/dssim")
    ap.add_argument("--gpu", default="h200-sxm")
    a = ap.parse_args(argv)
    shapes = read_profile(a.profile)
    if not shapes:
        sys.exit(f"{a.profile}: no kernel rows")
    print(f"{'shape':>22} {'class':<24} {'measured ms':>12} {'dssim ms':>10} {'dssim - measured':>17}")
    for (model, batch, ctx), s in shapes.items():
        d, err = predict(a.dssim, a.gpu, model, batch, ctx)
        label = f"{model.split('-')[-1]} {batch}x{ctx}"
        if d is None:
            print(f"{label:>22} dssim: {err}")
            continue
        k = d["kernel_classes"]["prefill"]
        rows = [("GEMM", s["gemm"], k["gemm_s"]), ("attention", s["attention"], k["attention_s"]),
                ("element-wise", s["elementwise_vectorized"] + s["elementwise_other"], k["elementwise_s"])]
        for name, m, p in rows:
            print(f"{label:>22} {name:<24} {m * 1e3:12.3f} {p * 1e3:10.3f} {(p - m) * 1e3:+17.3f}")
        print(f"{label:>22} {'  of it vectorized':<24} {s['elementwise_vectorized'] * 1e3:12.3f}")
        print(f"{label:>22} {'  of it other kernels':<24} {s['elementwise_other'] * 1e3:12.3f}")
        total_m = s["gemm"] + s["attention"] + s["elementwise_vectorized"] + s["elementwise_other"]
        total_p = k["gemm_s"] + k["attention_s"] + k["elementwise_s"]
        print(f"{label:>22} {'all kernels':<24} {total_m * 1e3:12.3f} {total_p * 1e3:10.3f} {(total_p - total_m) * 1e3:+17.3f}")
        print(f"{label:>22} {'forward (wall)':<24} {s['forward_s'] * 1e3:12.3f} {d['prefill_s'] * 1e3:10.3f} "
              f"{(d['prefill_s'] - s['forward_s']) * 1e3:+17.3f}")
    print("\ndssim's kernel times are at the calibrated clock (JSON kernel_classes), its forward with the power "
          "model's clock; the profile's kernels ran at whatever clock the GPU held.")


if __name__ == "__main__":
    main(sys.argv[1:])
