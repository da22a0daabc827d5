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
n=0
for s in $(find scenarios -name '*.toml' -not -path 'scenarios/sweeps/*' -not -path 'scenarios/recommend/*' -not -path 'scenarios/studies/hardware-matrix.toml' | sort); do
  "$dir/dssim" "$s" --quiet > /dev/null 2> "$dir.err"
  rc=$?
  grep -qE "ERROR: AddressSanitizer|runtime error:" "$dir.err" && fail "$s: $(grep -m3 -E 'ERROR|runtime error' "$dir.err")"
  [ "$rc" -le 2 ] || fail "$s: exit $rc: $(head -3 "$dir.err")"
  n=$((n + 1))
done
# recommend forks its candidates from a pool (util/child): the children and the parent under the sanitizers too
"$dir/dssim" recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2 > /dev/null 2> "$dir.err"
grep -qE "ERROR: AddressSanitizer|runtime error:" "$dir.err" && fail "recommend: $(grep -m3 -E 'ERROR|runtime error' "$dir.err")"
echo "ok: unit tests, $n scenarios and a recommend search clean under ASan + UBSan"
