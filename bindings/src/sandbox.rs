//! The **sandbox** face check, for the JVM tests and debug builds of the shells (feature
//! `sandbox`; release phone builds never enable it). [`SandboxLiveness`] stands in for the phone's
//! face SDK: it signs evidence that a sandbox identity's face was in front of the camera, which
//! only the issuer's sandbox authority accepts. Nothing it signs proves anything about a real
//! person.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tempid_core::FaceCheckRequest;
use tempid_sandbox::LivenessOutcome;

/// What the sandbox camera sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SandboxFace {
    /// A live face.
    Live,
    /// A photo, screen or mask: the liveness check fails.
    Spoof,
    /// No usable face in the frame.
    NoFace,
}

impl From<SandboxFace> for LivenessOutcome {
    fn from(face: SandboxFace) -> Self {
        match face {
            SandboxFace::Live => Self::Live,
            SandboxFace::Spoof => Self::Spoof,
            SandboxFace::NoFace => Self::NoFace,
        }
    }
}

/// A test identity the sandbox authority knows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SandboxIdentity {
    /// The 18-character ID number.
    pub id_number: String,
    /// The name registered for it.
    pub name: String,
    /// What the identity is for in tests.
    pub note: String,
}

/// The built-in sandbox identities (valid ID numbers, minors included).
#[uniffi::export]
pub fn sandbox_identities() -> Vec<SandboxIdentity> {
    tempid_sandbox::default_identities()
        .into_iter()
        .map(|i| SandboxIdentity {
            id_number: i.id_number,
            name: i.name,
            note: i.note,
        })
        .collect()
}

/// The sandbox liveness component: what a face SDK does, reduced to "whose face, and is it live".
#[derive(uniffi::Object)]
pub struct SandboxLiveness(tempid_sandbox::SandboxLiveness);

#[uniffi::export]
impl SandboxLiveness {
    /// The component with the public sandbox key.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self(tempid_sandbox::SandboxLiveness::new()))
    }

    /// Evidence that the face of `face_of` (a sandbox ID number) was seen as `face`, answering
    /// `challenge`, captured at `captured_at` (Unix seconds).
    pub fn capture(
        &self,
        challenge: String,
        face_of: String,
        face: SandboxFace,
        captured_at: i64,
    ) -> String {
        self.0
            .capture(&challenge, &face_of, face.into(), captured_at)
    }

    /// Evidence for `request`: the live face of the request's own person, captured now.
    pub fn live_evidence(&self, request: FaceCheckRequest) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.0.capture(
            &request.challenge,
            &request.id_number,
            LivenessOutcome::Live,
            now,
        )
    }
}
