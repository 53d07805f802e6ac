//! The identity authority the face check goes through. The real one belongs to the national
//! identity authority; [`SandboxAuthority`] is the sandbox stand-in built on `tempid-sandbox`.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use tempid_protocol::IdNumber;
use tempid_sandbox::{EvidenceError, LivenessOutcome, SandboxIdentity, verify_evidence};

/// A boxed future, so the trait can be used as `Arc<dyn IdentityAuthority>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the issuer asks the authority: is this the live face of this person, answering this
/// challenge?
#[derive(Clone, Copy)]
pub struct FaceCheckClaim<'a> {
    /// The claimed ID number.
    pub id_number: &'a IdNumber,
    /// The claimed name (validated, trimmed).
    pub name: &'a str,
    /// The challenge the issuer handed out.
    pub challenge: &'a str,
    /// The liveness SDK's evidence, as the app sent it.
    pub evidence: &'a str,
}

impl std::fmt::Debug for FaceCheckClaim<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceCheckClaim")
            .field("id_number", self.id_number)
            .finish_non_exhaustive()
    }
}

/// Why the authority refused a face check. Each maps to its own error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityRefusal {
    /// The face is not this person's, or the ID number and name do not belong together, or the
    /// person is unknown (`identity_mismatch`).
    #[error("the face, ID number and name do not belong together")]
    IdentityMismatch,
    /// The liveness check failed: spoof, no face (`face_check_failed`).
    #[error("the liveness check failed")]
    FaceCheckFailed,
    /// The evidence answers another challenge: it was captured for an earlier check
    /// (`challenge_replayed`).
    #[error("the evidence answers another challenge")]
    ChallengeReplayed,
    /// The evidence is not genuine: format, signature or version (`bad_evidence`).
    #[error("the evidence is not genuine")]
    BadEvidence,
    /// The authority could not be asked (`internal`); the check may be retried.
    #[error("the identity authority is unavailable: {0}")]
    Unavailable(String),
}

/// The identity authority: decides whether evidence shows the live face of the claimed person.
pub trait IdentityAuthority: Send + Sync + 'static {
    /// Checks one face check's evidence against the claim.
    fn check<'a>(
        &'a self,
        claim: FaceCheckClaim<'a>,
    ) -> BoxFuture<'a, Result<(), AuthorityRefusal>>;
}

/// The sandbox authority: a registry of sandbox test identities, evidence from the sandbox
/// liveness component. Proves nothing about real people.
#[derive(Debug, Clone)]
pub struct SandboxAuthority {
    names: HashMap<String, String>,
}

impl Default for SandboxAuthority {
    fn default() -> Self {
        Self::new(tempid_sandbox::default_identities())
    }
}

/// Why a sandbox identity file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SandboxRegistryError {
    /// The file cannot be read.
    #[error("cannot read the sandbox identity file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a JSON array of identities.
    #[error(transparent)]
    Json(#[from] tempid_sandbox::RegistryError),
}

impl SandboxAuthority {
    /// An authority knowing these identities (ID numbers are normalised; invalid ones ignored).
    pub fn new(identities: impl IntoIterator<Item = SandboxIdentity>) -> Self {
        let names = identities
            .into_iter()
            .map(|identity| {
                let key = identity.id_number.trim().to_ascii_uppercase();
                (key, identity.name.trim().to_string())
            })
            .collect();
        Self { names }
    }

    /// Loads the registry from a JSON file (an array of `{id_number, name}`).
    pub fn from_file(path: &Path) -> Result<Self, SandboxRegistryError> {
        let json = std::fs::read_to_string(path).map_err(|source| SandboxRegistryError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self::new(tempid_sandbox::identities_from_json(&json)?))
    }

    /// How many identities the registry holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn decide(&self, claim: FaceCheckClaim<'_>) -> Result<(), AuthorityRefusal> {
        let payload = verify_evidence(claim.evidence, claim.challenge).map_err(|e| match e {
            EvidenceError::ChallengeMismatch => AuthorityRefusal::ChallengeReplayed,
            EvidenceError::Format | EvidenceError::Signature | EvidenceError::Version(_) => {
                AuthorityRefusal::BadEvidence
            }
        })?;
        if payload.outcome != LivenessOutcome::Live {
            return Err(AuthorityRefusal::FaceCheckFailed);
        }
        let id = claim.id_number.as_str();
        match self.names.get(id) {
            Some(name) if name == claim.name => {}
            _ => return Err(AuthorityRefusal::IdentityMismatch),
        }
        if !payload.face_of.trim().eq_ignore_ascii_case(id) {
            return Err(AuthorityRefusal::IdentityMismatch);
        }
        Ok(())
    }
}

impl IdentityAuthority for SandboxAuthority {
    fn check<'a>(
        &'a self,
        claim: FaceCheckClaim<'a>,
    ) -> BoxFuture<'a, Result<(), AuthorityRefusal>> {
        Box::pin(std::future::ready(self.decide(claim)))
    }
}
