#!/usr/bin/env bash
# sanitizers.sh BUILD_DIR: a second build with AddressSanitizer and UndefinedBehaviorSanitizer (no CUDA),
# its unit tests, and every shipped scenario under it: any sanitizer report fails. SimGrid switches
# stacks for its actors, which ASan's use-after-scope check misreads when an exception unwinds on an
# actor's stack (google/sanitizers#189), so that one check is compiled out; leaks are not checked
# (SimGrid keeps its engine until exit). The build is a unity build (16 sources a compiler run): it
# compiles in under half the CPU time, which is most of this test's time on CI's 2 cores; it also means
# two sources' file-local helpers must not share a name (the build says which).
set -u
dir=$(cd "$1" && pwd)/sanitize
src=$(pwd)
fail() { echo "FAIL: $*"; exit 1; }
flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fno-sanitize-address-use-after-scope"
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" -DDSSIM_BUILD_MICROBENCH=OFF \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  > "$dir.configure.log" 2>&1 || fail "configure: $(tail -5 "$dir.configure.log")"
cmake --build "$dir" --target dssim dssim_unit_tests -j "$(nproc)" > "$dir.build.log" 2>&1 || fail "build: $(tail -20 "$dir.build.log")"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 DSSIM_DATA_DIR="$src"
(cd "$dir" && ctest -L unit -j "$(nproc)" > "$dir.unit.log" 2>&1) || fail "unit tests under the sanitizers: $(grep -E 'Failed|ERROR' "$dir.unit.log" | head -5)"
# Every scenario, nproc at a time: one line per scenario in $dir.scenarios ("ok" or why not).
check_scenario() {  # dssim scenario: prints "ok" or what failed
  local err
  err=$(mktemp)
  "$1" "$2" --quiet > /dev/null 2> "$err"
  local rc=$?
  if grep -qE "ERROR: AddressSanitizer|runtime error:" "$err"; then echo "$2: $(grep -m3 -E 'ERROR|runtime error' "$err" | tr '\n' ' ')"
  elif [ "$rc" -gt 2 ]; then echo "$2: exit $rc: $(head -3 "$err" | tr '\n' ' ')"
  else echo "ok"; fi
  rm -f "$err"
}
export -f check_scenario
find scenarios -name '*.toml' -not -path 'scenarios/sweeps/*' -not -path 'scenarios/recommend/*' \
  -not -path 'scenarios/studies/hardware-matrix.toml' | sort |
  xargs -P "$(nproc)" -I{} bash -c 'check_scenario "$0" "$1"' "$dir/dssim" {} > "$dir.scenarios"
n=$(grep -c '^ok$' "$dir.scenarios")
bad=$(grep -v '^ok$' "$dir.scenarios" | head -3)
[ -z "$bad" ] || fail "$bad"
[ "$n" -gt 0 ] || fail "no scenario ran"
# recommend forks its candidates from a pool (util/child): the children and the parent under the sanitizers too
"$dir/dssim" recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2 > /dev/null 2> "$dir.err"
grep -qE "ERROR: AddressSanitizer|runtime error:" "$dir.err" && fail "recommend: $(grep -m3 -E 'ERROR|runtime error' "$dir.err")"
echo "ok: unit tests, $n scenarios and a recommend search clean under ASan + UBSan"
