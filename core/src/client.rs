//! [`TempIdClient`]: the one object a shell holds. Its async methods run the flows on the core's
//! runtime; [`TempIdClient::observe`] pushes every [`PassState`] change to the shell; a background
//! timer redraws the pass every second while it is shown (a new frame at every 60 s slot of
//! server-corrected time) and withdraws it after 30 minutes on the monotonic clock.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tempid_protocol::api::{AccountResponse, CHINA_STANDARD_TIME_OFFSET_SECONDS};
use tempid_protocol::api::{
    ApplicationHistory, ApplyRequest, CertificateResponse, CertificateStatus,
    CertificateStatusResponse, ErrorCode, FaceCheckChallenge, FaceCheckPurpose, FaceCheckResult,
    LoginRequest, Quota, RegisterRequest, ReverifyRequest, SessionResponse, StartFaceCheckRequest,
    SubmitEvidenceRequest,
};
use tempid_protocol::{Certificate, Frame, FrameSigner, IdNumber, validate_name};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::capabilities::{
    Capabilities, FaceCheckKind, FaceCheckRefusal, FaceCheckRequest, LivenessVerifier,
    LocationOutcome, LocationProvider,
};
use crate::clock::{Clock, SystemClock};
use crate::config::{ClientConfig, Locale};
use crate::device_key::{DeviceKeyStore, SecureStoreDeviceKeys, SignerBridge, SoftwareDeviceKey};
use crate::error::{Error, TempIdError};
use crate::http::IssuerHttp;
use crate::qr::QrMatrix;
use crate::runtime;
use crate::state::{
    Account, Activity, CityStatus, DrawnFrame, Flow, HistoryEntry, Now, Pass, PassState, QuotaInfo,
    Screen,
};
use crate::store::{
    CLOCK_ITEM, CachedClock, CachedPass, CachedSession, DEVICE_KEY_LABEL, PASS_ITEM, SESSION_ITEM,
    SecureStore, SessionCache, native_secure_store,
};
use crate::time_sync::{Reading, TimeSync};

/// What the person typed to apply.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ApplicationForm {
    /// The 18-character resident ID number.
    pub id_number: String,
    /// The name as printed on the ID card.
    pub name: String,
}

impl std::fmt::Debug for ApplicationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicationForm { .. }")
    }
}

/// What a manual refresh achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RefreshOutcome {
    /// True when the issuer answered (status and clock re-synced).
    pub synced: bool,
    /// When the app last heard from the issuer (Unix seconds), if ever.
    pub last_synced: Option<i64>,
}

/// Receives every [`PassState`]. Called from the core's runtime: return quickly (post to the UI
/// thread).
pub trait PassStateListener: Send + Sync {
    /// The new state.
    fn on_state(&self, state: PassState);
}

/// A running observation; dropping or cancelling it stops the updates.
pub struct TaskHandle {
    task: Mutex<Option<JoinHandle<()>>>,
}

impl TaskHandle {
    fn new(task: JoinHandle<()>) -> Self {
        Self {
            task: Mutex::new(Some(task)),
        }
    }

    /// Stops the updates. Idempotent.
    pub fn cancel(&self) {
        if let Some(task) = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }

    /// Whether the observation has stopped.
    pub fn is_finished(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The passenger app's client: one per app, `Send + Sync`, share it in an `Arc`.
pub struct TempIdClient {
    inner: Arc<Inner>,
    ticker: TaskHandle,
}

struct Inner {
    locale: Locale,
    clock: Arc<dyn Clock>,
    liveness: Arc<dyn LivenessVerifier>,
    location: Arc<dyn LocationProvider>,
    device_keys: Arc<dyn DeviceKeyStore>,
    cache: SessionCache,
    http: IssuerHttp,
    time: Arc<Mutex<TimeSync>>,
    flow: Mutex<Flow>,
    states: watch::Sender<PassState>,
    /// Nudges the timer when the flow changed.
    wake: Notify,
    /// One flow at a time (apply, re-verify, log in …).
    operation: tokio::sync::Mutex<()>,
    /// One write of the session cache at a time (persist against wipe).
    store_writes: tokio::sync::Mutex<()>,
}

impl TempIdClient {
    /// A client for `config` with the shell's `capabilities`. Starts the core's runtime if needed
    /// and the pass timer; nothing is read from the store until [`TempIdClient::start`].
    pub fn new(config: ClientConfig, capabilities: Capabilities) -> Result<Self, TempIdError> {
        let locale = config.locale;
        let public = |e: Error| e.to_public(locale, None);
        let clock = capabilities.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let store: Arc<dyn SecureStore> = match capabilities.secure_store {
            Some(store) => store,
            None => native_secure_store(&config.storage_namespace).map_err(|e| public(e.into()))?,
        };
        let device_keys = capabilities.device_keys.unwrap_or_else(|| {
            Arc::new(SecureStoreDeviceKeys::new(
                Arc::clone(&store),
                config.storage_namespace.clone(),
            ))
        });
        let time = Arc::new(Mutex::new(TimeSync::default()));
        let http = IssuerHttp::new(
            &config.issuer_url,
            &config.app_version,
            locale,
            Arc::clone(&clock),
            Arc::clone(&time),
        )
        .map_err(public)?;
        let (states, _) = watch::channel(PassState::SignedOut);
        let inner = Arc::new(Inner {
            locale,
            clock,
            liveness: capabilities.liveness,
            location: capabilities.location,
            device_keys,
            cache: SessionCache::new(store, &config.storage_namespace),
            http,
            time,
            flow: Mutex::new(Flow::default()),
            states,
            wake: Notify::new(),
            operation: tokio::sync::Mutex::new(()),
            store_writes: tokio::sync::Mutex::new(()),
        });
        let handle = runtime::handle().map_err(|e| public(Error::Internal(e)))?;
        let ticker = TaskHandle::new(handle.spawn(tick(Arc::downgrade(&inner))));
        Ok(Self { inner, ticker })
    }

    async fn run<T, F>(&self, operation: impl FnOnce(Arc<Inner>) -> F) -> Result<T, TempIdError>
    where
        F: std::future::Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let future = operation(Arc::clone(&inner));
        let outcome = runtime::run(future)
            .await
            .unwrap_or_else(|e| Err(Error::Internal(e)));
        outcome.map_err(|error| inner.fail(&error))
    }

    /// Restores the session cache: a registered user's pass is shown at once (no face check, no
    /// network); a guest's pass needs a face check on a new key. Then re-syncs in the background.
    pub async fn start(&self) -> Result<PassState, TempIdError> {
        self.run(|inner| async move { inner.start().await }).await
    }

    /// The current state.
    pub fn state(&self) -> PassState {
        self.inner.publish()
    }

    /// Sends the current state at once, then every change, until the handle is dropped or
    /// cancelled.
    pub fn observe(&self, listener: Arc<dyn PassStateListener>) -> Result<TaskHandle, TempIdError> {
        self.inner.publish();
        let mut receiver = self.inner.states.subscribe();
        let handle =
            runtime::handle().map_err(|e| Error::Internal(e).to_public(self.inner.locale, None))?;
        let task = handle.spawn(async move {
            let first = receiver.borrow_and_update().clone();
            listener.on_state(first);
            while receiver.changed().await.is_ok() {
                let state = receiver.borrow_and_update().clone();
                listener.on_state(state);
            }
        });
        Ok(TaskHandle::new(task))
    }

    /// Creates an account and logs in.
    pub async fn register(&self, username: String, password: String) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.register(username, password).await })
            .await
    }

    /// Logs in; a current certificate on the issuer is offered for reopening with a face check.
    pub async fn login(&self, username: String, password: String) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.login(username, password).await })
            .await
    }

    /// Continues without an account: nothing but the certificate outlives the app, and the pass
    /// needs a face check whenever it is reopened.
    pub async fn continue_as_guest(&self) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.continue_as_guest() })
            .await
    }

    /// Logs out: ends the session on the issuer (when reachable) and wipes the session, the
    /// certificate and the device key from this phone.
    pub async fn logout(&self) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.logout().await }).await
    }

    /// Wipes everything this app keeps (session, certificate, device key) without contacting the
    /// issuer.
    pub async fn clear_cache(&self) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.clear_cache().await })
            .await
    }

    /// Locates the city (also the "re-locate" action); returns its name.
    pub async fn locate(&self) -> Result<String, TempIdError> {
        self.run(|inner| async move { inner.locate().await }).await
    }

    /// Records the person's consent to the terms and the self-confirmation ("I am the holder of
    /// this ID number"); both are required before the face check of an application.
    pub fn give_consent(&self, consent: bool, self_confirmed: bool) {
        {
            let mut flow = self.inner.flow();
            flow.consent = consent;
            flow.self_confirmed = self_confirmed;
            if consent && self_confirmed {
                flow.awaiting_consent = false;
            }
        }
        self.inner.publish();
    }

    /// Applies for a certificate: checks the ID number and name here first (no request is sent
    /// for an invalid one), then consent, the city, the face check and the application. On
    /// success the pass is shown.
    pub async fn apply(&self, form: ApplicationForm) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.apply(form).await })
            .await
    }

    /// Opens the QR page. A registered user's pass shows at once; a guest's closed pass (or one
    /// whose key is gone) shows `ReverificationRequired`.
    pub fn open_pass(&self) -> Result<(), TempIdError> {
        let now = self.inner.now();
        let outcome = {
            let mut flow = self.inner.flow();
            flow.quota_exhausted = None;
            flow.awaiting_consent = false;
            match flow.pass.as_mut() {
                None => Err(Error::NoPass),
                Some(pass) => {
                    if !pass.page_open {
                        pass.page_open = true;
                        pass.window_start_ms = pass.window_start_ms.max(now.monotonic_ms);
                        pass.frame = None;
                    }
                    Ok(())
                }
            }
        };
        self.inner.publish();
        outcome.map_err(|e| self.inner.fail(&e))
    }

    /// Closes the QR page. A guest's device key is dropped: reopening needs a face check.
    pub fn close_pass(&self) {
        {
            let mut flow = self.inner.flow();
            flow.quota_exhausted = None;
            flow.awaiting_consent = false;
            let guest = flow.account == Account::Guest;
            if let Some(pass) = flow.pass.as_mut() {
                pass.page_open = false;
                pass.frame = None;
                if guest {
                    pass.signer = None;
                }
            }
        }
        self.inner.publish();
    }

    /// Leaves a notice (quota exhausted, the consent prompt, location denied or unavailable): the
    /// "back" or "OK" of those screens. The state returns to what was under the notice (the pass
    /// page if it is open, otherwise `Ready`); location is asked again on the next application.
    pub fn dismiss(&self) {
        {
            let mut flow = self.inner.flow();
            flow.quota_exhausted = None;
            flow.awaiting_consent = false;
            if matches!(flow.city, CityStatus::Denied | CityStatus::Unavailable(_)) {
                flow.city = CityStatus::Unknown;
            }
        }
        self.inner.publish();
    }

    /// The face check after 30 minutes, or to reopen a pass on a new device key (which the
    /// issuer then binds). Never uses up an application.
    pub async fn reverify(&self) -> Result<(), TempIdError> {
        self.run(|inner| async move { inner.reverify().await })
            .await
    }

    /// Redraws the pass at once and, when online, re-syncs the certificate's status and the
    /// clock. Offline, the pass is still redrawn and the outcome says so.
    pub async fn refresh(&self) -> Result<RefreshOutcome, TempIdError> {
        self.run(|inner| async move { inner.refresh().await }).await
    }

    /// The applications of the last month, newest first. A guest passes a face check for it.
    pub async fn history(&self) -> Result<Vec<HistoryEntry>, TempIdError> {
        self.run(|inner| async move { inner.history().await }).await
    }

    /// This month's quota. A guest without a recent face check passes one for it.
    pub async fn quota(&self) -> Result<QuotaInfo, TempIdError> {
        self.run(|inner| async move { inner.quota().await }).await
    }

    /// How many requests this client has sent to the issuer (diagnostics).
    pub fn requests_sent(&self) -> u64 {
        self.inner.http.requests_sent()
    }
}

impl Drop for TempIdClient {
    fn drop(&mut self) {
        self.ticker.cancel();
    }
}

/// The background timer: publishes the state whenever time may have changed it.
async fn tick(inner: Weak<Inner>) {
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        strong.publish();
        let deadline = {
            let now = strong.now();
            strong.flow().next_change_ms(now)
        };
        let sleep = deadline.map(|d| strong.clock.sleep_until(d));
        let woken = async {
            match sleep {
                Some(sleep) => sleep.await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = woken => {}
            () = strong.wake.notified() => {}
        }
        drop(strong);
    }
}

/// Runs blocking capability code (secure store, face SDK, location) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("a platform callback failed: {e}")))
}

fn decode_certificate(response: &CertificateResponse) -> Result<Certificate, Error> {
    let bytes = URL_SAFE_NO_PAD
        .decode(response.certificate.trim_end_matches('='))
        .map_err(|_| Error::BadResponse("certificate is not base64url".into()))?;
    Certificate::from_cbor(&bytes).map_err(|e| Error::BadResponse(e.to_string()))
}

fn encode_certificate(certificate: &Certificate) -> String {
    URL_SAFE_NO_PAD.encode(certificate.to_cbor())
}

impl Inner {
    fn flow(&self) -> MutexGuard<'_, Flow> {
        self.flow.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn reading(&self) -> Reading {
        Reading {
            wall_ms: self.clock.wall_ms(),
            monotonic_ms: self.clock.monotonic_ms(),
        }
    }

    fn now(&self) -> Now {
        let reading = self.reading();
        let issuer_ms = self
            .time
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .issuer_now_ms(reading);
        Now {
            issuer_ms,
            monotonic_ms: reading.monotonic_ms,
        }
    }

    /// Derives the state, draws the frame for the current slot if needed, and pushes the state
    /// to observers when it changed.
    fn publish(&self) -> PassState {
        let now = self.now();
        let locale = self.locale;
        let state = {
            let mut flow = self.flow();
            flow.latch_reverification(now);
            let screen = flow.screen(now, |resets_on| quota_hint(locale, resets_on));
            match screen {
                Screen::State(state) => state,
                Screen::Showing(times) => self.draw(&mut flow, times),
            }
        };
        let changed = self.states.send_if_modified(|current| {
            if *current == state {
                false
            } else {
                *current = state.clone();
                true
            }
        });
        if changed {
            self.wake.notify_one();
        }
        state
    }

    fn draw(&self, flow: &mut Flow, times: crate::state::ShowingTimes) -> PassState {
        let offline = flow.offline;
        let last_synced = flow.last_synced_ms.map(|ms| ms.div_euclid(1_000));
        let Some(pass) = flow.pass.as_mut() else {
            return PassState::SignedOut;
        };
        let claims = pass.certificate.claims();
        let holder_name_masked = claims.holder.masked_name();
        let id_number_masked = claims.holder.id_number.masked();
        let drawn = match &pass.frame {
            Some(frame) if frame.slot == times.slot => Ok(frame.clone()),
            _ => sign_frame(pass, times.slot),
        };
        match drawn {
            Ok(frame) => {
                pass.frame = Some(frame.clone());
                PassState::Showing {
                    frame_text: frame.text,
                    qr: frame.qr,
                    slot: times.slot,
                    seconds_to_refresh: times.seconds_to_refresh,
                    seconds_to_reverify: times.seconds_to_reverify,
                    expires_at: times.expires_at,
                    holder_name_masked,
                    id_number_masked,
                    can_reapply: times.can_reapply,
                    reapply_from: times.reapply_from,
                    offline,
                    last_synced,
                }
            }
            Err(error) => {
                // The key is gone or refuses: a face check binds a new one.
                log::warn!("cannot sign a frame: {error}");
                pass.signer = None;
                pass.frame = None;
                PassState::ReverificationRequired {
                    expires_at: times.expires_at,
                    can_reapply: times.can_reapply,
                    new_device: true,
                }
            }
        }
    }

    /// Notes what an error says about the world (offline, update required, quota) and returns
    /// the public error.
    fn fail(&self, error: &Error) -> TempIdError {
        let last_synced = {
            let mut flow = self.flow();
            flow.activity = Activity::Idle;
            match error {
                Error::Network(_) => flow.offline = true,
                Error::Issuer { body, .. } => match body.code {
                    ErrorCode::UpdateRequired => {
                        flow.update_required = body.min_app_version.clone().or(Some(String::new()))
                    }
                    ErrorCode::QuotaExhausted => flow.quota_exhausted = body.resets_on.clone(),
                    ErrorCode::ConsentRequired => flow.awaiting_consent = true,
                    _ => {}
                },
                Error::ConsentRequired => flow.awaiting_consent = true,
                _ => {}
            }
            flow.last_synced_ms.map(|ms| ms.div_euclid(1_000))
        };
        if let Error::Issuer { body, .. } = error {
            log::info!("issuer refused: {}", body.code.as_str());
        }
        self.publish();
        error.to_public(self.locale, last_synced)
    }

    /// Marks the issuer reachable (any answer, refusals included).
    fn heard_from_issuer<T>(&self, outcome: &Result<T, Error>) {
        let reachable = match outcome {
            Ok(_) => true,
            Err(error) => !error.is_network(),
        };
        if reachable {
            let now = self.now();
            let mut flow = self.flow();
            flow.offline = false;
            flow.last_synced_ms = Some(now.issuer_ms);
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<T, Error> {
        let outcome = self.http.get(path, bearer).await;
        self.heard_from_issuer(&outcome);
        outcome
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: &B,
    ) -> Result<T, Error> {
        let outcome = self.http.post(path, bearer, body).await;
        self.heard_from_issuer(&outcome);
        outcome
    }

    fn set_activity(&self, activity: Activity) {
        self.flow().activity = activity;
        self.publish();
    }

    fn bearer(&self) -> Option<String> {
        match &self.flow().account {
            Account::Registered(session) => Some(session.token.clone()),
            _ => None,
        }
    }

    fn today_in_china(&self) -> time::Date {
        let seconds = self.now().issuer_seconds() + i64::from(CHINA_STANDARD_TIME_OFFSET_SECONDS);
        time::OffsetDateTime::from_unix_timestamp(seconds)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }

    // ----- session cache -----

    async fn start(self: Arc<Self>) -> Result<PassState, Error> {
        let _operation = self.operation.lock().await;
        let cache = self.cache.clone();
        let (session, pass, clock) = blocking(move || -> Result<_, Error> {
            Ok((
                cache.read::<CachedSession>(SESSION_ITEM)?,
                cache.read::<CachedPass>(PASS_ITEM)?,
                cache.read::<CachedClock>(CLOCK_ITEM)?,
            ))
        })
        .await??;
        if let Some(clock) = clock {
            let mut time = self.time.lock().unwrap_or_else(PoisonError::into_inner);
            if !time.is_anchored() {
                *time = TimeSync::with_wall_offset(clock.wall_offset_ms);
            }
        }
        let account = match (&session, &pass) {
            (Some(session), _) => Account::Registered(session.clone()),
            (None, Some(pass)) if pass.guest => Account::Guest,
            _ => Account::SignedOut,
        };
        let restored = match pass {
            Some(cached) if account != Account::SignedOut => {
                let decoded = URL_SAFE_NO_PAD
                    .decode(cached.certificate.trim_end_matches('='))
                    .ok()
                    .and_then(|bytes| Certificate::from_cbor(&bytes).ok());
                match decoded {
                    Some(certificate) => {
                        let signer = if cached.guest {
                            None
                        } else {
                            self.load_signer(&certificate).await?
                        };
                        Some((certificate, cached.city, signer, cached.last_synced_ms))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let has_pass = restored.is_some();
        {
            let now = self.now();
            let mut flow = self.flow();
            flow.account = account;
            if let Some((certificate, city, signer, last_synced_ms)) = restored {
                flow.pass = Some(Pass::new(certificate, city, signer, now.monotonic_ms));
                flow.last_synced_ms = flow.last_synced_ms.or(last_synced_ms);
            }
        }
        let state = self.publish();
        if has_pass {
            // Re-sync in the background: the pass is already on screen.
            let inner = Arc::clone(&self);
            tokio::spawn(async move {
                let _ = inner.sync_status().await;
            });
        }
        Ok(state)
    }

    /// The registered device key, if it is the one `certificate` binds.
    async fn load_signer(
        &self,
        certificate: &Certificate,
    ) -> Result<Option<Arc<dyn FrameSigner>>, Error> {
        let keys = Arc::clone(&self.device_keys);
        let loaded = blocking(move || keys.load(DEVICE_KEY_LABEL)).await?;
        let signer = match loaded {
            Ok(Some(signer)) => signer,
            Ok(None) => return Ok(None),
            Err(error) => {
                log::warn!("the device key cannot be loaded: {error}");
                return Ok(None);
            }
        };
        let bridge = SignerBridge::new(signer)?;
        if bridge.public_key() != certificate.claims().device_key {
            return Ok(None);
        }
        Ok(Some(Arc::new(bridge)))
    }

    /// Writes the session, the pass and the clock correction as they are now. Serialised with
    /// [`Inner::wipe`] (`store_writes`): a background re-sync that read the flow before a logout
    /// must not write it back after the wipe. A signed-out app keeps nothing.
    async fn persist(&self) -> Result<(), Error> {
        let _writes = self.store_writes.lock().await;
        if self.flow().account == Account::SignedOut {
            return Ok(());
        }
        let now = self.reading();
        let wall_offset_ms = self
            .time
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .wall_offset_ms(now);
        let (session, pass) = {
            let flow = self.flow();
            let session = match &flow.account {
                Account::Registered(session) => Some(session.clone()),
                _ => None,
            };
            let pass = flow.pass.as_ref().map(|p| CachedPass {
                certificate: encode_certificate(&p.certificate),
                city: p.city.clone(),
                guest: flow.account == Account::Guest,
                last_synced_ms: flow.last_synced_ms,
            });
            (session, pass)
        };
        let cache = self.cache.clone();
        blocking(move || -> Result<(), Error> {
            match &session {
                Some(session) => cache.write(SESSION_ITEM, session)?,
                None => cache.remove(SESSION_ITEM)?,
            }
            match &pass {
                Some(pass) => cache.write(PASS_ITEM, pass)?,
                None => cache.remove(PASS_ITEM)?,
            }
            cache.write(CLOCK_ITEM, &CachedClock { wall_offset_ms })?;
            Ok(())
        })
        .await?
    }

    async fn wipe(&self) -> Result<(), Error> {
        let _writes = self.store_writes.lock().await;
        {
            let mut flow = self.flow();
            let update_required = flow.update_required.take();
            *flow = Flow::default();
            flow.update_required = update_required;
        }
        self.publish();
        let cache = self.cache.clone();
        let keys = Arc::clone(&self.device_keys);
        blocking(move || -> Result<(), Error> {
            cache.wipe()?;
            keys.delete(DEVICE_KEY_LABEL)?;
            Ok(())
        })
        .await?
    }

    // ----- accounts -----

    async fn register(self: Arc<Self>, username: String, password: String) -> Result<(), Error> {
        check_username(&username)?;
        if password.chars().count() < 8 {
            return Err(Error::InvalidInput {
                field: "password",
                reason: "weak_password",
            });
        }
        {
            let _operation = self.operation.lock().await;
            let request = RegisterRequest {
                username: username.clone(),
                password: password.clone(),
            };
            let _: AccountResponse = self.post("/v1/accounts", None, &request).await?;
        }
        self.login(username, password).await
    }

    async fn login(self: Arc<Self>, username: String, password: String) -> Result<(), Error> {
        check_username(&username)?;
        let _operation = self.operation.lock().await;
        let request = LoginRequest {
            username: username.clone(),
            password,
        };
        let session: SessionResponse = self.post("/v1/sessions", None, &request).await?;
        let token = session.token.clone();
        {
            let mut flow = self.flow();
            let update_required = flow.update_required.take();
            *flow = Flow {
                account: Account::Registered(CachedSession {
                    username,
                    token: session.token,
                    expires_at: session.expires_at,
                    account_id: session.account_id,
                }),
                update_required,
                ..Flow::default()
            };
        }
        // A certificate applied for earlier (on this phone before a logout, or on another):
        // offered for reopening with a face check on this phone's key.
        match self
            .get::<CertificateResponse>("/v1/certificates/current", Some(&token))
            .await
        {
            Ok(response) => {
                let certificate = decode_certificate(&response)?;
                let signer = self.load_signer(&certificate).await?;
                let now = self.now();
                let mut flow = self.flow();
                let mut pass = Pass::new(certificate, String::new(), signer, now.monotonic_ms);
                pass.page_open = false;
                flow.pass = Some(pass);
                flow.quota = Some(response.quota.into());
            }
            Err(error) if is_no_certificate(&error) => {
                if let Ok(quota) = self.get::<Quota>("/v1/quota", Some(&token)).await {
                    self.flow().quota = Some(quota.into());
                }
            }
            Err(error) => return Err(error),
        }
        self.persist().await?;
        self.publish();
        Ok(())
    }

    fn continue_as_guest(&self) -> Result<(), Error> {
        {
            let mut flow = self.flow();
            if flow.account == Account::Guest {
                return Ok(());
            }
            let update_required = flow.update_required.take();
            *flow = Flow {
                account: Account::Guest,
                update_required,
                ..Flow::default()
            };
        }
        self.publish();
        Ok(())
    }

    async fn logout(self: Arc<Self>) -> Result<(), Error> {
        let _operation = self.operation.lock().await;
        if let Some(token) = self.bearer() {
            // Best effort: the phone forgets the session whether or not the issuer hears of it.
            let outcome = self.http.delete("/v1/sessions/current", Some(&token)).await;
            self.heard_from_issuer(&outcome);
        }
        self.wipe().await
    }

    async fn clear_cache(self: Arc<Self>) -> Result<(), Error> {
        let _operation = self.operation.lock().await;
        self.wipe().await
    }

    // ----- location -----

    async fn locate(self: Arc<Self>) -> Result<String, Error> {
        if self.flow().account == Account::SignedOut {
            return Err(Error::NotSignedIn);
        }
        self.set_activity(Activity::Locating);
        let location = Arc::clone(&self.location);
        let outcome = blocking(move || location.current_city()).await;
        let outcome = outcome.unwrap_or_else(|e| LocationOutcome::Unavailable {
            reason: e.to_string(),
        });
        let result = {
            let mut flow = self.flow();
            flow.activity = Activity::Idle;
            match outcome {
                LocationOutcome::City { name } => {
                    flow.city = CityStatus::Located(name.clone());
                    Ok(name)
                }
                LocationOutcome::PermissionDenied => {
                    flow.city = CityStatus::Denied;
                    Err(Error::LocationDenied)
                }
                LocationOutcome::Unavailable { reason } => {
                    flow.city = CityStatus::Unavailable(reason);
                    Err(Error::LocationUnavailable)
                }
            }
        };
        self.publish();
        result
    }

    // ----- face check -----

    /// Starts a face check, runs the face SDK and submits its evidence.
    async fn face_check(
        &self,
        kind: FaceCheckKind,
        id_number: &str,
        name: &str,
        bearer: Option<&str>,
    ) -> Result<FaceCheckResult, Error> {
        let purpose = match kind {
            FaceCheckKind::Apply => FaceCheckPurpose::Apply,
            FaceCheckKind::Reverify => FaceCheckPurpose::Reverify,
            FaceCheckKind::Lookup => FaceCheckPurpose::Lookup,
        };
        let start = StartFaceCheckRequest {
            id_number: id_number.to_string(),
            name: name.to_string(),
            purpose,
        };
        let challenge: FaceCheckChallenge = self.post("/v1/face-checks", bearer, &start).await?;
        let busy = self.flow().activity;
        self.set_activity(Activity::FaceCheck(kind));
        let request = FaceCheckRequest {
            face_check_id: challenge.face_check_id.clone(),
            challenge: challenge.challenge.clone(),
            expires_at: challenge.expires_at,
            kind,
            id_number: id_number.to_string(),
            name: name.to_string(),
        };
        let liveness = Arc::clone(&self.liveness);
        let evidence = blocking(move || liveness.check_face(request))
            .await
            .unwrap_or_else(|e| {
                Err(FaceCheckRefusal::Failed {
                    reason: e.to_string(),
                })
            });
        self.set_activity(busy);
        let evidence = evidence.map_err(Error::FaceCheckRefused)?;
        let path = format!("/v1/face-checks/{}/evidence", challenge.face_check_id);
        let result: FaceCheckResult = self
            .post(&path, bearer, &SubmitEvidenceRequest { evidence })
            .await?;
        self.flow().quota = Some(result.quota.clone().into());
        Ok(result)
    }

    // ----- applying -----

    async fn apply(self: Arc<Self>, form: ApplicationForm) -> Result<(), Error> {
        // The ID number and name are checked before anything else, and before any request.
        let id_number = IdNumber::parse(&form.id_number, self.today_in_china())?;
        let name = validate_name(&form.name)?;
        let _operation = self.operation.lock().await;
        let (account, consented, city, pass_window) = {
            let flow = self.flow();
            let city = match &flow.city {
                CityStatus::Located(city) => Some(city.clone()),
                _ => None,
            };
            let window = flow
                .pass
                .as_ref()
                .filter(|p| p.status == CertificateStatus::Valid)
                .map(|p| (p.reapply_from(), p.expires_at()));
            (
                flow.account.clone(),
                flow.consent && flow.self_confirmed,
                city,
                window,
            )
        };
        if account == Account::SignedOut {
            return Err(Error::NotSignedIn);
        }
        let now_seconds = self.now().issuer_seconds();
        if let Some((reapply_from, expires_at)) = pass_window
            && now_seconds < reapply_from
            && now_seconds < expires_at
        {
            return Err(Error::ReapplyNotYet { reapply_from });
        }
        if !consented {
            self.flow().awaiting_consent = true;
            self.publish();
            return Err(Error::ConsentRequired);
        }
        let city = match city {
            Some(city) => city,
            None => Arc::clone(&self).locate().await?,
        };
        {
            let mut flow = self.flow();
            flow.quota_exhausted = None;
            flow.activity = Activity::Applying;
        }
        self.publish();
        let outcome = self.apply_online(&account, &id_number, &name, city).await;
        self.flow().activity = Activity::Idle;
        self.publish();
        outcome
    }

    async fn apply_online(
        &self,
        account: &Account,
        id_number: &IdNumber,
        name: &str,
        city: String,
    ) -> Result<(), Error> {
        let bearer = match account {
            Account::Registered(session) => Some(session.token.clone()),
            _ => None,
        };
        let check = self
            .face_check(
                FaceCheckKind::Apply,
                id_number.as_str(),
                name,
                bearer.as_deref(),
            )
            .await?;
        let signer = self.device_signer(account, false).await?;
        let request = ApplyRequest {
            face_check_id: check.face_check_id,
            id_number: id_number.as_str().to_string(),
            name: name.to_string(),
            device_key: signer.public_key(),
            city: city.clone(),
            consent: true,
            self_confirmed: true,
        };
        let response: CertificateResponse = self
            .post("/v1/applications", bearer.as_deref(), &request)
            .await?;
        let certificate = decode_certificate(&response)?;
        if certificate.claims().device_key != signer.public_key() {
            return Err(Error::BadResponse(
                "the certificate binds another device key".into(),
            ));
        }
        {
            let now = self.now();
            let mut flow = self.flow();
            flow.pass = Some(Pass::new(certificate, city, Some(signer), now.monotonic_ms));
            flow.quota = Some(response.quota.into());
            // Consent is given per application.
            flow.consent = false;
            flow.self_confirmed = false;
        }
        self.persist().await
    }

    /// The device key for a new certificate: a registered user's stored key (created if
    /// missing, or replaced when `fresh`), a guest's key in memory only.
    async fn device_signer(
        &self,
        account: &Account,
        fresh: bool,
    ) -> Result<Arc<dyn FrameSigner>, Error> {
        let signer = match account {
            Account::Registered(_) => {
                let keys = Arc::clone(&self.device_keys);
                blocking(move || match keys.load(DEVICE_KEY_LABEL) {
                    Ok(Some(existing)) if !fresh => Ok(existing),
                    _ => keys.create(DEVICE_KEY_LABEL),
                })
                .await??
            }
            _ => {
                let existing = self.flow().pass.as_ref().and_then(|p| p.signer.clone());
                match existing {
                    Some(signer) if !fresh => return Ok(signer),
                    _ => Arc::new(SoftwareDeviceKey::generate()?),
                }
            }
        };
        Ok(Arc::new(SignerBridge::new(signer)?))
    }

    // ----- re-verification -----

    async fn reverify(self: Arc<Self>) -> Result<(), Error> {
        let _operation = self.operation.lock().await;
        let (account, certificate, new_device) = {
            let flow = self.flow();
            let pass = flow.pass.as_ref().ok_or(Error::NoPass)?;
            (
                flow.account.clone(),
                pass.certificate.clone(),
                pass.signer.is_none(),
            )
        };
        if account == Account::SignedOut {
            return Err(Error::NotSignedIn);
        }
        if self.now().issuer_seconds() >= certificate.claims().expires_at {
            return Err(Error::Expired);
        }
        self.set_activity(Activity::Reverifying);
        let outcome = self
            .reverify_online(&account, &certificate, new_device)
            .await;
        self.flow().activity = Activity::Idle;
        self.publish();
        outcome
    }

    async fn reverify_online(
        &self,
        account: &Account,
        certificate: &Certificate,
        new_device: bool,
    ) -> Result<(), Error> {
        let bearer = match account {
            Account::Registered(session) => Some(session.token.clone()),
            _ => None,
        };
        let holder = &certificate.claims().holder;
        let check = self
            .face_check(
                FaceCheckKind::Reverify,
                holder.id_number.as_str(),
                &holder.name,
                bearer.as_deref(),
            )
            .await?;
        let signer = if new_device {
            Some(self.device_signer(account, true).await?)
        } else {
            None
        };
        let request = ReverifyRequest {
            face_check_id: check.face_check_id,
            cti: certificate.claims().cti,
            device_key: signer.as_ref().map(|s| s.public_key()),
        };
        let response: CertificateResponse = self
            .post("/v1/reverifications", bearer.as_deref(), &request)
            .await?;
        let renewed = decode_certificate(&response)?;
        {
            let now = self.now();
            let mut flow = self.flow();
            let pass = flow.pass.as_mut().ok_or(Error::NoPass)?;
            if let Some(signer) = signer {
                pass.signer = Some(signer);
            }
            let bound = pass.signer.as_ref().map(|s| s.public_key());
            if bound.as_ref() != Some(&renewed.claims().device_key) {
                return Err(Error::BadResponse(
                    "the certificate binds another device key".into(),
                ));
            }
            pass.certificate = renewed;
            pass.page_open = true;
            pass.reverify_due = false;
            pass.window_start_ms = now.monotonic_ms;
            pass.status = CertificateStatus::Valid;
            pass.frame = None;
            flow.quota = Some(response.quota.into());
        }
        self.persist().await
    }

    // ----- refresh, history, quota -----

    async fn refresh(self: Arc<Self>) -> Result<RefreshOutcome, Error> {
        {
            let mut flow = self.flow();
            if let Some(pass) = flow.pass.as_mut() {
                pass.frame = None;
            }
        }
        self.publish();
        let synced = match self.sync_status().await {
            Ok(()) => true,
            Err(error) if error.is_network() => false,
            Err(error) => return Err(error),
        };
        self.publish();
        let last_synced = self.flow().last_synced_ms.map(|ms| ms.div_euclid(1_000));
        Ok(RefreshOutcome {
            synced,
            last_synced,
        })
    }

    /// Re-reads the pass's status (or, without a pass, a registered user's quota).
    async fn sync_status(&self) -> Result<(), Error> {
        let cti = self
            .flow()
            .pass
            .as_ref()
            .map(|p| p.certificate.claims().cti);
        let outcome = match cti {
            Some(cti) => {
                let path = format!("/v1/certificates/{}/status", cti.to_hex());
                let status: Result<CertificateStatusResponse, Error> = self.get(&path, None).await;
                status.map(|status| {
                    let mut flow = self.flow();
                    if let Some(pass) = flow
                        .pass
                        .as_mut()
                        .filter(|p| p.certificate.claims().cti == cti)
                    {
                        pass.status = status.status;
                    }
                })
            }
            None => match self.bearer() {
                Some(token) => self
                    .get::<Quota>("/v1/quota", Some(&token))
                    .await
                    .map(|quota| {
                        self.flow().quota = Some(quota.into());
                    }),
                None => Ok(()),
            },
        };
        if let Err(error) = &outcome {
            if error.is_network() {
                self.flow().offline = true;
            }
        } else if cti.is_some() {
            self.persist().await?;
        }
        self.publish();
        outcome
    }

    /// The bearer token, or a passed lookup face check of the pass holder (guests).
    async fn lookup_credentials(&self) -> Result<(Option<String>, Option<String>), Error> {
        let (account, holder) = {
            let flow = self.flow();
            let holder = flow
                .pass
                .as_ref()
                .map(|p| p.certificate.claims().holder.clone());
            (flow.account.clone(), holder)
        };
        match account {
            Account::SignedOut => Err(Error::NotSignedIn),
            Account::Registered(session) => Ok((Some(session.token), None)),
            Account::Guest => {
                let holder = holder.ok_or(Error::NoPass)?;
                let check = self
                    .face_check(
                        FaceCheckKind::Lookup,
                        holder.id_number.as_str(),
                        &holder.name,
                        None,
                    )
                    .await;
                self.flow().activity = Activity::Idle;
                self.publish();
                Ok((None, Some(check?.face_check_id)))
            }
        }
    }

    async fn history(self: Arc<Self>) -> Result<Vec<HistoryEntry>, Error> {
        let _operation = self.operation.lock().await;
        let (bearer, face_check_id) = self.lookup_credentials().await?;
        let path = match face_check_id {
            Some(id) => format!("/v1/applications?face_check_id={id}"),
            None => "/v1/applications".to_string(),
        };
        let history: ApplicationHistory = self.get(&path, bearer.as_deref()).await?;
        Ok(history
            .applications
            .into_iter()
            .map(HistoryEntry::from)
            .collect())
    }

    async fn quota(self: Arc<Self>) -> Result<QuotaInfo, Error> {
        let _operation = self.operation.lock().await;
        let (bearer, face_check_id) = self.lookup_credentials().await?;
        let path = match face_check_id {
            Some(id) => format!("/v1/quota?face_check_id={id}"),
            None => "/v1/quota".to_string(),
        };
        let quota: QuotaInfo = self.get::<Quota>(&path, bearer.as_deref()).await?.into();
        self.flow().quota = Some(quota.clone());
        self.publish();
        Ok(quota)
    }
}

fn is_no_certificate(error: &Error) -> bool {
    matches!(
        error.issuer_code(),
        Some(ErrorCode::NoCurrentCertificate | ErrorCode::NotFound | ErrorCode::CertificateExpired)
    )
}

fn check_username(username: &str) -> Result<(), Error> {
    let count = username.trim().chars().count();
    if !(3..=64).contains(&count) {
        return Err(Error::InvalidInput {
            field: "username",
            reason: "username",
        });
    }
    Ok(())
}

fn quota_hint(locale: Locale, resets_on: &str) -> String {
    let error = Error::Issuer {
        status: 409,
        body: Box::new(tempid_protocol::api::ErrorBody {
            code: ErrorCode::QuotaExhausted,
            message: String::new(),
            hint: String::new(),
            reason: None,
            resets_on: Some(resets_on.to_string()),
            reapply_from: None,
            min_app_version: None,
            retry_after_seconds: None,
        }),
    };
    error.to_public(locale, None).hint().to_string()
}

/// Signs the frame for `slot` and draws its QR code.
fn sign_frame(pass: &Pass, slot: i64) -> Result<DrawnFrame, Error> {
    let signer = pass.signer.as_ref().ok_or(Error::ReverificationRequired)?;
    let slot_u = u64::try_from(slot).map_err(|_| Error::Internal("negative slot".into()))?;
    let frame = Frame::sign(&pass.certificate, slot_u, signer.as_ref())
        .map_err(|e| Error::Internal(e.to_string()))?;
    let text = frame.to_text();
    let qr = QrMatrix::encode(&text).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(DrawnFrame { slot, text, qr })
}
