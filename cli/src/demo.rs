//! `tempid demo`: the whole system on one machine, in virtual time. The reference issuer runs
//! in-process on a loopback port over an embedded SQLite database in a temporary directory; a
//! passenger's core (an in-memory secure store, a sandbox identity, the sandbox liveness
//! component as its face SDK, a fixed city) walks the journey; a gate built from the
//! `tempid-gate` library judges the codes offline with the issuer's trust list. One virtual
//! clock drives the issuer and the core, so the 60 s refresh, the 30-minute re-check, the 24 h
//! expiry and the monthly quota play out in seconds.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tempid_core::{
    ApplicationForm, Capabilities, ClientConfig, MemoryStore, PassState, TempIdClient, TempIdError,
};
use tempid_gate::display::{render_text, station_time, station_time_rfc3339};
use tempid_gate::{Gate, GateConfig, IssuerClient};
use tempid_issuer::{IssuerConfig, RunningIssuer};
use tempid_protocol::{CheckpointKind, Frame, TrustList, Verdict};
use tempid_sandbox::SandboxIdentity;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

use crate::capabilities::{FaceOf, GivenCity, TerminalFace};
use crate::clock::VirtualClock;
use crate::error::CliError;
use crate::lang::Lang;
use crate::pass_view::{self, minutes_seconds, state_name};
use crate::session::APP_VERSION;
use crate::terminal_qr;

/// Where the demo's virtual clock starts by default: 20 s into a minute, so the first code
/// lasts 40 s and the refresh at the minute boundary is visible.
const DEFAULT_START: OffsetDateTime = datetime!(2026-11-25 08:00:20 +8);
/// The demo passenger's account.
const DEMO_USERNAME: &str = "13800138000";
const DEMO_PASSWORD: &str = "tempid demo passenger";
/// The city the demo's location service reports.
const DEMO_CITY: &str = "北京";
/// Pixels per side of `qr.png`.
const PNG_SIZE: u32 = 512;

/// `tempid demo`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Where to write qr.png, frame.txt, trust-list.json and first-frame.json (created if
    /// missing; files from an earlier run are replaced).
    #[arg(long, value_name = "DIR", default_value = "tempid-demo-out")]
    pub out: PathBuf,
    /// The virtual clock's start (RFC 3339). Default 2026-11-25T08:00:20+08:00. The journey
    /// spans about three days; start at least four days before a month's end (China Standard
    /// Time) so that all four applications fall in one quota month.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub start: Option<OffsetDateTime>,
    /// The sandbox identity that plays the passenger, by name or ID number (default: the
    /// first built-in sandbox identity, 张三丰).
    #[arg(long, value_name = "NAME|ID_NUMBER")]
    pub identity: Option<String>,
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time ({e}); e.g. 2026-11-25T08:00:20+08:00"))
}

/// What `first-frame.json` records: enough to check `frame.txt` with `tempid-gate verify`.
#[derive(Debug, Serialize)]
struct FirstFrame {
    /// The virtual time the frame was shown (RFC 3339, station time): `--at` for the gate.
    shown_at: String,
    /// The same, Unix seconds.
    shown_at_unix: i64,
    /// The frame's 60 s slot.
    slot: i64,
    /// The certificate id.
    cti: String,
    /// The certificate's expiry (RFC 3339, station time).
    expires_at: String,
    /// The gate verdict the demo got for it (`accepted` or a reason code).
    verdict: String,
}

/// What the summary reports.
#[derive(Default)]
struct Tally {
    /// Certificates issued, in order (cti hex).
    certificates: Vec<String>,
    /// Frames the demo took from the pass, distinct.
    frames: Vec<String>,
    /// Gate verdicts, in order (`accepted` or a reason code).
    verdicts: Vec<String>,
}

impl Tally {
    fn frame(&mut self, text: &str) {
        if !self.frames.iter().any(|f| f == text) {
            self.frames.push(text.to_string());
        }
    }
}

/// Prints the narration and animates waits.
struct Narrator {
    lang: Lang,
    step: usize,
    total: usize,
    /// Whether standard error is a terminal: then waits are animated.
    animate: bool,
    colour: bool,
}

impl Narrator {
    fn step(&mut self, zh: &str, en: &str) {
        self.step += 1;
        println!("\n[{}/{}] {zh} · {en}", self.step, self.total);
    }

    fn line(&self, text: impl AsRef<str>) {
        for line in text.as_ref().lines() {
            println!("      {line}");
        }
    }

    /// Picks the text in the person's language.
    fn say(&self, zh: &str, en: &str) {
        self.line(self.lang.pick(zh, en));
    }

    /// Lets `by` pass on the virtual clock, with a progress bar on a terminal.
    async fn advance(&self, clock: &VirtualClock, by: Duration) {
        let total = by.as_secs().max(1);
        let bar = if self.animate {
            ProgressBar::new(total)
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template("      {spinner} {msg} [{bar:30}]")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let steps: u32 = if self.animate { 40 } else { 1 };
        let step = by / steps;
        let mut moved = Duration::ZERO;
        for i in 0..steps {
            let this = if i + 1 == steps { by - moved } else { step };
            clock.advance(this);
            moved += this;
            bar.set_position(moved.as_secs());
            bar.set_message(format!(
                "{} {}",
                self.lang.pick("虚拟时间", "virtual time"),
                station_time(clock.now_seconds())
            ));
            if self.animate {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        bar.finish_and_clear();
        // Let the core's timer see the new time before the next reading.
        tokio::task::yield_now().await;
        let (h, m, s) = (
            by.as_secs() / 3_600,
            by.as_secs() / 60 % 60,
            by.as_secs() % 60,
        );
        self.line(format!(
            "⏩ +{h}:{m:02}:{s:02} {} → {}",
            self.lang.pick("（虚拟时间）", "(virtual time)"),
            station_time(clock.now_seconds())
        ));
    }
}

/// The demo's world: issuer, clock, passenger, gate.
struct World {
    clock: VirtualClock,
    issuer: RunningIssuer,
    client: TempIdClient,
    face: Arc<TerminalFace>,
    who: SandboxIdentity,
    trust: TrustList,
    trust_json: String,
    _issuer_data: tempfile::TempDir,
}

fn pick_identity(choice: Option<&str>, lang: Lang) -> Result<SandboxIdentity, CliError> {
    let identities = tempid_sandbox::default_identities();
    let found = match choice {
        None => identities.first().cloned(),
        Some(choice) => {
            let choice = choice.trim();
            identities
                .iter()
                .find(|i| i.name == choice || i.id_number.eq_ignore_ascii_case(choice))
                .cloned()
        }
    };
    found.ok_or_else(|| {
        let names: Vec<&str> = identities.iter().map(|i| i.name.as_str()).collect();
        let list = names.join(", ");
        CliError {
            code: "unknown_sandbox_identity".into(),
            message: match lang {
                Lang::Zh => "沙箱中没有这个测试身份。".into(),
                Lang::En => "There is no such sandbox identity.".into(),
            },
            hint: match lang {
                Lang::Zh => format!("可选：{list}"),
                Lang::En => format!("Choose one of: {list}"),
            },
        }
    })
}

/// Runs the demo.
pub async fn run(args: DemoArgs, lang: Lang) -> Result<(), CliError> {
    let who = pick_identity(args.identity.as_deref(), lang)?;
    std::fs::create_dir_all(&args.out).map_err(|e| {
        CliError::io(
            lang,
            &format!(
                "{} {}",
                lang.pick("创建目录", "creating"),
                args.out.display()
            ),
            e,
        )
    })?;
    let start = args.start.unwrap_or(DEFAULT_START);
    let mut say = Narrator {
        lang,
        step: 0,
        total: 11,
        animate: std::io::stderr().is_terminal(),
        colour: pass_view::colour_stdout(),
    };

    println!(
        "tempid demo — 电子临时乘车身份证明，从申请到闸机 · the electronic temporary ride ID, from application to gate"
    );
    println!(
        "{}",
        lang.pick(
            "全部在本机运行：签发服务、乘客 App 的核心与闸机核验；时间为虚拟时间，由演示推进。",
            "Everything runs on this machine: the issuer, the passenger app's core and a gate verifier; time is virtual and moved by the demo."
        )
    );

    say.step("启动签发服务", "Start the issuer");
    let world = start_world(start, who, lang).await?;
    say.line(format!(
        "issuer 签发服务: {} (SQLite {}, in-process)",
        world.issuer.url(),
        lang.pick("临时目录", "in a temporary directory")
    ));
    say.line(format!(
        "virtual clock 虚拟时钟: {} (Asia/Shanghai)",
        station_time(world.clock.now_seconds())
    ));
    say.line(format!(
        "sandbox identity 沙箱测试身份: {} {} ({})",
        tempid_protocol::mask_name(&world.who.name),
        mask_id(&world.who.id_number),
        world.who.note
    ));
    say.line(format!(
        "trust list 信任列表: {} key(s) {}",
        world.trust.keys.len(),
        lang.pick("（GET /v1/trust-list）", "(GET /v1/trust-list)")
    ));

    let outcome = journey(&world, &mut say, &args.out).await;
    let World { issuer, client, .. } = world;
    drop(client);
    issuer.shutdown().await;
    outcome
}

async fn start_world(
    start: OffsetDateTime,
    who: SandboxIdentity,
    lang: Lang,
) -> Result<World, CliError> {
    let clock = VirtualClock::new(start);
    let data = tempfile::Builder::new()
        .prefix("tempid-demo-issuer-")
        .tempdir()
        .map_err(|e| {
            CliError::io(
                lang,
                lang.pick("创建临时目录", "creating a temporary directory"),
                e,
            )
        })?;
    let database = format!("sqlite://{}", data.path().join("issuer.db").display());
    let issuer_clock = clock.clone();
    let mut config = IssuerConfig::new(database, data.path().join("keys"))
        .with_clock(move || issuer_clock.now());
    // Nobody rotates keys during the demo: no need to watch the key directory.
    config.key_reload_interval = None;
    let issuer = tempid_issuer::spawn(config, "127.0.0.1:0")
        .await
        .map_err(|e| {
            CliError::internal(lang, format!("the in-process issuer did not start: {e}"))
        })?;

    // The gate's lists, as `tempid-gate sync` fetches them (a blocking client).
    let url = issuer.url();
    let fetched = tokio::task::spawn_blocking(move || -> Result<(TrustList, String), String> {
        let client = IssuerClient::new(&url).map_err(|e| e.to_string())?;
        client.trust_list().map_err(|e| e.to_string())
    })
    .await;
    let (trust, trust_json) = match fetched {
        Ok(Ok(list)) => list,
        Ok(Err(e)) => return Err(CliError::internal(lang, format!("trust list: {e}"))),
        Err(e) => return Err(CliError::internal(lang, e)),
    };

    let now_clock = clock.clone();
    let face = Arc::new(TerminalFace::sandbox(
        FaceOf::Applicant,
        Arc::new(move || now_clock.now_seconds()),
    ));
    let capabilities = Capabilities::new(face.clone(), Arc::new(GivenCity(Some(DEMO_CITY.into()))))
        .with_secure_store(Arc::new(MemoryStore::new()))
        .with_clock(Arc::new(clock.clone()));
    let config = ClientConfig {
        issuer_url: issuer.url(),
        app_version: APP_VERSION.into(),
        storage_namespace: "org.tempid.cli.demo".into(),
        locale: lang.locale(),
    };
    let client = TempIdClient::new(config, capabilities)?;
    Ok(World {
        clock,
        issuer,
        client,
        face,
        who,
        trust,
        trust_json,
        _issuer_data: data,
    })
}

fn mask_id(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() != 18 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[14..].iter().collect();
    format!("{head}********{tail}")
}

/// The frame shown now, or an error naming the state instead.
fn showing(
    client: &TempIdClient,
    lang: Lang,
    when: &str,
) -> Result<(String, i64, PassState), CliError> {
    let state = client.state();
    match &state {
        PassState::Showing {
            frame_text, slot, ..
        } => Ok((frame_text.clone(), *slot, state.clone())),
        other => Err(CliError::internal(
            lang,
            format!(
                "{when}: expected the pass to be shown, got {}",
                state_name(other)
            ),
        )),
    }
}

fn cti_of(frame_text: &str) -> String {
    Frame::from_text(frame_text)
        .map(|f| f.certificate().claims().cti.to_hex())
        .unwrap_or_else(|_| "?".into())
}

fn verdict_code(verdict: &Verdict) -> String {
    match verdict.reason() {
        None => "accepted".into(),
        Some(reason) => reason.code().into(),
    }
}

/// Scans `text` at `gate` now, prints the gate's screen and records the verdict.
fn scan(
    gate: &mut Gate,
    text: &str,
    clock: &VirtualClock,
    say: &Narrator,
    tally: &mut Tally,
) -> Verdict {
    let result = gate.scan_text(text, clock.now_seconds());
    say.line(render_text(&result));
    tally.verdicts.push(verdict_code(&result.verdict));
    result.verdict
}

fn expect_verdict(lang: Lang, got: &Verdict, want: &str, what: &str) -> Result<(), CliError> {
    let code = verdict_code(got);
    if code == want {
        Ok(())
    } else {
        Err(CliError::internal(
            lang,
            format!("{what}: the gate said {code}, expected {want}"),
        ))
    }
}

/// Advances one second at a time (at most three) until `wanted` holds: an instant that falls on
/// a whole second in issuer time may need the next millisecond tick to be seen. Otherwise an
/// error naming the state found at `at` (e.g. "30:00").
async fn settle(
    world: &World,
    say: &Narrator,
    at: &str,
    wanted: impl Fn(&PassState) -> bool,
) -> Result<PassState, CliError> {
    for _ in 0..3 {
        let state = world.client.state();
        if wanted(&state) {
            return Ok(state);
        }
        say.advance(&world.clock, Duration::from_secs(1)).await;
    }
    let state = world.client.state();
    if wanted(&state) {
        Ok(state)
    } else {
        Err(CliError::internal(
            say.lang,
            format!("at {at} the pass is {}", state_name(&state)),
        ))
    }
}

fn write_file(path: &Path, bytes: &[u8], lang: Lang) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| {
        CliError::io(
            lang,
            &format!("{} {}", lang.pick("写入", "writing"), path.display()),
            e,
        )
    })
}

async fn quota_line(
    client: &TempIdClient,
    lang: Lang,
) -> Result<(tempid_core::QuotaInfo, String), CliError> {
    let quota = client.quota().await?;
    let line = match lang {
        Lang::Zh => format!(
            "本月申请次数 quota: 已用 {}/{}，剩余 {}",
            quota.used, quota.limit, quota.remaining
        ),
        Lang::En => format!(
            "quota 本月申请次数: {} of {} used, {} left this month",
            quota.used, quota.limit, quota.remaining
        ),
    };
    Ok((quota, line))
}

async fn apply(world: &World) -> Result<(), TempIdError> {
    world.client.give_consent(true, true);
    world
        .client
        .apply(ApplicationForm {
            id_number: world.who.id_number.clone(),
            name: world.who.name.clone(),
        })
        .await
}

/// Applies again, records the new certificate and narrates "#n what · cti · quota".
async fn apply_and_report(
    world: &World,
    say: &Narrator,
    tally: &mut Tally,
    n: u32,
    (zh, en): (&str, &str),
) -> Result<(), CliError> {
    let lang = say.lang;
    apply(world).await?;
    let (text, _, _) = showing(&world.client, lang, &format!("application #{n}"))?;
    tally.frame(&text);
    tally.certificates.push(cti_of(&text));
    let (_, line) = quota_line(&world.client, lang).await?;
    say.line(format!(
        "#{n} {} · cti {} · {line}",
        lang.pick(zh, en),
        cti_of(&text)
    ));
    Ok(())
}

async fn journey(world: &World, say: &mut Narrator, out: &Path) -> Result<(), CliError> {
    let lang = say.lang;
    let client = &world.client;
    let mut tally = Tally::default();
    let mut gate = Gate::new(
        world.trust.clone(),
        GateConfig::new(CheckpointKind::EntryGate),
    );

    say.step("注册并登录", "Register and log in");
    client
        .register(DEMO_USERNAME.into(), DEMO_PASSWORD.into())
        .await?;
    say.line(format!(
        "account 账号: 138****8000 · state 状态: {}",
        state_name(&client.state())
    ));
    say.say(
        "（演示用内存安全存储：不读写系统密钥环，也不写文件。）",
        "(The demo keeps the session in an in-memory secure store: no keyring, no files.)",
    );

    say.step("定位", "Locate");
    let city = client.locate().await?;
    say.line(format!(
        "city 城市: {city} · state 状态: {}",
        state_name(&client.state())
    ));

    say.step("同意条款并确认本人", "Consent and self-confirmation");
    client.give_consent(true, true);
    say.say(
        "☑ 我同意服务条款   ☑ 本人是该证件的持有人",
        "☑ I agree to the terms   ☑ I am the holder of this ID number (我是本人)",
    );

    say.step("人脸核验并申请", "Face check and apply");
    say.say(
        "人脸核验由沙箱活体组件完成（终端没有人脸识别 SDK；仅限沙箱测试身份）。",
        "The face check runs through the sandbox liveness component (a terminal has no face SDK; sandbox identities only).",
    );
    apply(world).await?;
    let (first_text, first_slot, first_state) = showing(client, lang, "after applying")?;
    let first_at = world.clock.now_seconds();
    let cti = cti_of(&first_text);
    tally.certificates.push(cti.clone());
    tally.frame(&first_text);
    let PassState::Showing { expires_at, .. } = &first_state else {
        return Err(CliError::internal(lang, "not showing"));
    };
    let expires_at = *expires_at;
    say.line(format!(
        "face checks 人脸核验: {} passed 通过",
        world.face.checks()
    ));
    say.line(format!(
        "certificate 证书 cti: {cti} · valid until 有效期至 {} (24 h)",
        station_time(expires_at)
    ));
    let (_, line) = quota_line(client, lang).await?;
    say.line(line);

    say.step("出示乘车码", "Show the QR code");
    let PassState::Showing { qr, .. } = &first_state else {
        return Err(CliError::internal(lang, "not showing"));
    };
    println!("{}", terminal_qr::render(qr, say.colour));
    say.line(pass_view::status_line(&first_state, lang).unwrap_or_default());
    say.line(format!(
        "QR version {} · {} modules + quiet zone 4 · text {} chars",
        qr.version,
        qr.width,
        first_text.len()
    ));
    let png = qr
        .to_png(PNG_SIZE)
        .map_err(|e| CliError::internal(lang, e))?;
    write_file(&out.join("qr.png"), &png, lang)?;
    write_file(&out.join("frame.txt"), first_text.as_bytes(), lang)?;
    write_file(
        &out.join("trust-list.json"),
        world.trust_json.as_bytes(),
        lang,
    )?;

    say.step("闸机核验", "Verify at the entry gate");
    say.say(
        "闸机离线核验：签发机构签名、有效期、设备签名与时段、防重放。",
        "The gate checks offline: issuer signature, validity, device signature and slot, replay.",
    );
    let verdict = scan(&mut gate, &first_text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "accepted", "first frame")?;
    let first_frame = FirstFrame {
        shown_at: station_time_rfc3339(first_at),
        shown_at_unix: first_at,
        slot: first_slot,
        cti: cti.clone(),
        expires_at: station_time_rfc3339(expires_at),
        verdict: verdict_code(&verdict),
    };
    let json =
        serde_json::to_string_pretty(&first_frame).map_err(|e| CliError::internal(lang, e))?;
    write_file(&out.join("first-frame.json"), json.as_bytes(), lang)?;

    say.step("60 秒刷新", "The 60 s refresh");
    let PassState::Showing {
        seconds_to_refresh, ..
    } = &first_state
    else {
        return Err(CliError::internal(lang, "not showing"));
    };
    say.line(format!(
        "{} {seconds_to_refresh} s",
        lang.pick("距下一个时段：", "to the next slot:")
    ));
    say.advance(
        &world.clock,
        Duration::from_secs(u64::from(*seconds_to_refresh)),
    )
    .await;
    let (second_text, second_slot, _) = showing(client, lang, "after the refresh")?;
    tally.frame(&second_text);
    if second_slot != first_slot + 1 || second_text == first_text {
        return Err(CliError::internal(
            lang,
            "the code did not change at the slot boundary",
        ));
    }
    say.line(format!(
        "{} {first_slot} → {second_slot} · {}…",
        lang.pick("新码，新时段", "new code, new slot"),
        &second_text[..24.min(second_text.len())]
    ));
    say.say("闸机扫描新码：", "The gate scans the new code:");
    let verdict = scan(&mut gate, &second_text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "accepted", "new frame")?;
    say.say(
        "有人拿旧码截图再刷同一闸机：",
        "Someone shows a screenshot of the old code at the same gate:",
    );
    let verdict = scan(&mut gate, &first_text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "replayed", "old frame")?;
    say.say(
        "两分钟后，在另一个闸机（出站）刷旧码截图：",
        "Two minutes later, the screenshot at another gate (exit):",
    );
    say.advance(&world.clock, Duration::from_secs(120)).await;
    let mut exit_gate = Gate::new(
        world.trust.clone(),
        GateConfig::new(CheckpointKind::ExitGate),
    );
    let verdict = scan(&mut exit_gate, &first_text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "stale_frame", "screenshot later")?;

    say.step("30 分钟重新人脸核验", "The 30-minute re-check");
    let (_, _, state) = showing(client, lang, "before the re-check")?;
    let PassState::Showing {
        seconds_to_reverify,
        ..
    } = state
    else {
        return Err(CliError::internal(lang, "not showing"));
    };
    say.advance(
        &world.clock,
        Duration::from_secs(u64::from(seconds_to_reverify.saturating_sub(1))),
    )
    .await;
    let (text, _, state) = showing(client, lang, "at 29:59")?;
    tally.frame(&text);
    let PassState::Showing {
        seconds_to_reverify,
        ..
    } = state
    else {
        return Err(CliError::internal(lang, "not showing"));
    };
    say.line(format!(
        "29:59 · {} {} · face check in 人脸核验倒计时 {}",
        state_name(&client.state()),
        lang.pick("仍在出示", "still shown"),
        minutes_seconds(seconds_to_reverify)
    ));
    say.advance(&world.clock, Duration::from_secs(1)).await;
    let state = settle(world, say, "30:00", |s| {
        matches!(s, PassState::ReverificationRequired { .. })
    })
    .await?;
    say.line(format!("30:00 · state 状态: {}", state_name(&state)));
    say.say(
        "乘车码已收起，需再次人脸核验（不占用申请次数）。",
        "The code is withdrawn until the person passes the face check again (no application used).",
    );
    let (before, _) = quota_line(client, lang).await?;
    client.reverify().await?;
    let (text, _, state) = showing(client, lang, "after the re-check")?;
    tally.frame(&text);
    let (after, line) = quota_line(client, lang).await?;
    let PassState::Showing {
        seconds_to_reverify,
        ..
    } = state
    else {
        return Err(CliError::internal(lang, "not showing"));
    };
    say.line(format!(
        "face check 人脸核验 #{} passed 通过 · state 状态: {} · next re-check in {}",
        world.face.checks(),
        state_name(&client.state()),
        minutes_seconds(seconds_to_reverify)
    ));
    say.line(format!(
        "{line} ({})",
        if before.used == after.used {
            lang.pick("未变", "unchanged")
        } else {
            lang.pick("变了！", "changed!")
        }
    ));
    if before.used != after.used {
        return Err(CliError::internal(
            lang,
            "re-verification used up an application",
        ));
    }
    let verdict = scan(&mut gate, &text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "accepted", "after re-verification")?;
    let last_text = text;

    say.step("24 小时到期", "Expiry after 24 hours");
    let left = expires_at - world.clock.now_seconds();
    say.advance(
        &world.clock,
        Duration::from_secs(u64::try_from(left - 1).unwrap_or(0)),
    )
    .await;
    say.line(format!(
        "23:59:59 · state 状态: {}",
        state_name(&client.state())
    ));
    say.advance(&world.clock, Duration::from_secs(1)).await;
    let state = settle(world, say, "24:00", |s| {
        matches!(s, PassState::Expired { .. })
    })
    .await?;
    say.line(format!("24:00 · state 状态: {}", state_name(&state)));
    say.say(
        "闸机扫描最后出示的码：",
        "The gate scans the last code shown:",
    );
    let verdict = scan(&mut gate, &last_text, &world.clock, say, &mut tally);
    expect_verdict(lang, &verdict, "expired", "after expiry")?;

    say.step("每月最多申请 3 次", "At most 3 applications a month");
    apply_and_report(
        world,
        say,
        &mut tally,
        2,
        ("过期后重新申请", "re-applied after expiry"),
    )
    .await?;
    // The re-apply action appears 3 h before expiry; a minute later the third application.
    say.advance(&world.clock, Duration::from_secs(21 * 3_600 + 60))
        .await;
    if let PassState::ReverificationRequired {
        can_reapply: true, ..
    }
    | PassState::Showing {
        can_reapply: true, ..
    } = client.state()
    {
        say.say(
            "到期前 3 小时起可重新申请（出现“重新申请”）。",
            "From 3 h before expiry the \"re-apply\" action appears.",
        );
    }
    apply_and_report(
        world,
        say,
        &mut tally,
        3,
        ("在重新申请窗口内申请", "applied in the re-apply window"),
    )
    .await?;
    say.advance(&world.clock, Duration::from_secs(21 * 3_600 + 60))
        .await;
    client.close_pass();
    let refusal = match apply(world).await {
        Ok(()) => {
            return Err(CliError::internal(
                lang,
                "a fourth application this month was accepted",
            ));
        }
        Err(error) => error,
    };
    let TempIdError::QuotaExhausted {
        resets_on,
        summary: message,
        hint,
    } = &refusal
    else {
        return Err(refusal.into());
    };
    say.line(format!(
        "#4 {} [{}]",
        lang.pick("被拒绝", "refused"),
        refusal.code()
    ));
    say.line(format!("{message}\n{hint}"));
    say.line(format!(
        "state 状态: {} · resets on 重置日期 {resets_on}",
        state_name(&client.state())
    ));
    if !matches!(client.state(), PassState::QuotaExhausted { .. }) {
        return Err(CliError::internal(
            lang,
            "the refusal is not shown as QuotaExhausted",
        ));
    }

    summary(world, say, out, &tally, &first_frame, resets_on).await
}

async fn summary(
    world: &World,
    say: &Narrator,
    out: &Path,
    tally: &Tally,
    first: &FirstFrame,
    resets_on: &str,
) -> Result<(), CliError> {
    let lang = say.lang;
    let quota = world.client.quota().await?;
    let count = |code: &str| tally.verdicts.iter().filter(|v| *v == code).count();
    let mut verdicts: Vec<String> = Vec::new();
    for code in ["accepted", "replayed", "stale_frame", "expired"] {
        let n = count(code);
        if n > 0 {
            verdicts.push(format!("{code} ×{n}"));
        }
    }
    let file = |name: &str| out.join(name).display().to_string();
    println!("\n{}", lang.pick("小结 · Summary", "Summary · 小结"));
    println!(
        "  identity 身份:          {} {} (sandbox 沙箱)",
        tempid_protocol::mask_name(&world.who.name),
        mask_id(&world.who.id_number)
    );
    println!(
        "  certificate 证书 cti:   {} (first 首张); {} issued 共签发",
        first.cti,
        tally.certificates.len()
    );
    println!(
        "  frames shown 出示的码:  {} (first at 首码 {}, slot {})",
        tally.frames.len(),
        first.shown_at,
        first.slot
    );
    println!("  gate verdicts 闸机结果: {}", verdicts.join(", "));
    println!(
        "  quota left 剩余次数:    {} of {} this month 本月 (resets 重置 {resets_on}; {})",
        quota.remaining,
        quota.limit,
        lang.pick(
            "其间可到车站公安制证口办理",
            "meanwhile: the station police window"
        )
    );
    println!(
        "  files written 写出文件: {}, {}, {}, {}",
        file("qr.png"),
        file("frame.txt"),
        file("trust-list.json"),
        file("first-frame.json")
    );
    println!(
        "  {} tempid-gate verify --trust-list {} --text \"$(cat {})\" --at {}",
        lang.pick("自行核验：", "check it yourself:"),
        file("trust-list.json"),
        file("frame.txt"),
        first.shown_at
    );
    Ok(())
}
