//! What ends a command: a refusal or failure with what happened and what to do next, in the
//! person's language. The core's public error already carries both texts (and a stable code);
//! the CLI's own failures (a bad flag combination, no face SDK, a file that cannot be written)
//! are written here in both languages.

use tempid_core::TempIdError;

use crate::lang::Lang;

/// A command's failure. Exit status 1.
#[derive(Debug)]
pub struct CliError {
    /// A stable code (the core's, or the CLI's own).
    pub code: String,
    /// What happened.
    pub message: String,
    /// What to do next.
    pub hint: String,
}

impl CliError {
    /// A failure of the CLI itself, in `lang`.
    pub fn new(lang: Lang, code: &str, message: (&str, &str), hint: (&str, &str)) -> Self {
        Self {
            code: code.to_string(),
            message: lang.pick(message.0, message.1).to_string(),
            hint: lang.pick(hint.0, hint.1).to_string(),
        }
    }

    /// A local I/O failure (`what` names the file or action; `error` is the system's reason).
    pub fn io(lang: Lang, what: &str, error: impl std::fmt::Display) -> Self {
        Self {
            code: "io".into(),
            message: match lang {
                Lang::Zh => format!("{what}：{error}"),
                Lang::En => format!("{what}: {error}"),
            },
            hint: lang
                .pick(
                    "请检查路径与权限后重试。",
                    "Check the path and its permissions, then try again.",
                )
                .into(),
        }
    }

    /// An unexpected failure of a component (the in-process issuer, a background task).
    pub fn internal(lang: Lang, what: impl std::fmt::Display) -> Self {
        Self {
            code: "internal".into(),
            message: match lang {
                Lang::Zh => format!("内部错误：{what}"),
                Lang::En => format!("internal error: {what}"),
            },
            hint: lang
                .pick(
                    "请重试；如仍失败，请报告此问题。",
                    "Try again; if it keeps failing, report it.",
                )
                .into(),
        }
    }

    /// The message lines as printed on standard error.
    pub fn render(&self, lang: Lang) -> String {
        let (error, next) = match lang {
            Lang::Zh => ("错误", "下一步"),
            Lang::En => ("error", "next"),
        };
        format!(
            "tempid: {error} [{}]: {}\n  {next}: {}",
            self.code, self.message, self.hint
        )
    }
}

impl From<TempIdError> for CliError {
    fn from(error: TempIdError) -> Self {
        Self {
            code: error.code().to_string(),
            message: error.summary().to_string(),
            hint: error.hint().to_string(),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {} ({})", self.code, self.message, self.hint)
    }
}

impl std::error::Error for CliError {}
