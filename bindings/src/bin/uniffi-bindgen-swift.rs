//! The in-repo `uniffi-bindgen-swift`: Swift sources, headers and one XCFramework modulemap
//! (`TempIdCoreFFI`) for every crate in the library. Run through `scripts/gen-bindings.sh`.

fn main() {
    uniffi::uniffi_bindgen_swift()
}
