//! The person's language: `--lang zh-CN|en`, else `LC_ALL` / `LC_MESSAGES` / `LANG`. The core
//! localises its own messages and hints; this module picks the locale and holds the CLI's few
//! texts of its own, each in both languages.

use tempid_core::Locale;

/// The language the CLI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `--lang` if given, else the environment's locale: `zh*` is Chinese, anything else
    /// (including `C` and an unset locale) English.
    pub fn detect(flag: Option<&str>) -> Self {
        if let Some(tag) = flag {
            return Self::from_tag(tag);
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.trim().is_empty())
            .map_or(Self::En, |value| Self::from_tag(&value))
    }

    /// `zh`, `zh-CN`, `zh_CN.UTF-8` … are Chinese; everything else is English.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Self::Zh
        } else {
            Self::En
        }
    }

    /// The core's locale for this language.
    pub fn locale(self) -> Locale {
        match self {
            Self::Zh => Locale::ZhCn,
            Self::En => Locale::En,
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// Parses `--lang`: `zh-CN`, `zh`, `en` (case-insensitive; `_` accepted for `-`).
pub fn parse_lang(text: &str) -> Result<String, String> {
    let normalised = text.trim().replace('_', "-").to_ascii_lowercase();
    match normalised.as_str() {
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => Ok("zh-CN".into()),
        "en" | "en-us" | "en-gb" => Ok("en".into()),
        _ => Err(format!(
            "'{text}' is not a supported language; use zh-CN or en"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_tag("C.UTF-8"), Lang::En);
        assert_eq!(Lang::from_tag("en_GB"), Lang::En);
        assert_eq!(Lang::detect(Some("zh-CN")), Lang::Zh);
        assert_eq!(parse_lang("zh_cn").as_deref(), Ok("zh-CN"));
        assert!(parse_lang("fr").is_err());
    }
}
