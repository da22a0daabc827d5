#!/usr/bin/env bash
# run_all.sh OUT_DIR: everything dssim wants from a lent GPU, in one command of about 5 minutes.
#
#   1. validation/device/questions.py (PyTorch, the released H200 probe's decoder and timer):
#      the probe's end-to-end plan on this GPU, where an eager prefill's time goes, the element-wise
#      ops alone, large-batch short-context decode, a whole MoE layer, then probe.py's calibration
#      sections (the H200 folder's schema: a second calibrated GPU) and the 33B end-to-end plan.
#   2. validation/microbench/device_run.sh --quick: the project's own CUDA suite, when time is left.
#
# Only measurements go to OUT_DIR, packed so that a lent machine's file limits (8 files, two folders
# down) hold: run.log, questions.tar.gz, microbench.tar.gz. Unpack them into validation/data/<gpu>/.
# Budgets (seconds, environment): DEVICE_BUDGET_S for the whole script (default 330, so that a loan of
# 15 minutes holds a start, this run and a rerun), QUESTIONS_WALL_S for step 1 (default 230). Step 1
# is stopped by SIGINT at its wall: every row written so far stays (each is flushed as it is written),
# the sections come in order of what they answer, and the last ones (the thermal run, the 33B plan)
# are the ones a slow GPU loses. Nothing here needs the simulator's build.
set -u
out=${1:?usage: run_all.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
log="$out/run.log"
exec > >(tee -a "$log") 2>&1
t0=$(date +%s)
budget=${DEVICE_BUDGET_S:-330}
wall=${QUESTIONS_WALL_S:-230}
echo "== $(date -u +%FT%TZ) run_all.sh on $(hostname), budget ${budget} s"
nvidia-smi --query-gpu=name,driver_version,memory.total,power.limit,clocks.max.sm --format=csv 2>&1 || true
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1 || true

work=$(mktemp -d)
echo "== questions.py (wall ${wall} s)"
# the probe's own guards get room (its GEMM sweep stops when under 120 s of its budget are left);
# the wall is this timeout's
OUT="$work/questions" PROBE_BUDGET_S=$(( wall + 200 )) PYTHONUNBUFFERED=1 \
  timeout --signal=INT --kill-after=15 "$wall" python3 "$here/questions.py"
echo "== questions.py exit code $? after $(( $(date +%s) - t0 )) s (124 or 130: stopped at its wall)"
tar czf "$out/questions.tar.gz" -C "$work" questions && ls -la "$work/questions"

left=$(( budget - ($(date +%s) - t0) ))
if [ "$left" -ge 100 ]; then
  echo "== CUDA suite (--quick, no power section), $left s left"
  timeout $(( left - 10 )) bash "$here/../microbench/device_run.sh" "$work/microbench" "" \
    --quick --sections gemm,attention,elementwise,bandwidth,pcie
  echo "== CUDA suite exit code $?"
  tar czf "$out/microbench.tar.gz" -C "$work" microbench
else
  echo "== CUDA suite skipped: $left s left of ${budget}"
fi
echo "== run_all.sh done after $(( $(date +%s) - t0 )) s"
ls -la "$out"
