//! How a pass looks in a terminal: the QR code, the masked holder, and the countdowns (next code,
//! next face check, expiry in station time), in the person's language.

use tempid_core::PassState;
use tempid_gate::display::station_time;

use crate::lang::Lang;
use crate::terminal_qr;

/// Whether standard output takes ANSI colours (a terminal, and `NO_COLOR` unset).
pub fn colour_stdout() -> bool {
    use std::io::IsTerminal as _;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `mm:ss`.
pub fn minutes_seconds(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// The status line under a shown pass.
pub fn status_line(state: &PassState, lang: Lang) -> Option<String> {
    let PassState::Showing {
        slot,
        seconds_to_refresh,
        seconds_to_reverify,
        expires_at,
        can_reapply,
        offline,
        ..
    } = state
    else {
        return None;
    };
    let reverify = minutes_seconds(*seconds_to_reverify);
    let expiry = station_time(*expires_at);
    let mut line = match lang {
        Lang::Zh => format!(
            "时段 {slot} · {seconds_to_refresh} 秒后换码 · {reverify} 后需重新人脸核验 · 有效期至 {expiry}"
        ),
        Lang::En => format!(
            "slot {slot} · new code in {seconds_to_refresh} s · face check again in {reverify} · valid until {expiry} (Asia/Shanghai)"
        ),
    };
    if *can_reapply {
        line.push_str(lang.pick(" · 可重新申请", " · re-apply available"));
    }
    if *offline {
        line.push_str(lang.pick(
            " · 离线（码仍有效）",
            " · offline (the code is still valid)",
        ));
    }
    Some(line)
}

/// The whole pass: QR code, holder and status line. `None` unless the pass is shown.
pub fn render(state: &PassState, lang: Lang, colour: bool) -> Option<String> {
    let PassState::Showing {
        qr,
        holder_name_masked,
        id_number_masked,
        ..
    } = state
    else {
        return None;
    };
    let holder = match lang {
        Lang::Zh => format!("持证人 {holder_name_masked}  证件号码 {id_number_masked}"),
        Lang::En => format!("holder {holder_name_masked}  ID number {id_number_masked}"),
    };
    Some(format!(
        "{}\n{holder}\n{}",
        terminal_qr::render(qr, colour),
        status_line(state, lang).unwrap_or_default()
    ))
}

/// A state's name in both languages, for narration.
pub fn state_name(state: &PassState) -> String {
    let name = match state {
        PassState::SignedOut => "SignedOut 未登录",
        PassState::Ready { .. } => "Ready 可申请",
        PassState::Locating => "Locating 定位中",
        PassState::LocationDenied => "LocationDenied 未授权定位",
        PassState::LocationUnavailable { .. } => "LocationUnavailable 无法定位",
        PassState::AwaitingConsent => "AwaitingConsent 待同意",
        PassState::Applying => "Applying 申请中",
        PassState::AwaitingFaceCheck { .. } => "AwaitingFaceCheck 人脸核验中",
        PassState::Reverifying => "Reverifying 重新核验中",
        PassState::Showing { .. } => "Showing 出示中",
        PassState::ReverificationRequired { .. } => "ReverificationRequired 需重新人脸核验",
        PassState::Expired { .. } => "Expired 已过期",
        PassState::Revoked { .. } => "Revoked 已撤销",
        PassState::QuotaExhausted { .. } => "QuotaExhausted 本月申请次数已用完",
        PassState::Offline { .. } => "Offline 离线",
        PassState::UpdateRequired { .. } => "UpdateRequired 需要更新",
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_as_minutes_and_seconds() {
        assert_eq!(minutes_seconds(1_800), "30:00");
        assert_eq!(minutes_seconds(59), "00:59");
    }
}
