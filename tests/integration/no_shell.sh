#!/usr/bin/env bash
# No user string reaches a shell: output folders, study rows and scenario names made of quotes, $(),
# backquotes, semicolons, spaces and newlines are plain names. Each hostile name would create a file
# named PWNED* in the test folder if any part of dssim passed it to /bin/sh.
set -u
dssim=$1
case $dssim in /*) ;; *) dssim=$(pwd)/$dssim ;; esac
root=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
export DSSIM_DATA_DIR=$root
fail() { echo "FAIL: $*"; exit 1; }
pwned() {
  local p
  p=$(find "$t" -name 'PWNED*')
  [ -z "$p" ] || fail "a shell ran a command from a name: $p"
}
names=("x'; touch PWNED1; echo '" '$(touch PWNED2)' '`touch PWNED3`' "a b;touch PWNED4"
       "line
touch PWNED5" '"; touch PWNED6; "' "-dash")
cost=$(sed -n '/^\[cost\]/,$p' "$root/scenarios/33b_a100.toml")$'\ncloud_provider = "any"'  # an H200: no AWS on-demand offer

# dssim roi --out NAME: its gnuplot step runs in that folder
for n in "${names[@]}"; do
  "$dssim" roi "$root/scenarios/33b_a100.toml" --out "$t/roi/$n" --format json > "$t/roi.json" 2> "$t/roi.err" ||
    fail "roi --out '$n': $(cat "$t/roi.err")"
  test -s "$t/roi/$n/break_even.csv" || fail "roi --out '$n' wrote no break_even.csv there"
  pwned
done

# dssim sweep --out NAME (its points are child processes; gnuplot runs in the folder)
printf 'base = "%s/tests/integration/cases/ok_base.toml"\n[axes]\n"workload.batch" = [1, 2]\n' "$root" > "$t/s.toml"
for n in "${names[@]}"; do
  "$dssim" sweep "$t/s.toml" --out "$t/sweep/$n" --quiet > /dev/null 2> "$t/sweep.err" || fail "sweep --out '$n': $(cat "$t/sweep.err")"
  [ "$(grep -c ',ok,' "$t/sweep/$n/results.csv")" -eq 2 ] || fail "sweep --out '$n': not 2 ok rows"
  pwned
done

# dssim study: each row's scenario is run by dssim roi in its own process
mkdir -p "$t/study"
{
  echo 'title = "hostile names"'
  i=0
  for n in "${names[@]}"; do
    [ "$n" = "-dash" ] && n="--help"   # a row that looks like an option is still a file
    { cat "$root/tests/integration/cases/ok_base.toml"; echo "$cost"; } > "$t/study/$n.toml"
    esc=${n//\\/\\\\}; esc=${esc//\"/\\\"}; esc=${esc//$'\n'/\\n}
    printf '[[row]]\ntier = "t%d"\ngpu = "g"\nscenario = "%s.toml"\narticle_stars = 3\n' $i "$esc"
    i=$((i + 1))
  done
} > "$t/study/study.toml"
"$dssim" study "$t/study/study.toml" --out "$t/study/out" > "$t/study.out" 2>&1 || fail "study: $(cat "$t/study.out")"
[ "$(grep -c 'deepseek-llm-7b' "$t/study.out")" -eq ${#names[@]} ] || fail "study: not every row ran: $(cat "$t/study.out")"
pwned

# dssim sweep --emit slurm: the batch file dssim writes for Slurm quotes every path it holds; run one
# task of it by hand
n="x'; touch PWNED7; echo '"
"$dssim" sweep "$t/s.toml" --out "$t/slurm/$n" --emit slurm > /dev/null || fail "--emit slurm into '$n'"
SLURM_ARRAY_TASK_ID=1 bash "$t/slurm/$n/sweep.sbatch" || fail "the batch file failed"
test -s "$t/slurm/$n/points/1.row" || fail "the batch file's task wrote no row"
pwned
out=$("$dssim" sweep "$t/s.toml" --out "$t/slurm/a
b" --emit slurm 2>&1) && fail "--emit slurm into a folder with a line break was accepted"
echo "$out" | grep -q "a Slurm batch file cannot hold" || fail "--emit slurm: $out"
echo "ok: ${#names[@]} hostile names through roi, sweep, study and a Slurm batch file; no shell ran any"
