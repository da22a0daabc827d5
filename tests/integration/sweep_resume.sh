#!/usr/bin/env bash
# A sweep resumes safely: a truncated last row runs again, a changed base scenario is refused, a point
# that failed is retried, a second sweep on the same folder is refused while the first runs, and
# values with commas and quotes survive the CSV.
set -u
dssim=$1
root=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp tests/integration/cases/ok_base.toml "$t/base.toml"
printf 'base = "base.toml"\n[axes]\n"workload.batch" = [1, 2, 3, 4]\n' > "$t/s.toml"
"$dssim" sweep "$t/s.toml" --out "$t/o" --quiet > /dev/null || fail "first run"
cp "$t/o/results.csv" "$t/full.csv"
[ "$(wc -l < "$t/full.csv")" -eq 5 ] || fail "expected 4 rows"
# a killed run: the last row cut in the middle
head -c -20 "$t/full.csv" > "$t/o/results.csv"
"$dssim" sweep "$t/s.toml" --out "$t/o" --quiet > "$t/out" 2> "$t/err" || fail "resume after a cut row: $(cat "$t/err")"
grep -q "the last row was cut short" "$t/err" || fail "no word on the cut row"
grep -q "1 run now, 3 from an earlier run" "$t/out" || fail "resume: $(cat "$t/out")"
cmp "$t/o/results.csv" "$t/full.csv" || fail "resumed results differ from a whole run"
# a failed point is retried
awk -F, 'NR == 3 { $3 = "error: dssim: killed"; for (i = 4; i <= NF; i++) $i = "" } { print }' OFS=, "$t/full.csv" > "$t/o/results.csv"
"$dssim" sweep "$t/s.toml" --out "$t/o" --quiet > "$t/out" 2> "$t/err" || fail "retry: $(cat "$t/err")"
grep -q "1 point that failed before runs again" "$t/err" || fail "no word on the retry: $(cat "$t/err")"
cmp "$t/o/results.csv" "$t/full.csv" || fail "the retried point's row differs, or rows are out of order"
# a changed base scenario: the old rows would not match
sed -i 's/max_batch = 8/max_batch = 6/' "$t/base.toml"
out=$("$dssim" sweep "$t/s.toml" --out "$t/o" --quiet 2>&1) && fail "a changed base was resumed"
echo "$out" | grep -q "or its base scenario .* has changed since" || fail "changed base: $out"
# two sweeps on one folder: the second is refused while the first holds the lock
rm -rf "$t/o2"; mkdir "$t/o2"
exec 9> "$t/o2/.lock"
flock -n 9 || fail "could not take the lock for the test"
out=$("$dssim" sweep "$t/s.toml" --out "$t/o2" --quiet 2>&1) && fail "a second sweep ran on a locked folder"
echo "$out" | grep -q "another dssim sweep is writing this folder" || fail "lock: $out"
exec 9>&-
# commas and quotes in a value
printf 'base = "base.toml"\n[axes]\n"platform.gpu" = ["h200-sxm", "say \\"hi\\", x"]\n' > "$t/q.toml"
"$dssim" sweep "$t/q.toml" --out "$t/q" --quiet > /dev/null || fail "quoted values"
grep -q '^0,h200-sxm,ok,' "$t/q/results.csv" || fail "plain value: $(cat "$t/q/results.csv")"
grep -q '^1,"say ""hi"", x","error: dssim: unknown GPU' "$t/q/results.csv" || fail "quoted value: $(cat "$t/q/results.csv")"
[ "$(awk -F'"' 'NR == 3 { print NF }' "$t/q/results.csv")" -gt 1 ] || fail "no quoting"
echo "ok: truncated row, retried failure, changed base, concurrent run and quoted values all handled"
