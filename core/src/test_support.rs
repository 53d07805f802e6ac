//! Helpers for journeys and benchmarks (feature `test-support`): fill a store as a registered
//! user's app would have left it, without an issuer.

use tempid_protocol::Certificate;

use crate::store::{
    CachedPass, CachedSession, DEVICE_KEY_LABEL, PASS_ITEM, SESSION_ITEM, SecureStore, SessionCache,
};

/// Writes a registered user's session, `certificate` and the Ed25519 device key `device_seed`
/// into `store` under `namespace`, as the app leaves them after an application.
pub fn seed_registered_pass(
    store: std::sync::Arc<dyn SecureStore>,
    namespace: &str,
    certificate: &Certificate,
    device_seed: &[u8; 32],
) -> Result<(), crate::StoreError> {
    use base64::Engine as _;
    let cache = SessionCache::new(std::sync::Arc::clone(&store), namespace);
    cache.write(
        SESSION_ITEM,
        &CachedSession {
            username: "13800000000".into(),
            token: "seeded-token".into(),
            expires_at: certificate.claims().expires_at,
            account_id: "seeded".into(),
        },
    )?;
    cache.write(
        PASS_ITEM,
        &CachedPass {
            certificate: base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(certificate.to_cbor()),
            city: "北京".into(),
            guest: false,
            last_synced_ms: None,
        },
    )?;
    store.set(&cache.key(DEVICE_KEY_LABEL), device_seed)
}
