//! What a shell tells the core once at start: where the issuer is, the app's version, where in
//! the secure store the session lives, and the person's language.

/// The language of messages and hints shown to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Locale {
    /// Simplified Chinese (the default).
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag sent as `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// The locale for a BCP 47 tag: anything starting with `en` is English, the rest Chinese.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::ZhCn
        }
    }
}

/// The client's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ClientConfig {
    /// The issuer's base URL, e.g. `https://tempid.example.cn` (no trailing `/v1`).
    pub issuer_url: String,
    /// This app's version, `MAJOR.MINOR.PATCH`, sent with every request.
    pub app_version: String,
    /// The prefix of every secure-store key (one per app and environment).
    pub storage_namespace: String,
    /// The person's language.
    pub locale: Locale,
}

impl ClientConfig {
    /// A configuration with the default locale (zh-CN).
    pub fn new(
        issuer_url: impl Into<String>,
        app_version: impl Into<String>,
        storage_namespace: impl Into<String>,
    ) -> Self {
        Self {
            issuer_url: issuer_url.into(),
            app_version: app_version.into(),
            storage_namespace: storage_namespace.into(),
            locale: Locale::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags() {
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag("zh-Hans-CN"), Locale::ZhCn);
        assert_eq!(Locale::En.tag(), "en");
        assert_eq!(Locale::default().tag(), "zh-CN");
    }
}
