#!/usr/bin/env bash
# dssim recommend's Slurm steps without Slurm: emit the array, run each task's line as Slurm would (the
# batch script with SLURM_ARRAY_TASK_ID set), run one task twice (done tasks are skipped), merge, and
# require the same answer as the local run (cli.sweep_on_slurm runs it on a real Slurm).
set -u
dssim=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
rec=tests/integration/cases/recommend_small.toml
"$dssim" recommend $rec --out "$T/r" --emit slurm > "$T/emit.txt" || fail "emit"
grep -q "a Slurm array of 6 tasks" "$T/emit.txt" || fail "emit: $(cat "$T/emit.txt")"
for i in 0 1 2 3 4 5 3; do SLURM_ARRAY_TASK_ID=$i bash "$T/r/recommend.sbatch" || fail "task $i"; done
"$dssim" recommend $rec --out "$T/r" --merge > "$T/merged.txt" || fail "merge"
"$dssim" recommend $rec --quiet > "$T/local.txt" || fail "local"
sed -n '/^Cheapest/,/^Why/p' "$T/merged.txt" > "$T/a"
sed -n '/^Cheapest/,/^Why/p' "$T/local.txt" > "$T/b"
[ -s "$T/a" ] || fail "no answer in the merged report"
cmp "$T/a" "$T/b" || fail "merged and local answers differ: $(diff "$T/a" "$T/b")"
grep -q "6 simulated by a Slurm array and merged" "$T/merged.txt" || fail "merge header"
rm "$T/r/candidates/4.json"
"$dssim" recommend $rec --out "$T/r" --merge > "$T/partial.txt" 2> "$T/partial.err" && fail "merged with a task missing"
grep -q "1 of 6 candidates have no answer yet (first: 4)" "$T/partial.err" || fail "missing task message: $(cat "$T/partial.err")"
"$dssim" recommend $rec --out "$T/r" --merge --set slo.ttft_p99_s=5 > /dev/null 2> "$T/fp.err" && fail "merged other candidates"
grep -q "differ from those" "$T/fp.err" || fail "fingerprint message: $(cat "$T/fp.err")"
echo "ok: 6-candidate search emitted, run task by task, merged to the local answer"
