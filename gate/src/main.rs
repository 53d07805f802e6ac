//! `tempid-gate`: verify a frame offline (from the QR text or a camera image), refresh the
//! trust and revocation lists from the issuer, and upload scan counts.
//!
//! Exit status of `verify`: 0 accepted, 1 refused, 2 usage or I/O error (a missing or malformed
//! file, an unreadable image, an image without a QR code). `sync` and `upload`: 0 done, 2 failed.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use tempid_gate::display::{render_json, render_text};
use tempid_gate::journal::REPLAY_FILE;
use tempid_gate::{
    Gate, GateConfig, IssuerClient, ReplayGuard, RetryPolicy, StateDir, load_revocations,
    load_trust_list, sync_lists, upload_pending, write_atomically,
};
use tempid_protocol::CheckpointKind;

#[derive(Parser)]
#[command(name = "tempid-gate", version, about = "Offline verifier for tempid temporary ride ID codes", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify one frame (QR text or camera image) offline and print the verdict.
    ///
    /// Exit status: 0 accepted, 1 refused, 2 usage or I/O error.
    Verify(VerifyArgs),
    /// Fetch the trust list and revocation list from the issuer into a directory (atomically).
    Sync(SyncArgs),
    /// Upload the scan counts journaled in a state directory to the issuer.
    Upload(UploadArgs),
}

#[derive(Args)]
struct VerifyArgs {
    /// The issuer's trust list (JWK Set JSON), e.g. DIR/trust-list.json written by `sync`.
    #[arg(long, value_name = "FILE")]
    trust_list: PathBuf,
    #[command(flatten)]
    input: Input,
    /// The revocation list (JSON), e.g. DIR/revocations.json written by `sync`.
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
    /// Verify as of this time instead of now (RFC 3339, e.g. 2026-11-25T08:00:30+08:00).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    at: Option<OffsetDateTime>,
    /// Where the code is shown: window, real_name_check, entry_gate, exit_gate or on_train.
    #[arg(long, value_name = "KIND", default_value = "entry_gate")]
    checkpoint: CheckpointKind,
    /// Print the verdict as one JSON object.
    #[arg(long)]
    json: bool,
    /// Keep the replay guard and the scan journal in this directory across runs (a gate that
    /// runs this command per scan); without it nothing is remembered.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Accepted distance in minutes (slots) between the frame's slot and the gate's.
    #[arg(long, value_name = "SLOTS", default_value_t = 1)]
    slot_tolerance: u32,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// The text the scanner read (`TID1:…`); `-` reads one line from standard input.
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// A camera image (PNG or JPEG, grey or colour) showing the QR code.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
}

#[derive(Args)]
struct SyncArgs {
    /// The issuer's base URL (e.g. https://issuer.example).
    #[arg(long, value_name = "URL")]
    issuer: String,
    /// The directory to write trust-list.json and revocations.json into (created if needed).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
}

#[derive(Args)]
struct UploadArgs {
    /// The issuer's base URL (e.g. https://issuer.example).
    #[arg(long, value_name = "URL")]
    issuer: String,
    /// The gate's state directory (the journal `verify --state-dir` writes).
    #[arg(long, value_name = "DIR")]
    state_dir: PathBuf,
    /// The gate id to report (default: the one kept in the state directory, made on first use).
    #[arg(long, value_name = "ID")]
    gate_id: Option<String>,
    /// Attempts per batch before giving up for this run (the batch stays pending).
    #[arg(long, value_name = "N", default_value_t = 5)]
    attempts: u32,
    /// The wait after the first failed attempt, in milliseconds; it doubles after each failure.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    backoff_ms: u64,
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time ({e}); e.g. 2026-11-25T08:00:30+08:00"))
}

/// A failure that ends the command with exit status 2.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Verify(args) => verify(args),
        Command::Sync(args) => sync(args),
        Command::Upload(args) => upload(args),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("tempid-gate: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let trust_list = load_trust_list(&args.trust_list)?;
    let mut config = GateConfig::new(args.checkpoint);
    config.policy.slot_tolerance = args.slot_tolerance;
    if let Some(path) = &args.revocations {
        config.policy.revocations = load_revocations(path)?;
    }
    let now = args
        .at
        .unwrap_or_else(OffsetDateTime::now_utc)
        .unix_timestamp();
    let mut gate = Gate::new(trust_list, config);

    let text = match (&args.input.text, &args.input.image) {
        (Some(text), _) if text == "-" => Some(read_stdin_line()?),
        (Some(text), _) => Some(text.clone()),
        (None, _) => None,
    };
    let image = match &args.input.image {
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| Failure(format!("cannot read image {}: {e}", path.display())))?,
        ),
        None => None,
    };
    let state = args.state_dir.as_ref().map(StateDir::open).transpose()?;

    let run = |gate: &mut Gate| -> Result<_, Failure> {
        match (&text, &image) {
            (Some(text), _) => Ok(gate.scan_text(text, now)),
            (None, Some(bytes)) => gate.scan_image(bytes, now).map_err(|e| {
                let path = args.input.image.as_deref().unwrap_or(Path::new("?"));
                Failure(format!("image {}: {e}", path.display()))
            }),
            (None, None) => Err(Failure("give --text or --image".into())),
        }
    };

    let scan = match &state {
        None => run(&mut gate)?,
        Some(state) => {
            let replay_path = state.path().join(REPLAY_FILE);
            let scan = state.locked(|| -> Result<_, Failure> {
                gate.set_replay_guard(load_replay_guard(&replay_path));
                let scan = run(&mut gate)?;
                write_atomically(&replay_path, gate.replay_guard().to_json(now).as_bytes())
                    .map_err(|e| Failure(format!("cannot write {}: {e}", replay_path.display())))?;
                Ok(scan)
            })??;
            state.append(&gate.take_counts())?;
            scan
        }
    };

    if args.json {
        println!("{}", render_json(&scan));
    } else {
        println!("{}", render_text(&scan));
    }
    Ok(if scan.verdict.is_accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_replay_guard(path: &Path) -> ReplayGuard {
    let capacity = GateConfig::new(CheckpointKind::EntryGate).replay_capacity;
    match std::fs::read_to_string(path) {
        Ok(json) => ReplayGuard::from_json(&json, capacity).unwrap_or_else(|e| {
            // The guard only spans a few minutes; losing it must not stop the gate.
            eprintln!(
                "tempid-gate: warning: ignoring unreadable replay state {}: {e}",
                path.display()
            );
            ReplayGuard::new(capacity)
        }),
        Err(_) => ReplayGuard::new(capacity),
    }
}

fn read_stdin_line() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
    Ok(text.lines().next().unwrap_or_default().trim().to_string())
}

fn sync(args: SyncArgs) -> Result<ExitCode, Failure> {
    let client = IssuerClient::new(&args.issuer)?;
    let outcome = sync_lists(&client, &args.dir)?;
    println!(
        "trust list: {} key(s) -> {}",
        outcome.keys,
        outcome.trust_list_path.display()
    );
    let note = if outcome.kept_newer_revocations {
        " (kept: newer than the issuer's)"
    } else {
        ""
    };
    println!(
        "revocations: {} revoked, updated {} -> {}{note}",
        outcome.revoked,
        tempid_gate::display::station_time_rfc3339(outcome.revocations_updated_at),
        outcome.revocations_path.display(),
    );
    Ok(ExitCode::SUCCESS)
}

fn upload(args: UploadArgs) -> Result<ExitCode, Failure> {
    let client = IssuerClient::new(&args.issuer)?;
    let state = StateDir::open(&args.state_dir)?;
    let gate_id = match args.gate_id {
        Some(id) => id,
        None => state.gate_id()?,
    };
    let retry = RetryPolicy {
        attempts: args.attempts.max(1),
        initial_backoff: Duration::from_millis(args.backoff_ms),
        ..RetryPolicy::default()
    };
    let summary = upload_pending(&client, &state, &gate_id, &retry)?;
    let counted = summary.acknowledged.iter().filter(|a| a.counted).count();
    println!(
        "gate {gate_id}: sealed {} batch(es); {} acknowledged ({} counted now, {} counted before); nothing pending",
        summary.sealed,
        summary.acknowledged.len(),
        counted,
        summary.acknowledged.len() - counted,
    );
    Ok(ExitCode::SUCCESS)
}
