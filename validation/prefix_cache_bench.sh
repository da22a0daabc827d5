#!/usr/bin/env bash
# Prefix caching on the real Mooncake conversation trace (figures, not pass/fail tests): the same
# traffic with the cache off and on, side by side, through DeepSeek-V2-Lite (8 replicas) and
# DeepSeek-V3 (one 8x H200 node); then dssim's hit rate beside an independent offline LRU replay.
# Usage: validation/prefix_cache_bench.sh [MOONCAKE_CONV.jsonl]   (run from the repo root)
set -euo pipefail
dssim=${DSSIM:-build/dssim}
trace=$(realpath "${1:-../shared/traces/mooncake/conversation_trace.jsonl}")
[ -f "$trace" ] || { echo "no trace at $trace"; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT

row() {  # label, scenario, --set arguments...
  local label=$1 scen=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$dssim" "$scen" --quiet --format json --set workload.file="$trace" "$@" > "$out" || true
  t1=$(date +%s.%N)
  python3 - "$label" "$out" "$t0" "$t1" <<'PY'
import json, sys
label, path, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
d = json.load(open(path)); s = d['summary']; pc = s.get('prefix_cache')
hit = f"{pc['hit_fraction']*100:5.1f} % (GPU {pc['gpu_fraction']*100:4.1f}, host {pc['host_fraction']*100:4.1f}, SSD {pc['ssd_fraction']*100:4.1f})" if pc else "    off"
print(f"  {label:34s} {hit:42s} TTFT mean {s['ttft_s']['mean']*1e3:8.0f} ms p90 {s['ttft_s']['p90']*1e3:8.0f} ms  "
      f"TPOT mean {s['tpot_s']['mean']*1e3:6.1f} ms  goodput {s['goodput_rps']:.3f}/s  ({t1 - t0:.2f} s)")
PY
}

V2=validation/bench/mooncake_conv_v2lite_h200x8_prefix.toml
echo "== DeepSeek-V2-Lite bf16, 8 x H200 replicas, chunked prefill (SLO: TTFT 2 s, TPOT 0.1 s)"
row "off, least_outstanding" $V2 --set serving.prefix_cache=false --set serving.router=least_outstanding --set serving.slo_ttft_s=2 --set serving.slo_tpot_s=0.1
row "GPU tier, least_outstanding" $V2 --set serving.router=least_outstanding --set serving.slo_ttft_s=2 --set serving.slo_tpot_s=0.1
row "GPU tier, prefix_aware" $V2 --set serving.slo_ttft_s=2 --set serving.slo_tpot_s=0.1
row "GPU + 200 GiB host, least_outst." $V2 --set serving.router=least_outstanding --set serving.prefix_cache_host_gib=200 --set serving.slo_ttft_s=2 --set serving.slo_tpot_s=0.1

V3=validation/bench/mooncake_conv_v3_h200x8_prefix.toml
echo "== DeepSeek-V3 fp8, one 8 x H200 node (TP 8 + EP 8), the trace at 0.35x its rate"
row "off" $V3 --set serving.prefix_cache=false
row "GPU tier only" $V3 --set serving.prefix_cache_host_gib=0 --set serving.prefix_cache_ssd_gib=0
row "GPU + 1 TiB host" $V3 --set serving.prefix_cache_ssd_gib=0
row "GPU + 1 TiB host + 16 TiB SSD" $V3

echo "== Offline LRU replay (Python, arrival order, no GPU tier, no timing) beside dssim's host tier alone"
python3 - "$trace" <<'PY'
import json, sys
from collections import OrderedDict
rows = [json.loads(l) for l in open(sys.argv[1])]
# DeepSeek-V3's KV per token in bf16: MLA latent 512 + RoPE key 64, 61 layers, 2 bytes
block = 576 * 61 * 2 * 512
for gib in (256, 1024, 2048):
    cap = int(gib * 2**30 // block)
    lru, hit, tot = OrderedDict(), 0, 0
    for r in rows:
        h, k = r['hash_ids'], 0
        while k < len(h) and h[k] in lru: k += 1
        hit += min(k * 512, r['input_length'] - 1); tot += r['input_length']
        for x in reversed(h[:r['input_length'] // 512]):
            lru[x] = 1; lru.move_to_end(x)
        while len(lru) > cap: lru.popitem(last=False)
    print(f"  host tier {gib:5d} GiB = {cap:6d} blocks: offline LRU {hit / tot * 100:5.1f} %")
PY
for gib in 256 1024 2048; do
  row "dssim, GPU + $gib GiB host" $V3 --set serving.prefix_cache_ssd_gib=0 --set serving.prefix_cache_host_gib=$gib
done
