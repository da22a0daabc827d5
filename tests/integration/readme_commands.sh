#!/usr/bin/env bash
# Every `$ ./build/dssim ...` line of the README runs and exits 0 (the benchmark scripts, which need
# the traces, are left to validation/). Outputs go to a scratch folder that links the repository's data.
set -u
dssim=$1
root=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for d in scenarios validation models platforms tests; do ln -s "$root/$d" "$t/$d"; done
cd "$t" || exit 1
n=0
while IFS= read -r line; do
  cmd=${line#\$ ./build/dssim }
  cmd=${cmd%%  #*}
  if [ "$cmd" = "list models|gpus|nodes|scenarios" ]; then
    for w in models gpus nodes scenarios; do "$dssim" list "$w" > /dev/null || { echo "FAIL: dssim list $w"; exit 1; }; n=$((n + 1)); done
    continue
  fi
  read -ra argv <<< "$cmd"
  "$dssim" "${argv[@]}" > out.txt 2> err.txt || { echo "FAIL: dssim $cmd"; cat err.txt; exit 1; }
  n=$((n + 1))
done < <(grep -E '^\$ \./build/dssim ' "$root/README.md")
[ "$n" -ge 15 ] || { echo "FAIL: only $n README commands found"; exit 1; }
echo "ok: $n README commands ran"
