#!/usr/bin/env bash
# expect.sh RC REGEX COMMAND...: runs COMMAND, checks its exit code is RC, that its combined output
# matches REGEX (grep -E), and that it never crashed (no abort, no uncaught exception, no signal).
# A failing command (RC != 0) must say what is wrong on exactly one stderr line starting "dssim:".
set -u
want_rc=$1; pattern=$2; shift 2
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
rc=$?
fail() { echo "FAIL: $*"; echo "--- command: $*"; echo "--- stdout:"; head -50 "$out"; echo "--- stderr:"; head -20 "$err"; exit 1; }
[ "$rc" -ge 128 ] && fail "killed by signal $((rc - 128))"
grep -qiE "terminate called|Segmentation|Aborted|stack trace|internal error" "$err" && fail "crash text on stderr"
[ "$rc" -eq "$want_rc" ] || fail "exit code $rc, expected $want_rc"
cat "$out" "$err" | grep -qE -- "$pattern" || fail "output does not match /$pattern/"
if [ "$want_rc" -ne 0 ]; then
  n=$(grep -c '^dssim' "$err")
  [ "$n" -eq 1 ] || fail "expected exactly one 'dssim:' line on stderr, got $n"
fi
echo "ok: rc=$rc, output matches /$pattern/"
