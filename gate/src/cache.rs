//! The cache of verified certificates: the SHA-256 of a certificate's bytes → the outcome of
//! the issuer step (which trusted key signed it, or why it was refused). The issuer signature
//! of a certificate cannot change, so a repeat scan skips that signature check and pays only
//! for the device signature. Everything that depends on time or on the revocation list is
//! checked on every scan, cache hit or not. The cache belongs to one trust list: replacing the
//! list empties it.

use std::num::NonZeroUsize;

use lru::LruCache;
use sha2::{Digest as _, Sha256};
use tempid_protocol::verify::verify_issuer;
use tempid_protocol::{Certificate, Kid, RejectReason, TrustList};

/// The outcome of the issuer step for one certificate under one trust list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerCheck {
    /// The trusted key with this kid signed the certificate.
    Trusted(Kid),
    /// The certificate is refused (`unknown_key` or `bad_issuer_signature`).
    Refused(RejectReason),
}

/// Hit and miss counts, for a gate's diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Scans whose issuer step came from the cache.
    pub hits: u64,
    /// Scans that checked the issuer signature.
    pub misses: u64,
    /// Certificates currently remembered.
    pub len: usize,
}

/// A bounded (least recently used first out) cache of issuer-step outcomes.
pub struct CertificateCache {
    entries: LruCache<[u8; 32], IssuerCheck>,
    hits: u64,
    misses: u64,
}

impl CertificateCache {
    /// A cache remembering up to `capacity` certificates (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: LruCache::new(capacity),
            hits: 0,
            misses: 0,
        }
    }

    /// The issuer step for `certificate`: from the cache if this exact certificate was seen
    /// under the current trust list, else computed (and remembered).
    pub fn issuer_check(
        &mut self,
        certificate: &Certificate,
        trust_list: &TrustList,
    ) -> (IssuerCheck, bool) {
        let key: [u8; 32] = Sha256::digest(certificate.to_cbor()).into();
        if let Some(check) = self.entries.get(&key) {
            self.hits += 1;
            return (*check, true);
        }
        self.misses += 1;
        let check = match verify_issuer(certificate, trust_list) {
            Ok(_) => IssuerCheck::Trusted(certificate.kid()),
            Err(reason) => IssuerCheck::Refused(reason),
        };
        self.entries.put(key, check);
        (check, false)
    }

    /// Forgets everything (the trust list changed).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Hit and miss counts.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits,
            misses: self.misses,
            len: self.entries.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::fixtures::{fixture_certificate, fixture_trust_list};

    #[test]
    fn a_second_lookup_hits_and_the_capacity_is_bounded() {
        let (certificate, _) = fixture_certificate();
        let trust = fixture_trust_list();
        let mut cache = CertificateCache::new(1);
        let (first, hit) = cache.issuer_check(&certificate, &trust);
        assert!(!hit);
        assert_eq!(first, IssuerCheck::Trusted(certificate.kid()));
        let (second, hit) = cache.issuer_check(&certificate, &trust);
        assert!(hit);
        assert_eq!(second, first);
        assert_eq!(
            cache.stats(),
            CacheStats {
                hits: 1,
                misses: 1,
                len: 1
            }
        );
        cache.clear();
        assert!(!cache.issuer_check(&certificate, &trust).1);
        assert_eq!(cache.stats().len, 1);
    }
}
