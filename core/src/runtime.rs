//! The one tokio runtime the core owns. Every flow, HTTP call and background timer runs on it,
//! whatever executor the caller uses (the FFI layer awaits from Kotlin/Swift coroutines; tests
//! await from their own runtime): never a runtime per call.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The core's runtime handle, created on first use with two worker threads. Fails only when the
/// operating system refuses to start threads.
pub(crate) fn handle() -> Result<&'static Handle, String> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .max_blocking_threads(8)
                .thread_name("tempid-core")
                .enable_all()
                .build()
                .map_err(|error| format!("cannot start the core runtime: {error}"))
        })
        .as_ref()
        .map(Runtime::handle)
        .map_err(Clone::clone)
}

/// Runs `future` on the core's runtime and awaits its result from any executor.
pub(crate) async fn run<F, T>(future: F) -> Result<T, String>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    handle()?
        .spawn(future)
        .await
        .map_err(|error| format!("a core task failed: {error}"))
}
