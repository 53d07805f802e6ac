//! End-to-end journeys of the whole system (issuer + core + gate verifier), headless, in
//! virtual time: the shared harness. A [`World`] runs the real issuer in-process on loopback
//! (a temporary SQLite file) on a [`TestClock`] that the phones share, each phone with its own
//! wall-clock error; the sandbox liveness component plays the face SDK; a [`CountingProxy`]
//! proves which steps send nothing.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tempid_core::{
    Capabilities, ClientConfig, Clock, FaceCheckRefusal, FaceCheckRequest, LivenessVerifier,
    Locale, LocationOutcome, LocationProvider, MemoryStore, PassState, PassStateListener,
    TaskHandle, TempIdClient, TestClock,
};
use tempid_issuer::{IssuerConfig, RunningIssuer};
use tempid_protocol::{Policy, TrustList, Verdict};
use tempid_sandbox::{LivenessOutcome, SandboxIdentity, SandboxLiveness};
use time::OffsetDateTime;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The app version the phones report.
pub const APP_VERSION: &str = "1.4.0";

/// A sandbox identity by name (panics in tests if the default set lacks it).
pub fn identity(name: &str) -> SandboxIdentity {
    tempid_sandbox::default_identities()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no sandbox identity named {name}"))
}

/// Unix milliseconds of a date-time.
pub fn unix_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The issuer, its clock and its data.
pub struct World {
    /// The true time: the issuer's and the gates' clock.
    pub clock: TestClock,
    /// The issuer's URL.
    pub issuer_url: String,
    issuer: Option<RunningIssuer>,
    _data: tempfile::TempDir,
}

impl World {
    /// Starts the issuer (temporary SQLite file and key directory) with its clock at `start`.
    pub async fn start(start: OffsetDateTime) -> Self {
        // reqwest is built with `rustls-no-provider` (through tempid-core): a client made before
        // the core's first one needs the process-wide provider.
        let _ = rustls::crypto::CryptoProvider::install_default(
            rustls::crypto::ring::default_provider(),
        );
        let clock = TestClock::new(unix_ms(start));
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let database = format!("sqlite://{}", data.path().join("issuer.db").display());
        let issuer_clock = clock.clone();
        let config = IssuerConfig::new(database, data.path().join("keys")).with_clock(move || {
            OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(issuer_clock.true_wall_ms()) * 1_000_000,
            )
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        });
        let issuer = tempid_issuer::spawn(config, "127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("issuer: {e}"));
        let issuer_url = issuer.url();
        Self {
            clock,
            issuer_url,
            issuer: Some(issuer),
            _data: data,
        }
    }

    /// The issuer's address.
    pub fn issuer_addr(&self) -> Option<SocketAddr> {
        self.issuer.as_ref().map(|i| i.addr)
    }

    /// Stops the issuer: every later request fails to connect.
    pub async fn shut_down_issuer(&mut self) {
        if let Some(issuer) = self.issuer.take() {
            issuer.shutdown().await;
        }
    }

    /// Lets `by` pass for everyone.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The true time, Unix seconds.
    pub fn now_seconds(&self) -> i64 {
        self.clock.true_wall_ms().div_euclid(1_000)
    }

    /// The issuer's trust list, as a gate loads it.
    pub async fn trust_list(&self) -> TrustList {
        // The issuer asks every `/v1` caller for an app version, gates included.
        let body = reqwest::Client::new()
            .get(format!("{}/v1/trust-list", self.issuer_url))
            .header(tempid_protocol::api::APP_VERSION_HEADER, APP_VERSION)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|e| panic!("trust list: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("trust list body: {e}"));
        TrustList::from_json(&body).unwrap_or_else(|e| panic!("trust list json: {e}"))
    }

    /// A gate's verdict on `frame_text` now (true time, default policy).
    pub fn gate(&self, trust: &TrustList, frame_text: &str) -> Verdict {
        tempid_protocol::verify(frame_text, trust, self.now_seconds(), &Policy::default())
    }

    /// A phone: a new app on `store` whose wall clock is `wall_error_ms` off, talking to
    /// `issuer_url` (the issuer's, or a proxy's).
    pub fn phone(&self, store: &MemoryStore, wall_error_ms: i64, issuer_url: &str) -> Phone {
        let clock = self.clock.with_wall_offset(wall_error_ms);
        let face = Arc::new(SandboxFace::new(clock.clone()));
        let location = Arc::new(FixedLocation::new(LocationOutcome::City {
            name: "北京".into(),
        }));
        let capabilities = Capabilities::new(face.clone(), location.clone())
            .with_secure_store(Arc::new(store.clone()))
            .with_clock(Arc::new(clock.clone()));
        let config = ClientConfig {
            issuer_url: issuer_url.to_string(),
            app_version: APP_VERSION.into(),
            storage_namespace: "org.tempid.app".into(),
            locale: Locale::En,
        };
        let client =
            TempIdClient::new(config, capabilities).unwrap_or_else(|e| panic!("client: {e}"));
        Phone {
            client,
            face,
            location,
            clock,
            store: store.clone(),
        }
    }
}

/// One phone running the app.
pub struct Phone {
    /// The app's core.
    pub client: TempIdClient,
    /// Its face SDK.
    pub face: Arc<SandboxFace>,
    /// Its location service.
    pub location: Arc<FixedLocation>,
    /// Its clock (shared time, own wall-clock error).
    pub clock: TestClock,
    /// Its secure store.
    pub store: MemoryStore,
}

impl Phone {
    /// Registers `username` (password "correct horse") and logs in; panics on failure.
    pub async fn register(&self, username: &str) {
        self.client
            .register(username.into(), "correct horse".into())
            .await
            .unwrap_or_else(|e| panic!("register {username}: {} ({})", e.code(), e));
    }

    /// Continues as a guest; panics on failure.
    pub async fn guest(&self) {
        self.client
            .continue_as_guest()
            .await
            .unwrap_or_else(|e| panic!("guest: {} ({})", e.code(), e));
    }

    /// Opens the pass, which must ask for a face check on a new device key, and passes it;
    /// panics otherwise.
    pub async fn reopen_on_a_new_key(&self) {
        self.client
            .open_pass()
            .unwrap_or_else(|e| panic!("open: {e}"));
        let state = self.client.state();
        assert!(
            matches!(
                state,
                PassState::ReverificationRequired {
                    new_device: true,
                    ..
                }
            ),
            "opened: {}",
            describe(&state)
        );
        self.client
            .reverify()
            .await
            .unwrap_or_else(|e| panic!("reverify: {e}"));
    }

    /// Consents, locates and applies as `who`; panics on failure.
    pub async fn apply_as(&self, who: &SandboxIdentity) {
        self.client.give_consent(true, true);
        self.client
            .apply(tempid_core::ApplicationForm {
                id_number: who.id_number.clone(),
                name: who.name.clone(),
            })
            .await
            .unwrap_or_else(|e| panic!("apply as {}: {} ({})", who.note, e.code(), e));
    }

    /// The shown frame's text and slot; panics unless the pass is shown.
    pub fn showing(&self) -> (String, i64) {
        match self.client.state() {
            PassState::Showing {
                frame_text, slot, ..
            } => (frame_text, slot),
            other => panic!("expected the pass to be shown, got {}", describe(&other)),
        }
    }
}

/// A short description of a state (no frame text).
pub fn describe(state: &PassState) -> String {
    match state {
        PassState::Showing {
            slot,
            seconds_to_refresh,
            seconds_to_reverify,
            ..
        } => {
            format!(
                "Showing{{slot {slot}, refresh in {seconds_to_refresh}s, reverify in {seconds_to_reverify}s}}"
            )
        }
        other => format!("{other:?}"),
    }
}

/// The sandbox liveness component as the phone's face SDK: captures the face of the person the
/// app asks about (or of someone else, or a spoof), answering the issuer's challenge.
pub struct SandboxFace {
    sdk: SandboxLiveness,
    clock: TestClock,
    outcome: Mutex<LivenessOutcome>,
    face_of: Mutex<Option<String>>,
    checks: AtomicU64,
}

impl SandboxFace {
    fn new(clock: TestClock) -> Self {
        Self {
            sdk: SandboxLiveness::new(),
            clock,
            outcome: Mutex::new(LivenessOutcome::Live),
            face_of: Mutex::new(None),
            checks: AtomicU64::new(0),
        }
    }

    /// How many face checks ran.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::SeqCst)
    }

    /// What the camera sees next.
    pub fn set_outcome(&self, outcome: LivenessOutcome) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
    }

    /// Puts someone else's face (an ID number) in front of the camera.
    pub fn set_face_of(&self, id_number: Option<String>) {
        *self.face_of.lock().unwrap_or_else(PoisonError::into_inner) = id_number;
    }
}

impl LivenessVerifier for SandboxFace {
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, FaceCheckRefusal> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        let outcome = *self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        let face_of = self
            .face_of
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or(request.id_number);
        let captured_at = self.clock.wall_ms().div_euclid(1_000);
        Ok(self
            .sdk
            .capture(&request.challenge, &face_of, outcome, captured_at))
    }
}

/// A location service with a settable answer.
pub struct FixedLocation {
    outcome: Mutex<LocationOutcome>,
}

impl FixedLocation {
    fn new(outcome: LocationOutcome) -> Self {
        Self {
            outcome: Mutex::new(outcome),
        }
    }

    /// The next answer.
    pub fn set(&self, outcome: LocationOutcome) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
    }
}

impl LocationProvider for FixedLocation {
    fn current_city(&self) -> LocationOutcome {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Records every pushed state.
#[derive(Default)]
pub struct Recorder {
    states: Mutex<Vec<PassState>>,
    changed: Notify,
}

impl PassStateListener for Recorder {
    fn on_state(&self, state: PassState) {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(state);
        self.changed.notify_waiters();
    }
}

impl Recorder {
    /// Observes `client` with a new recorder.
    pub fn observe(client: &TempIdClient) -> (Arc<Self>, TaskHandle) {
        let recorder = Arc::new(Self::default());
        let handle = client
            .observe(recorder.clone())
            .unwrap_or_else(|e| panic!("observe: {e}"));
        (recorder, handle)
    }

    /// Every state received so far.
    pub fn states(&self) -> Vec<PassState> {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits (real time, at most 5 s) until a pushed state satisfies `predicate`; returns it.
    pub async fn wait_for(&self, what: &str, predicate: impl Fn(&PassState) -> bool) -> PassState {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let notified = self.changed.notified();
            if let Some(found) = self.states().into_iter().rev().find(|s| predicate(s)) {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> = self.states().iter().map(describe).collect();
                panic!("no pushed state was {what}; saw {seen:?}");
            }
        }
    }
}

/// A TCP proxy in front of the issuer that counts connections and request bytes: a step that
/// sends nothing leaves both at zero.
pub struct CountingProxy {
    /// The URL phones use instead of the issuer's.
    pub url: String,
    connections: Arc<AtomicU64>,
    bytes_up: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl CountingProxy {
    /// Listens on loopback and forwards to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("proxy bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("proxy addr: {e}"));
        let connections = Arc::new(AtomicU64::new(0));
        let bytes_up = Arc::new(AtomicU64::new(0));
        let (c, b) = (connections.clone(), bytes_up.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let b = b.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    if let Ok((up, _down)) =
                        tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await
                    {
                        b.fetch_add(up, Ordering::SeqCst);
                    }
                });
            }
        });
        Self {
            url: format!("http://{addr}"),
            connections,
            bytes_up,
            task,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    /// Bytes the phones sent through finished connections.
    pub fn bytes_up(&self) -> u64 {
        self.bytes_up.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
