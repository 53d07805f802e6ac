#!/usr/bin/env bash
# Tests the Kotlin binding the Android app uses, on the desktop JVM (android/jvm-tests, Maven):
# builds the host library (with the `sandbox` face check) and the issuer binary, generates the
# JVM-flavour Kotlin, then runs JUnit 5. Exits non-zero on any failure; never skips.
#
#   scripts/jvm-tests.sh [extra mvn args, e.g. -Dtest=PassengerJourneyTest]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven is missing: installing it (apt-get install -y maven)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q maven || { apt-get update -q && apt-get install -y -q maven; }
  else sudo apt-get install -y -q maven || { sudo apt-get update -q && sudo apt-get install -y -q maven; }; fi
fi

# The library and the bindgen binaries in one invocation (one feature set: nothing is compiled
# twice, and the .so the tests load is the one bindgen reads), then the issuer binary.
cargo build -q -p tempid-ffi --features sandbox,bindgen --lib --bins
cargo build -q -p tempid-issuer --bin tempid-issuer
scripts/gen-bindings.sh jvm --features sandbox --no-build >/dev/null

cd android/jvm-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! mvn -B --no-transfer-progress test -Dcargo.target.dir="$CARGO_TARGET_DIR" "$@" >"$log" 2>&1; then
  cat "$log"
  echo "jvm-tests: FAILED" >&2
  exit 1
fi
grep -E 'Tests run:' "$log" | sed 's/^\[INFO\] //'
# JUnit silently skips a @Test whose function returns a value (e.g. `= runBlocking { … }` ending
# in an expression): every @Test written must have run.
written=$(grep -rhcE '^\s*@Test\b' src/test/kotlin | awk '{ n += $1 } END { print n }')
ran=$(grep -E 'Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$' "$log" | tail -n1 | sed -E 's/.*Tests run: ([0-9]+),.*/\1/')
if [ "${ran:-0}" != "$written" ]; then
  echo "jvm-tests: $written tests written but ${ran:-0} ran (a @Test returning a value is skipped by JUnit)" >&2
  exit 1
fi
echo "jvm-tests: passed ($ran tests)"
