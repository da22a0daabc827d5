#!/usr/bin/env bash
# Output is never lost silently: a full disk (/dev/full) makes every writer fail loudly with a non-zero
# exit; output paths are checked before the run; an output folder with files in it is refused without
# --force; a failed calibration check leaves --out alone; a file is whole or absent.
set -u
dssim=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect_fail() {  # expect_fail PATTERN COMMAND...: non-zero exit, one dssim: line matching PATTERN
  local pat=$1; shift
  "$@" > "$t/o" 2> "$t/e" && fail "exit 0: $*"
  grep -qE -- "$pat" "$t/e" || fail "no /$pat/ on stderr for $*: $(cat "$t/e")"
  [ "$(grep -c '^dssim' "$t/e")" -eq 1 ] || fail "not exactly one dssim: line for $*: $(cat "$t/e")"
}
serving=scenarios/serving/7b_h200_chunked_mooncake.toml
# a full disk, for every writer
expect_fail "standard output: write failed" bash -c "\"$dssim\" scenarios/33b_a100.toml > /dev/full"
expect_fail "/dev/full: write failed" "$dssim" $serving --quiet --requests-csv /dev/full
expect_fail "/dev/full: write failed" "$dssim" $serving --quiet --timeline /dev/full
expect_fail "/dev/full: write failed" "$dssim" scenarios/power/h200_gemm_burn.toml --thermal-csv /dev/full
expect_fail "/dev/full: write failed" "$dssim" calibrate --gpu h200-sxm --data validation/data/h200 --out /dev/full
expect_fail "standard output: write failed" bash -c "\"$dssim\" predict --model deepseek-llm-7b --gpu h200-sxm --format json > /dev/full"
# output paths checked before the run: nothing simulated, nothing written
expect_fail "--requests-csv $t/no/such/dir/r.csv: the folder $t/no/such/dir does not exist" "$dssim" $serving --quiet --requests-csv "$t/no/such/dir/r.csv"
expect_fail "--timeline $t: is a folder" "$dssim" $serving --quiet --timeline "$t"
# an output folder with files in it
mkdir -p "$t/roi" && echo old > "$t/roi/break_even.csv"
expect_fail "the folder exists and is not empty; choose another, or pass --force" "$dssim" roi scenarios/33b_a100.toml --out "$t/roi"
[ "$(cat "$t/roi/break_even.csv")" = old ] || fail "a refused roi touched the folder"
"$dssim" roi scenarios/33b_a100.toml --out "$t/roi" --force > /dev/null || fail "roi --force"
head -1 "$t/roi/break_even.csv" | grep -q '^month,' || fail "roi --force did not write"
# a failed calibration check leaves --out alone
echo "previous profile" > "$t/p.toml"
"$dssim" calibrate --gpu h200-sxm --data validation/data/h200 --check tests/integration/cases/tight_bounds.toml \
  --out "$t/p.toml" > "$t/o" 2> /dev/null && fail "a failing check exited 0"
[ "$(cat "$t/p.toml")" = "previous profile" ] || fail "a failed check overwrote --out"
grep -q "not written: the fit exceeds" "$t/o" || fail "no word on the unwritten profile"
# no temporary file is left behind by a failed write
ls "$t" | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls "$t")"
echo "ok: full disk, bad paths, non-empty folders and failed checks all fail loudly; nothing is half-written"
