// The Android library module: the generated Kotlin (Android flavour, made at build time from the
// very library it packages, never committed) + the thin idiomatic layer in src/main/kotlin +
// libtempid_ffi.so for each ABI (cargo-ndk). The JVM tests (../jvm-tests) compile the same
// src/main/kotlin against the JVM-flavour bindings.
//
// Needs: the Android NDK, `cargo install cargo-ndk`, `rustup target add aarch64-linux-android
// armv7-linux-androideabi x86_64-linux-android`.
// Debug builds enable the `sandbox` face check; release builds never do.

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.tempid.core"
    compileSdk = 35
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    sourceSets {
        getByName("debug") {
            java.srcDir(layout.buildDirectory.dir("generated/uniffi/debug/kotlin"))
            jniLibs.srcDir(layout.buildDirectory.dir("generated/uniffi/debug/jniLibs"))
        }
        getByName("release") {
            java.srcDir(layout.buildDirectory.dir("generated/uniffi/release/kotlin"))
            jniLibs.srcDir(layout.buildDirectory.dir("generated/uniffi/release/jniLibs"))
        }
    }
}

dependencies {
    // The generated Kotlin calls the library through JNA (the AAR carries libjnidispatch.so).
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
    implementation("androidx.annotation:annotation:1.9.1")
}

val repoRoot: File = rootProject.projectDir.parentFile
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

// One pair of tasks per build type: cargo-ndk builds the .so files, gen-bindings.sh generates
// the Android-flavour Kotlin from the host build with the same features (library mode reads the
// uniffi metadata, identical on every target).
for ((buildType, features) in listOf("debug" to "sandbox", "release" to "")) {
    val cap = buildType.replaceFirstChar { it.uppercase() }
    val outDir = layout.buildDirectory.dir("generated/uniffi/$buildType")

    val cargoNdk = tasks.register<Exec>("cargoNdk$cap") {
        workingDir = repoRoot
        val args = mutableListOf("cargo", "ndk", "--platform", "26", "-o", outDir.get().dir("jniLibs").asFile.path)
        abis.forEach { args += listOf("-t", it) }
        args += listOf("build", "-p", "tempid-ffi", "--lib")
        if (buildType == "release") args += "--release"
        if (features.isNotEmpty()) args += listOf("--features", features)
        commandLine(args)
    }
    val bindings = tasks.register<Exec>("uniffiBindings$cap") {
        workingDir = repoRoot
        val args = mutableListOf(
            "scripts/gen-bindings.sh", "android", "--out", outDir.get().dir("kotlin").asFile.path,
        )
        if (features.isNotEmpty()) args += listOf("--features", features)
        commandLine(args)
    }
    tasks.matching { it.name == "pre${cap}Build" }.configureEach { dependsOn(cargoNdk, bindings) }
}
