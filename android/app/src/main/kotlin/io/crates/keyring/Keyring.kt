package io.crates.keyring

import android.content.Context

/**
 * The JNI entry point of `android-native-keyring-store`, which is linked into libtempid_ffi.so:
 * the core's default secure store (SharedPreferences encrypted with an Android Keystore key)
 * needs the application context once, before the first [org.tempid.core.TempIdClient] is made.
 * The package and names are fixed by the crate's `Java_io_crates_keyring_Keyring_00024Companion_…`
 * symbol.
 */
class Keyring {
    companion object {
        init {
            System.loadLibrary("tempid_ffi")
        }

        /** Hands the application context to the Rust side (idempotent). */
        external fun initializeNdkContext(context: Context)
    }
}
