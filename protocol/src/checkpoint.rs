//! Where a frame is checked: the checkpoint kinds the gate verdicts and the issuer's statistics
//! are keyed by.

use serde::{Deserialize, Serialize};

/// A kind of checkpoint at which the certificate is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CheckpointKind {
    /// A ticket window (sell, refund, change).
    Window,
    /// A real-name check point (staffed or gate).
    RealNameCheck,
    /// An entry gate.
    EntryGate,
    /// An exit gate.
    ExitGate,
    /// A conductor's handheld on the train.
    OnTrain,
}

impl CheckpointKind {
    /// Every kind.
    pub const ALL: [CheckpointKind; 5] = [
        Self::Window,
        Self::RealNameCheck,
        Self::EntryGate,
        Self::ExitGate,
        Self::OnTrain,
    ];

    /// The stable code (`entry_gate`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::RealNameCheck => "real_name_check",
            Self::EntryGate => "entry_gate",
            Self::ExitGate => "exit_gate",
            Self::OnTrain => "on_train",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Window => "售票窗口",
            Self::RealNameCheck => "实名制核验",
            Self::EntryGate => "进站闸机",
            Self::ExitGate => "出站闸机",
            Self::OnTrain => "车上查验",
        }
    }
}

impl std::fmt::Display for CheckpointKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for CheckpointKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|k| k.code()).collect();
            format!("unknown checkpoint kind '{s}'; one of: {}", all.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in CheckpointKind::ALL {
            assert_eq!(kind.code().parse::<CheckpointKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("json");
            assert_eq!(json, format!("\"{}\"", kind.code()));
        }
        assert!("gate".parse::<CheckpointKind>().is_err());
    }
}
