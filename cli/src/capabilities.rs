//! The platform capabilities a terminal can offer the core. There is no face SDK in a terminal:
//! the face check runs through the **sandbox** liveness component only when asked for
//! (`--sandbox-face <ID number>`, or the demo), and is refused otherwise so the core reports
//! that the phone app is needed. There is no location service either: the city is given.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tempid_core::{
    FaceCheckRefusal, FaceCheckRequest, LivenessVerifier, LocationOutcome, LocationProvider,
};
use tempid_sandbox::{LivenessOutcome, SandboxLiveness};

/// Where the sandbox camera's face comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceOf {
    /// The person the app asks about (the demo: the sandbox identity is the passenger).
    Applicant,
    /// This sandbox identity's face, whoever the app asks about (the issuer refuses a mismatch).
    IdNumber(String),
}

/// The terminal's "face SDK": the sandbox liveness component, or nothing.
pub struct TerminalFace {
    sandbox: Option<(SandboxLiveness, FaceOf)>,
    /// The capture time, Unix seconds (the demo's virtual clock, or the system clock).
    now_seconds: Arc<dyn Fn() -> i64 + Send + Sync>,
    refused: AtomicBool,
    checks: AtomicU64,
}

impl TerminalFace {
    /// The sandbox liveness component, capturing `face_of`.
    pub fn sandbox(face_of: FaceOf, now_seconds: Arc<dyn Fn() -> i64 + Send + Sync>) -> Self {
        Self {
            sandbox: Some((SandboxLiveness::new(), face_of)),
            now_seconds,
            refused: AtomicBool::new(false),
            checks: AtomicU64::new(0),
        }
    }

    /// No face SDK: every face check is refused (the phone app is needed).
    pub fn unavailable() -> Self {
        Self {
            sandbox: None,
            now_seconds: Arc::new(system_seconds),
            refused: AtomicBool::new(false),
            checks: AtomicU64::new(0),
        }
    }

    /// Whether a face check was asked for and refused because there is no face SDK.
    pub fn was_refused(&self) -> bool {
        self.refused.load(Ordering::SeqCst)
    }

    /// How many sandbox face checks ran.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::SeqCst)
    }
}

/// The system clock, Unix seconds.
pub fn system_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl LivenessVerifier for TerminalFace {
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, FaceCheckRefusal> {
        let Some((sdk, face_of)) = &self.sandbox else {
            self.refused.store(true, Ordering::SeqCst);
            return Err(FaceCheckRefusal::CameraUnavailable);
        };
        self.checks.fetch_add(1, Ordering::SeqCst);
        let face = match face_of {
            FaceOf::Applicant => request.id_number.as_str(),
            FaceOf::IdNumber(id_number) => id_number.as_str(),
        };
        Ok(sdk.capture(
            &request.challenge,
            face,
            LivenessOutcome::Live,
            (self.now_seconds)(),
        ))
    }
}

/// The city, as the person gave it (`--city`) or the demo's.
pub struct GivenCity(pub Option<String>);

impl LocationProvider for GivenCity {
    fn current_city(&self) -> LocationOutcome {
        match &self.0 {
            Some(name) => LocationOutcome::City { name: name.clone() },
            None => LocationOutcome::Unavailable {
                reason: "a terminal has no location service: pass --city".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_core::FaceCheckKind;

    fn request() -> FaceCheckRequest {
        FaceCheckRequest {
            face_check_id: "f".into(),
            challenge: "c".into(),
            expires_at: 0,
            kind: FaceCheckKind::Apply,
            id_number: "11010519491231002X".into(),
            name: "张三丰".into(),
        }
    }

    #[test]
    fn without_the_sandbox_the_face_check_is_refused() {
        let face = TerminalFace::unavailable();
        assert_eq!(
            face.check_face(request()),
            Err(FaceCheckRefusal::CameraUnavailable)
        );
        assert!(face.was_refused());
    }

    #[test]
    fn the_sandbox_captures_the_named_face() {
        let face = TerminalFace::sandbox(
            FaceOf::IdNumber("440304198511123011".into()),
            Arc::new(|| 1_000_i64),
        );
        let evidence = face.check_face(request()).expect("evidence");
        let payload = tempid_sandbox::verify_evidence(&evidence, "c").expect("genuine");
        assert_eq!(payload.face_of, "440304198511123011");
        assert_eq!(payload.captured_at, 1_000);
        assert_eq!(face.checks(), 1);
        assert!(!face.was_refused());
    }
}
