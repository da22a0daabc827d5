#!/usr/bin/env bash
# calibrate_bad_data.sh DSSIM: `dssim calibrate` on measurement folders with too little or odd data.
# Each case copies the shipped H200 files into a fresh folder and breaks one thing.
set -u
dssim=$1
here=$(cd "$(dirname "$0")" && pwd)
src=validation/data/h200
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fails=0
case_dir() { local d="$root/$1"; mkdir -p "$d"; cp "$src"/{gemm,attention,bandwidth}.csv "$d"/; echo "$d"; }
check() { echo "== $1"; shift; bash "$here/expect.sh" "$@" || fails=$((fails + 1)); }

d=$(case_dir header_only); head -1 "$src/gemm.csv" > "$d/gemm.csv"
check "gemm.csv with its header only" 1 "gemm.csv: no timed GEMM rows" "$dssim" calibrate --gpu h200-sxm --data "$d"

d=$(case_dir no_bf16); grep -v '^bf16,' "$src/gemm.csv" > "$d/gemm.csv"
check "gemm.csv without bf16" 1 "gemm.csv: no bf16 rows: bf16 is needed" "$dssim" calibrate --gpu h200-sxm --data "$d"

d=$(case_dir few_int8); { grep -v '^int8,' "$src/gemm.csv"; grep '^int8,7b_qkv,8192,' "$src/gemm.csv"; } > "$d/gemm.csv"
check "one int8 row: left out with a warning" 0 "warning: .*gemm.csv: [0-3] GPU-bound int8 rows, need at least 4: int8 left out" \
  "$dssim" calibrate --gpu h200-sxm --data "$d"

d=$(case_dir no_decode); grep -v ',decode,' "$src/attention.csv" > "$d/attention.csv"
check "attention.csv without decode rows" 1 "attention.csv: [0-9]+ GPU-bound prefill and 0 decode rows" \
  "$dssim" calibrate --gpu h200-sxm --data "$d"

d=$(case_dir no_read); grep -v '^read_sum,' "$src/bandwidth.csv" > "$d/bandwidth.csv"
check "bandwidth.csv without read_sum" 1 "bandwidth.csv: 0 read_sum rows of 64 MiB or more" \
  "$dssim" calibrate --gpu h200-sxm --data "$d"

# copies twice as fast as measured: faster than the H200 card's datasheet bandwidth
d=$(case_dir fast_copies)
awk -F, 'BEGIN { OFS = "," } $1 == "d2d_copy" { $3 = $3 / 2; $4 = $4 * 2 } { print }' "$src/bandwidth.csv" > "$d/bandwidth.csv"
check "copies beyond the datasheet" 0 "warning: .*device copies reach [0-9]+ GB/s, more than h200-sxm's memory_bw_GBps = 4800" \
  "$dssim" calibrate --gpu h200-sxm --data "$d"

# values that parse but make no sense: named by file and line
d=$(case_dir negative_m); awk -F, 'BEGIN { OFS = "," } NR == 3 { $3 = -8 } { print }' "$src/gemm.csv" > "$d/gemm.csv"
check "a negative M" 1 "gemm.csv:3: M = -8: a GEMM dimension is a whole number" "$dssim" calibrate --gpu h200-sxm --data "$d"
d=$(case_dir huge_time); awk -F, 'BEGIN { OFS = "," } NR == 4 { $6 = "1e308" } { print }' "$src/gemm.csv" > "$d/gemm.csv"
check "1e308 seconds" 1 "gemm.csv:4: seconds = 1e\+308: a GEMM takes more than 0 and less than 1000 s" "$dssim" calibrate --gpu h200-sxm --data "$d"
d=$(case_dir bad_dtype); awk -F, 'BEGIN { OFS = "," } NR == 5 { $1 = "bf61" } { print }' "$src/gemm.csv" > "$d/gemm.csv"
check "an unknown dtype" 1 "gemm.csv:5: dtype 'bf61': expected one of bf16, fp16, fp8, int8, tf32, fp32" "$dssim" calibrate --gpu h200-sxm --data "$d"

[ "$fails" -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo ok
