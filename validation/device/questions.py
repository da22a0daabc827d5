#!/usr/bin/env python3
"""The questions dssim's validation left open, asked of a real GPU with the reference decoder's own stack.

Run by validation/device/run_all.sh on a lent GPU (PyTorch there; never in CI). It imports the H200
probe (validation/data/h200/probe.py) for its decoder, timer and CSV writer, so every number here is
taken the way the released H200 measurements were. Each section is guarded: one failure is logged and
the next section runs. Writes into $OUT (see run_all.sh):

  e2e.csv              the probe's own end-to-end plan for DeepSeek-LLM-7B (and 33B if it fits and
                       time is left): the same rows as validation/data/h200/e2e_7b.csv, on this GPU
  prefill_kernels.csv  where an eager prefill spends its GPU time, kernel by kernel (torch.profiler):
                       the -12 % eager-prefill class of docs/validation.md ("What is still off")
  elementwise_ops.csv  the decoder's element-wise ops timed alone at prefill sizes, as the decoder
                       issues them (strided views, broadcasts) and on contiguous copies of the same data
  moe_layer.csv        a whole MoE layer (router, top-k, permutation, expert GEMMs, combine) at
                       Mixtral-8x7B and DeepSeek-V2-Lite shapes: the MoE optimism of docs/validation.md
  decode_bigbatch.csv  decode attention and whole CUDA-graph decode steps at large batch and short
                       context: TensorRT-LLM 0.9's batch-896 rows, +25 .. +40 % optimistic

Usage: OUT=dir python3 validation/device/questions.py [section ...]   (default: all, in the order above)
Environment: PROBE_BUDGET_S (seconds for everything, default 300), PROBE_SMALL=1 (tiny CPU dry run).
"""
import os, sys, tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "data", "h200"))
os.environ.setdefault("PROBE_BUDGET_S", "300")
import probe  # noqa: E402  (reads OUT and PROBE_BUDGET_S, opens $OUT/log.txt)
from probe import CONFIGS, DEV, Decoder, F, kv_alloc, log, left, sync, time_fn, torch  # noqa: E402

SMALL = probe.SMALL
OUT = probe.OUT


class Csv(probe.Csv):
    """probe.Csv, but a text field never carries a comma (dssim's CSV reader splits on every comma)."""

    def row(self, *vals):
        super().row(*(str(v).replace(",", ";") for v in vals))


def model_name():
    return "tiny" if SMALL else "deepseek-llm-7b"


# ---------------------------------------------------------------- e2e: the probe's plan on this GPU
_E2E = []


def weight_bytes(c):
    """The probe decoder's parameters in bf16: embedding and LM head, fused QKV, O, gate/up, down."""
    D = c["hidden"] // c["heads"]
    per_layer = (c["hidden"] * (c["heads"] + 2 * c["kv_heads"]) * D + c["heads"] * D * c["hidden"]
                 + 3 * c["hidden"] * c["inter"])
    return 2 * (2 * c["vocab"] * c["hidden"] + c["layers"] * per_layer)


def e2e(models):
    if not _E2E:  # one file for every model, whichever section asks first
        _E2E.append(probe.Csv("e2e.csv", ["model", "phase", "batch", "new_tokens", "context", "mode", "seconds",
                                          "tokens_per_s", "weight_bytes", "peak_extra_bytes"]))
    for name in models:
        if name not in probe.CONFIGS:
            continue
        if DEV == "cuda":
            need, free = weight_bytes(probe.CONFIGS[name]), torch.cuda.mem_get_info()[0]
            if need * 1.1 > free:
                log(f"e2e {name}: weights need {need / 1e9:.1f} GB, {free / 1e9:.1f} GB free: skipped")
                continue
        probe.e2e(_E2E[0], name)  # guarded by probe's own section() and budget


# ---------------------------------------------------------------- the calibration files, as the H200's
def calibration():
    """probe.py's microbenchmark sections, in its own order: this GPU's folder in the H200 schema."""
    probe.env()
    bw = probe.Csv("bandwidth.csv", ["kind", "bytes", "seconds", "GBps"])
    probe.membw(bw)
    probe.pcie(bw)
    probe.gemm(probe.Csv("gemm.csv", ["dtype", "layer", "M", "N", "K", "seconds", "TFLOPs", "GBps"]))
    probe.attention(probe.Csv("attention.csv", ["model", "phase", "batch", "q_len", "kv_len", "heads",
                                                "kv_heads", "head_dim", "seconds", "TFLOPs", "GBps"]))
    probe.thermal(probe.Csv("power_load.csv", ["phase", "epoch_s", "seconds_per_op", "rate"]))


# ---------------------------------------------------------------- where an eager prefill's time goes
def kernel_events(prof):
    """(name, microseconds) of every GPU kernel the profiler saw; attribute names moved between releases."""
    cuda_type = getattr(torch.autograd, "DeviceType", None)
    out = []
    for ev in prof.events():
        dt = getattr(ev, "device_type", None)
        if cuda_type is not None and dt is not None and dt != cuda_type.CUDA:
            continue
        if dt is None and not getattr(ev, "is_kernel", False):
            continue
        out.append((ev.name, ev.time_range.elapsed_us()))
    return out


@probe.section("prefill_kernels")
def prefill_kernels():
    from torch.profiler import ProfilerActivity, profile
    name = model_name()
    shapes = [(1, 8)] if SMALL else [(1, 2048), (1, 4096), (16, 512)]
    w = Csv("prefill_kernels.csv", ["model", "batch", "context", "forward_s", "kernel", "calls", "device_us"])
    m = Decoder(CONFIGS[name], DEV)
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if DEV == "cuda" else [])
    with torch.inference_mode():
        for (B, S) in shapes:
            if left() < 20:
                log("prefill_kernels: budget"); break
            kc, vc = kv_alloc(m, B, S)
            tok = torch.randint(0, CONFIGS[name]["vocab"], (B, S), device=DEV)
            f = lambda: m.forward(tok, kc, vc, 0, True)
            t = time_fn(f, reps=2, trials=3, warm=1)  # as probe.e2e: the row to set beside the kernels
            with profile(activities=acts) as prof:
                f()
                sync()
            agg = {}
            for k, us in kernel_events(prof):
                c, tot = agg.get(k, (0, 0.0))
                agg[k] = (c + 1, tot + us)
            for k, (c, tot) in sorted(agg.items(), key=lambda kv: -kv[1][1]):
                w.row(name, B, S, f"{t:.9g}", k[:240], c, f"{tot:.3f}")
            log(f"prefill_kernels {B}x{S}: forward {t * 1e3:.2f} ms, {sum(c for c, _ in agg.values())} kernels, "
                f"{sum(tt for _, tt in agg.values()) / 1e3:.2f} ms of kernel time")
            del kc, vc
    del m


# ---------------------------------------------------------------- element-wise ops alone
@probe.section("elementwise_ops")
def elementwise_ops():
    """Each op as the decoder issues it ('as_issued') and on contiguous operands ('contiguous').
    bytes: every operand read once at its own size (a broadcast operand once), the output written once."""
    c = CONFIGS[model_name()]
    H, Hk, hid, I = c["heads"], c["kv_heads"], c["hidden"], c["inter"]
    D = hid // H
    dt = torch.bfloat16
    w = Csv("elementwise_ops.csv", ["op", "layout", "tokens", "bytes", "seconds", "GBps"])
    for T in ([8] if SMALL else [512, 2048, 8192]):
        if left() < 15:
            log("elementwise_ops: budget"); break
        qkv = torch.randn(1, T, (H + 2 * Hk) * D, device=DEV, dtype=dt)
        q = qkv[..., : H * D].view(1, T, H, D).transpose(1, 2)       # [1, H, T, D], strided
        v = qkv[..., (H + Hk) * D:].view(1, T, Hk, D).transpose(1, 2)
        cos = torch.randn(T, D, device=DEV, dtype=dt)
        sin = torch.randn(T, D, device=DEV, dtype=dt)
        qc = q.contiguous()
        cosb = cos.expand(1, H, T, D).contiguous()
        x1, x2 = q[..., : D // 2], q[..., D // 2:]
        x2c = x2.contiguous()
        rot = torch.cat((-x2, x1), dim=-1)
        qcos = q * cos
        rotsin = rot * sin
        vc = torch.empty(1, Hk, T, D, device=DEV, dtype=dt)
        gu = torch.randn(1, T, 2 * I, device=DEV, dtype=dt)
        g, u = gu.chunk(2, dim=-1)
        gc, uc = g.contiguous(), u.contiguous()
        sg = F.silu(gc)
        x = torch.randn(1, T, hid, device=DEV, dtype=dt)
        y = torch.randn(1, T, hid, device=DEV, dtype=dt)
        nw = torch.ones(hid, device=DEV, dtype=dt)
        e, b2 = 2, T * H * D * 2  # bytes per element; one q-sized tensor
        cases = [
            ("rope_mul_cos", "as_issued", lambda: q * cos, 2 * b2),
            ("rope_mul_cos", "contiguous", lambda: qc * cosb, 3 * b2),
            ("rope_neg_half", "as_issued", lambda: -x2, b2),
            ("rope_neg_half", "contiguous", lambda: -x2c, b2),
            ("rope_cat", "as_issued", lambda: torch.cat((-x2, x1), dim=-1), 2 * b2),
            ("rope_mul_sin", "as_issued", lambda: rot * sin, 2 * b2),
            ("rope_add", "as_issued", lambda: qcos + rotsin, 3 * b2),
            ("v_cache_copy", "as_issued", lambda: vc.copy_(v), 2 * T * Hk * D * e),
            ("silu_halves", "as_issued", lambda: F.silu(g), 2 * T * I * e),
            ("silu_halves", "contiguous", lambda: F.silu(gc), 2 * T * I * e),
            ("silu_mul", "as_issued", lambda: sg * u, 3 * T * I * e),
            ("silu_mul", "contiguous", lambda: sg * uc, 3 * T * I * e),
            ("rms_norm", "contiguous", lambda: F.rms_norm(x, (hid,), nw, 1e-6), 2 * T * hid * e),
            ("residual_add", "contiguous", lambda: x + y, 3 * T * hid * e),
        ]
        for (op, layout, fn, byts) in cases:
            try:
                t = time_fn(fn, reps=probe.adaptive_reps(fn, target_s=0.02), trials=3, warm=2)
                w.row(op, layout, T, byts, f"{t:.9g}", f"{byts / t / 1e9:.6g}")
            except Exception as ex:
                w.row(op, layout, T, byts, "nan", "nan")
                log("elementwise_ops fail", op, layout, T, repr(ex)[:160])
        del qkv, q, v, cos, sin, qc, cosb, x1, x2, x2c, rot, qcos, rotsin, vc, gu, g, u, gc, uc, sg, x, y


# ---------------------------------------------------------------- a whole MoE layer
# The MoE layers timed: their shapes come from the model cards dssim prices them with.
MOE_MODELS = ["mixtral-8x7b", "deepseek-v2-lite"]


def moe_shape(model_id):
    """(hidden, expert intermediate, routed experts, experts per token, shared experts) of models/<id>.toml."""
    with open(os.path.join(HERE, "..", "..", "models", model_id + ".toml"), "rb") as f:
        card = tomllib.load(f)
    moe = card["moe"]
    return (card["hidden_size"], moe["moe_intermediate_size"], moe["n_routed_experts"], moe["num_experts_per_tok"],
            moe.get("n_shared_experts", 0))


class MoeLayer:
    def __init__(self, hid, inter, E, k, shared, dt=torch.bfloat16):
        mk = lambda *s: torch.empty(*s, device=DEV, dtype=dt).normal_(0, 0.02)
        self.k, self.E = k, E
        self.router = mk(hid, E)
        self.w13 = mk(E, hid, 2 * inter)   # gate and up of every expert, as one [hid, 2I] matrix each
        self.w2 = mk(E, inter, hid)
        self.shared = (mk(hid, 2 * inter * shared), mk(inter * shared, hid)) if shared else None

    def route(self, x):
        """Router, top-k and the permutation that groups the (token, expert) rows by expert."""
        probs = torch.softmax(x @ self.router, dim=-1, dtype=torch.float32)
        wts, idx = torch.topk(probs, self.k, dim=-1)
        flat = idx.reshape(-1)
        order = torch.argsort(flat)
        src = order // self.k
        return x.index_select(0, src), torch.bincount(flat, minlength=self.E), wts.reshape(-1)[order], src

    def combine(self, x, ys, wts, src):
        """Each row weighted by its router probability, added back to its token; the shared experts beside."""
        out = torch.zeros_like(x).index_add_(0, src, ys * wts.unsqueeze(-1).to(ys.dtype))
        if self.shared is not None:
            g, u = (x @ self.shared[0]).chunk(2, dim=-1)
            out = out + (F.silu(g) * u) @ self.shared[1]
        return out

    def forward_loop(self, x):
        """Per-expert GEMMs on the gathered rows (what an unfused engine does)."""
        xs, counts, wts, src = self.route(x)
        counts = counts.tolist()  # host sync, as an eager engine's
        ys = torch.empty_like(xs)
        s = 0
        for e, n in enumerate(counts):
            if n == 0:
                continue
            g, u = (xs[s:s + n] @ self.w13[e]).chunk(2, dim=-1)
            ys[s:s + n] = (F.silu(g) * u) @ self.w2[e]
            s += n
        return self.combine(x, ys, wts, src), max(counts)

    def forward_grouped(self, x):
        """The same layer with one grouped GEMM per projection (torch._grouped_mm, where this build has it)."""
        xs, counts, wts, src = self.route(x)
        offs = torch.cumsum(counts, 0).to(torch.int32)
        g, u = torch._grouped_mm(xs, self.w13, offs=offs).chunk(2, dim=-1)
        ys = torch._grouped_mm((F.silu(g) * u).contiguous(), self.w2, offs=offs)
        return self.combine(x, ys, wts, src)


@probe.section("moe_layer")
def moe_layer():
    w = Csv("moe_layer.csv", ["model", "impl", "tokens", "hidden", "expert_inter", "experts", "top_k",
                              "shared", "max_expert_tokens", "seconds", "expert_weight_bytes"])
    tokens = [4, 16] if SMALL else [1, 16, 128, 512, 2048, 8192]
    for name in MOE_MODELS:
        hid, inter, E, k, sh = moe_shape(name)
        if SMALL:
            hid, inter, E = 64, 32, min(E, 8)
        layer = MoeLayer(hid, inter, E, k, sh)
        wbytes = E * 3 * hid * inter * 2
        with torch.inference_mode():
            for T in tokens:
                if left() < 15:
                    log("moe_layer: budget"); return
                x = torch.randn(T, hid, device=DEV, dtype=torch.bfloat16)
                _, mx = layer.forward_loop(x)
                t = time_fn(lambda: layer.forward_loop(x), reps=3, trials=3, warm=1)
                w.row(name, "loop", T, hid, inter, E, k, sh, mx, f"{t:.9g}", wbytes)
                if DEV == "cuda" and hasattr(torch, "_grouped_mm"):
                    try:
                        t = time_fn(lambda: layer.forward_grouped(x), reps=3, trials=3, warm=1)
                        w.row(name, "grouped_mm", T, hid, inter, E, k, sh, mx, f"{t:.9g}", wbytes)
                    except Exception as ex:
                        log("moe grouped_mm unavailable:", repr(ex)[:200])
        del layer


# ---------------------------------------------------------------- large batch, short context decode
@probe.section("decode_bigbatch")
def decode_bigbatch():
    name = model_name()
    c = CONFIGS[name]
    H, Hk = c["heads"], c["kv_heads"]
    D = c["hidden"] // H
    dt = torch.bfloat16
    w = Csv("decode_bigbatch.csv", ["what", "model", "batch", "context", "seconds", "kv_bytes", "GBps"])
    sdpa = [(4, 16)] if SMALL else [(64, 2048), (256, 128), (256, 256), (896, 128), (896, 192), (896, 256)]
    for (B, C) in sdpa:  # one layer's decode attention, as the decoder calls it
        if left() < 15:
            log("decode_bigbatch: budget"); return
        q = torch.randn(B, H, 1, D, device=DEV, dtype=dt)
        k = torch.randn(B, Hk, C, D, device=DEV, dtype=dt)
        v = torch.randn_like(k)
        f = lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=(H != Hk))
        t = time_fn(f, reps=probe.adaptive_reps(f), trials=3)
        kvb = 2 * B * Hk * C * D * 2
        w.row("sdpa_decode_layer", name, B, C, f"{t:.9g}", kvb, f"{kvb / t / 1e9:.6g}")
        del q, k, v
    steps = [(2, 16)] if SMALL else [(128, 256), (256, 256), (512, 128)]
    m = Decoder(c, DEV)
    with torch.inference_mode():
        for (B, C) in steps:  # whole CUDA-graph decode steps, as probe.e2e takes them
            if left() < 20:
                log("decode_bigbatch: budget"); break
            try:
                kc, vc = kv_alloc(m, B, C)
                tok = torch.randint(0, c["vocab"], (B, 1), device=DEV)
                f = lambda: m.forward(tok, kc, vc, C - 1, False)
                if DEV == "cuda":
                    s = torch.cuda.Stream()
                    s.wait_stream(torch.cuda.current_stream())
                    with torch.cuda.stream(s):
                        for _ in range(2):
                            f()
                    torch.cuda.current_stream().wait_stream(s)
                    g = torch.cuda.CUDAGraph()
                    with torch.cuda.graph(g):
                        f()
                    t = time_fn(lambda: g.replay(), reps=10, trials=3, warm=2)
                    del g
                else:
                    t = time_fn(f, reps=2, trials=3, warm=1)
                kvb = 2 * c["layers"] * B * Hk * C * D * 2
                w.row("decode_step_cudagraph", name, B, C, f"{t:.9g}", kvb, f"{kvb / t / 1e9:.6g}")
                del kc, vc
            except Exception as ex:
                log("decode_bigbatch step fail", B, C, repr(ex)[:200])
            if DEV == "cuda":
                torch.cuda.empty_cache()
    del m


SECTIONS = {
    "e2e": lambda: e2e([model_name()]),
    "prefill_kernels": prefill_kernels,
    "elementwise_ops": elementwise_ops,
    "moe_layer": moe_layer,
    "decode_bigbatch": decode_bigbatch,
    "calibration": calibration,
    "e2e_33b": lambda: e2e([] if SMALL else ["deepseek-coder-33b"]),
}


def main(argv):
    names = argv or list(SECTIONS)
    bad = [n for n in names if n not in SECTIONS]
    if bad:
        sys.exit(f"questions.py: unknown section(s) {', '.join(bad)}; known: {', '.join(SECTIONS)}")
    torch.manual_seed(0)
    log(f"questions.py on {DEV}: {torch.cuda.get_device_name(0) if DEV == 'cuda' else 'cpu'}, "
        f"torch {torch.__version__}, budget {left():.0f} s")
    proc, fh = probe.start_smi_sampler()  # smi_trace.csv: clocks, power and temperature all along
    try:
        for n in names:
            SECTIONS[n]()
    finally:
        probe.stop_smi_sampler(proc, fh)
    log(f"questions.py DONE, {left():.0f} s of budget left")


if __name__ == "__main__":
    main(sys.argv[1:])
