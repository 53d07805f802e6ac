//! [`TempIdClient`]: the one object a shell holds, and [`TaskHandle`] for a running
//! [`TempIdClient::observe`]. Every method forwards to `tempid_core::TempIdClient`; no rule is
//! decided here.
//!
//! Async methods run on the core's one tokio runtime: the core spawns each flow there and this
//! layer only awaits the task's `JoinHandle`, which needs no tokio context on the polling thread
//! (a Kotlin coroutine or Swift task). That is why these exports do not use
//! `async_runtime = "tokio"`: its `async_compat` wrapper would start a second, global runtime on
//! the first poll from a foreign thread (see bindings/README.md, "One runtime").

use std::sync::Arc;

use tempid_core::{
    ApplicationForm, Capabilities, ClientConfig, HistoryEntry, PassState, QuotaInfo, RefreshOutcome,
};

use crate::capabilities::{
    DeviceKeyStore, Keys, Liveness, LivenessVerifier, Location, LocationProvider, SecureStore,
    Store,
};
use crate::error::{PlatformError, TempIdError};

/// Receives every [`PassState`]: the current one at once, then each change. Called on a library
/// thread: post to the UI thread and return quickly. Kotlin's `TempIdClient.passStates()` and
/// Swift's `TempIdClient.passStates` wrap it as a `Flow` / `AsyncStream`.
#[uniffi::export(callback_interface)]
pub trait PassStateListener: Send + Sync {
    /// The new state. A throw is ignored (the next state is still delivered).
    fn on_state(&self, state: PassState) -> Result<(), PlatformError>;
}

struct Listener(Box<dyn PassStateListener>);

impl tempid_core::PassStateListener for Listener {
    fn on_state(&self, state: PassState) {
        // A listener that throws loses this state, not the stream (and never panics the library).
        let _ = self.0.on_state(state);
    }
}

/// A running observation of the pass state. `cancel()` (or `close()`/dropping it) stops it.
#[derive(uniffi::Object)]
pub struct TaskHandle(tempid_core::TaskHandle);

#[uniffi::export]
impl TaskHandle {
    /// Stops the updates. Idempotent.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether the observation has stopped.
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

/// The passenger app's client: one per app. Apply for the temporary ride identity certificate,
/// show it as a QR code that changes every 60 s, re-verify after 30 minutes, refresh, log out.
/// Observe [`PassState`] to know what to draw.
#[derive(uniffi::Object)]
pub struct TempIdClient(tempid_core::TempIdClient);

#[uniffi::export]
impl TempIdClient {
    /// A client for `config` with the shell's capabilities. `secure_store` null: the platform's
    /// keychain / keystore. `device_keys` null: Ed25519 device keys kept in the secure store.
    /// Nothing is read from the store until [`TempIdClient::start`].
    #[uniffi::constructor(default(secure_store = None, device_keys = None))]
    pub fn new(
        config: ClientConfig,
        liveness: Arc<dyn LivenessVerifier>,
        location: Arc<dyn LocationProvider>,
        secure_store: Option<Arc<dyn SecureStore>>,
        device_keys: Option<Arc<dyn DeviceKeyStore>>,
    ) -> Result<Arc<Self>, TempIdError> {
        let mut capabilities =
            Capabilities::new(Arc::new(Liveness(liveness)), Arc::new(Location(location)));
        if let Some(store) = secure_store {
            capabilities = capabilities.with_secure_store(Arc::new(Store(store)));
        }
        if let Some(keys) = device_keys {
            capabilities = capabilities.with_device_keys(Arc::new(Keys(keys)));
        }
        Ok(Arc::new(Self(tempid_core::TempIdClient::new(
            config,
            capabilities,
        )?)))
    }

    /// Restores the session cache: a registered user's pass shows at once (no face check, no
    /// network); a guest's pass needs a face check. Then re-syncs in the background.
    pub async fn start(&self) -> Result<PassState, TempIdError> {
        self.0.start().await
    }

    /// The current state.
    pub fn state(&self) -> PassState {
        self.0.state()
    }

    /// Sends the current state at once, then every change, until the handle is cancelled or
    /// closed.
    pub fn observe(
        &self,
        listener: Box<dyn PassStateListener>,
    ) -> Result<Arc<TaskHandle>, TempIdError> {
        let handle = self.0.observe(Arc::new(Listener(listener)))?;
        Ok(Arc::new(TaskHandle(handle)))
    }

    /// Creates an account and logs in.
    pub async fn register(&self, username: String, password: String) -> Result<(), TempIdError> {
        self.0.register(username, password).await
    }

    /// Logs in; a current certificate on the issuer is offered for reopening with a face check.
    pub async fn login(&self, username: String, password: String) -> Result<(), TempIdError> {
        self.0.login(username, password).await
    }

    /// Continues without an account: the pass needs a face check whenever it is reopened.
    pub async fn continue_as_guest(&self) -> Result<(), TempIdError> {
        self.0.continue_as_guest().await
    }

    /// Logs out: ends the session on the issuer (when reachable) and wipes the session, the
    /// certificate and the device key from this phone.
    pub async fn logout(&self) -> Result<(), TempIdError> {
        self.0.logout().await
    }

    /// Wipes everything this app keeps without contacting the issuer.
    pub async fn clear_cache(&self) -> Result<(), TempIdError> {
        self.0.clear_cache().await
    }

    /// Locates the city (also the "re-locate" action); returns its name.
    pub async fn locate(&self) -> Result<String, TempIdError> {
        self.0.locate().await
    }

    /// Records the consent to the terms and the self-confirmation ("I am the holder of this ID
    /// number"); both are required before the face check of an application.
    pub fn give_consent(&self, consent: bool, self_confirmed: bool) {
        self.0.give_consent(consent, self_confirmed);
    }

    /// Applies for a certificate: the ID number and name are checked first (an invalid one
    /// throws before any request), then consent, the city, the face check and the application.
    /// On success the pass is shown.
    pub async fn apply(&self, form: ApplicationForm) -> Result<(), TempIdError> {
        self.0.apply(form).await
    }

    /// Opens the QR page. A guest's closed pass (or one whose key is gone) shows
    /// `ReverificationRequired`.
    pub fn open_pass(&self) -> Result<(), TempIdError> {
        self.0.open_pass()
    }

    /// Closes the QR page. A guest's device key is dropped: reopening needs a face check.
    pub fn close_pass(&self) {
        self.0.close_pass();
    }

    /// Leaves a notice (quota exhausted, consent prompt, location denied or unavailable): the
    /// "back" or "OK" of those screens. The state returns to what was under the notice.
    pub fn dismiss(&self) {
        self.0.dismiss();
    }

    /// The face check after 30 minutes, or to reopen a pass on a new device key. Never uses up
    /// an application.
    pub async fn reverify(&self) -> Result<(), TempIdError> {
        self.0.reverify().await
    }

    /// Redraws the pass at once and, when online, re-syncs its status and the clock. Offline the
    /// pass is still redrawn and the outcome says so.
    pub async fn refresh(&self) -> Result<RefreshOutcome, TempIdError> {
        self.0.refresh().await
    }

    /// The applications of the last month, newest first. A guest passes a face check for it.
    pub async fn history(&self) -> Result<Vec<HistoryEntry>, TempIdError> {
        self.0.history().await
    }

    /// This month's quota. A guest without a recent face check passes one for it.
    pub async fn quota(&self) -> Result<QuotaInfo, TempIdError> {
        self.0.quota().await
    }

    /// How many requests this client has sent to the issuer (diagnostics).
    pub fn requests_sent(&self) -> u64 {
        self.0.requests_sent()
    }
}
