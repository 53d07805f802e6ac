#!/usr/bin/env bash
# Builds TempIdCoreFFI.xcframework (device + simulator slices) and the generated Swift for the
# TempIdCore package. macOS with Xcode only.
#
#   ios/build-xcframework.sh            release build, no sandbox
#   ios/build-xcframework.sh --debug    debug build with the `sandbox` face check (simulator tests)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ios="$root/ios"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

profile=release; cargo_profile=(--release); features=()
if [ "${1:-}" = "--debug" ]; then profile=debug; cargo_profile=(); features=(--features sandbox); fi

rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios >/dev/null
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build -p tempid-ffi --lib --target "$t" "${cargo_profile[@]}" "${features[@]}"
done

# Swift sources, headers and one modulemap (clang module TempIdCoreFFI), generated from the host
# build with the same features (library mode; the metadata is the same on every target).
gen="$target/uniffi/swift"
scripts/gen-bindings.sh swift ${features[@]+"${features[@]}"} --out "$gen"

# Simulator: one fat library for arm64 + x86_64.
sim="$target/ios-sim/$profile"
mkdir -p "$sim"
lipo -create \
  "$target/aarch64-apple-ios-sim/$profile/libtempid_ffi.a" \
  "$target/x86_64-apple-ios/$profile/libtempid_ffi.a" \
  -output "$sim/libtempid_ffi.a"

headers="$target/ios-headers"
rm -rf "$headers"; mkdir -p "$headers"
cp "$gen"/*.h "$gen/module.modulemap" "$headers/"

rm -rf "$ios/TempIdCoreFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target/aarch64-apple-ios/$profile/libtempid_ffi.a" -headers "$headers" \
  -library "$sim/libtempid_ffi.a" -headers "$headers" \
  -output "$ios/TempIdCoreFFI.xcframework"

rm -rf "$ios/Sources/TempIdCore/Generated"
mkdir -p "$ios/Sources/TempIdCore/Generated"
cp "$gen"/*.swift "$ios/Sources/TempIdCore/Generated/"
echo "ios: TempIdCoreFFI.xcframework and Sources/TempIdCore/Generated are ready ($profile)"
