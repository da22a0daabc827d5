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
echo "ok: 300 request rows in order; timeline valid"
