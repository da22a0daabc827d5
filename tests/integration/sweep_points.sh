#!/usr/bin/env bash
# What each Slurm array task does, without Slurm: every --point, then --merge, equals the local run;
# a point without its row makes --merge fail and name it.
set -u
dssim=$1
sweep=scenarios/sweeps/33b_gpus_batches.toml
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$dssim" sweep $sweep --out "$d/local" --quiet > /dev/null || fail "local sweep"
n=$(($(wc -l < "$d/local/results.csv") - 1))
[ "$n" -eq 40 ] || fail "$n points, expected 40"
for i in $(seq 0 $((n - 1))); do "$dssim" sweep $sweep --out "$d/split" --point "$i" || fail "point $i"; done
"$dssim" sweep $sweep --out "$d/split" --merge > /dev/null || fail "merge"
cmp "$d/split/results.csv" "$d/local/results.csv" || fail "merged points differ from the local run"
rm "$d/split/points/7.row"
out=$("$dssim" sweep $sweep --out "$d/split" --merge 2>&1); rc=$?
[ $rc -eq 1 ] || fail "merge with a missing point exited $rc, expected 1"
echo "$out" | grep -q "1 of 40 points have no result yet (first: 7)" || fail "merge message: $out"
"$dssim" sweep $sweep --out "$d/split" --point 40 2>&1 | grep -q "the sweep has points 0..39" || fail "--point out of range"
echo "ok: 40 points run one by one and merged equal the local run; a missing one is named"
