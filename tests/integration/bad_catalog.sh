#!/usr/bin/env bash
# bad_catalog.sh DSSIM: data folders (DSSIM_DATA_DIR) with a broken node or GPU file.
set -u
dssim=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fails=0
data_dir() {  # a copy of platforms/, the rest linked
  local d="$root/$1"; mkdir -p "$d"
  for x in models scenarios validation; do ln -s "$src/$x" "$d/$x"; done
  cp -r "$src/platforms" "$d/platforms"; echo "$d"
}
check() { echo "== $1"; shift; bash "$here/expect.sh" "$@" || fails=$((fails + 1)); }

d=$(data_dir node_gpu); sed -i 's/^gpu = .*/gpu = "h200-sxn"/' "$d/platforms/nodes/hgx-8xh200.toml"
check "a node naming an unknown GPU: a scenario on it" 1 "hgx-8xh200.toml:[0-9]+: key 'gpu': unknown GPU 'h200-sxn' \(did you mean 'h200-sxm'\?\)" \
  env DSSIM_DATA_DIR="$d" "$dssim" scenarios/parallel/v3_fp8_h200x8_ep8.toml
check "... and dssim comm on it" 1 "hgx-8xh200.toml:[0-9]+: key 'gpu': unknown GPU 'h200-sxn'" \
  env DSSIM_DATA_DIR="$d" "$dssim" comm --node hgx-8xh200
check "... while the GPU alone still works" 0 "FITS" env DSSIM_DATA_DIR="$d" "$dssim" predict --model deepseek-llm-7b --gpu h200-sxm

d=$(data_dir no_profiles); sed -i '/^profile = /d' "$d"/platforms/gpus/*.toml
check "no calibrated GPU to borrow from" 1 "a100-80g-sxm.toml: a100-80g-sxm has no profile .*set 'profile' .* or 'efficiency_from'" \
  env DSSIM_DATA_DIR="$d" "$dssim" predict --model deepseek-llm-7b --gpu a100-80g-sxm

d=$(data_dir half_gemv); sed -i '/^gemv_memory_efficiency = /d' "$d/platforms/profiles/h200-sxm.toml"
check "a profile with half of the M = 1 line" 1 "h200-sxm.toml:[0-9]+: key 'gemm\.(fp32|tf32)\.gemv_fixed_us': gemv_fixed_us and gemv_memory_efficiency go together" \
  env DSSIM_DATA_DIR="$d" "$dssim" predict --model deepseek-llm-7b --gpu h200-sxm

d=$(data_dir idle_above_tdp); sed -i 's/^idle_w = .*/idle_w = 900/' "$d/platforms/gpus/h200-sxm.toml"
check "a GPU card whose idle draw is above its TDP" 1 "h200-sxm.toml:[0-9]+: key 'idle_w': idle_w = 900 W is not below tdp_w = 700 W" \
  env DSSIM_DATA_DIR="$d" "$dssim" predict --model deepseek-llm-7b --gpu h200-sxm

d=$(data_dir heads_mismatch); rm "$d/models"; cp -r "$src/models" "$d/models"; sed -i 's/^head_dim = .*/head_dim = 64/' "$d/models/deepseek-llm-7b.toml"
check "a model card whose heads x head_dim is not its hidden size" 1 "deepseek-llm-7b.toml: num_attention_heads x head_dim = 32 x 64 = 2048, but hidden_size = 4096" \
  env DSSIM_DATA_DIR="$d" "$dssim" predict --model deepseek-llm-7b --gpu h200-sxm

[ "$fails" -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo ok
