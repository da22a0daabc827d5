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
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$src/sim")
build() {  # name sources...
  local name=$1; shift
  "$cxx" "${flags[@]}" "$src/tests/fuzz/$name.cpp" "$@" -o "$work/$name" 2> "$work/$name.build.log" ||
    { echo "FAIL: building $name: $(tail -5 "$work/$name.build.log")"; exit 1; }
}
build fuzz_trace "$src/sim/workload/trace_reader.cpp" "$src/sim/util/strings.cpp" "$src/sim/util/timestamp.cpp"
build fuzz_engine_command "$src/sim/scenario/engine_command.cpp" "$src/sim/util/strings.cpp"
# The scenario reader and what it reads through (TOML, keys, [engine], serving/workload/cost tables): its
# objects compiled side by side. -DNDEBUG as the shipped build: toml++'s debug assertions fire on
# malformed input before its own error report (a release build reports the error).
scenario_src=(scenario/scenario.cpp scenario/engine_command.cpp config/keys.cpp config/precision.cpp
  config/runtime_profile.cpp config/toml_table.cpp config/toml_guard.cpp config/price_catalog.cpp
  finance/cost_inputs.cpp parallel/layout.cpp parallel/layout_keys.cpp parallel/moe_routing.cpp
  comm/collectives.cpp workload/trace_reader.cpp workload/workload_spec.cpp serving/batch_policy.cpp
  serving/serving_config.cpp serving/slo.cpp util/strings.cpp util/timestamp.cpp)
mkdir -p "$work/obj_scenario"
objs=()
for f in "${scenario_src[@]}"; do
  o="$work/obj_scenario/$(echo "$f" | tr / _).o"
  rm -f "$o"
  "$cxx" "${flags[@]}" -DNDEBUG -c "$src/sim/$f" -o "$o" 2>> "$work/fuzz_scenario.objects.log" &
  objs+=("$o")
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
done
wait
for o in "${objs[@]}"; do
  [ -f "$o" ] || { echo "FAIL: compiling $o: $(tail -5 "$work/fuzz_scenario.objects.log")"; exit 1; }
done
build fuzz_scenario -DNDEBUG "${objs[@]}" $(pkg-config --libs simgrid)

# Seeds: every shipped trace and trace-like test case (format byte 0, 1, 2 in front), the launch
# commands of the engine scenarios, and every shipped scenario file.
rm -rf "$work/seed_trace" "$work/seed_engine" "$work/seed_scenario"
mkdir -p "$work/seed_trace" "$work/seed_engine" "$work/seed_scenario" "$work/corpus_trace" "$work/corpus_engine" \
  "$work/corpus_scenario"
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

# Inputs that once crashed a target run first, every time (tests/fuzz/regressions: engine_*, scenario_*, trace_*).
status=0
for f in "$src"/tests/fuzz/regressions/*; do
  [ -f "$f" ] || continue
  case "$(basename "$f")" in engine_*) name=fuzz_engine_command ;; scenario_*) name=fuzz_scenario ;; *) name=fuzz_trace ;; esac
  (cd "$work" && ASAN_OPTIONS=detect_leaks=0 "./$name" "$f" > "$name.regression.log" 2>&1) ||
    { echo "FAIL: $name on $(basename "$f"): $(grep -m3 -E 'ERROR|runtime error|terminate' "$work/$name.regression.log")"; status=1; }
done
for t in trace engine scenario; do
  name=fuzz_trace
  [ "$t" = engine ] && name=fuzz_engine_command
  [ "$t" = scenario ] && name=fuzz_scenario
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
