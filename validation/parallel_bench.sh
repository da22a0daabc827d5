#!/usr/bin/env bash
# Several-GPU figures (issue 6), not pass/fail tests: the shipped parallel and offload scenarios side by
# side, routing skew and placement, the collectives against their closed forms, and the replay speed of
# the real Azure conversation trace on 8x H200 serving DeepSeek-V3.
# Usage: validation/parallel_bench.sh [PATH/TO/AzureLLMInferenceTrace_conv.csv]   (run from the repo root)
set -euo pipefail
dssim=${DSSIM:-build/dssim}
trace=${1:-../shared/traces/AzureLLMInferenceTrace_conv.csv}

row() {  # scenario [--set ...]: one line of figures from the JSON report
  local s=$1; shift
  local label
  label="$(basename "$s" .toml) $(echo "$*" | sed 's/--set //g; s/serving\.//g; s/workload\.//g; s/"//g')"
  "$dssim" "$s" "$@" --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d["memory"]
name = sys.argv[1]
if not d["fits"]:
    print(f"  {name:<60} does not fit"); sys.exit()
g, w = d["gpu_count"], m["weights_bytes"] / 2**30
ttft, tpot, tok = d["ttft_s"] * 1e3, d["tpot_s"] * 1e3, d["throughput_tok_s"]
cp, cd = d["prefill_comm_s"] * 1e3, d["decode_comm_s"] * 1e3
print(f"  {name:<60} {g:>3} {w:7.1f} {ttft:9.1f} {tpot:8.2f} {tok:9.1f} {cp:9.1f} {cd:8.2f}")
' "$label"
}

echo "== Shipped scenarios (fixed batch; kernel-level SimGrid run of every GPU)"
printf "  %-60s %3s %7s %9s %8s %9s %9s %8s\n" scenario GPUs GiB/GPU "TTFT ms" "TPOT ms" "tok/s" "comm pre" "comm dec"
for s in scenarios/parallel/*.toml scenarios/offload/*.toml scenarios/matrix_large_h100x4.toml; do row "$s"; done
echo "  (in VRAM, for the article's out-of-VRAM case:)"
row scenarios/7b_bf16_rtx4090.toml --set workload.batch=1

echo "== DeepSeek-V3 fp8 on 2 x DGX H100, TP 8 + EP 16: routing skew (Zipf exponent) and expert placement"
for skew in 0 0.5 1.0; do
  for pl in contiguous round_robin balanced; do
    row scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.routing_skew=$skew --set serving.expert_placement=\"$pl\"
  done
done

echo "== The same at skew 1.0 with EPLB's redundant experts (balanced packing of the copies)"
for r in 16 32; do
  row scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.routing_skew=1.0 --set serving.redundant_experts=$r
done

echo "== DeepSeek-V3 fp8 on 2 x DGX H100: other ways to use the 16 GPUs"
row scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.tensor_parallel=16 --set serving.expert_parallel=1
row scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.tensor_parallel=8 --set serving.expert_parallel=1 --set serving.pipeline_parallel=2
row scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.tensor_parallel=4 --set serving.expert_parallel=16

echo "== Azure conversation trace, DeepSeek-V3 fp8 on 8x H200 (TP 8 + EP 8), continuous batching"
if [ -f "$trace" ]; then
  t0=$(date +%s.%N)
  "$dssim" validation/bench/azure_conv_v3_h200x8.toml --quiet --format json --set workload.file="$(realpath "$trace")" > /tmp/dssim_v3_bench.json
  t1=$(date +%s.%N)
  python3 - "$t0" "$t1" <<'PY'
import json, sys
s = json.load(open('/tmp/dssim_v3_bench.json'))['summary']
print(f"  wall {float(sys.argv[2]) - float(sys.argv[1]):.2f} s for {s['completed']} requests, {s['iterations']} iterations;"
      f" TTFT p50 {s['ttft_s']['p50']*1e3:.1f} ms p99 {s['ttft_s']['p99']*1e3:.1f} ms, TPOT mean {s['tpot_s']['mean']*1e3:.2f} ms")
PY
else
  echo "  skipped: no trace at $trace"
fi

echo "== All-reduce on 8 GPUs over NVLink 4 / NVSwitch: dssim (hgx-8xh200) against nccl-tests on 8x H20"
ref=validation/data/reference/nccl_allreduce_8x_nvlink4.csv
sizes=$(grep -v '^#' "$ref" | tail -n +2 | cut -d, -f1 | paste -sd, -)
"$dssim" comm --node hgx-8xh200 --op allreduce --bytes "$sizes" --format csv > /tmp/dssim_comm.csv
python3 - "$ref" /tmp/dssim_comm.csv <<'PY'
import csv, sys
ref = {int(r["bytes"]): float(r["time_us"]) for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))}
errs = []
print("        bytes  measured us  dssim us   error")
for r in csv.DictReader(open(sys.argv[2])):
    b, t = int(r["bytes"]), float(r["simulated_us"])
    e = (t - ref[b]) / ref[b] * 100
    errs.append(abs(e))
    print(f"  {b:11d} {ref[b]:11.2f} {t:9.2f} {e:+6.1f} %")
errs.sort()
print(f"  |error|: median {errs[len(errs)//2]:.1f} %, max {errs[-1]:.1f} % over {len(errs)} sizes")
PY
