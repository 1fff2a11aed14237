//! The tool's error: an exit status, one line of text, and maybe a hint.
//!
//! Every failure prints exactly one line on stderr (`lattice <command>:
//! <what went wrong>: <cause>: <cause>`), then at most one `hint:` line.
//! Exit status 2 means the command line or the configuration is wrong (the
//! request was never sent); 1 means the call failed or was answered with a
//! non-2xx status.

use std::error::Error as StdError;
use std::fmt;
use std::process::ExitCode;

use lattice_client::hint::Hint;

/// Usage or configuration: nothing was sent.
pub(crate) const USAGE: u8 = 2;
/// The call failed, or the answer was not a 2xx.
pub(crate) const FAILED: u8 = 1;

/// A failure of one command.
#[derive(Debug)]
pub(crate) struct CliError {
    status: u8,
    line: String,
    hint: Option<&'static Hint>,
}

impl CliError {
    /// A usage or configuration error (exit status 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            status: USAGE,
            line: message.into(),
            hint: None,
        }
    }

    /// A usage or configuration error caused by `error` (exit status 2).
    pub(crate) fn config(error: &(dyn StdError + 'static)) -> Self {
        Self::usage(chain_line(error))
    }

    /// A failed call (exit status 1).
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            status: FAILED,
            line: message.into(),
            hint: None,
        }
    }

    /// A failed call caused by `error` (exit status 1).
    pub(crate) fn failed_by(error: &(dyn StdError + 'static)) -> Self {
        Self::failed(chain_line(error))
    }

    /// Puts `context` in front of the message.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.line = format!("{context}: {}", self.line);
        self
    }

    /// Adds the hint line printed after the error.
    pub(crate) fn with_hint(mut self, hint: Option<&'static Hint>) -> Self {
        self.hint = hint;
        self
    }

    /// Prints the error (and its hint) unless `quiet`, and returns the exit code.
    pub(crate) fn report(&self, command: &str, quiet: bool) -> ExitCode {
        if !quiet {
            eprintln!("lattice {command}: {}", self.line);
            if let Some(hint) = self.hint {
                eprintln!("{}", hint_line(hint));
            }
        }
        ExitCode::from(self.status)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

/// The one `hint:` line for a hint.
pub(crate) fn hint_line(hint: &Hint) -> String {
    format!("hint: {} {}", hint.cause, hint.fix)
}

/// The error and its causes on one line, each cause printed once.
///
/// Several `lattice-client` errors (`Error::Resolve`, `Error::Reqwest`,
/// `Error::Credentials`, `Error::Signing`) put their source's text in their
/// own message *and* return it from `source()`; a cause whose text is
/// already part of the line is skipped.
pub(crate) fn chain_line(error: &(dyn StdError + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line.replace(['\n', '\r'], " ")
}

/// `Result` with [`CliError`].
pub(crate) type CliResult<T> = Result<T, CliError>;

/// Turns any error into a usage or configuration [`CliError`] with context.
pub(crate) trait ResultExt<T> {
    /// Exit status 2, with `context` in front.
    fn usage_ctx(self, context: impl FnOnce() -> String) -> CliResult<T>;
}

impl<T, E: StdError + 'static> ResultExt<T> for Result<T, E> {
    fn usage_ctx(self, context: impl FnOnce() -> String) -> CliResult<T> {
        self.map_err(|e| CliError::config(&e).context(context()))
    }
}
