//! The commands for real use against any issuer: account (`register`, `login`, `logout`), the
//! pass (`apply`, `show`, `reverify`) and look-ups (`history`, `quota`). Each drives the core
//! exactly as a phone app would; the terminal adds only what a terminal can: typed input, a
//! QR code in half blocks, and the sandbox face check when explicitly asked for.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::sync::Arc;

use clap::Args;
use tempid_core::{ApplicationForm, PassState, PassStateListener, TempIdClient};
use tempid_gate::display::station_time;
use tokio::sync::mpsc;

use crate::capabilities::{FaceOf, TerminalFace, system_seconds};
use crate::error::CliError;
use crate::lang::Lang;
use crate::pass_view;
use crate::session::{Session, no_face_sdk, parse_issuer_url};

/// Which issuer to talk to.
#[derive(Args, Debug, Clone)]
pub struct IssuerArg {
    /// The issuer's base URL, e.g. https://issuer.example or http://127.0.0.1:8080.
    #[arg(long, value_name = "URL", env = "TEMPID_ISSUER", value_parser = parse_issuer_url)]
    pub issuer: String,
}

/// The sandbox face check (development and tests only).
#[derive(Args, Debug, Clone)]
pub struct SandboxFaceArg {
    /// Run the face check through the **sandbox** liveness component, showing the face of this
    /// sandbox test identity (an 18-character ID number). Only a sandbox issuer accepts it;
    /// without it a face check is refused: real face checks need the phone app.
    #[arg(long, value_name = "ID_NUMBER")]
    pub sandbox_face: Option<String>,
}

impl SandboxFaceArg {
    fn face(&self) -> TerminalFace {
        match &self.sandbox_face {
            Some(id_number) => TerminalFace::sandbox(
                FaceOf::IdNumber(id_number.trim().to_string()),
                Arc::new(system_seconds),
            ),
            None => TerminalFace::unavailable(),
        }
    }
}

/// Account name and password.
#[derive(Args, Debug, Clone)]
pub struct AccountArgs {
    #[command(flatten)]
    pub issuer: IssuerArg,
    /// The account's user name (3–64 characters, e.g. a phone number).
    #[arg(long, value_name = "NAME")]
    pub username: String,
    /// Read the password from standard input (one line) instead of prompting. The environment
    /// variable TEMPID_PASSWORD is also read when set.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `apply`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub issuer: IssuerArg,
    /// The 18-character resident ID number (GB 11643-1999), checked before anything is sent.
    #[arg(long, value_name = "ID_NUMBER")]
    pub id_number: String,
    /// The name as printed on the ID card.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The city you are in (a terminal has no location service), e.g. 北京.
    #[arg(long, value_name = "CITY")]
    pub city: String,
    /// Apply without an account: nothing but the certificate outlives this command, and the pass
    /// needs a face check whenever it is reopened.
    #[arg(long)]
    pub guest: bool,
    /// I agree to the terms of the electronic temporary ride ID certificate. 我同意服务条款。
    #[arg(long)]
    pub consent: bool,
    /// I confirm I am the holder of this ID number. 本人确认是该证件的持有人。
    #[arg(long)]
    pub i_am_the_holder: bool,
    #[command(flatten)]
    pub face: SandboxFaceArg,
    /// After applying, keep the pass on screen (as `show` does) until Ctrl-C.
    #[arg(long)]
    pub show: bool,
}

/// `show`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct ShowArgs {
    #[command(flatten)]
    pub issuer: IssuerArg,
    /// Print the current code once and exit instead of redrawing it.
    #[arg(long)]
    pub once: bool,
}

/// `reverify`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct ReverifyArgs {
    #[command(flatten)]
    pub issuer: IssuerArg,
    #[command(flatten)]
    pub face: SandboxFaceArg,
    /// After the face check, keep the pass on screen (as `show` does) until Ctrl-C.
    #[arg(long)]
    pub show: bool,
}

/// Arguments of commands that only need the issuer (and, for a guest, a face check).
#[derive(Args, Debug, Clone)]
pub struct LookupArgs {
    #[command(flatten)]
    pub issuer: IssuerArg,
    #[command(flatten)]
    pub face: SandboxFaceArg,
}

fn read_password(args: &AccountArgs, lang: Lang) -> Result<String, CliError> {
    if let Ok(password) = std::env::var("TEMPID_PASSWORD")
        && !password.is_empty()
    {
        return Ok(password);
    }
    let password = if args.password_stdin || !std::io::stdin().is_terminal() {
        let mut text = String::new();
        std::io::stdin()
            .take(4 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| {
                CliError::io(lang, lang.pick("读取标准输入", "reading standard input"), e)
            })?;
        text.lines().next().unwrap_or_default().to_string()
    } else {
        rpassword::prompt_password(lang.pick("密码：", "Password: "))
            .map_err(|e| CliError::io(lang, lang.pick("读取密码", "reading the password"), e))?
    };
    if password.is_empty() {
        return Err(CliError::new(
            lang,
            "password_required",
            ("没有输入密码。", "No password was given."),
            (
                "在提示时输入密码，或用 --password-stdin 从标准输入读取。",
                "Type it at the prompt, or pipe it in with --password-stdin.",
            ),
        ));
    }
    Ok(password)
}

fn remembered_line(remembered: bool, lang: Lang) -> &'static str {
    if remembered {
        lang.pick(
            "会话已保存在系统密钥环中。",
            "The session is kept in the OS keyring.",
        )
    } else {
        lang.pick(
            "会话不会被记住（密钥环不可用）。",
            "The session will not be remembered (no keyring).",
        )
    }
}

/// `tempid register`.
pub async fn register(args: AccountArgs, lang: Lang) -> Result<(), CliError> {
    let password = read_password(&args, lang)?;
    let session =
        Session::open(&args.issuer.issuer, lang, TerminalFace::unavailable(), None).await?;
    session
        .client
        .register(args.username.clone(), password)
        .await?;
    println!(
        "{} {}",
        lang.pick("已注册并登录。", "Registered and logged in."),
        remembered_line(session.remembered, lang)
    );
    print_quota_from_state(&session.client.state(), lang);
    Ok(())
}

/// `tempid login`.
pub async fn login(args: AccountArgs, lang: Lang) -> Result<(), CliError> {
    let password = read_password(&args, lang)?;
    let session =
        Session::open(&args.issuer.issuer, lang, TerminalFace::unavailable(), None).await?;
    session
        .client
        .login(args.username.clone(), password)
        .await?;
    println!(
        "{} {}",
        lang.pick("已登录。", "Logged in."),
        remembered_line(session.remembered, lang)
    );
    if let PassState::Ready {
        current_pass: Some(pass),
        ..
    } = session.client.state()
    {
        let until = station_time(pass.expires_at);
        match lang {
            Lang::Zh => println!(
                "有一张有效的临时身份证明（有效期至 {until}）；在本机出示前需人脸核验：tempid reverify"
            ),
            Lang::En => println!(
                "You have a valid certificate (until {until}); showing it on this device needs a face check first: tempid reverify"
            ),
        }
    }
    print_quota_from_state(&session.client.state(), lang);
    Ok(())
}

/// `tempid logout`.
pub async fn logout(args: IssuerArg, lang: Lang) -> Result<(), CliError> {
    let session = Session::open(&args.issuer, lang, TerminalFace::unavailable(), None).await?;
    session.client.logout().await?;
    println!(
        "{}",
        lang.pick(
            "已退出登录；本机保存的会话、证明与设备密钥已清除。",
            "Logged out; the session, certificate and device key kept here are wiped."
        )
    );
    Ok(())
}

/// `tempid apply`.
pub async fn apply(args: ApplyArgs, lang: Lang) -> Result<(), CliError> {
    // Refused before anything is sent: a terminal cannot do a real face check.
    if args.face.sandbox_face.is_none() {
        return Err(no_face_sdk(lang));
    }
    let session = Session::open(
        &args.issuer.issuer,
        lang,
        args.face.face(),
        Some(args.city.clone()),
    )
    .await?;
    let client = &session.client;
    if args.guest && client.state() == PassState::SignedOut {
        client.continue_as_guest().await?;
    }
    client.give_consent(args.consent, args.i_am_the_holder);
    let form = ApplicationForm {
        id_number: args.id_number.clone(),
        name: args.name.clone(),
    };
    if let Err(error) = client.apply(form).await {
        return Err(session.explain(lang, error));
    }
    println!("{}", lang.pick("申请成功。", "Application accepted."));
    let state = client.state();
    show_or_print(&session, lang, args.show, state).await
}

/// `tempid show`.
pub async fn show(args: ShowArgs, lang: Lang) -> Result<(), CliError> {
    let session =
        Session::open(&args.issuer.issuer, lang, TerminalFace::unavailable(), None).await?;
    session.client.open_pass()?;
    let state = session.client.state();
    show_or_print(&session, lang, !args.once, state).await
}

/// `tempid reverify`.
pub async fn reverify(args: ReverifyArgs, lang: Lang) -> Result<(), CliError> {
    if args.face.sandbox_face.is_none() {
        return Err(no_face_sdk(lang));
    }
    let session = Session::open(&args.issuer.issuer, lang, args.face.face(), None).await?;
    session.client.open_pass()?;
    if let Err(error) = session.client.reverify().await {
        return Err(session.explain(lang, error));
    }
    println!(
        "{}",
        lang.pick(
            "人脸核验通过，乘车码已恢复（不占用申请次数）。",
            "Face check passed; the pass is back (no application used)."
        )
    );
    let state = session.client.state();
    show_or_print(&session, lang, args.show, state).await
}

/// `tempid history`.
pub async fn history(args: LookupArgs, lang: Lang) -> Result<(), CliError> {
    let session = Session::open(&args.issuer.issuer, lang, args.face.face(), None).await?;
    let entries = session
        .client
        .history()
        .await
        .map_err(|e| session.explain(lang, e))?;
    if entries.is_empty() {
        println!(
            "{}",
            lang.pick(
                "近一个月没有申请记录。",
                "No applications in the last month."
            )
        );
        return Ok(());
    }
    println!(
        "{}",
        lang.pick(
            "近一个月的申请（最新在前）：",
            "Applications of the last month, newest first:"
        )
    );
    for entry in entries {
        let state = match (lang, entry.state) {
            (Lang::Zh, tempid_core::state::CertificateState::Valid) => "有效",
            (Lang::Zh, tempid_core::state::CertificateState::Expired) => "已过期",
            (Lang::Zh, tempid_core::state::CertificateState::Revoked) => "已撤销",
            (Lang::Zh, tempid_core::state::CertificateState::Superseded) => "已被替换",
            (Lang::En, tempid_core::state::CertificateState::Valid) => "valid",
            (Lang::En, tempid_core::state::CertificateState::Expired) => "expired",
            (Lang::En, tempid_core::state::CertificateState::Revoked) => "revoked",
            (Lang::En, tempid_core::state::CertificateState::Superseded) => "superseded",
        };
        println!(
            "  {}  {}  {} → {}  {}  {state}",
            entry.certificate_id,
            entry.id_number_masked,
            station_time(entry.issued_at),
            station_time(entry.expires_at),
            entry.city,
        );
    }
    Ok(())
}

/// `tempid quota`.
pub async fn quota(args: LookupArgs, lang: Lang) -> Result<(), CliError> {
    let session = Session::open(&args.issuer.issuer, lang, args.face.face(), None).await?;
    let quota = session
        .client
        .quota()
        .await
        .map_err(|e| session.explain(lang, e))?;
    print_quota(&quota, lang);
    Ok(())
}

fn print_quota(quota: &tempid_core::QuotaInfo, lang: Lang) {
    match lang {
        Lang::Zh => println!(
            "本月已申请 {} 次，剩余 {} 次（每月 {} 次），{} 重置（北京时间）。",
            quota.used, quota.remaining, quota.limit, quota.resets_on
        ),
        Lang::En => println!(
            "This month: {} of {} applications used, {} left; resets on {} (China Standard Time).",
            quota.used, quota.limit, quota.remaining, quota.resets_on
        ),
    }
}

fn print_quota_from_state(state: &PassState, lang: Lang) {
    if let PassState::Ready {
        quota: Some(quota), ..
    } = state
    {
        print_quota(quota, lang);
    }
}

/// Prints the pass once, or keeps it on screen.
async fn show_or_print(
    session: &Session,
    lang: Lang,
    live: bool,
    state: PassState,
) -> Result<(), CliError> {
    if live {
        return show_live(&session.client, lang).await;
    }
    match pass_view::render(&state, lang, pass_view::colour_stdout()) {
        Some(text) => {
            println!("{text}");
            if !session.remembered {
                println!(
                    "{}",
                    lang.pick(
                        "提示：密钥环不可用，本命令结束后乘车码不会保留；如需一直出示，请加 --show。",
                        "Note: without a keyring the pass is not kept after this command; add --show to keep it on screen."
                    )
                );
            }
            Ok(())
        }
        None => Err(not_showing(&state, lang)),
    }
}

/// Why there is no code to show, and what to do.
fn not_showing(state: &PassState, lang: Lang) -> CliError {
    match state {
        PassState::ReverificationRequired { .. } => CliError::new(
            lang,
            "reverification_required",
            (
                "乘车码已收起：需要重新人脸核验（不占用申请次数）。",
                "The pass is withdrawn until you pass a face check again (no application is used).",
            ),
            ("运行 tempid reverify。", "Run tempid reverify."),
        ),
        PassState::Expired { .. } => CliError::new(
            lang,
            "expired",
            ("临时身份证明已过期。", "The certificate has expired."),
            (
                "请重新申请（tempid apply），或到车站公安制证口办理。",
                "Apply again (tempid apply), or go to the station police window.",
            ),
        ),
        PassState::Revoked { .. } => CliError::new(
            lang,
            "revoked",
            (
                "临时身份证明已被撤销或替换。",
                "The certificate was revoked or replaced.",
            ),
            (
                "请重新申请，或到车站公安制证口办理。",
                "Apply again, or go to the station police window.",
            ),
        ),
        PassState::SignedOut => CliError::new(
            lang,
            "unauthorized",
            (
                "尚未登录，也没有乘车码。",
                "Not logged in, and no pass here.",
            ),
            (
                "先运行 tempid login（或 tempid apply --guest）。",
                "Run tempid login first (or tempid apply --guest).",
            ),
        ),
        _ => CliError::new(
            lang,
            "no_pass",
            ("没有可出示的乘车码。", "There is no pass to show."),
            ("先申请：tempid apply。", "Apply first: tempid apply."),
        ),
    }
}

/// Forwards every pushed state into a channel.
struct ChannelListener(mpsc::UnboundedSender<PassState>);

impl PassStateListener for ChannelListener {
    fn on_state(&self, state: PassState) {
        let _ = self.0.send(state);
    }
}

/// Keeps the pass on screen: a full redraw at every new code (slot), the countdown line every
/// second, until Ctrl-C or until the pass cannot be shown any more.
async fn show_live(client: &TempIdClient, lang: Lang) -> Result<(), CliError> {
    let (sender, mut states) = mpsc::unbounded_channel();
    let _observation = client.observe(Arc::new(ChannelListener(sender)))?;
    let colour = pass_view::colour_stdout();
    let mut drawn_slot = None;
    let hint = lang.pick("按 Ctrl-C 退出。", "Press Ctrl-C to quit.");
    let mut stdout = std::io::stdout();
    loop {
        let state = tokio::select! {
            state = states.recv() => match state {
                Some(state) => state,
                None => return Ok(()),
            },
            _ = tokio::signal::ctrl_c() => {
                println!();
                return Ok(());
            }
        };
        match &state {
            PassState::Showing { slot, .. } if drawn_slot != Some(*slot) => {
                drawn_slot = Some(*slot);
                if colour {
                    // Clear the screen and home the cursor: the code stays in one place.
                    print!("\x1b[2J\x1b[H");
                }
                if let Some(text) = pass_view::render(&state, lang, colour) {
                    print!("{text}\n{hint}");
                }
            }
            PassState::Showing { .. } => {
                if colour && let Some(line) = pass_view::status_line(&state, lang) {
                    // Rewrite the status line (one line above the hint) in place.
                    print!("\x1b[1F\x1b[2K{line}\n\x1b[2K{hint}");
                }
            }
            PassState::AwaitingFaceCheck { .. }
            | PassState::Reverifying
            | PassState::Applying
            | PassState::Locating => {}
            other => {
                println!();
                return Err(not_showing(other, lang));
            }
        }
        let _ = stdout.flush();
    }
}
