//! `tempid-ffi`: the uniffi surface over `tempid-core` for the Kotlin and Swift shells.
//!
//! - [`TempIdClient`] (the one object an app holds), its async methods and
//!   [`TempIdClient::observe`] with a cancellable [`TaskHandle`];
//! - the platform capabilities a shell implements as foreign traits ([`LivenessVerifier`],
//!   [`LocationProvider`], and optionally [`SecureStore`] and [`DeviceKeyStore`]/[`DeviceSigner`]);
//! - the public errors [`TempIdError`] (Kotlin `TempIdException`) and [`PlatformError`];
//! - QR pictures ([`qr_png`], [`qr_svg`]);
//! - with the `sandbox` feature, the sandbox face check ([`SandboxLiveness`]).
//!
//! No rule lives here: every decision is `tempid-core`'s. The plain data (`PassState`,
//! `ClientConfig`, `QuotaInfo`, …) is the core's own types, which derive their uniffi traits
//! behind the core's `uniffi` feature; they are generated into their own namespace
//! (`tempid_core`, Kotlin package `org.tempid.core.model`; see bindings/README.md).

mod capabilities;
mod client;
mod error;
mod qr;
#[cfg(feature = "sandbox")]
mod sandbox;

pub use capabilities::{
    DeviceKeyStore, DeviceSigner, LivenessVerifier, LocationProvider, SecureStore,
};
pub use client::{PassStateListener, TaskHandle, TempIdClient};
pub use error::{PlatformError, TempIdError};
pub use qr::{qr_png, qr_svg};
#[cfg(feature = "sandbox")]
pub use sandbox::{SandboxFace, SandboxIdentity, SandboxLiveness, sandbox_identities};

uniffi::setup_scaffolding!();
