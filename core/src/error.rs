//! Errors in two layers: the rich internal [`Error`] every module returns, and the public
//! [`TempIdError`] whose variants a shell can act on, each with a stable code, a message and what
//! to do next in the person's language. No personal data ever appears in either: ID numbers,
//! names, tokens and keys are never part of an error text.

use tempid_protocol::api::{ErrorBody, ErrorCode};
use tempid_protocol::{IdNumberError, NameError};

impl From<NameError> for Error {
    fn from(_: NameError) -> Self {
        Self::InvalidName
    }
}

impl From<IdNumberError> for Error {
    fn from(error: IdNumberError) -> Self {
        Self::InvalidIdNumber(error.code())
    }
}

use crate::capabilities::FaceCheckRefusal;
use crate::config::Locale;
use crate::device_key::SignerError;
use crate::store::StoreError;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// Only the reason code is kept: some reasons carry digits of the number.
    #[error("invalid ID number: {0}")]
    InvalidIdNumber(&'static str),
    /// The reason is dropped: it may quote a character of the name.
    #[error("invalid name")]
    InvalidName,
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        field: &'static str,
        reason: &'static str,
    },
    #[error("consent and self-confirmation are required")]
    ConsentRequired,
    #[error("location permission denied")]
    LocationDenied,
    #[error("location unavailable")]
    LocationUnavailable,
    #[error("not signed in")]
    NotSignedIn,
    #[error("no pass")]
    NoPass,
    #[error("a new application opens at {reapply_from}")]
    ReapplyNotYet { reapply_from: i64 },
    #[error("re-verification required")]
    ReverificationRequired,
    #[error("the certificate has expired")]
    Expired,
    #[error("the face check did not run: {0}")]
    FaceCheckRefused(FaceCheckRefusal),
    #[error("the issuer refused ({status}): {}", .body.code.as_str())]
    Issuer { status: u16, body: Box<ErrorBody> },
    #[error("the issuer cannot be reached: {0}")]
    Network(String),
    #[error("the issuer's response is not understood: {0}")]
    BadResponse(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Signer(#[from] SignerError),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// The issuer's refusal code, if this is one.
    pub fn issuer_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Issuer { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// Whether the network failed (as opposed to the issuer answering).
    pub fn is_network(&self) -> bool {
        matches!(self, Self::Network(_))
    }

    /// The public error in `locale`. `last_synced` (Unix seconds) is reported with `Offline`.
    pub fn to_public(&self, locale: Locale, last_synced: Option<i64>) -> TempIdError {
        let t = |key: Text| key.localised(locale);
        match self {
            Self::InvalidIdNumber(reason) => {
                let (summary, hint) = t(Text::IdNumber(reason));
                TempIdError::InvalidIdNumber {
                    reason: (*reason).to_string(),
                    summary,
                    hint,
                }
            }
            Self::InvalidName => {
                let (summary, hint) = t(Text::InvalidName);
                TempIdError::InvalidName { summary, hint }
            }
            Self::InvalidInput { field, reason } => {
                let (summary, hint) = t(Text::InvalidInput(reason));
                TempIdError::InvalidInput {
                    field: (*field).to_string(),
                    summary,
                    hint,
                }
            }
            Self::ConsentRequired => {
                let (summary, hint) = t(Text::ConsentRequired);
                TempIdError::ConsentRequired { summary, hint }
            }
            Self::LocationDenied => {
                let (summary, hint) = t(Text::LocationDenied);
                TempIdError::LocationRequired {
                    permission_denied: true,
                    summary,
                    hint,
                }
            }
            Self::LocationUnavailable => {
                let (summary, hint) = t(Text::LocationUnavailable);
                TempIdError::LocationRequired {
                    permission_denied: false,
                    summary,
                    hint,
                }
            }
            Self::NotSignedIn => {
                let (summary, hint) = t(Text::NotSignedIn);
                TempIdError::Unauthorized { summary, hint }
            }
            Self::NoPass => {
                let (summary, hint) = t(Text::NoPass);
                TempIdError::NoPass { summary, hint }
            }
            Self::ReapplyNotYet { reapply_from } => {
                let (summary, hint) = t(Text::ReapplyNotYet);
                TempIdError::ReapplyNotYet {
                    reapply_from: *reapply_from,
                    summary,
                    hint,
                }
            }
            Self::ReverificationRequired => {
                let (summary, hint) = t(Text::ReverificationRequired);
                TempIdError::ReverificationRequired { summary, hint }
            }
            Self::Expired => {
                let (summary, hint) = t(Text::Expired);
                TempIdError::Expired { summary, hint }
            }
            Self::FaceCheckRefused(refusal) => {
                let reason = match refusal {
                    FaceCheckRefusal::Cancelled => "cancelled",
                    FaceCheckRefusal::CameraUnavailable => "camera_unavailable",
                    FaceCheckRefusal::Failed { .. } => "sdk_failed",
                };
                let (summary, hint) = t(Text::FaceCheck(reason));
                TempIdError::FaceCheckFailed {
                    reason: reason.to_string(),
                    summary,
                    hint,
                }
            }
            Self::Issuer { body, .. } => issuer_error(body, locale),
            Self::Network(_) => {
                let (summary, hint) = t(Text::Offline);
                TempIdError::Offline {
                    last_synced,
                    summary,
                    hint,
                }
            }
            Self::Store(_) => {
                let (summary, hint) = t(Text::Storage);
                TempIdError::Storage { summary, hint }
            }
            Self::Signer(_) => {
                let (summary, hint) = t(Text::DeviceKey);
                TempIdError::ReverificationRequired { summary, hint }
            }
            Self::BadResponse(_) | Self::Internal(_) => {
                let (summary, hint) = t(Text::Internal);
                TempIdError::Internal { summary, hint }
            }
        }
    }
}

fn issuer_error(body: &ErrorBody, locale: Locale) -> TempIdError {
    let t = |key: Text| key.localised(locale);
    match body.code {
        ErrorCode::InvalidIdNumber => {
            let reason = body.reason.clone().unwrap_or_else(|| "invalid".to_string());
            let (summary, hint) = t(Text::IdNumber(known_reason(&reason)));
            TempIdError::InvalidIdNumber {
                reason,
                summary,
                hint,
            }
        }
        ErrorCode::InvalidName => {
            let (summary, hint) = t(Text::InvalidName);
            TempIdError::InvalidName { summary, hint }
        }
        ErrorCode::WeakPassword => {
            let (summary, hint) = t(Text::InvalidInput("weak_password"));
            TempIdError::InvalidInput {
                field: "password".into(),
                summary,
                hint,
            }
        }
        ErrorCode::ConsentRequired => {
            let (summary, hint) = t(Text::ConsentRequired);
            TempIdError::ConsentRequired { summary, hint }
        }
        ErrorCode::Unauthorized => {
            let (summary, hint) = t(Text::NotSignedIn);
            TempIdError::Unauthorized { summary, hint }
        }
        ErrorCode::InvalidCredentials => {
            let (summary, hint) = t(Text::InvalidCredentials);
            TempIdError::InvalidCredentials { summary, hint }
        }
        ErrorCode::AccountExists => {
            let (summary, hint) = t(Text::AccountExists);
            TempIdError::AccountExists { summary, hint }
        }
        code @ (ErrorCode::FaceCheckFailed
        | ErrorCode::IdentityMismatch
        | ErrorCode::ChallengeExpired
        | ErrorCode::ChallengeReplayed
        | ErrorCode::BadEvidence
        | ErrorCode::FaceCheckRequired) => {
            let (summary, hint) = t(Text::FaceCheck(code.as_str()));
            TempIdError::FaceCheckFailed {
                reason: code.as_str().to_string(),
                summary,
                hint,
            }
        }
        ErrorCode::QuotaExhausted => {
            let resets_on = body.resets_on.clone().unwrap_or_default();
            let (summary, hint) = t(Text::QuotaExhausted(&resets_on));
            TempIdError::QuotaExhausted {
                resets_on,
                summary,
                hint,
            }
        }
        ErrorCode::CertificateStillValid => {
            let (summary, hint) = t(Text::ReapplyNotYet);
            TempIdError::ReapplyNotYet {
                reapply_from: body.reapply_from.unwrap_or_default(),
                summary,
                hint,
            }
        }
        ErrorCode::NoCurrentCertificate => {
            let (summary, hint) = t(Text::NoPass);
            TempIdError::NoPass { summary, hint }
        }
        ErrorCode::CertificateExpired => {
            let (summary, hint) = t(Text::Expired);
            TempIdError::Expired { summary, hint }
        }
        ErrorCode::CertificateRevoked => {
            let (summary, hint) = t(Text::Revoked);
            TempIdError::Revoked { summary, hint }
        }
        ErrorCode::UpdateRequired => {
            let min_version = body.min_app_version.clone().unwrap_or_default();
            let (summary, hint) = t(Text::UpdateRequired);
            TempIdError::UpdateRequired {
                min_version,
                summary,
                hint,
            }
        }
        ErrorCode::RateLimited => {
            let retry_after_seconds = body.retry_after_seconds.unwrap_or(60);
            let (summary, hint) = t(Text::RateLimited);
            TempIdError::RateLimited {
                retry_after_seconds,
                summary,
                hint,
            }
        }
        ErrorCode::InvalidDeviceKey
        | ErrorCode::BadRequest
        | ErrorCode::PayloadTooLarge
        | ErrorCode::NotFound
        | ErrorCode::Internal => {
            let (summary, hint) = t(Text::Internal);
            TempIdError::Internal { summary, hint }
        }
    }
}

fn known_reason(reason: &str) -> &'static str {
    [
        "wrong_length",
        "bad_character",
        "unknown_province",
        "impossible_birth_date",
        "future_birth_date",
        "wrong_check_character",
    ]
    .into_iter()
    .find(|known| *known == reason)
    .unwrap_or("invalid")
}

/// A refusal or failure the shell can act on. Every variant carries `summary` (what happened)
/// and `hint` (what to do next) in the client's language; [`TempIdError::code`] is stable.
///
/// With the `uniffi` feature this is also the FFI's error (Kotlin `TempIdException`, Swift
/// `TempIdError`). The text is called `summary`, not `message`: a field named `message` does
/// not compile in Kotlin, where it clashes with `Throwable.message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
pub enum TempIdError {
    /// The ID number is not valid; `reason` is the precise reason code (`wrong_check_character`, …).
    #[error("{summary}")]
    InvalidIdNumber {
        /// The reason code.
        reason: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The name is not a name as printed on an ID card.
    #[error("{summary}")]
    InvalidName {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Another field (user name, password) is not acceptable.
    #[error("{summary}")]
    InvalidInput {
        /// The field: `username` or `password`.
        field: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Consent and "I am the holder" must both be given before the face check.
    #[error("{summary}")]
    ConsentRequired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The city is needed: permission was denied, or no position was found.
    #[error("{summary}")]
    LocationRequired {
        /// True when permission was denied (the shell offers the settings page).
        permission_denied: bool,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Not signed in, or the session ended: log in (or continue as a guest).
    #[error("{summary}")]
    Unauthorized {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Wrong user name or password.
    #[error("{summary}")]
    InvalidCredentials {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The user name is taken.
    #[error("{summary}")]
    AccountExists {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The face check did not pass or did not run; `reason` names why (`face_check_failed`,
    /// `identity_mismatch`, `challenge_expired`, `cancelled`, `camera_unavailable`, …).
    #[error("{summary}")]
    FaceCheckFailed {
        /// The reason code.
        reason: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// This month's three applications are used up.
    #[error("{summary}")]
    QuotaExhausted {
        /// The first day a new application is allowed, `YYYY-MM-DD` (China Standard Time).
        resets_on: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The current certificate is valid for more than 3 hours: no new application yet.
    #[error("{summary}")]
    ReapplyNotYet {
        /// From when a new application is allowed (Unix seconds).
        reapply_from: i64,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// A face check is needed before the pass is shown again.
    #[error("{summary}")]
    ReverificationRequired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// There is no pass to show.
    #[error("{summary}")]
    NoPass {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The certificate has expired.
    #[error("{summary}")]
    Expired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The certificate was revoked or replaced.
    #[error("{summary}")]
    Revoked {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The issuer cannot be reached.
    #[error("{summary}")]
    Offline {
        /// When the app last heard from the issuer (Unix seconds), if ever.
        last_synced: Option<i64>,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// This app version is no longer accepted.
    #[error("{summary}")]
    UpdateRequired {
        /// The minimum version.
        min_version: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Too many attempts.
    #[error("{summary}")]
    RateLimited {
        /// Seconds to wait.
        retry_after_seconds: u64,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The phone's secure store failed.
    #[error("{summary}")]
    Storage {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Something failed that the person cannot fix.
    #[error("{summary}")]
    Internal {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
}

impl TempIdError {
    /// The stable code, e.g. `quota_exhausted`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidIdNumber { .. } => "invalid_id_number",
            Self::InvalidName { .. } => "invalid_name",
            Self::InvalidInput { .. } => "invalid_input",
            Self::ConsentRequired { .. } => "consent_required",
            Self::LocationRequired { .. } => "location_required",
            Self::Unauthorized { .. } => "unauthorized",
            Self::InvalidCredentials { .. } => "invalid_credentials",
            Self::AccountExists { .. } => "account_exists",
            Self::FaceCheckFailed { .. } => "face_check_failed",
            Self::QuotaExhausted { .. } => "quota_exhausted",
            Self::ReapplyNotYet { .. } => "reapply_not_yet",
            Self::ReverificationRequired { .. } => "reverification_required",
            Self::NoPass { .. } => "no_pass",
            Self::Expired { .. } => "expired",
            Self::Revoked { .. } => "revoked",
            Self::Offline { .. } => "offline",
            Self::UpdateRequired { .. } => "update_required",
            Self::RateLimited { .. } => "rate_limited",
            Self::Storage { .. } => "storage",
            Self::Internal { .. } => "internal",
        }
    }

    /// What happened, in the client's language.
    pub fn summary(&self) -> &str {
        self.parts().0
    }

    /// What to do next, in the client's language.
    pub fn hint(&self) -> &str {
        self.parts().1
    }

    fn parts(&self) -> (&str, &str) {
        match self {
            Self::InvalidIdNumber { summary, hint, .. }
            | Self::InvalidName { summary, hint }
            | Self::InvalidInput { summary, hint, .. }
            | Self::ConsentRequired { summary, hint }
            | Self::LocationRequired { summary, hint, .. }
            | Self::Unauthorized { summary, hint }
            | Self::InvalidCredentials { summary, hint }
            | Self::AccountExists { summary, hint }
            | Self::FaceCheckFailed { summary, hint, .. }
            | Self::QuotaExhausted { summary, hint, .. }
            | Self::ReapplyNotYet { summary, hint, .. }
            | Self::ReverificationRequired { summary, hint }
            | Self::NoPass { summary, hint }
            | Self::Expired { summary, hint }
            | Self::Revoked { summary, hint }
            | Self::Offline { summary, hint, .. }
            | Self::UpdateRequired { summary, hint, .. }
            | Self::RateLimited { summary, hint, .. }
            | Self::Storage { summary, hint }
            | Self::Internal { summary, hint } => (summary, hint),
        }
    }
}

/// The FFI's view: foreign languages get owned strings under the same names.
#[cfg(feature = "uniffi")]
#[uniffi::export]
impl TempIdError {
    /// The stable code, e.g. `quota_exhausted`, `invalid_id_number`, `face_check_failed`.
    #[uniffi::method(name = "code")]
    pub fn ffi_code(&self) -> String {
        self.code().to_string()
    }

    /// What happened, in the client's language.
    #[uniffi::method(name = "summary")]
    pub fn ffi_summary(&self) -> String {
        self.summary().to_string()
    }

    /// What to do next, in the client's language.
    #[uniffi::method(name = "hint")]
    pub fn ffi_hint(&self) -> String {
        self.hint().to_string()
    }
}

/// The texts, by what happened.
enum Text<'a> {
    IdNumber(&'a str),
    InvalidName,
    InvalidInput(&'a str),
    ConsentRequired,
    LocationDenied,
    LocationUnavailable,
    NotSignedIn,
    InvalidCredentials,
    AccountExists,
    FaceCheck(&'a str),
    QuotaExhausted(&'a str),
    ReapplyNotYet,
    ReverificationRequired,
    DeviceKey,
    NoPass,
    Expired,
    Revoked,
    Offline,
    UpdateRequired,
    RateLimited,
    Storage,
    Internal,
}

const POLICE_ZH: &str = "如需帮助，请到车站公安制证口办理临时乘车身份证明。";
const POLICE_EN: &str =
    "For help, go to the station police window for a paper temporary ID certificate.";

impl Text<'_> {
    fn localised(&self, locale: Locale) -> (String, String) {
        let (zh, en) = self.both();
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }

    fn both(&self) -> ((String, String), (String, String)) {
        let s = |zh_m: &str, zh_h: &str, en_m: &str, en_h: &str| {
            (
                (zh_m.to_string(), zh_h.to_string()),
                (en_m.to_string(), en_h.to_string()),
            )
        };
        let check_digits_zh = "请对照身份证重新输入 18 位号码。";
        let check_digits_en = "Check the 18 characters against your ID card and enter them again.";
        match self {
            Self::IdNumber(reason) => {
                let (zh, en) = match *reason {
                    "wrong_length" => ("身份证号码应为 18 位", "An ID number has 18 characters"),
                    "bad_character" => (
                        "身份证号码只能是数字，最后一位可以是 X",
                        "Only digits are allowed, and X as the last character",
                    ),
                    "unknown_province" => (
                        "身份证号码前两位不是有效的地区代码",
                        "The first two digits are not a region code",
                    ),
                    "impossible_birth_date" => (
                        "身份证号码中的出生日期无效",
                        "The birth date in the ID number is not a possible date",
                    ),
                    "future_birth_date" => (
                        "身份证号码中的出生日期晚于今天",
                        "The birth date in the ID number lies in the future",
                    ),
                    "wrong_check_character" => (
                        "身份证号码校验位不符，可能输错了某一位",
                        "The check character does not match: a digit was probably mistyped",
                    ),
                    _ => ("身份证号码无效", "The ID number is not valid"),
                };
                s(zh, check_digits_zh, en, check_digits_en)
            }
            Self::InvalidName => s(
                "姓名无效",
                "请按身份证上的姓名填写。",
                "The name is not valid",
                "Enter the name exactly as printed on your ID card.",
            ),
            Self::InvalidInput(reason) => match *reason {
                "weak_password" => s(
                    "密码太弱",
                    "请使用至少 8 位的密码。",
                    "The password is too weak",
                    "Use a password of at least 8 characters.",
                ),
                "username" => s(
                    "用户名无效",
                    "用户名应为 3–64 个字符（通常为手机号）。",
                    "The user name is not valid",
                    "Use 3 to 64 characters (usually your phone number).",
                ),
                _ => s(
                    "输入无效",
                    "请检查后重新输入。",
                    "The input is not valid",
                    "Check it and try again.",
                ),
            },
            Self::ConsentRequired => s(
                "需要您同意服务条款并确认本人申领",
                "请阅读并勾选同意条款和“本人为该身份证持有人”，再进行人脸核验。",
                "Your consent and confirmation are required",
                "Agree to the terms and confirm \"I am the holder of this ID number\" before the face check.",
            ),
            Self::LocationDenied => s(
                "未获得定位权限",
                "请在系统设置中允许定位后点击“重新定位”。",
                "Location permission is not granted",
                "Allow location access in the system settings, then tap \"Re-locate\".",
            ),
            Self::LocationUnavailable => s(
                "暂时无法定位",
                "请检查定位服务和网络后点击“重新定位”。",
                "Your location cannot be found right now",
                "Check location services and the network, then tap \"Re-locate\".",
            ),
            Self::NotSignedIn => s(
                "请先登录",
                "请登录或以访客身份继续。",
                "Please log in",
                "Log in, or continue as a guest.",
            ),
            Self::InvalidCredentials => s(
                "用户名或密码错误",
                "请检查后重新输入。",
                "Wrong user name or password",
                "Check them and try again.",
            ),
            Self::AccountExists => s(
                "该用户名已被注册",
                "请直接登录或换一个用户名。",
                "This user name is taken",
                "Log in, or choose another user name.",
            ),
            Self::FaceCheck(reason) => {
                let (zh, zh_h, en, en_h) = match *reason {
                    "identity_mismatch" => (
                        "人脸与身份证信息不符",
                        "请本人进行核验；如有疑问，请到车站公安制证口办理。",
                        "The face does not match the ID card holder",
                        "The holder must take the check in person; otherwise go to the station police window.",
                    ),
                    "challenge_expired" | "challenge_replayed" | "face_check_required" => (
                        "人脸核验已过期",
                        "请重新进行人脸核验。",
                        "The face check has expired",
                        "Take the face check again.",
                    ),
                    "cancelled" => (
                        "人脸核验已取消",
                        "准备好后请重新开始。",
                        "The face check was cancelled",
                        "Start again when you are ready.",
                    ),
                    "camera_unavailable" => (
                        "无法使用摄像头",
                        "请在系统设置中允许使用摄像头后重试。",
                        "The camera is not available",
                        "Allow camera access in the system settings and try again.",
                    ),
                    _ => (
                        "人脸核验未通过",
                        "请在光线充足处正对屏幕重试；多次失败请到车站公安制证口办理。",
                        "The face check did not pass",
                        "Try again facing the screen in good light; if it keeps failing, go to the station police window.",
                    ),
                };
                s(zh, zh_h, en, en_h)
            }
            Self::QuotaExhausted(resets_on) => (
                (
                    "本月申领次数（3 次）已用完".to_string(),
                    format!("{resets_on} 起可再次申领。{POLICE_ZH}"),
                ),
                (
                    "This month's three applications are used up".to_string(),
                    format!("You can apply again from {resets_on}. {POLICE_EN}"),
                ),
            ),
            Self::ReapplyNotYet => s(
                "当前证明仍在有效期内",
                "到期前 3 小时起可重新申领。",
                "Your current certificate is still valid",
                "A new application opens 3 hours before it expires.",
            ),
            Self::ReverificationRequired => s(
                "需要再次进行人脸核验",
                "为保护您的证明安全，请完成人脸核验后继续出示，此操作不占用申领次数。",
                "A new face check is required",
                "Take the face check to show your pass again; it does not use up an application.",
            ),
            Self::DeviceKey => s(
                "本机密钥不可用",
                "请完成人脸核验以在本机重新启用证明，此操作不占用申领次数。",
                "This phone's key is not available",
                "Take the face check to enable your pass on this phone again; it does not use up an application.",
            ),
            Self::NoPass => s(
                "您还没有有效的临时乘车身份证明",
                "请先申领。",
                "You have no valid temporary ID certificate",
                "Apply for one first.",
            ),
            Self::Expired => (
                (
                    "临时乘车身份证明已过期".to_string(),
                    format!("请重新申领。{POLICE_ZH}"),
                ),
                (
                    "Your temporary ID certificate has expired".to_string(),
                    format!("Apply again. {POLICE_EN}"),
                ),
            ),
            Self::Revoked => (
                (
                    "临时乘车身份证明已失效".to_string(),
                    format!("请重新申领。{POLICE_ZH}"),
                ),
                (
                    "Your temporary ID certificate is no longer valid".to_string(),
                    format!("Apply again. {POLICE_EN}"),
                ),
            ),
            Self::Offline => s(
                "网络不可用",
                "已保存的证明在有效期内仍可离线出示；申领等操作请联网后重试。",
                "No network connection",
                "A saved certificate can still be shown offline until it expires; connect to apply.",
            ),
            Self::UpdateRequired => s(
                "当前版本过低",
                "请更新到最新版本后继续使用。",
                "This app version is no longer supported",
                "Update the app to continue.",
            ),
            Self::RateLimited => s(
                "操作过于频繁",
                "请稍后再试。",
                "Too many attempts",
                "Wait a moment and try again.",
            ),
            Self::Storage => s(
                "无法访问手机的安全存储",
                "请解锁手机后重试；如仍失败，可清除缓存后重新登录。",
                "The phone's secure storage cannot be used",
                "Unlock the phone and try again; if it still fails, clear the cache and log in again.",
            ),
            Self::Internal => (
                (
                    "服务暂时不可用".to_string(),
                    format!("请稍后重试。{POLICE_ZH}"),
                ),
                (
                    "The service is not available right now".to_string(),
                    format!("Try again later. {POLICE_EN}"),
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ID: &str = "11010519491231002X";

    fn body(code: ErrorCode) -> ErrorBody {
        ErrorBody {
            code,
            message: format!("issuer text with {ID}"),
            hint: String::new(),
            reason: None,
            resets_on: Some("2026-12-01".into()),
            reapply_from: Some(1_800_000_000),
            min_app_version: Some("2.0.0".into()),
            retry_after_seconds: Some(30),
        }
    }

    #[test]
    fn every_issuer_code_maps_to_a_localised_error_without_personal_data() {
        let codes = [
            ErrorCode::BadRequest,
            ErrorCode::InvalidIdNumber,
            ErrorCode::InvalidName,
            ErrorCode::InvalidDeviceKey,
            ErrorCode::ConsentRequired,
            ErrorCode::Unauthorized,
            ErrorCode::InvalidCredentials,
            ErrorCode::AccountExists,
            ErrorCode::WeakPassword,
            ErrorCode::FaceCheckFailed,
            ErrorCode::IdentityMismatch,
            ErrorCode::ChallengeExpired,
            ErrorCode::ChallengeReplayed,
            ErrorCode::BadEvidence,
            ErrorCode::FaceCheckRequired,
            ErrorCode::QuotaExhausted,
            ErrorCode::CertificateStillValid,
            ErrorCode::NoCurrentCertificate,
            ErrorCode::CertificateExpired,
            ErrorCode::CertificateRevoked,
            ErrorCode::UpdateRequired,
            ErrorCode::RateLimited,
            ErrorCode::PayloadTooLarge,
            ErrorCode::NotFound,
            ErrorCode::Internal,
        ];
        for code in codes {
            let error = Error::Issuer {
                status: 400,
                body: Box::new(body(code)),
            };
            let zh = error.to_public(Locale::ZhCn, None);
            let en = error.to_public(Locale::En, None);
            assert_eq!(zh.code(), en.code());
            for e in [&zh, &en] {
                assert!(!e.summary().is_empty() && !e.hint().is_empty(), "{code:?}");
                assert!(
                    !e.summary().contains(ID) && !e.hint().contains(ID),
                    "{code:?} leaks the ID number"
                );
                assert!(!format!("{e:?}").contains("110105"), "{code:?} debug leaks");
            }
            assert!(
                en.summary().is_ascii(),
                "{code:?}: English message is English"
            );
            assert!(
                !zh.summary().is_ascii(),
                "{code:?}: Chinese message is Chinese"
            );
        }
    }

    #[test]
    fn quota_exhausted_carries_the_reset_date_and_points_to_the_police_window() {
        let e = Error::Issuer {
            status: 409,
            body: Box::new(body(ErrorCode::QuotaExhausted)),
        }
        .to_public(Locale::ZhCn, None);
        assert_eq!(e.code(), "quota_exhausted");
        assert!(
            matches!(&e, TempIdError::QuotaExhausted { resets_on, .. } if resets_on == "2026-12-01")
        );
        assert!(e.hint().contains("2026-12-01") && e.hint().contains("车站公安制证口"));
        let en = Error::Issuer {
            status: 409,
            body: Box::new(body(ErrorCode::QuotaExhausted)),
        }
        .to_public(Locale::En, None);
        assert!(en.hint().contains("station police window"));
    }

    #[test]
    fn local_id_number_errors_keep_the_precise_reason_and_hide_the_digits() {
        let today = date!(2026 - 11 - 25);
        let future = tempid_protocol::id_number::with_check_character("11010520300101001")
            .expect("17 digits");
        let cases = [
            ("11010519491231002", "wrong_length"),
            ("11010519491231002A", "bad_character"),
            ("99010519491231002X", "unknown_province"),
            ("110105194913310020", "impossible_birth_date"),
            (future.as_str(), "future_birth_date"),
            ("110105194912310021", "wrong_check_character"),
        ];
        for (input, reason) in cases {
            let parse_error = tempid_protocol::IdNumber::parse(input, today).expect_err(input);
            assert_eq!(parse_error.code(), reason, "{input}");
            let e = Error::from(parse_error).to_public(Locale::En, None);
            assert!(matches!(&e, TempIdError::InvalidIdNumber { reason: r, .. } if r == reason));
            assert!(
                !e.summary().contains(&input[6..14]),
                "{reason}: no birth digits in the message"
            );
            let internal =
                Error::from(tempid_protocol::IdNumber::parse(input, today).expect_err("bad"));
            assert!(!format!("{internal:?} {internal}").contains(&input[6..14]));
        }
    }

    #[test]
    fn network_errors_are_offline_with_the_last_sync() {
        let e = Error::Network("connection refused".into()).to_public(Locale::En, Some(42));
        assert_eq!(
            e,
            TempIdError::Offline {
                last_synced: Some(42),
                summary: e.summary().to_string(),
                hint: e.hint().to_string()
            }
        );
        let e = Error::FaceCheckRefused(FaceCheckRefusal::Cancelled).to_public(Locale::ZhCn, None);
        assert!(
            matches!(e, TempIdError::FaceCheckFailed { ref reason, .. } if reason == "cancelled")
        );
    }
}
