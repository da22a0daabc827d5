#!/usr/bin/env bash
# run.sh SECONDS [WORKDIR]: builds the libFuzzer targets with clang (address + undefined sanitizers)
# and runs each for SECONDS on a seed corpus made of the shipped files. Exit 1 on a crash, a
# sanitizer report or a hang (a single input running past 10 s); the reproducer is kept in WORKDIR.
# CTest runs it briefly (fuzz.smoke); run it longer by hand: tests/fuzz/run.sh 3600
set -u
secs=${1:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${2:-$src/build/fuzz}
cxx=${CLANGXX:-clang++}
command -v "$cxx" >/dev/null || { echo "no $cxx: install clang (Debian: clang libclang-rt-14-dev)"; exit 1; }
mkdir -p "$work"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$src/sim"
  $(pkg-config --cflags eigen3))
build() {  # name sources...
  local name=$1; shift
  "$cxx" "${flags[@]}" "$src/tests/fuzz/$name.cpp" "$@" -o "$work/$name" 2> "$work/$name.build.log" ||
    { echo "FAIL: building $name: $(tail -5 "$work/$name.build.log")"; exit 1; }
}
# The four targets build side by side (each in a subshell: a failure exits it, and the wait below sees it).
pids=()
build fuzz_trace "$src/sim/workload/trace_reader.cpp" "$src/sim/workload/request_source.cpp" "$src/sim/workload/synthetic.cpp" \
  "$src/sim/workload/lengths.cpp" "$src/sim/workload/rng.cpp" "$src/sim/util/strings.cpp" "$src/sim/util/timestamp.cpp" &
pids+=($!)
build fuzz_engine_command "$src/sim/scenario/engine_command.cpp" "$src/sim/util/strings.cpp" &
pids+=($!)
# The scenario reader and what it reads through (TOML, keys, [engine], serving/workload/cost tables): its
# objects in one unity compile. -DNDEBUG as the shipped build: toml++'s debug assertions fire on
# malformed input before its own error report (a release build reports the error).
scenario_src=(scenario/scenario.cpp scenario/engine_command.cpp config/keys.cpp config/precision.cpp
  config/runtime_profile.cpp config/toml_table.cpp config/toml_guard.cpp config/price_catalog.cpp
  finance/cost_inputs.cpp parallel/layout.cpp parallel/layout_keys.cpp parallel/moe_routing.cpp
  comm/collectives.cpp workload/trace_reader.cpp workload/request_source.cpp workload/synthetic.cpp workload/lengths.cpp
  workload/rng.cpp workload/workload_spec.cpp serving/batch_policy.cpp
  serving/serving_config.cpp serving/slo.cpp util/strings.cpp util/timestamp.cpp)
# objects NAME SOURCES...: compiles sim/SOURCES for target NAME (-DNDEBUG) as one unity source (each
# file #included once), so the heavy headers they share are compiled once: a third of the CPU time of
# one compiler run per file. Their file-local names must therefore differ (the compiler says which).
objects() {
  local name=$1; shift
  local unity="$work/unity_$name.cpp"
  : > "$unity"
  for f in "$@"; do echo "#include \"$src/sim/$f\"" >> "$unity"; done
  objs=("$work/unity_$name.o")
  rm -f "${objs[0]}"
  "$cxx" "${flags[@]}" -DNDEBUG -c "$unity" -o "${objs[0]}" 2> "$work/fuzz_$name.objects.log" ||
    { echo "FAIL: compiling $unity: $(grep -m5 error "$work/fuzz_$name.objects.log")"; exit 1; }
}
(objects scenario "${scenario_src[@]}" && build fuzz_scenario -DNDEBUG "${objs[@]}" $(pkg-config --libs simgrid)) &
pids+=($!)
# `dssim calibrate`'s readers and fits, with the GPU card they price against.
(objects calibration calibration/fit_bandwidth.cpp calibration/fit_gemm.cpp calibration/fit_power.cpp \
  calibration/fitter.cpp calibration/nelder_mead.cpp calibration/profile_writer.cpp config/gpu_card.cpp \
  config/toml_table.cpp config/toml_guard.cpp config/keys.cpp config/precision.cpp profile/calibration_profile.cpp \
  profile/gemm_points.cpp profile/profile_reader.cpp util/csv.cpp util/strings.cpp \
  util/timestamp.cpp && build fuzz_calibration -DNDEBUG "${objs[@]}") &
pids+=($!)
built=0
for p in "${pids[@]}"; do wait "$p" || built=1; done
[ $built -eq 0 ] || exit 1

# Seeds: every shipped trace and trace-like test case (format byte 0, 1, 2 in front), the launch
# commands of the engine scenarios, and every shipped scenario file.
rm -rf "$work/seed_trace" "$work/seed_engine" "$work/seed_scenario" "$work/seed_calibration" "$work/cal_base"
mkdir -p "$work/seed_trace" "$work/seed_engine" "$work/seed_scenario" "$work/corpus_trace" "$work/corpus_engine" \
  "$work/corpus_scenario" "$work/seed_calibration" "$work/corpus_calibration" "$work/cal_base"
# Calibration: the first 20 lines of each measurement file (small enough to fit in milliseconds) are
# the base the target replaces one file of, and the seeds (file index byte 0..4 in front).
b=0
for f in bandwidth gemm attention power_load nvidia_smi_trace; do
  head -20 "$src/validation/data/h200/$f.csv" > "$work/cal_base/$f.csv"
  { printf "\\$(printf '%03o' "$b")"; cat "$work/cal_base/$f.csv"; } > "$work/seed_calibration/$f"
  b=$((b + 1))
done
export DSSIM_FUZZ_CAL_BASE="$work/cal_base" DSSIM_FUZZ_GPU_CARD="$src/platforms/gpus/h200-sxm.toml" DSSIM_DATA_DIR="$src"
i=0
for f in "$src"/scenarios/*.toml "$src"/scenarios/*/*.toml; do cp "$f" "$work/seed_scenario/$i.toml"; i=$((i + 1)); done
i=0
for f in "$src"/scenarios/traces/*.csv "$src"/scenarios/traces/*.jsonl "$src"/tests/integration/cases/*.csv; do
  for b in 0 1 2; do
    { printf "\\$(printf '%03o' "$b")"; head -c 4000 "$f"; } > "$work/seed_trace/$i.$b"
  done
  i=$((i + 1))
done
printf '\001vllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 8 --max-num-seqs 64 --speculative-config '"'"'{"method": "deepseek_mtp", "num_speculative_tokens": 1}'"'"'' > "$work/seed_engine/vllm"
printf '\000python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --dp 8 --enable-dp-attention --chunked-prefill-size 4096 --speculative-algorithm EAGLE --speculative-num-steps 1' > "$work/seed_engine/sglang"

# Inputs that once crashed a target run first, every time (tests/fuzz/regressions: calibration_*, engine_*,
# scenario_*, trace_*).
status=0
for f in "$src"/tests/fuzz/regressions/*; do
  [ -f "$f" ] || continue
  case "$(basename "$f")" in
    engine_*) name=fuzz_engine_command ;; scenario_*) name=fuzz_scenario ;; calibration_*) name=fuzz_calibration ;;
    *) name=fuzz_trace ;;
  esac
  (cd "$work" && ASAN_OPTIONS=detect_leaks=0 "./$name" "$f" > "$name.regression.log" 2>&1) ||
    { echo "FAIL: $name on $(basename "$f"): $(grep -m3 -E 'ERROR|runtime error|terminate' "$work/$name.regression.log")"; status=1; }
done
for t in trace engine scenario calibration; do
  name=fuzz_trace
  [ "$t" = engine ] && name=fuzz_engine_command
  [ "$t" = scenario ] && name=fuzz_scenario
  [ "$t" = calibration ] && name=fuzz_calibration
  (cd "$work" && ASAN_OPTIONS=detect_leaks=0 "./$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
     -max_len=8192 -print_final_stats=1 "corpus_$t" "seed_$t" > "$name.log" 2>&1)
  rc=$?
  runs=$(grep -m1 -oE "stat::number_of_executed_units: *[0-9]+" "$work/$name.log" | grep -oE "[0-9]+$")
  if [ $rc -ne 0 ]; then
    echo "FAIL: $name: $(grep -m3 -E 'ERROR|runtime error|deadly|timeout' "$work/$name.log")"
    status=1
  else
    echo "ok: $name, ${runs:-?} runs in ${secs} s, no crash or hang"
  fi
done
exit $status
