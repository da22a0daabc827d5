#!/usr/bin/env bash
# A GPU sweep prices each GPU as itself: the purchase price and cloud rate of every row are that GPU's
# rows of platforms/prices.toml (an H200 has no AWS on-demand offer: its cloud columns are empty); a
# price the base scenario wrote for its own GPU is refused for the other GPUs, naming the file and line.
set -u
dssim=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; cat "$d/out/results.csv" 2>/dev/null; exit 1; }
"$dssim" sweep tests/integration/cases/sweep_gpu_prices.toml --out "$d/out" --quiet > /dev/null || fail "sweep"
col() { head -1 "$d/out/results.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
cell() { awk -F, -v r="$1" -v c="$(col "$2")" 'NR == r + 2 { print $c }' "$d/out/results.csv"; }
[ "$(cell 0 gpu_price_usd)" = 15000 ] || fail "A100 priced $(cell 0 gpu_price_usd)"
[ "$(cell 1 gpu_price_usd)" = 30000 ] || fail "H100 priced $(cell 1 gpu_price_usd)"
[ "$(cell 2 gpu_price_usd)" = 32000 ] || fail "H200 priced $(cell 2 gpu_price_usd)"
[ "$(cell 0 cloud_usd_per_gpu_hour)" = 3.43088125 ] || fail "A100 cloud $(cell 0 cloud_usd_per_gpu_hour)"
[ "$(cell 1 cloud_usd_per_gpu_hour)" = 6.88 ] || fail "H100 cloud $(cell 1 cloud_usd_per_gpu_hour)"
[ -z "$(cell 2 cloud_usd_per_gpu_hour)" ] || fail "H200 has no AWS on-demand offer, got $(cell 2 cloud_usd_per_gpu_hour)"
[ -z "$(cell 2 break_even_months)" ] || fail "H200 break-even without a cloud price: $(cell 2 break_even_months)"
[ -n "$(cell 2 usd_per_million_tokens_onprem)" ] || fail "H200 on-prem \$/M missing"
"$dssim" sweep tests/integration/cases/sweep_fixed_price.toml --out "$d/fixed" --quiet > /dev/null
grep -q '^0,a100-80g-sxm,ok,' "$d/fixed/results.csv" || fail "the file's own GPU should run"
grep -q "^1,h100-sxm,.error: dssim: .*33b_article_roi.toml:[0-9]*: key 'cost.cloud_usd_per_gpu_hour' is a price for the file's platform (gpu=a100-80g-sxm)" \
  "$d/fixed/results.csv" || { cat "$d/fixed/results.csv"; fail "the H100 point should refuse the A100's cloud price"; }
echo "ok: each GPU priced as itself; a file's price does not follow a GPU axis"
