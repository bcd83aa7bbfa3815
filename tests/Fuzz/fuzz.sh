#!/usr/bin/env bash
# Runs afl-fuzz on one target for a fixed time, from its seed corpus (tests/Fuzz/corpus/TARGET), with its
# dictionary (tests/Fuzz/dict/TARGET.dict), output under build/fuzz/TARGET. Prints executions, crashes and
# hangs from afl's fuzzer_stats; exits 1 on any crash or hang (the inputs are in build/fuzz/TARGET/default/),
# or when nothing ran.
#   usage: tests/Fuzz/fuzz.sh TARGET SECONDS
#   FUZZ_APP=DIR  an instrumented build from tests/Fuzz/prepare.sh (default: prepare one now)
#   FUZZ_TIMEOUT_MS  one input taking longer is a hang (default 3000: generous for a loaded 2-core machine)
#   FUZZ_OUT=DIR  where TARGET's output goes (default build/fuzz/TARGET)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 2 ] || { echo "usage: $0 TARGET SECONDS" >&2; exit 2; }
target=$1 seconds=$2
corpus=tests/Fuzz/corpus/$target
[ -d "$corpus" ] || { echo "fuzz: no corpus for '$target' ($corpus)" >&2; exit 2; }
app=${FUZZ_APP:-$(tests/Fuzz/prepare.sh)}
out=${FUZZ_OUT:-build/fuzz/$target}
rm -rf "$out"
mkdir -p "$out"
dict=()
[ -f "tests/Fuzz/dict/$target.dict" ] && dict=(-x "tests/Fuzz/dict/$target.dict")

# dotnet is not instrumented itself (the IL is): AFL_SKIP_BIN_CHECK. No root changes to the machine:
# core_pattern and the CPU governor stay as they are (AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES, AFL_SKIP_CPUFREQ).
# AFL_NO_AFFINITY: another afl (make fuzz, a second checkout) must not make this one fail for want of a free core.
# -V stops afl after SECONDS; the outer timeout only guards against afl itself stalling.
status=0
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 \
  timeout --kill-after=10s $((seconds + 120)) \
  afl-fuzz -i "$corpus" -o "$out" "${dict[@]}" -t "${FUZZ_TIMEOUT_MS:-3000}" -m none -V "$seconds" \
  -- dotnet "$app/Websockify.Fuzz.dll" "$target" >"$out/afl.log" 2>&1 || status=$?

stats=$out/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "fuzz $target: afl-fuzz did not start (exit $status); the end of $out/afl.log:" >&2
  tail -n 15 "$out/afl.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2
  exit 1
fi
stat() { sed -n "s/^$1 *: *//p" "$stats"; }
execs=$(stat execs_done) crashes=$(stat saved_crashes) hangs=$(stat saved_hangs)
echo "fuzz $target: $execs executions in $(stat run_time) s ($(stat execs_per_sec)/s), corpus $(stat corpus_count), $crashes crashes, $hangs hangs"
if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
  echo "fuzz $target: findings (replay one: dotnet $app.plain/Websockify.Fuzz.dll $target --replay DIR):" >&2
  ls "$out"/default/crashes/id:* "$out"/default/hangs/id:* 2>/dev/null | sed "s/^/  /" >&2 || true
  exit 1
fi
[ "$execs" -gt 0 ] || { echo "fuzz $target: no executions" >&2; exit 1; }
[ "$status" -eq 0 ] || { echo "fuzz $target: afl-fuzz exited $status" >&2; exit 1; }
