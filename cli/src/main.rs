//! `tempid`: the terminal shell over tempid-core.
//!
//! `tempid demo` runs the whole system on this machine in virtual time (the README's main job);
//! `register`, `login`, `apply`, `show`, `reverify`, `logout`, `history` and `quota` are for
//! real use against any issuer. The shell holds no rules: it draws the core's `PassState`,
//! forwards what the person types, and offers the capabilities a terminal has.
//!
//! Exit status: 0 done; 1 refused or failed (the message says what to do next); 2 usage error.

mod capabilities;
mod clock;
mod commands;
mod demo;
mod error;
mod lang;
mod pass_view;
mod session;
mod terminal_qr;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::lang::{Lang, parse_lang};

#[derive(Parser)]
#[command(
    name = "tempid",
    version,
    about = "电子临时乘车身份证明 · The electronic temporary ride ID certificate, in a terminal",
    long_about = "电子临时乘车身份证明 · The electronic temporary ride ID certificate, in a terminal.\n\n\
        A passenger who forgot their ID card applies with the 18-digit resident ID number and a \
        face check, gets a certificate valid for 24 hours, and shows a QR code that changes every \
        60 seconds at ticket windows, real-name checks, gates and on the train.\n\n\
        `tempid demo` runs all of it on this machine — issuer, passenger app core and gate — in \
        virtual time, and writes the first code as qr.png and frame.txt with the issuer's trust \
        list. The other commands talk to a real issuer (--issuer URL); the session is kept in the \
        OS keyring when there is one. A terminal has no face SDK: face checks run only through \
        the sandbox liveness component when --sandbox-face is given (sandbox issuers only).",
    after_help = "Exit status: 0 done, 1 refused or failed (with what to do next), 2 usage error."
)]
struct Cli {
    /// Language of messages: zh-CN or en (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, global = true, value_name = "LANG", value_parser = parse_lang)]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole journey on this machine in virtual time (issuer, app core, gate).
    ///
    /// Starts the reference issuer in-process on a loopback port (SQLite in a temporary
    /// directory), then walks a sandbox passenger through registration, location, consent, the
    /// face check and the application; shows the QR code and writes DIR/qr.png, DIR/frame.txt
    /// (the first code), DIR/trust-list.json (the issuer's keys) and DIR/first-frame.json (when
    /// it was shown); verifies it at an entry gate; and then lets virtual time pass: the 60 s
    /// refresh (the old code is refused as a replay, later as stale), the 30-minute face
    /// re-check (no application used), the 24 h expiry and the refused fourth application of
    /// the month. Needs no network beyond loopback and no keyring.
    Demo(demo::DemoArgs),
    /// Create an account on the issuer and log in.
    ///
    /// The password is prompted for (not echoed), read from standard input with
    /// --password-stdin, or taken from TEMPID_PASSWORD.
    Register(commands::AccountArgs),
    /// Log in; a valid certificate applied for earlier is offered (showing it here needs a
    /// face check first).
    Login(commands::AccountArgs),
    /// Apply for a certificate (valid 24 h; at most 3 applications a month).
    ///
    /// The ID number and name are checked before anything is sent. Consent (--consent) and the
    /// self-confirmation (--i-am-the-holder) come before the face check. The face check needs
    /// the phone app; with --sandbox-face it runs through the sandbox liveness component
    /// (sandbox issuers and test identities only). Log in first, or pass --guest.
    Apply(commands::ApplyArgs),
    /// Show the pass as a live QR code that redraws at every 60 s slot (Ctrl-C to quit).
    Show(commands::ShowArgs),
    /// Pass the face check again (after 30 minutes on the QR page, or to show the pass on this
    /// device after logging in). Never uses up an application.
    Reverify(commands::ReverifyArgs),
    /// Log out: end the session on the issuer and wipe the session, certificate and device
    /// key kept here.
    Logout(commands::IssuerArg),
    /// List the applications of the last month (a guest passes a face check for it).
    History(commands::LookupArgs),
    /// Show this month's application quota (a guest passes a face check for it).
    Quota(commands::LookupArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = Lang::detect(cli.lang.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!(
                "{}",
                error::CliError::internal(lang, format!("cannot start the async runtime: {e}"))
                    .render(lang)
            );
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => demo::run(args, lang).await,
            Command::Register(args) => commands::register(args, lang).await,
            Command::Login(args) => commands::login(args, lang).await,
            Command::Apply(args) => commands::apply(args, lang).await,
            Command::Show(args) => commands::show(args, lang).await,
            Command::Reverify(args) => commands::reverify(args, lang).await,
            Command::Logout(args) => commands::logout(args, lang).await,
            Command::History(args) => commands::history(args, lang).await,
            Command::Quota(args) => commands::quota(args, lang).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.render(lang));
            ExitCode::FAILURE
        }
    }
}
