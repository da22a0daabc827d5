#!/usr/bin/env bash
# The per-request CSV and the Chrome timeline of a serving run: present, complete, well-formed.
set -eu
dssim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$dssim" scenarios/serving/7b_h200_chunked_mooncake.toml --quiet --requests-csv "$dir/r.csv" --timeline "$dir/t.json" >/dev/null
head -1 "$dir/r.csv" | grep -qx 'id,arrival_s,start_s,first_token_s,finish_s,prompt_tokens,output_tokens,preemptions' \
  || { echo "FAIL: requests CSV header"; exit 1; }
rows=$(($(wc -l < "$dir/r.csv") - 1))
[ "$rows" -eq 300 ] || { echo "FAIL: $rows request rows, expected 300"; exit 1; }
# every request: arrival <= start <= first token <= finish
awk -F, 'NR > 1 && !($2 <= $3 && $3 <= $4 && $4 <= $5) { bad++ } END { exit bad > 0 }' "$dir/r.csv" \
  || { echo "FAIL: a request's timestamps are out of order"; exit 1; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); ev=d['traceEvents']; assert any(e['ph']=='X' for e in ev); assert sum(e['ph']=='b' for e in ev)==300" "$dir/t.json" \
  || { echo "FAIL: timeline is not valid trace-event JSON"; exit 1; }
# --thermal-csv: nvidia-smi's columns, a row every 0.25 s of a 30 s burn; every GPU of a 4-GPU serving run
header='t_s,gpu,power_w,temp_c,sm_clock_mhz,throttle_reason'
"$dssim" scenarios/power/h200_gemm_burn.toml --thermal-csv "$dir/burn.csv" >/dev/null
head -1 "$dir/burn.csv" | grep -qx "$header" || { echo "FAIL: burn thermal CSV header"; exit 1; }
# (a burn samples on its 10 ms controller ticks, so a sample may come one tick after the 0.25 s mark)
awk -F, 'NR > 1 { n++; d = $1 - (n - 1) * 0.25; if (d < -1e-9 || d > 0.0101 || $2 != 0 || $6 !~ /^(none|power_cap|thermal)$/) bad++ }
         END { exit !(n == 121 && bad == 0) }' \
  "$dir/burn.csv" || { echo "FAIL: burn thermal CSV rows"; exit 1; }
"$dssim" scenarios/serving/33b_h200x4_continuous_dssim.toml --quiet --thermal-csv "$dir/serve.csv" >/dev/null
head -1 "$dir/serve.csv" | grep -qx "$header" || { echo "FAIL: serving thermal CSV header"; exit 1; }
[ "$(tail -n +2 "$dir/serve.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')" = "0 1 2 3 " ] \
  || { echo "FAIL: serving thermal CSV should have GPUs 0-3"; exit 1; }
echo "ok: 300 request rows in order; timeline valid; thermal CSVs for a burn and a 4-GPU serving run"
