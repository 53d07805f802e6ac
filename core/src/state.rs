//! What the shell draws: one [`PassState`], derived from the flow's facts and the time. The
//! derivation ([`Flow::screen`]) is a pure function of the flow and the clock readings, so the
//! rules (60 s slots, the 30-minute re-check, 24 h expiry, the re-apply window) are tested
//! without I/O.

use std::sync::Arc;

use tempid_protocol::api::{ApplicationRecord, CertificateStatus, Quota, REAPPLY_WINDOW_SECONDS};
use tempid_protocol::{Certificate, FrameSigner, seconds_to_next_slot, slot_of};

use crate::capabilities::FaceCheckKind;
use crate::qr::QrMatrix;
use crate::store::CachedSession;

/// How long the pass may be shown after the QR page was opened or the person last passed a face
/// check, whichever is later.
pub const REVERIFY_AFTER_MS: u64 = 30 * 60 * 1_000;

/// A person's applications this calendar month (China Standard Time).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuotaInfo {
    /// Applications allowed a month (3).
    pub limit: u32,
    /// Applications used this month.
    pub used: u32,
    /// Applications left this month.
    pub remaining: u32,
    /// First day of next month, `YYYY-MM-DD`.
    pub resets_on: String,
}

impl From<Quota> for QuotaInfo {
    fn from(q: Quota) -> Self {
        Self {
            limit: q.limit,
            used: q.used,
            remaining: q.remaining,
            resets_on: q.resets_on,
        }
    }
}

/// The state of a past application's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CertificateState {
    /// Valid now.
    Valid,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
    /// Replaced by a newer application.
    Superseded,
}

impl From<CertificateStatus> for CertificateState {
    fn from(s: CertificateStatus) -> Self {
        match s {
            CertificateStatus::Valid => Self::Valid,
            CertificateStatus::Expired => Self::Expired,
            CertificateStatus::Revoked => Self::Revoked,
            CertificateStatus::Superseded => Self::Superseded,
        }
    }
}

/// One application of the last month.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HistoryEntry {
    /// The certificate id (16 hex digits).
    pub certificate_id: String,
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// The city the app reported.
    pub city: String,
    /// Its state now.
    pub state: CertificateState,
    /// The ID number, masked (`110105********002X`).
    pub id_number_masked: String,
}

impl From<ApplicationRecord> for HistoryEntry {
    fn from(r: ApplicationRecord) -> Self {
        Self {
            certificate_id: r.cti.to_hex(),
            issued_at: r.issued_at,
            expires_at: r.expires_at,
            city: r.city,
            state: r.status.into(),
            id_number_masked: r.id_number_masked,
        }
    }
}

/// The current pass, in brief (for the home screen's "show my pass" button).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PassSummary {
    /// When the certificate expires (Unix seconds).
    pub expires_at: i64,
    /// From when a new application is allowed (Unix seconds).
    pub reapply_from: i64,
    /// Whether a new application is allowed now.
    pub can_reapply: bool,
    /// Whether opening it needs a face check first (a guest's closed pass, a new phone).
    pub needs_face_check: bool,
    /// The holder's name, masked.
    pub holder_name_masked: String,
}

/// Why a pass is no longer valid before its expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RevocationKind {
    /// Revoked by the issuer.
    Revoked,
    /// Replaced by a newer application (e.g. on another phone).
    Superseded,
}

/// What the shell draws. Pushed to listeners on every change; while the pass is shown, every
/// second (countdowns) and at every 60 s slot (a new frame).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PassState {
    /// Nobody is signed in: log in, register, or continue as a guest.
    SignedOut,
    /// Home: the person may apply (or open the current pass).
    Ready {
        /// This month's quota, when known.
        quota: Option<QuotaInfo>,
        /// The located city, when known.
        city: Option<String>,
        /// True for a guest (nothing is kept after the app closes but the certificate).
        guest: bool,
        /// Whether consent and "I am the holder" were given.
        consent_given: bool,
        /// The current pass, if any.
        current_pass: Option<PassSummary>,
        /// True when the last attempt to reach the issuer failed.
        offline: bool,
    },
    /// Asking the platform for the city.
    Locating,
    /// Location permission is denied: offer the settings page, then "re-locate".
    LocationDenied,
    /// No position could be found: offer "re-locate".
    LocationUnavailable {
        /// What the platform reported.
        reason: String,
    },
    /// Consent and the self-confirmation are needed before the face check.
    AwaitingConsent,
    /// Talking to the issuer about an application.
    Applying,
    /// The face SDK is running.
    AwaitingFaceCheck {
        /// What the check is for.
        kind: FaceCheckKind,
    },
    /// Talking to the issuer about a re-verification.
    Reverifying,
    /// The pass: draw `qr` (or render `frame_text`), with the countdowns.
    Showing {
        /// The QR text (`TID1:` + base45).
        frame_text: String,
        /// The QR modules for native drawing.
        qr: QrMatrix,
        /// The 60 s slot the frame is signed for (server-corrected time).
        slot: i64,
        /// Seconds until the next frame (1–60).
        seconds_to_refresh: u32,
        /// Seconds until the face check is needed again.
        seconds_to_reverify: u32,
        /// When the certificate expires (Unix seconds).
        expires_at: i64,
        /// The holder's name, masked (`张*丰`).
        holder_name_masked: String,
        /// The ID number, masked (`110105********002X`).
        id_number_masked: String,
        /// Whether the "re-apply" action is offered (from 3 h before expiry).
        can_reapply: bool,
        /// From when re-applying is allowed (Unix seconds).
        reapply_from: i64,
        /// True when the last attempt to reach the issuer failed; the code is still valid.
        offline: bool,
        /// When the app last heard from the issuer (Unix seconds), if ever.
        last_synced: Option<i64>,
    },
    /// The QR is withdrawn until the person passes a face check (`reverify`). Does not use up an
    /// application.
    ReverificationRequired {
        /// When the certificate expires (Unix seconds).
        expires_at: i64,
        /// Whether the "re-apply" action is offered.
        can_reapply: bool,
        /// True when a new device key will be bound (guest reopening, new phone, cleared cache).
        new_device: bool,
    },
    /// The certificate has expired.
    Expired {
        /// When it expired (Unix seconds).
        expired_at: i64,
        /// Whether a new application is offered.
        can_reapply: bool,
    },
    /// The certificate was revoked or replaced.
    Revoked {
        /// Why.
        kind: RevocationKind,
    },
    /// This month's applications are used up.
    QuotaExhausted {
        /// The first day a new application is allowed, `YYYY-MM-DD` (China Standard Time).
        resets_on: String,
        /// What to do meanwhile (the station police window), in the client's language.
        hint: String,
    },
    /// The issuer cannot be reached and there is no pass to show.
    Offline {
        /// When the app last heard from the issuer (Unix seconds), if ever.
        last_synced: Option<i64>,
    },
    /// This app version is no longer accepted: update.
    UpdateRequired {
        /// The minimum version.
        min_version: String,
    },
}

/// Who is using the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Account {
    SignedOut,
    Guest,
    Registered(CachedSession),
}

/// What the app knows of the city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CityStatus {
    Unknown,
    Located(String),
    Denied,
    Unavailable(String),
}

/// What the app is busy with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activity {
    Idle,
    Locating,
    Applying,
    FaceCheck(FaceCheckKind),
    Reverifying,
}

/// A drawn frame, kept for the rest of its slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DrawnFrame {
    pub slot: i64,
    pub text: String,
    pub qr: QrMatrix,
}

/// The pass the app holds.
pub(crate) struct Pass {
    pub certificate: Certificate,
    pub city: String,
    /// The device key; `None` once dropped (a guest closed the page) or lost: a face check binds a
    /// new one.
    pub signer: Option<Arc<dyn FrameSigner>>,
    /// Whether the QR page is open.
    pub page_open: bool,
    /// Monotonic ms when the QR page was opened or the person last passed a face check,
    /// whichever is later.
    pub window_start_ms: u64,
    /// Latched once the 30 minutes have run out; cleared by a face check.
    pub reverify_due: bool,
    /// What the issuer last said of it.
    pub status: CertificateStatus,
    pub frame: Option<DrawnFrame>,
}

impl Pass {
    pub fn new(
        certificate: Certificate,
        city: String,
        signer: Option<Arc<dyn FrameSigner>>,
        now_ms: u64,
    ) -> Self {
        Self {
            certificate,
            city,
            signer,
            page_open: true,
            window_start_ms: now_ms,
            reverify_due: false,
            status: CertificateStatus::Valid,
            frame: None,
        }
    }

    pub fn expires_at(&self) -> i64 {
        self.certificate.claims().expires_at
    }

    pub fn reapply_from(&self) -> i64 {
        self.expires_at() - REAPPLY_WINDOW_SECONDS
    }

    pub fn reverify_deadline_ms(&self) -> u64 {
        self.window_start_ms.saturating_add(REVERIFY_AFTER_MS)
    }
}

/// The flow's facts; [`PassState`] is derived from them.
pub(crate) struct Flow {
    pub account: Account,
    pub city: CityStatus,
    pub consent: bool,
    pub self_confirmed: bool,
    pub awaiting_consent: bool,
    pub activity: Activity,
    pub pass: Option<Pass>,
    pub quota: Option<QuotaInfo>,
    pub quota_exhausted: Option<String>,
    pub update_required: Option<String>,
    pub offline: bool,
    /// Issuer time of the last answer, Unix ms.
    pub last_synced_ms: Option<i64>,
}

impl Default for Flow {
    fn default() -> Self {
        Self {
            account: Account::SignedOut,
            city: CityStatus::Unknown,
            consent: false,
            self_confirmed: false,
            awaiting_consent: false,
            activity: Activity::Idle,
            pass: None,
            quota: None,
            quota_exhausted: None,
            update_required: None,
            offline: false,
            last_synced_ms: None,
        }
    }
}

/// The time, as the flow sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Now {
    /// Server-corrected time, Unix ms.
    pub issuer_ms: i64,
    /// Monotonic ms.
    pub monotonic_ms: u64,
}

impl Now {
    pub fn issuer_seconds(self) -> i64 {
        self.issuer_ms.div_euclid(1_000)
    }
}

/// The countdowns of a shown pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShowingTimes {
    pub slot: i64,
    pub seconds_to_refresh: u32,
    pub seconds_to_reverify: u32,
    pub can_reapply: bool,
    pub reapply_from: i64,
    pub expires_at: i64,
}

/// Which screen, before the frame is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Screen {
    State(PassState),
    Showing(ShowingTimes),
}

impl Flow {
    /// Latches the 30-minute re-check once it is due. Returns whether anything changed.
    pub fn latch_reverification(&mut self, now: Now) -> bool {
        match &mut self.pass {
            Some(pass)
                if pass.page_open
                    && !pass.reverify_due
                    && now.monotonic_ms >= pass.reverify_deadline_ms() =>
            {
                pass.reverify_due = true;
                pass.frame = None;
                true
            }
            _ => false,
        }
    }

    /// The screen for `now`. `quota_hint` localises the quota refusal's hint.
    pub fn screen(&self, now: Now, quota_hint: impl Fn(&str) -> String) -> Screen {
        let state = |s| Screen::State(s);
        if let Some(min_version) = &self.update_required {
            return state(PassState::UpdateRequired {
                min_version: min_version.clone(),
            });
        }
        if self.account == Account::SignedOut {
            return state(PassState::SignedOut);
        }
        match self.activity {
            Activity::Idle => {}
            Activity::Locating => return state(PassState::Locating),
            Activity::Applying => return state(PassState::Applying),
            Activity::FaceCheck(kind) => return state(PassState::AwaitingFaceCheck { kind }),
            Activity::Reverifying => return state(PassState::Reverifying),
        }
        // The answer to what the person just asked for (a new application) comes before the
        // pass page; opening the pass again clears it.
        if let Some(resets_on) = &self.quota_exhausted {
            return state(PassState::QuotaExhausted {
                resets_on: resets_on.clone(),
                hint: quota_hint(resets_on),
            });
        }
        if self.awaiting_consent {
            return state(PassState::AwaitingConsent);
        }
        let seconds = now.issuer_seconds();
        if let Some(pass) = self.pass.as_ref().filter(|p| p.page_open) {
            match pass.status {
                CertificateStatus::Revoked => {
                    return state(PassState::Revoked {
                        kind: RevocationKind::Revoked,
                    });
                }
                CertificateStatus::Superseded => {
                    return state(PassState::Revoked {
                        kind: RevocationKind::Superseded,
                    });
                }
                CertificateStatus::Valid | CertificateStatus::Expired => {}
            }
            let expires_at = pass.expires_at();
            if seconds >= expires_at || pass.status == CertificateStatus::Expired {
                return state(PassState::Expired {
                    expired_at: expires_at,
                    can_reapply: true,
                });
            }
            let can_reapply = seconds >= pass.reapply_from();
            let deadline = pass.reverify_deadline_ms();
            if pass.signer.is_none() || pass.reverify_due || now.monotonic_ms >= deadline {
                return state(PassState::ReverificationRequired {
                    expires_at,
                    can_reapply,
                    new_device: pass.signer.is_none(),
                });
            }
            let remaining_ms = deadline - now.monotonic_ms;
            return Screen::Showing(ShowingTimes {
                slot: slot_of(seconds),
                seconds_to_refresh: u32::try_from(seconds_to_next_slot(seconds)).unwrap_or(60),
                seconds_to_reverify: u32::try_from(remaining_ms.div_ceil(1_000))
                    .unwrap_or(u32::MAX),
                can_reapply,
                reapply_from: pass.reapply_from(),
                expires_at,
            });
        }
        match &self.city {
            CityStatus::Denied => return state(PassState::LocationDenied),
            CityStatus::Unavailable(reason) => {
                return state(PassState::LocationUnavailable {
                    reason: reason.clone(),
                });
            }
            CityStatus::Unknown | CityStatus::Located(_) => {}
        }
        let current_pass = self
            .pass
            .as_ref()
            .filter(|p| seconds < p.expires_at() && p.status == CertificateStatus::Valid)
            .map(|p| PassSummary {
                expires_at: p.expires_at(),
                reapply_from: p.reapply_from(),
                can_reapply: seconds >= p.reapply_from(),
                needs_face_check: p.signer.is_none() || p.reverify_due,
                holder_name_masked: p.certificate.claims().holder.masked_name(),
            });
        if self.offline && current_pass.is_none() {
            return state(PassState::Offline {
                last_synced: self.last_synced_ms.map(|ms| ms.div_euclid(1_000)),
            });
        }
        state(PassState::Ready {
            quota: self.quota.clone(),
            city: match &self.city {
                CityStatus::Located(city) => Some(city.clone()),
                _ => None,
            },
            guest: self.account == Account::Guest,
            consent_given: self.consent && self.self_confirmed,
            current_pass,
            offline: self.offline,
        })
    }

    /// The next monotonic instant at which the screen may change by time alone.
    pub fn next_change_ms(&self, now: Now) -> Option<u64> {
        let pass = self.pass.as_ref()?;
        if self.activity != Activity::Idle || pass.status != CertificateStatus::Valid {
            return None;
        }
        let seconds = now.issuer_seconds();
        // Converts an issuer-time instant (Unix seconds) to the monotonic clock.
        let at = |unix_seconds: i64| {
            let ahead_ms = unix_seconds
                .saturating_mul(1_000)
                .saturating_sub(now.issuer_ms);
            u64::try_from(ahead_ms)
                .ok()
                .map(|ahead| now.monotonic_ms.saturating_add(ahead.max(1)))
        };
        let shown = pass.page_open
            && pass.signer.is_some()
            && !pass.reverify_due
            && seconds < pass.expires_at();
        if shown {
            // Every second: the countdowns, the slot, the re-apply offer and the expiry all change
            // on whole seconds of issuer time; the re-check at its own deadline.
            let next_second = at(seconds + 1);
            let deadline = pass.reverify_deadline_ms().max(now.monotonic_ms + 1);
            return next_second.map(|s| s.min(deadline)).or(Some(deadline));
        }
        [pass.reapply_from(), pass.expires_at()]
            .into_iter()
            .filter(|t| *t > seconds)
            .filter_map(at)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::fixtures::{FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key};

    const MIN: u64 = 60_000;

    fn session() -> CachedSession {
        CachedSession {
            username: "u".into(),
            token: "t".into(),
            expires_at: 0,
            account_id: "a".into(),
        }
    }

    fn flow_with_pass(opened_ms: u64) -> Flow {
        let (cert, _) = fixture_certificate();
        let signer: Arc<dyn FrameSigner> = Arc::new(fixture_device_key());
        Flow {
            account: Account::Registered(session()),
            pass: Some(Pass::new(cert, "北京".into(), Some(signer), opened_ms)),
            ..Flow::default()
        }
    }

    fn at(issued_plus_s: i64, monotonic_ms: u64) -> Now {
        Now {
            issuer_ms: (FIXTURE_ISSUED_AT + issued_plus_s) * 1_000,
            monotonic_ms,
        }
    }

    fn screen(flow: &Flow, now: Now) -> Screen {
        flow.screen(now, |d| format!("hint {d}"))
    }

    #[test]
    fn signed_out_and_ready() {
        let mut flow = Flow::default();
        assert_eq!(screen(&flow, at(0, 0)), Screen::State(PassState::SignedOut));
        flow.account = Account::Guest;
        flow.city = CityStatus::Located("上海".into());
        let Screen::State(PassState::Ready {
            guest,
            city,
            current_pass,
            ..
        }) = screen(&flow, at(0, 0))
        else {
            panic!("ready")
        };
        assert!(guest);
        assert_eq!(city.as_deref(), Some("上海"));
        assert!(current_pass.is_none());
        flow.city = CityStatus::Denied;
        assert_eq!(
            screen(&flow, at(0, 0)),
            Screen::State(PassState::LocationDenied)
        );
        flow.awaiting_consent = true;
        assert_eq!(
            screen(&flow, at(0, 0)),
            Screen::State(PassState::AwaitingConsent)
        );
        flow.quota_exhausted = Some("2026-12-01".into());
        assert_eq!(
            screen(&flow, at(0, 0)),
            Screen::State(PassState::QuotaExhausted {
                resets_on: "2026-12-01".into(),
                hint: "hint 2026-12-01".into()
            })
        );
        flow.update_required = Some("9.0.0".into());
        assert_eq!(
            screen(&flow, at(0, 0)),
            Screen::State(PassState::UpdateRequired {
                min_version: "9.0.0".into()
            })
        );
    }

    #[test]
    fn slots_follow_issuer_time_not_the_opening_time() {
        let flow = flow_with_pass(0);
        // The certificate was issued on a whole minute; open 25 s into it.
        let Screen::Showing(t) = screen(&flow, at(25, 0)) else {
            panic!("showing")
        };
        assert_eq!(t.slot, slot_of(FIXTURE_ISSUED_AT));
        assert_eq!(t.seconds_to_refresh, 35);
        let Screen::Showing(t2) = screen(&flow, at(60, 35_000)) else {
            panic!("showing")
        };
        assert_eq!(
            t2.slot,
            t.slot + 1,
            "a new slot at the minute boundary, 35 s after opening"
        );
        assert_eq!(t2.seconds_to_refresh, 60);
    }

    #[test]
    fn reverification_at_exactly_thirty_minutes() {
        let mut flow = flow_with_pass(1_000);
        let Screen::Showing(t) = screen(&flow, at(100, 1_000 + 30 * MIN - 1_000)) else {
            panic!("29:59 shows")
        };
        assert_eq!(t.seconds_to_reverify, 1);
        let due = at(100, 1_000 + 30 * MIN);
        assert!(matches!(
            screen(&flow, due),
            Screen::State(PassState::ReverificationRequired {
                new_device: false,
                ..
            })
        ));
        assert!(flow.latch_reverification(due));
        // Latched: even a monotonic reading from before (impossible, but) stays withdrawn.
        assert!(matches!(
            screen(&flow, at(100, 0)),
            Screen::State(PassState::ReverificationRequired { .. })
        ));
    }

    #[test]
    fn expiry_and_the_reapply_window() {
        let mut flow = flow_with_pass(0);
        let h = 3_600;
        // Keep the window open by re-verifying "just now".
        if let Some(p) = flow.pass.as_mut() {
            p.window_start_ms = 21 * 3_600_000;
        }
        let Screen::Showing(t) = screen(&flow, at(21 * h - 1, 21 * 3_600_000)) else {
            panic!("showing")
        };
        assert!(!t.can_reapply, "not at 20:59:59");
        let Screen::Showing(t) = screen(&flow, at(21 * h, 21 * 3_600_000)) else {
            panic!("showing")
        };
        assert!(t.can_reapply, "from 21:00");
        assert_eq!(
            screen(&flow, at(24 * h, 21 * 3_600_000)),
            Screen::State(PassState::Expired {
                expired_at: FIXTURE_ISSUED_AT + 24 * h,
                can_reapply: true
            })
        );
    }

    #[test]
    fn a_closed_guest_pass_needs_a_face_check_on_a_new_key() {
        let mut flow = flow_with_pass(0);
        flow.account = Account::Guest;
        if let Some(p) = flow.pass.as_mut() {
            p.page_open = false;
            p.signer = None;
        }
        let Screen::State(PassState::Ready {
            current_pass: Some(summary),
            ..
        }) = screen(&flow, at(10, 10))
        else {
            panic!("ready with a pass")
        };
        assert!(summary.needs_face_check);
        assert_eq!(summary.holder_name_masked, "张*丰");
        if let Some(p) = flow.pass.as_mut() {
            p.page_open = true;
        }
        assert!(matches!(
            screen(&flow, at(10, 10)),
            Screen::State(PassState::ReverificationRequired {
                new_device: true,
                ..
            })
        ));
    }

    #[test]
    fn the_timer_wakes_each_second_and_at_the_deadline() {
        let flow = flow_with_pass(0);
        let now = Now {
            issuer_ms: FIXTURE_ISSUED_AT * 1_000 + 400,
            monotonic_ms: 5_000,
        };
        assert_eq!(flow.next_change_ms(now), Some(5_600));
        let near = Now {
            issuer_ms: FIXTURE_ISSUED_AT * 1_000 + 400,
            monotonic_ms: 30 * MIN - 100,
        };
        assert_eq!(flow.next_change_ms(near), Some(30 * MIN));
    }

    #[test]
    fn a_refused_reapplication_is_shown_over_the_pass_page() {
        let mut flow = flow_with_pass(0);
        flow.quota_exhausted = Some("2026-12-01".into());
        assert!(matches!(
            screen(&flow, at(21 * 3_600, 0)),
            Screen::State(PassState::QuotaExhausted { .. })
        ));
        flow.quota_exhausted = None;
        flow.awaiting_consent = true;
        assert_eq!(
            screen(&flow, at(21 * 3_600, 0)),
            Screen::State(PassState::AwaitingConsent)
        );
    }

    #[test]
    fn revoked_and_superseded() {
        let mut flow = flow_with_pass(0);
        if let Some(p) = flow.pass.as_mut() {
            p.status = CertificateStatus::Superseded;
        }
        assert_eq!(
            screen(&flow, at(1, 1)),
            Screen::State(PassState::Revoked {
                kind: RevocationKind::Superseded
            })
        );
    }
}
