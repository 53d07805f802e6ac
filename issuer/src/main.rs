//! `tempid-issuer`: serve the issuing service, manage its signing keys, revoke certificates.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use tempid_issuer::{AppVersion, IssuerConfig, KeyDir, RateLimits, SandboxAuthority, Store};
use tempid_protocol::CertificateId;

/// The tempid reference issuing service.
#[derive(Debug, Parser)]
#[command(name = "tempid-issuer", version, about, propagate_version = true)]
struct Cli {
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Manage the issuer's signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Revoke a certificate by its cti (16 hex digits).
    Revoke {
        /// The certificate id.
        cti: String,
        /// The database URL.
        #[arg(
            long,
            env = "TEMPID_DATABASE_URL",
            default_value = "sqlite://tempid.db"
        )]
        database: String,
    },
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Database URL: sqlite://FILE (created on first start), sqlite::memory:, or postgres://…
    #[arg(
        long,
        env = "TEMPID_DATABASE_URL",
        default_value = "sqlite://tempid.db"
    )]
    database: String,
    /// Key directory (created 0700 with a first key if missing).
    #[arg(long, default_value = "keys")]
    key_dir: PathBuf,
    /// Apps older than this get 426 update_required.
    #[arg(long, default_value = "1.0.0")]
    min_app_version: AppVersion,
    /// The certificates' issuer (`iss`).
    #[arg(long, default_value = "tempid")]
    issuer_name: String,
    /// Sandbox identities: a JSON array of {id_number, name} (default: the built-in set).
    #[arg(long)]
    sandbox_identities: Option<PathBuf>,
    /// Database connections (SQLite readers; the PostgreSQL pool).
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 16 * 1024)]
    body_limit: usize,
    /// Switch off log-in and face-check rate limits (load tests only).
    #[arg(long)]
    no_rate_limits: bool,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Retire the active key and create a new one that signs from now on.
    Rotate {
        /// Key directory.
        #[arg(long, default_value = "keys")]
        key_dir: PathBuf,
    },
    /// List keys with status, nbf and exp.
    List {
        /// Key directory.
        #[arg(long, default_value = "keys")]
        key_dir: PathBuf,
    },
    /// Revoke a key: every certificate it signed is refused.
    Revoke {
        /// The kid (base64url).
        kid: String,
        /// Key directory.
        #[arg(long, default_value = "keys")]
        key_dir: PathBuf,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tempid-issuer: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Keys {
            command: KeysCommand::Rotate { key_dir },
        } => {
            let kid = KeyDir::new(key_dir)
                .rotate(now())
                .map_err(|e| e.to_string())?;
            println!(
                "new active key {kid}; the previous key is retired (listed until its certificates expire)"
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::List { key_dir },
        } => {
            let records = KeyDir::new(key_dir).list().map_err(|e| e.to_string())?;
            println!("{:<12} {:<8} {:>12} {:>12}", "kid", "status", "nbf", "exp");
            for record in records {
                let status = serde_json::to_value(record.status())
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let exp = record
                    .exp()
                    .map_or_else(|| "-".to_string(), |e| e.to_string());
                println!(
                    "{:<12} {:<8} {:>12} {:>12}",
                    record.kid, status, record.created_at, exp
                );
            }
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Revoke { kid, key_dir },
        } => {
            KeyDir::new(key_dir)
                .revoke(&kid, now())
                .map_err(|e| e.to_string())?;
            println!("key {kid} revoked: certificates it signed are refused");
            Ok(())
        }
        Command::Revoke { cti, database } => {
            let cti = CertificateId::from_hex(&cti.to_ascii_lowercase())
                .ok_or_else(|| format!("'{cti}' is not a certificate id (16 hex digits)"))?;
            let store = Store::open(&database, 1)
                .await
                .map_err(|e| format!("database: {e}"))?;
            let outcome = store
                .revoke(&cti.to_hex(), now())
                .await
                .map_err(|e| format!("database: {e}"));
            store.close().await;
            match outcome? {
                Some(true) => println!("certificate {cti} revoked"),
                Some(false) => println!("certificate {cti} was already revoked"),
                None => return Err(format!("no certificate {cti} was issued by this issuer")),
            }
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let mut config = IssuerConfig::new(args.database, args.key_dir);
    config.min_app_version = args.min_app_version;
    config.issuer_name = args.issuer_name;
    config.max_connections = args.max_connections;
    config.body_limit_bytes = args.body_limit;
    if args.no_rate_limits {
        config.rate_limits = RateLimits::disabled();
    }
    if let Some(path) = args.sandbox_identities {
        let authority = SandboxAuthority::from_file(&path).map_err(|e| e.to_string())?;
        tracing::info!(identities = authority.len(), "sandbox identities loaded");
        config = config.with_authority(authority);
    }
    let reload = config.key_reload_interval.or(Some(Duration::from_secs(1)));
    let issuer = tempid_issuer::Issuer::open(config)
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "listening");
    // The line tests and scripts wait for.
    println!("listening on http://{addr}");
    issuer
        .serve(listener, shutdown_signal(), reload)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
