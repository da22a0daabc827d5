#!/usr/bin/env bash
# Serving benchmarks (figures, not pass/fail tests): replay speed on the real Azure conversation trace,
# a 1,000,000-request synthetic run over 64 replicas, and the M/D/1 queueing check.
# Usage: validation/serving_bench.sh [PATH/TO/AzureLLMInferenceTrace_conv.csv]   (run from the repo root)
set -euo pipefail
dssim=${DSSIM:-build/dssim}
trace=${1:-../shared/traces/AzureLLMInferenceTrace_conv.csv}
wall() { local t0=$(date +%s.%N); "$@" > /tmp/dssim_bench.json; local t1=$(date +%s.%N); python3 -c "print(f'{$t1 - $t0:.2f}')"; }
field() { python3 -c "import json,sys; d=json.load(open('/tmp/dssim_bench.json')); print(eval(sys.argv[1]))" "$1"; }

echo "== Azure conversation trace on one H200 (continuous batching)"
if [ -f "$trace" ]; then
  w=$(wall "$dssim" validation/bench/azure_conv_h200.toml --quiet --format json --set workload.file="$(realpath "$trace")")
  echo "  wall ${w} s for $(field "d['summary']['completed']") requests, $(field "d['summary']['iterations']") iterations;" \
       "TTFT p50 $(field "round(d['summary']['ttft_s']['p50']*1e3,1)") ms, TPOT mean $(field "round(d['summary']['tpot_s']['mean']*1e3,2)") ms"
else
  echo "  skipped: no trace at $trace"
fi

echo "== 1,000,000 synthetic requests over 64 replicas"
w=$(wall "$dssim" validation/bench/synthetic_1m_64_replicas.toml --quiet --format json)
echo "  wall ${w} s for $(field "d['summary']['completed']") requests, $(field "d['summary']['iterations']") iterations"

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
