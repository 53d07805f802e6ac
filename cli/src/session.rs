//! Building a [`TempIdClient`] for real use against an issuer: the issuer URL checked before
//! anything else, the session kept in the OS keyring through the core's default secure store,
//! and — where there is no keyring service (a headless box, a container) — an in-memory store
//! with a clear notice that nothing will be remembered. Nothing is ever written to a file.

use std::sync::Arc;

use tempid_core::{
    Capabilities, ClientConfig, MemoryStore, SecureStore, TempIdClient, native_secure_store,
};

use crate::capabilities::{GivenCity, TerminalFace};
use crate::error::CliError;
use crate::lang::Lang;

/// The app-contract version this shell speaks, sent as `x-tempid-app-version` (the issuer
/// refuses apps older than its minimum, 1.0.0 by default).
pub const APP_VERSION: &str = "1.0.0";

/// The secure-store namespace prefix; the issuer's host and port follow, so sessions with two
/// issuers never mix.
const NAMESPACE_PREFIX: &str = "org.tempid.cli";

/// Checks an issuer URL: absolute `http` or `https` with a host (used as a clap value parser).
pub fn parse_issuer_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| {
        format!("'{text}' is not a URL ({e}); give the issuer's base URL, e.g. https://issuer.example or http://127.0.0.1:8080")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "'{text}' is not an http(s) URL; give e.g. https://issuer.example"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "'{text}' has no host; give e.g. https://issuer.example"
        ));
    }
    Ok(text.trim().trim_end_matches('/').to_string())
}

/// The secure-store namespace for an issuer URL (ASCII letters, digits, `.`, `-`, `_`, `:`).
pub fn namespace_for(issuer_url: &str) -> String {
    let authority = url::Url::parse(issuer_url)
        .ok()
        .map(|u| {
            format!(
                "{}{}",
                u.host_str().unwrap_or("issuer"),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "issuer".into());
    let safe: String = authority
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{NAMESPACE_PREFIX}.{safe}")
}

/// The secure store: the OS keyring when it works, else memory. Returns whether the session
/// will be remembered.
/// `TEMPID_SECURE_STORE=memory` keeps everything in memory even where a keyring works (scripts,
/// CI, tests that must not touch the person's keyring).
pub fn secure_store(namespace: &str, lang: Lang) -> (Arc<dyn SecureStore>, bool) {
    let forced =
        std::env::var("TEMPID_SECURE_STORE").is_ok_and(|v| v.eq_ignore_ascii_case("memory"));
    let reason = if forced {
        "TEMPID_SECURE_STORE=memory".to_string()
    } else {
        match native_secure_store(namespace) {
            // Opening may succeed where using fails (the kernel keyring without a session keyring).
            Ok(store) => match store.get(&format!("{namespace}.probe")) {
                Ok(_) => return (store, true),
                Err(error) => error.to_string(),
            },
            Err(error) => error.to_string(),
        }
    };
    let notice = match lang {
        Lang::Zh => format!(
            "tempid: 提示：系统密钥环不可用（{reason}），本次登录与乘车码只保存在内存中，命令结束后不会被记住。"
        ),
        Lang::En => format!(
            "tempid: note: the OS keyring is not available ({reason}); the session and the pass live in memory only and will not be remembered after this command."
        ),
    };
    eprintln!("{notice}");
    (Arc::new(MemoryStore::new()), false)
}

/// A client of `issuer_url` with the terminal's capabilities.
pub struct Session {
    /// The core.
    pub client: TempIdClient,
    /// The terminal's face "SDK".
    pub face: Arc<TerminalFace>,
    /// Whether the session is kept in the OS keyring.
    pub remembered: bool,
}

impl Session {
    /// Opens the session cache and restores what it holds.
    pub async fn open(
        issuer_url: &str,
        lang: Lang,
        face: TerminalFace,
        city: Option<String>,
    ) -> Result<Self, CliError> {
        let namespace = namespace_for(issuer_url);
        let (store, remembered) = secure_store(&namespace, lang);
        let face = Arc::new(face);
        let capabilities =
            Capabilities::new(face.clone(), Arc::new(GivenCity(city))).with_secure_store(store);
        let config = ClientConfig {
            issuer_url: issuer_url.to_string(),
            app_version: APP_VERSION.into(),
            storage_namespace: namespace,
            locale: lang.locale(),
        };
        let client = TempIdClient::new(config, capabilities)?;
        client.start().await?;
        Ok(Self {
            client,
            face,
            remembered,
        })
    }

    /// Turns a core error into the CLI's, explaining a face check refused for want of a face SDK.
    pub fn explain(&self, lang: Lang, error: tempid_core::TempIdError) -> CliError {
        if self.face.was_refused() {
            return no_face_sdk(lang);
        }
        error.into()
    }
}

/// The refusal when a face check is needed and no sandbox face was named.
pub fn no_face_sdk(lang: Lang) -> CliError {
    CliError::new(
        lang,
        "face_check_needs_phone",
        (
            "这一步需要人脸核验，而终端没有人脸识别组件。",
            "This step needs a face check, and a terminal has no face SDK.",
        ),
        (
            "请在手机 App 中完成人脸核验；开发测试时可加 --sandbox-face <身份证号> 使用沙箱活体组件（仅限沙箱测试身份）。",
            "Do the face check in the phone app. For development against a sandbox issuer, add --sandbox-face <ID number> to use the sandbox liveness component (sandbox test identities only).",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_urls_are_checked() {
        assert_eq!(
            parse_issuer_url("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert!(parse_issuer_url("https://issuer.example").is_ok());
        assert!(parse_issuer_url("not a url").is_err());
        assert!(parse_issuer_url("ftp://issuer.example").is_err());
        assert!(parse_issuer_url("issuer.example:8080").is_err());
    }

    #[test]
    fn namespaces_follow_the_issuer() {
        assert_eq!(
            namespace_for("http://127.0.0.1:8080"),
            "org.tempid.cli.127.0.0.1:8080"
        );
        assert_eq!(
            namespace_for("https://issuer.example"),
            "org.tempid.cli.issuer.example"
        );
    }
}
