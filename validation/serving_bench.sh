#!/usr/bin/env bash
# Serving benchmarks (figures, not pass/fail tests): replay speed on the real Azure and Mooncake
# conversation traces, a 1,000,000-request synthetic run over 64 replicas, and the M/D/1 queueing check.
# Usage: validation/serving_bench.sh [AZURE_CONV.csv [MOONCAKE_CONV.jsonl]]   (run from the repo root)
set -euo pipefail
dssim=${DSSIM:-build/dssim}
trace=${1:-../shared/traces/AzureLLMInferenceTrace_conv.csv}
mooncake=${2:-../shared/traces/mooncake/conversation_trace.jsonl}
field() { python3 -c "import json,sys; d=json.load(open('/tmp/dssim_bench.json')); print(eval(sys.argv[1]))" "$1"; }

# dssim bench prints wall time, peak memory, iterations and simulated activities of each engine, and
# (--reference) checks the coalesced engine's every figure against the per-iteration engine's.
if [ -f "$trace" ]; then
  "$dssim" bench --reference validation/bench/azure_conv_h200.toml --set workload.file="$(realpath "$trace")"
else
  echo "== Azure conversation trace: skipped, no trace at $trace"
fi
if [ -f "$mooncake" ]; then
  "$dssim" bench --reference validation/bench/mooncake_conv_h200x8.toml --set workload.file="$(realpath "$mooncake")"
else
  echo "== Mooncake conversation trace: skipped, no trace at $mooncake"
fi
# The per-iteration engine takes about a minute here: REFERENCE=1 to compare anyway.
"$dssim" bench ${REFERENCE:+--reference} validation/bench/synthetic_1m_64_replicas.toml

echo "== M/D/1: Poisson arrivals, deterministic service"
"$dssim" validation/bench/md1_h200.toml --quiet --format json --set workload.requests=2000 > /tmp/dssim_bench.json
D=$(field "d['summary']['service_s']['mean']")
for rho in 0.3 0.5 0.7 0.9; do
  rate=$(python3 -c "print($rho / $D)")
  "$dssim" validation/bench/md1_h200.toml --quiet --format json --set workload.rate_per_s=$rate > /tmp/dssim_bench.json
  python3 - "$rho" "$rate" <<'PY'
import json, sys
rho, lam = float(sys.argv[1]), float(sys.argv[2])
s = json.load(open('/tmp/dssim_bench.json'))['summary']
D = s['service_s']['mean']
wq = lam * D * D / (2 * (1 - lam * D))
sim = s['queue_s']['mean']
L, lw = s['littles_law']['L'], s['littles_law']['lambda_W']
print(f"  rho {rho:.1f}: D = {D*1e3:.3f} ms, mean queueing {sim*1e3:.3f} ms vs Pollaczek-Khinchine {wq*1e3:.3f} ms "
      f"({(sim - wq) / wq * 100:+.1f} %); Little L = {L:.4f}, lambda*W = {lw:.4f}")
PY
done
