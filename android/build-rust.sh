#!/usr/bin/env bash
# Builds the Rust core for Android and generates its Kotlin binding, into the :tempid module.
#
#   android/build-rust.sh            both build types
#   android/build-rust.sh debug      only debug   (with the sandbox face check)
#   android/build-rust.sh release    only release (no sandbox in it)
#
# Needs: rustup targets aarch64-linux-android armv7-linux-androideabi x86_64-linux-android,
# cargo-ndk (cargo install cargo-ndk), and an NDK (ANDROID_NDK_HOME, or the SDK's ndk/ folder).
#
# Output (not committed; see android/.gitignore):
#   tempid/src/<type>/jniLibs/<abi>/libtempid_ffi.so   arm64-v8a, armeabi-v7a, x86_64
#   tempid/generated/<type>/kotlin/org/tempid/core/*.kt  uniffi Kotlin, android = true
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
MODULE="$HERE/tempid"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
MIN_SDK="${MIN_SDK:-26}"
TYPES=("${@:-debug release}")
# shellcheck disable=SC2206
TYPES=(${TYPES[*]})

# 16 KB page size (required for new apps on Android 15+ devices with 16 KB pages): align the
# LOAD segments of every ABI's library. Per-target variables so host builds stay untouched.
# The phone library's size flags, as scripts/size-budget.sh measures them: no unwind tables
# (panic = "abort": nothing unwinds) and packed relocations (lld's Android packing, read by the
# loader since API 23; the host budget uses DT_RELR, the same idea).
PAGE="-C link-arg=-Wl,-z,max-page-size=16384 -C force-unwind-tables=no -C link-arg=-Wl,--pack-dyn-relocs=android"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="${CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS:-} $PAGE"
export CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS="${CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS:-} $PAGE"
export CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS="${CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS:-} $PAGE"

command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 1; }

# The phone bindgen config is the repository's uniffi.toml: android = true (Android's cleaner
# and annotations; not loadable on a desktop JVM, whose tests use bindings/uniffi-jvm.toml),
# omit_checksums (mozilla/uniffi-rs#2740), Kotlin packages org.tempid.core(.model|.protocol).
CONFIG="$ROOT/uniffi.toml"

cd "$ROOT"
cargo build -q -p tempid-ffi --features bindgen --bin uniffi-bindgen

for type in "${TYPES[@]}"; do
  case "$type" in
    debug) features=(--features sandbox) ;;
    release) features=() ;;
    *) echo "unknown build type: $type (debug | release)" >&2; exit 2 ;;
  esac
  echo "== $type: libtempid_ffi.so for arm64-v8a, armeabi-v7a, x86_64"
  out="$MODULE/src/$type/jniLibs"
  rm -rf "$out"
  # Release profile for both (size-tuned, stripped); debug differs only by the sandbox feature.
  cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 --platform "$MIN_SDK" -o "$out" \
    build --release -p tempid-ffi --lib "${features[@]}"

  echo "== $type: Kotlin binding"
  # Generated from an unstripped host build with the same features (bindgen reads metadata
  # symbols that `strip = true` removes); the interface is identical on every target.
  cargo build -q -p tempid-ffi --lib "${features[@]}"
  kotlin="$MODULE/generated/$type/kotlin"
  rm -rf "$kotlin"
  "$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --language kotlin --no-format \
    --config "$CONFIG" --out-dir "$kotlin" "$CARGO_TARGET_DIR/debug/libtempid_ffi.so"
done

echo "done: open android/ in Android Studio, or ./gradlew :app:assembleDebug"
