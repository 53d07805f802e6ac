#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings of tempid-ffi in library mode with the in-repo
# uniffi-bindgen, always passing a uniffi 0.32 global config with --config.
#
#   scripts/gen-bindings.sh jvm      [--features sandbox] [--out DIR] [--no-build]
#   scripts/gen-bindings.sh android  [--features sandbox] [--out DIR] [--no-build]
#   scripts/gen-bindings.sh swift    [--features sandbox] [--out DIR] [--no-build]
#
# jvm:     desktop-JVM Kotlin (bindings/uniffi-jvm.toml: no android = true, checksums on)
#          -> $CARGO_TARGET_DIR/uniffi/kotlin-jvm   (read by android/jvm-tests/pom.xml)
# android: Android Kotlin (uniffi.toml: android = true, omit_checksums)
#          -> $CARGO_TARGET_DIR/uniffi/kotlin-android (android/tempid/build.gradle.kts passes --out)
# swift:   Swift sources, C headers and ONE modulemap (clang module TempIdCoreFFI) for all crates
#          -> $CARGO_TARGET_DIR/uniffi/swift          (read by ios/build-xcframework.sh)
#
# Generated code is never committed (see bindings/README.md): it is made from the very library
# that is packaged or tested. --features must match that library's features: a binding generated
# with `sandbox` declares functions a library built without it does not have.
# Bindgen reads the *unstripped* debug build (a stripped release .so has no uniffi metadata); the
# metadata and checksums are the same in every profile.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"   # bindgen runs `cargo metadata`: stay inside the workspace

flavour="${1:-}"; shift || true
features=""; out=""; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --features) features="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$flavour" in jvm|android|swift) ;; *) sed -n '2,20p' "$0" >&2; exit 2 ;; esac

target="${CARGO_TARGET_DIR:-$root/target}"
case "$(uname -s)" in Darwin) lib="$target/debug/libtempid_ffi.dylib" ;; *) lib="$target/debug/libtempid_ffi.so" ;; esac

if [ "$build" = 1 ]; then
  # One invocation for the library and the bindgen binaries: same feature set, one compile.
  cargo build -q -p tempid-ffi --features "bindgen${features:+,$features}" --lib --bins
fi
[ -f "$lib" ] || { echo "missing $lib: build tempid-ffi first" >&2; exit 1; }

# The JVM override must name the same packages as the phone config.
packages() { grep -E '^\[crates\.[a-z_]+\.bindings\.kotlin\]|^package_name' "$1"; }
if ! diff <(packages uniffi.toml) <(packages bindings/uniffi-jvm.toml) >/dev/null; then
  echo "bindings/uniffi-jvm.toml and uniffi.toml name different Kotlin packages" >&2
  diff <(packages uniffi.toml) <(packages bindings/uniffi-jvm.toml) >&2 || true
  exit 1
fi

case "$flavour" in
  jvm)
    out="${out:-$target/uniffi/kotlin-jvm}"
    rm -rf "$out"   # never leave a stale file from a removed namespace
    "$target/debug/uniffi-bindgen" generate --language kotlin --no-format \
      --config bindings/uniffi-jvm.toml --out-dir "$out" "$lib" ;;
  android)
    out="${out:-$target/uniffi/kotlin-android}"
    rm -rf "$out"
    "$target/debug/uniffi-bindgen" generate --language kotlin --no-format \
      --config uniffi.toml --out-dir "$out" "$lib" ;;
  swift)
    out="${out:-$target/uniffi/swift}"
    rm -rf "$out"
    "$target/debug/uniffi-bindgen-swift" --swift-sources --headers --modulemap \
      --module-name TempIdCoreFFI --modulemap-filename module.modulemap \
      --config uniffi.toml "$lib" "$out" ;;
esac
find "$out" -type f | sort
