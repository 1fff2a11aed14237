//! `lattice policy`: evaluate, explain and check auth policies.

mod eval;
mod lint;
mod why;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::error::CliResult;

/// Evaluate, explain and check VPC Lattice auth policies.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    Eval(eval::EvalArgs),
    Why(Box<why::WhyArgs>),
    Lint(lint::LintArgs),
}

impl PolicyArgs {
    /// The name used in error lines.
    pub(crate) fn name(&self) -> &'static str {
        match self.command {
            PolicyCommand::Eval(_) => "policy eval",
            PolicyCommand::Why(_) => "policy why",
            PolicyCommand::Lint(_) => "policy lint",
        }
    }
}

/// Runs `lattice policy …`.
pub(crate) fn run(args: PolicyArgs, quiet: bool) -> CliResult<ExitCode> {
    match args.command {
        PolicyCommand::Eval(a) => eval::run(&a),
        PolicyCommand::Why(a) => why::run(&a, quiet),
        PolicyCommand::Lint(a) => lint::run(&a, quiet),
    }
}

/// Reads a policy file as JSON.
pub(crate) fn read_json(path: &std::path::Path) -> CliResult<serde_json::Value> {
    use crate::error::CliError;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("{} is not JSON: {e}", path.display())))
}
