//! The exported API, driven the way a foreign shell drives it: every async call is polled by a
//! plain executor with no tokio context (as a Kotlin coroutine or a Swift task polls it), against
//! a real issuer on loopback. Capabilities are Rust implementations of the foreign traits,
//! including ones that fail and panic: each must become a refusal, never a crash.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_executor::block_on;
use tempid_core::{
    ApplicationForm, CertificateState, ClientConfig, FaceCheckRequest, Locale, LocationOutcome,
    PassState, PassSummary,
};
use tempid_ffi::{
    LivenessVerifier, LocationProvider, PassStateListener, PlatformError, SandboxLiveness,
    SecureStore, TempIdClient, TempIdError, sandbox_identities,
};

/// An issuer on 127.0.0.1 with a temporary SQLite database, on its own runtime.
struct Issuer {
    runtime: tokio::runtime::Runtime,
    running: Option<tempid_issuer::RunningIssuer>,
    _dir: tempfile::TempDir,
}

impl Issuer {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db = format!("sqlite://{}", dir.path().join("issuer.db").display());
        let config = tempid_issuer::IssuerConfig::new(db, dir.path().join("keys"));
        let running = runtime
            .block_on(tempid_issuer::spawn(config, "127.0.0.1:0"))
            .unwrap();
        Self {
            runtime,
            running: Some(running),
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        self.running.as_ref().unwrap().url()
    }

    fn revoke(&self, cti: &str) {
        let issuer = self.running.as_ref().unwrap().issuer().clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        self.runtime
            .block_on(async move { issuer.store().revoke(cti, now).await.unwrap() });
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

/// The sandbox face SDK: the request's own person, live.
struct SandboxFace(Arc<SandboxLiveness>);

impl LivenessVerifier for SandboxFace {
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, PlatformError> {
        Ok(self.0.live_evidence(request))
    }
}

struct FailingFace(PlatformError);

impl LivenessVerifier for FailingFace {
    fn check_face(&self, _: FaceCheckRequest) -> Result<String, PlatformError> {
        Err(self.0.clone())
    }
}

struct PanickingFace;

impl LivenessVerifier for PanickingFace {
    fn check_face(&self, _: FaceCheckRequest) -> Result<String, PlatformError> {
        panic!("the face SDK crashed");
    }
}

struct City(&'static str);

impl LocationProvider for City {
    fn current_city(&self) -> Result<LocationOutcome, PlatformError> {
        Ok(LocationOutcome::City {
            name: self.0.to_string(),
        })
    }
}

struct FailingLocation(PlatformError);

impl LocationProvider for FailingLocation {
    fn current_city(&self) -> Result<LocationOutcome, PlatformError> {
        Err(self.0.clone())
    }
}

struct PanickingLocation;

impl LocationProvider for PanickingLocation {
    fn current_city(&self) -> Result<LocationOutcome, PlatformError> {
        panic!("the location service crashed");
    }
}

#[derive(Default)]
struct Memory(Mutex<HashMap<String, Vec<u8>>>);

impl SecureStore for Memory {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, PlatformError> {
        Ok(self.0.lock().unwrap().get(&key).cloned())
    }
    fn set(&self, key: String, value: Vec<u8>) -> Result<(), PlatformError> {
        self.0.lock().unwrap().insert(key, value);
        Ok(())
    }
    fn delete(&self, key: String) -> Result<(), PlatformError> {
        self.0.lock().unwrap().remove(&key);
        Ok(())
    }
}

struct LockedStore;

impl SecureStore for LockedStore {
    fn get(&self, _: String) -> Result<Option<Vec<u8>>, PlatformError> {
        Err(PlatformError::Unavailable {
            reason: "keychain locked".into(),
        })
    }
    fn set(&self, _: String, _: Vec<u8>) -> Result<(), PlatformError> {
        Err(PlatformError::Unavailable {
            reason: "keychain locked".into(),
        })
    }
    fn delete(&self, _: String) -> Result<(), PlatformError> {
        Err(PlatformError::Unavailable {
            reason: "keychain locked".into(),
        })
    }
}

/// Collects every state it is sent.
#[derive(Clone, Default)]
struct States(Arc<Mutex<Vec<PassState>>>);

impl PassStateListener for States {
    fn on_state(&self, state: PassState) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(state);
        Ok(())
    }
}

impl States {
    fn wait_for(&self, what: &str, test: impl Fn(&PassState) -> bool) -> PassState {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(found) = self.0.lock().unwrap().iter().rev().find(|s| test(s)) {
                return found.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no {what} state in {:?}",
                self.0.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn config(issuer: &Issuer) -> ClientConfig {
    ClientConfig {
        issuer_url: issuer.url(),
        app_version: "1.0.0".into(),
        storage_namespace: "tempid-ffi-test".into(),
        locale: Locale::En,
    }
}

fn client(
    issuer: &Issuer,
    liveness: Arc<dyn LivenessVerifier>,
    location: Arc<dyn LocationProvider>,
) -> Arc<TempIdClient> {
    TempIdClient::new(
        config(issuer),
        liveness,
        location,
        Some(Arc::new(Memory::default())),
        None,
    )
    .unwrap()
}

fn sandbox() -> Arc<dyn LivenessVerifier> {
    Arc::new(SandboxFace(SandboxLiveness::new()))
}

fn form(index: usize) -> ApplicationForm {
    let identity = &sandbox_identities()[index];
    ApplicationForm {
        id_number: identity.id_number.clone(),
        name: identity.name.clone(),
    }
}

/// Polls `future` on this plain thread: no tokio runtime is entered.
fn call<T>(future: impl Future<Output = T>) -> T {
    assert!(tokio::runtime::Handle::try_current().is_err());
    block_on(future)
}

#[test]
fn passenger_journey_through_the_exported_api() {
    let issuer = Issuer::start();
    let client = client(&issuer, sandbox(), Arc::new(City("北京")));
    let states = States::default();
    let handle = client.observe(Box::new(states.clone())).unwrap();
    states.wait_for("signed out", |s| matches!(s, PassState::SignedOut));

    call(client.register("13800000001".into(), "correct horse battery".into())).unwrap();
    assert_eq!(call(client.locate()).unwrap(), "北京");
    client.give_consent(true, true);
    call(client.apply(form(1))).unwrap();
    let showing = states.wait_for("showing", |s| matches!(s, PassState::Showing { .. }));
    let PassState::Showing { frame_text, qr, .. } = showing else {
        unreachable!()
    };
    assert!(frame_text.starts_with("TID1:"), "{frame_text}");
    assert!(
        tempid_ffi::qr_png(qr.clone(), 256)
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert!(tempid_ffi::qr_svg(qr).contains("<svg"));

    let refreshed = call(client.refresh()).unwrap();
    assert!(refreshed.synced);
    assert_eq!(call(client.quota()).unwrap().used, 1);
    assert_eq!(call(client.history()).unwrap().len(), 1);

    call(client.logout()).unwrap();
    states.wait_for("signed out after logout", |s| {
        matches!(s, PassState::SignedOut)
    });
    call(client.login("13800000001".into(), "correct horse battery".into())).unwrap();
    // The issuer still holds the certificate: home offers it, and opening the pass asks for a
    // face check on this phone's new key.
    states.wait_for("the current pass offered", |s| {
        matches!(
            s,
            PassState::Ready {
                current_pass: Some(PassSummary {
                    needs_face_check: true,
                    ..
                }),
                ..
            }
        )
    });
    client.open_pass().unwrap();
    states.wait_for("face check required", |s| {
        matches!(
            s,
            PassState::ReverificationRequired {
                new_device: true,
                ..
            }
        )
    });
    call(client.reverify()).unwrap();
    states.wait_for("showing again", |s| matches!(s, PassState::Showing { .. }));

    handle.cancel();
    std::thread::sleep(Duration::from_millis(100));
    assert!(handle.is_finished());
    let seen = states.0.lock().unwrap().len();
    client.close_pass();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        states.0.lock().unwrap().len(),
        seen,
        "no state after cancel"
    );
}

#[test]
fn invalid_id_number_is_refused_with_its_reason_before_any_request() {
    let issuer = Issuer::start();
    let client = client(&issuer, sandbox(), Arc::new(City("上海")));
    call(client.continue_as_guest()).unwrap();
    client.give_consent(true, true);
    let sent = client.requests_sent();
    let mut wrong = form(0);
    wrong.id_number.replace_range(
        17..,
        if wrong.id_number.ends_with('1') {
            "2"
        } else {
            "1"
        },
    );
    let error = call(client.apply(wrong)).unwrap_err();
    assert_eq!(error.code(), "invalid_id_number");
    assert!(
        matches!(&error, TempIdError::InvalidIdNumber { reason, .. } if reason == "wrong_check_character"),
        "{error:?}"
    );
    assert!(!error.summary().is_empty() && !error.hint().is_empty());
    assert_eq!(error.to_string(), error.summary());
    assert_eq!(
        client.requests_sent(),
        sent,
        "no request for an invalid ID number"
    );
}

#[test]
fn the_fourth_application_in_a_month_is_refused_with_the_reset_date() {
    let issuer = Issuer::start();
    let person = form(6);
    for attempt in 1..=4 {
        // A new phone each time (a guest with an empty store); the previous certificate is revoked
        // so the issuer accepts a new application before the re-apply window.
        let client = client(&issuer, sandbox(), Arc::new(City("成都")));
        call(client.continue_as_guest()).unwrap();
        client.give_consent(true, true);
        let outcome = call(client.apply(person.clone()));
        if attempt < 4 {
            outcome.unwrap();
            let PassState::Showing { .. } = client.state() else {
                panic!("attempt {attempt}: {:?}", client.state())
            };
            // The certificate just issued is the one valid entry (all were issued within the
            // same second, so "newest first" cannot tell them apart).
            let history = call(client.history()).unwrap();
            let current = history
                .iter()
                .find(|h| h.state == CertificateState::Valid)
                .unwrap();
            issuer.revoke(&current.certificate_id);
        } else {
            let error = outcome.unwrap_err();
            assert_eq!(error.code(), "quota_exhausted");
            let TempIdError::QuotaExhausted {
                resets_on, hint, ..
            } = &error
            else {
                panic!("{error:?}")
            };
            assert_eq!(resets_on.len(), 10, "{resets_on}");
            assert!(
                hint.contains(resets_on.as_str()) && hint.contains("station police window"),
                "{hint}"
            );
        }
    }
}

#[test]
fn failing_and_panicking_face_sdks_become_refusals() {
    let issuer = Issuer::start();
    let cases: Vec<(Arc<dyn LivenessVerifier>, &str)> = vec![
        (Arc::new(FailingFace(PlatformError::Cancelled)), "cancelled"),
        (
            Arc::new(FailingFace(PlatformError::PermissionDenied)),
            "camera_unavailable",
        ),
        (
            Arc::new(FailingFace(PlatformError::Failed {
                reason: "sdk exploded".into(),
            })),
            "sdk_failed",
        ),
        (Arc::new(PanickingFace), "sdk_failed"),
    ];
    for (liveness, reason) in cases {
        let client = client(&issuer, liveness, Arc::new(City("广州")));
        call(client.continue_as_guest()).unwrap();
        client.give_consent(true, true);
        let error = call(client.apply(form(2))).unwrap_err();
        assert!(
            matches!(&error, TempIdError::FaceCheckFailed { reason: r, .. } if r == reason),
            "{reason}: {error:?}"
        );
        // The library still works after the failure.
        assert!(
            matches!(client.state(), PassState::Ready { .. }),
            "{:?}",
            client.state()
        );
    }
}

#[test]
fn failing_and_panicking_location_services_become_refusals() {
    let issuer = Issuer::start();
    let cases: Vec<(Arc<dyn LocationProvider>, bool)> = vec![
        (
            Arc::new(FailingLocation(PlatformError::PermissionDenied)),
            true,
        ),
        (
            Arc::new(FailingLocation(PlatformError::Failed {
                reason: "no fix".into(),
            })),
            false,
        ),
        (Arc::new(PanickingLocation), false),
    ];
    for (location, denied) in cases {
        let client = client(&issuer, sandbox(), location);
        call(client.continue_as_guest()).unwrap();
        let error = call(client.locate()).unwrap_err();
        assert!(
            matches!(&error, TempIdError::LocationRequired { permission_denied, .. } if *permission_denied == denied),
            "{error:?}"
        );
        assert_eq!(error.code(), "location_required");
    }
}

#[test]
fn a_locked_secure_store_is_a_storage_error_not_a_crash() {
    let issuer = Issuer::start();
    let client = TempIdClient::new(
        config(&issuer),
        sandbox(),
        Arc::new(City("北京")),
        Some(Arc::new(LockedStore)),
        None,
    )
    .unwrap();
    let error = call(client.start()).unwrap_err();
    assert_eq!(error.code(), "storage", "{error:?}");
}

#[test]
fn an_unexpected_callback_error_keeps_only_its_first_line() {
    let error = PlatformError::from(uniffi::UnexpectedUniFFICallbackError::new(format!(
        "java.lang.IllegalStateException: boom\n\tat Foo.bar(Foo.kt:1)\n{}",
        "x".repeat(1000)
    )));
    let PlatformError::Failed { reason } = error else {
        panic!()
    };
    assert_eq!(
        reason,
        "callback threw: java.lang.IllegalStateException: boom"
    );
}
