//! `lattice`: sign, send and explain calls to AWS VPC Lattice services.
//!
//! ```text
//! lattice call [FLAGS] URL          awscurl for Lattice: a signed request, with -v and hints
//! lattice sign [FLAGS] URL          the signed headers of a request, without sending it
//! lattice policy eval|why|lint      evaluate, explain and check auth policies
//! lattice name NAME_OR_ARN          what a generated name or an ARN holds, as JSON
//! lattice event make|show           build or read the event a Lambda target receives
//! lattice fake --config FILE        a fake Lattice on loopback, from a YAML/JSON model
//! lattice probe URL                 check the documented assumptions against a real service
//! lattice completions SHELL         shell completions
//! ```
//!
//! Exit status: 0 on success; 1 when a call failed or got a non-2xx answer
//! (or a check found an error); 2 for a usage or configuration error. Every
//! failure is one line on stderr, sometimes followed by one `hint:` line.

mod cmd;
mod error;
mod report;
mod request;
mod time_arg;
mod transport;
mod verbose;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::error::CliError;

/// Sign, send and explain calls to AWS VPC Lattice services.
///
/// Credentials come from the standard AWS chain (environment, profiles, SSO,
/// web identity, IMDS) or `--profile`.
#[derive(Debug, Parser)]
#[command(
    name = "lattice",
    version,
    about,
    after_help = "Examples:\n  lattice call -v https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders\n  lattice sign --format curl https://orders.example.internal/ --region eu-central-1\n  lattice policy why --network net.json --principal arn:aws:iam::111122223333:role/app URL\n  lattice fake --config examples/fake/lattice.yaml"
)]
struct Cli {
    /// Print nothing but the response body (no errors, hints, warnings or
    /// progress); the exit status still tells what happened.
    /// Example: `lattice -q call URL > body.json`.
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Call(cmd::call::CallArgs),
    Sign(cmd::sign::SignArgs),
    Policy(cmd::policy::PolicyArgs),
    Name(cmd::name::NameArgs),
    Event(cmd::event::EventArgs),
    Fake(cmd::fake::FakeArgs),
    Probe(cmd::probe::ProbeArgs),
    Completions(cmd::completions::CompletionsArgs),
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::Call(_) => "call",
            Command::Sign(_) => "sign",
            Command::Policy(p) => p.name(),
            Command::Name(_) => "name",
            Command::Event(e) => e.name(),
            Command::Fake(_) => "fake",
            Command::Probe(_) => "probe",
            Command::Completions(_) => "completions",
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let name = cli.command.name();
    let quiet = cli.quiet;
    init_logging(quiet);
    let result = match cli.command {
        Command::Call(args) => run_async(cmd::call::run(args, quiet)),
        Command::Sign(args) => run_async(cmd::sign::run(args)),
        Command::Policy(args) => cmd::policy::run(args, quiet),
        Command::Name(args) => cmd::name::run(&args),
        Command::Event(args) => cmd::event::run(args),
        Command::Fake(args) => run_async(cmd::fake::run(args)),
        Command::Probe(args) => run_async(cmd::probe::run(args)),
        Command::Completions(args) => {
            cmd::completions::run(&args, &mut Cli::command());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => e.report(name, quiet),
    }
}

/// Runs a command on a multi-threaded Tokio runtime.
fn run_async<F>(future: F) -> Result<ExitCode, CliError>
where
    F: std::future::Future<Output = Result<ExitCode, CliError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(future)
}

/// clap's errors as one line (exit status 2); `--help` and `--version` as
/// clap prints them (exit status 0).
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!("lattice: a subcommand is required (see `lattice --help`)");
            ExitCode::from(error::USAGE)
        }
        _ => {
            let text = e.render().to_string();
            let first = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let first = first.trim_start_matches("error: ");
            eprintln!("lattice: {first} (see `lattice --help`)");
            ExitCode::from(error::USAGE)
        }
    }
}

fn init_logging(quiet: bool) {
    let filter = if quiet {
        tracing_subscriber::EnvFilter::new("off")
    } else {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .compact()
        .try_init();
}
