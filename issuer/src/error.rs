//! Refusals: the issuer's internal error type, its HTTP status, and its rendering as the one
//! JSON [`ErrorBody`] with a message and hint in the request's language (zh-CN default, en).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tempid_protocol::api::{ErrorBody, ErrorCode};

/// The language of a response's message and hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Simplified Chinese (the default).
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Language {
    /// Picks the best supported language from an `Accept-Language` header (RFC 9110 §12.5.4,
    /// q-values honoured); anything unsupported falls back to zh-CN.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::ZhCn;
        };
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.trim().split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.trim().parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else if tag == "zh" || tag.starts_with("zh-") || tag == "*" {
                Self::ZhCn
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::ZhCn, |(_, lang)| lang)
    }
}

/// A refusal (or failure) of one request. Rendered by [`ApiError::into_body`]; as a response
/// it carries a pending marker until the language middleware renders it in the request's
/// language. Boxed, so `Result<_, ApiError>` stays small.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Refusal>);

impl std::ops::Deref for ApiError {
    type Target = Refusal;

    fn deref(&self) -> &Refusal {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut Refusal {
        &mut self.0
    }
}

/// The content of an [`ApiError`].
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The stable code.
    pub code: ErrorCode,
    /// A more precise message pair (zh, en) than the code's generic one, if any.
    pub detail: Option<(String, String)>,
    /// `invalid_id_number` reason.
    pub reason: Option<String>,
    /// `quota_exhausted` reset date.
    pub resets_on: Option<String>,
    /// `certificate_still_valid`: when a new application opens.
    pub reapply_from: Option<i64>,
    /// `update_required`: the minimum version.
    pub min_app_version: Option<String>,
    /// `rate_limited`: seconds to wait.
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// A refusal with the code's generic message.
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new(Refusal {
            code,
            detail: None,
            reason: None,
            resets_on: None,
            reapply_from: None,
            min_app_version: None,
            retry_after_seconds: None,
        }))
    }

    /// A refusal with a precise message in both languages.
    pub fn with_detail(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let mut error = Self::new(code);
        error.detail = Some((zh.into(), en.into()));
        error
    }

    /// `bad_request` with a precise message.
    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::with_detail(ErrorCode::BadRequest, zh, en)
    }

    /// `internal`: logs the cause (never sent to the client).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal)
    }

    /// The HTTP status of this refusal.
    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }

    /// The JSON body in `language`.
    pub fn into_body(self, language: Language) -> ErrorBody {
        let this = *self.0;
        let (generic_zh, generic_en, hint_zh, hint_en) = texts(this.code);
        let (message, hint) = match (language, this.detail) {
            (Language::ZhCn, Some((zh, _))) => (zh, hint_zh.to_string()),
            (Language::En, Some((_, en))) => (en, hint_en.to_string()),
            (Language::ZhCn, None) => (generic_zh.to_string(), hint_zh.to_string()),
            (Language::En, None) => (generic_en.to_string(), hint_en.to_string()),
        };
        ErrorBody {
            code: this.code,
            message,
            hint,
            reason: this.reason,
            resets_on: this.resets_on,
            reapply_from: this.reapply_from,
            min_app_version: this.min_app_version,
            retry_after_seconds: this.retry_after_seconds,
        }
    }

    /// The full response in `language` (status, `Retry-After`, JSON body).
    pub fn into_response_in(self, language: Language) -> Response {
        let status = self.status();
        let retry_after = self.retry_after_seconds;
        let body = self.into_body(language);
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(error)
    }
}

/// Marks a response whose body the language middleware must render.
#[derive(Debug, Clone)]
pub struct PendingError(pub ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Rendered in zh-CN now so the response is complete even outside the router's
        // middleware; the middleware re-renders it in the request's language.
        let mut response = self.clone().into_response_in(Language::ZhCn);
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// The HTTP status for each code. Clients act on the code in the body; the status follows HTTP
/// conventions so proxies and dashboards make sense of it.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest | ErrorCode::BadEvidence => StatusCode::BAD_REQUEST,
        ErrorCode::InvalidIdNumber
        | ErrorCode::InvalidName
        | ErrorCode::InvalidDeviceKey
        | ErrorCode::ConsentRequired
        | ErrorCode::WeakPassword
        | ErrorCode::FaceCheckFailed
        | ErrorCode::IdentityMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
        ErrorCode::FaceCheckRequired | ErrorCode::QuotaExhausted => StatusCode::FORBIDDEN,
        ErrorCode::AccountExists
        | ErrorCode::ChallengeReplayed
        | ErrorCode::CertificateStillValid => StatusCode::CONFLICT,
        ErrorCode::ChallengeExpired
        | ErrorCode::CertificateExpired
        | ErrorCode::CertificateRevoked => StatusCode::GONE,
        ErrorCode::NoCurrentCertificate | ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::UpdateRequired => StatusCode::UPGRADE_REQUIRED,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

const POLICE: (&str, &str) = (
    "如仍无法办理，请到车站公安制证窗口办理纸质临时乘车身份证明。",
    "If this keeps failing, visit the station police window for a paper temporary ID certificate.",
);

/// (message zh, message en, hint zh, hint en) for each code.
fn texts(code: ErrorCode) -> (&'static str, &'static str, &'static str, &'static str) {
    match code {
        ErrorCode::BadRequest => (
            "请求格式不正确。",
            "The request is malformed.",
            "请更新应用后重试。",
            "Update the app and try again.",
        ),
        ErrorCode::InvalidIdNumber => (
            "身份证号码无效。",
            "The ID number is not valid.",
            "请核对身份证上的 18 位号码后重新输入。",
            "Check the 18 characters on the ID card and enter them again.",
        ),
        ErrorCode::InvalidName => (
            "姓名无效。",
            "The name is not valid.",
            "请按身份证上的姓名填写。",
            "Enter the name exactly as printed on the ID card.",
        ),
        ErrorCode::InvalidDeviceKey => (
            "设备密钥无效。",
            "The device key is not valid.",
            "请重启应用后重试；如仍失败，请重新安装应用。",
            "Restart the app and try again; if it still fails, reinstall the app.",
        ),
        ErrorCode::ConsentRequired => (
            "需要同意服务条款并确认本人申请。",
            "You must accept the terms and confirm you are the holder of this ID number.",
            "请阅读并同意条款，勾选“本人申请”后再继续。",
            "Read and accept the terms, tick \"I am the holder\", then continue.",
        ),
        ErrorCode::Unauthorized => (
            "登录已失效。",
            "You are not logged in, or your session has ended.",
            "请重新登录。",
            "Log in again.",
        ),
        ErrorCode::InvalidCredentials => (
            "用户名或密码错误。",
            "Wrong user name or password.",
            "请检查后重试。",
            "Check them and try again.",
        ),
        ErrorCode::AccountExists => (
            "该用户名已被注册。",
            "This user name is already registered.",
            "请直接登录，或换一个用户名。",
            "Log in instead, or choose another user name.",
        ),
        ErrorCode::WeakPassword => (
            "密码太弱：至少需要 8 个字符。",
            "The password is too weak: it needs at least 8 characters.",
            "请设置更长的密码。",
            "Choose a longer password.",
        ),
        ErrorCode::FaceCheckFailed => (
            "人脸识别未通过。",
            "The face check did not pass.",
            "请在光线充足处正对镜头重新识别。",
            "Face the camera in good light and try again.",
        ),
        ErrorCode::IdentityMismatch => (
            "人脸与身份证号码、姓名不一致。",
            "The face does not match the ID number and name.",
            "请确认由本人办理，并核对号码和姓名。",
            "Make sure the holder is in front of the camera and check the number and name.",
        ),
        ErrorCode::ChallengeExpired => (
            "人脸识别已超时。",
            "The face check timed out.",
            "请重新开始人脸识别。",
            "Start the face check again.",
        ),
        ErrorCode::ChallengeReplayed => (
            "该人脸识别结果已被使用。",
            "This face check has already been used.",
            "请重新进行人脸识别。",
            "Do a new face check.",
        ),
        ErrorCode::BadEvidence => (
            "人脸识别数据无效。",
            "The face check evidence is not genuine.",
            "请重新进行人脸识别；如仍失败，请更新应用。",
            "Do the face check again; if it still fails, update the app.",
        ),
        ErrorCode::FaceCheckRequired => (
            "需要先通过本人的人脸识别。",
            "A passed face check of the holder is required first.",
            "请先完成人脸识别（10 分钟内有效）。",
            "Complete the face check first (it is valid for 10 minutes).",
        ),
        ErrorCode::QuotaExhausted => (
            "本月申请次数已用完（每月 3 次）。",
            "This month's applications are used up (3 a month).",
            "请到车站公安制证窗口办理纸质临时乘车身份证明；下月 1 日起可再次申请。",
            "Visit the station police window for a paper temporary ID certificate; you can apply again from the first day of next month.",
        ),
        ErrorCode::CertificateStillValid => (
            "当前证明仍在有效期内。",
            "Your current certificate is still valid.",
            "到期前 3 小时内可重新申请。",
            "You can apply again from 3 hours before it expires.",
        ),
        ErrorCode::NoCurrentCertificate => (
            "没有可用的临时身份证明。",
            "There is no current certificate.",
            "请重新申请。",
            "Apply for a new certificate.",
        ),
        ErrorCode::CertificateExpired => (
            "临时身份证明已过期。",
            "The certificate has expired.",
            "请重新申请，或到车站公安制证窗口办理。",
            "Apply again, or visit the station police window.",
        ),
        ErrorCode::CertificateRevoked => (
            "临时身份证明已被撤销。",
            "The certificate was revoked.",
            POLICE.0,
            POLICE.1,
        ),
        ErrorCode::UpdateRequired => (
            "应用版本过低。",
            "This version of the app is no longer supported.",
            "请更新应用后重试。",
            "Update the app and try again.",
        ),
        ErrorCode::RateLimited => (
            "操作过于频繁。",
            "Too many attempts.",
            "请稍后再试。",
            "Wait a moment and try again.",
        ),
        ErrorCode::PayloadTooLarge => (
            "请求内容过大。",
            "The request is too large.",
            "请更新应用后重试。",
            "Update the app and try again.",
        ),
        ErrorCode::NotFound => (
            "未找到。",
            "Not found.",
            "请检查地址后重试。",
            "Check the address and try again.",
        ),
        ErrorCode::Internal => (
            "服务暂时不可用，本次操作未生效。",
            "The service failed; nothing was changed.",
            "请稍后重试。",
            "Try again later.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Language::from_accept_language(None), Language::ZhCn);
        assert_eq!(Language::from_accept_language(Some("en")), Language::En);
        assert_eq!(
            Language::from_accept_language(Some("en-US,en;q=0.9")),
            Language::En
        );
        assert_eq!(
            Language::from_accept_language(Some("fr, en;q=0.5, zh-CN;q=0.8")),
            Language::ZhCn
        );
        assert_eq!(Language::from_accept_language(Some("de")), Language::ZhCn);
    }

    #[test]
    fn every_code_has_texts_in_both_languages() {
        let error = ApiError::new(ErrorCode::QuotaExhausted);
        let zh = error.clone().into_body(Language::ZhCn);
        let en = error.into_body(Language::En);
        assert!(zh.hint.contains("公安"));
        assert!(en.hint.contains("police"));
    }
}
