//! What a gate shows for a verdict: for an accepted frame the masked ID number, the masked
//! name, the expiry in station time (Asia/Shanghai) and the checkpoint kind; for a refusal the
//! stable reason code and the zh-CN and English messages. Plain text for a screen or a
//! terminal, or one JSON object for whatever drives the gate.

use serde::Serialize;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use tempid_protocol::{CheckpointKind, RejectReason, Verdict};

use crate::gate::Scan;

/// Station time. China has one time zone (Asia/Shanghai) and no daylight saving time since
/// 1991, so a fixed UTC+8 is exact for every certificate and needs no time-zone database.
pub const STATION_OFFSET: UtcOffset = match UtcOffset::from_whole_seconds(8 * 60 * 60) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

const LOCAL_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// A Unix time as station time, `YYYY-MM-DD hh:mm:ss`.
pub fn station_time(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .map(|t| t.to_offset(STATION_OFFSET))
        .ok()
        .and_then(|t| t.format(LOCAL_FORMAT).ok())
        .unwrap_or_else(|| unix_seconds.to_string())
}

/// A Unix time as RFC 3339 with the station offset (`2026-11-26T08:00:00+08:00`).
pub fn station_time_rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .map(|t| t.to_offset(STATION_OFFSET))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix_seconds.to_string())
}

/// The verdict as the gate's screen shows it (several lines, no trailing newline).
pub fn render_text(scan: &Scan) -> String {
    let checkpoint = checkpoint_line(scan.checkpoint);
    match &scan.verdict {
        Verdict::Accepted(ok) => {
            let headline = if scan.is_repeat() {
                "ACCEPTED 通过 (same frame read again: not a new passage 重复读取，不重复计数)"
            } else {
                "ACCEPTED 通过"
            };
            format!(
                "{headline}\n  ID number 证件号码: {}\n  name 姓名:         {}\n  expires 有效期至:  {} (Asia/Shanghai)\n  checkpoint 查验点: {checkpoint}",
                ok.id_number.masked(),
                ok.masked_name,
                station_time(ok.expires_at),
            )
        }
        Verdict::Rejected { reason } => format!(
            "REJECTED 拒绝: {}\n  {}\n  {}\n  checkpoint 查验点: {checkpoint}",
            reason.code(),
            reason.message_zh(),
            reason.message_en(),
        ),
    }
}

fn checkpoint_line(kind: CheckpointKind) -> String {
    format!("{} ({})", kind.code(), kind.name_zh())
}

/// The verdict as one JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum VerdictJson {
    /// Accepted.
    Accepted {
        /// The checkpoint kind's code.
        checkpoint: CheckpointKind,
        /// The ID number, masked (`110105********002X`).
        id_number_masked: String,
        /// The name, masked (`张*丰`).
        masked_name: String,
        /// Expiry, RFC 3339 in station time.
        expires_at: String,
        /// Expiry, Unix seconds.
        expires_at_unix: i64,
        /// The certificate id (hex).
        cti: String,
        /// The frame's slot.
        slot: u64,
        /// A double scan of a frame already accepted (not a new passage).
        repeat: bool,
    },
    /// Refused.
    Rejected {
        /// The checkpoint kind's code.
        checkpoint: CheckpointKind,
        /// The stable reason code.
        reason: RejectReason,
        /// The message in Chinese.
        message_zh: String,
        /// The message in English.
        message_en: String,
    },
}

impl VerdictJson {
    /// The JSON view of a scan.
    pub fn of(scan: &Scan) -> Self {
        match &scan.verdict {
            Verdict::Accepted(ok) => Self::Accepted {
                checkpoint: scan.checkpoint,
                id_number_masked: ok.id_number.masked(),
                masked_name: ok.masked_name.clone(),
                expires_at: station_time_rfc3339(ok.expires_at),
                expires_at_unix: ok.expires_at,
                cti: ok.cti.to_hex(),
                slot: ok.slot,
                repeat: scan.is_repeat(),
            },
            Verdict::Rejected { reason } => Self::Rejected {
                checkpoint: scan.checkpoint,
                reason: *reason,
                message_zh: reason.message_zh().to_string(),
                message_en: reason.message_en().to_string(),
            },
        }
    }
}

/// The verdict as one line of JSON.
pub fn render_json(scan: &Scan) -> String {
    serde_json::to_string(&VerdictJson::of(scan)).unwrap_or_else(|_| "{}".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_time_is_utc_plus_eight() {
        // 2026-11-25T08:30:00Z
        assert_eq!(station_time(1_795_595_400), "2026-11-25 16:30:00");
        assert_eq!(station_time(0), "1970-01-01 08:00:00");
        assert_eq!(station_time_rfc3339(0), "1970-01-01T08:00:00+08:00");
    }

    #[test]
    fn refusals_carry_code_and_both_messages() {
        let scan = Scan {
            verdict: RejectReason::Replayed.into(),
            checkpoint: CheckpointKind::ExitGate,
            admission: None,
            cache_hit: false,
        };
        let text = render_text(&scan);
        assert!(text.starts_with("REJECTED 拒绝: replayed"));
        assert!(text.contains(RejectReason::Replayed.message_zh()));
        assert!(text.contains(RejectReason::Replayed.message_en()));
        assert!(text.contains("exit_gate (出站闸机)"));
        let json: serde_json::Value = serde_json::from_str(&render_json(&scan)).expect("json");
        assert_eq!(json["result"], "rejected");
        assert_eq!(json["reason"], "replayed");
        assert_eq!(json["checkpoint"], "exit_gate");
        assert_eq!(json["message_en"], RejectReason::Replayed.message_en());
    }
}
