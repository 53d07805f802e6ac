//! The in-repo `uniffi-bindgen` (Kotlin, Swift, Python), pinned to the workspace's uniffi so the
//! generated code always matches the scaffolding. Run through `scripts/gen-bindings.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
