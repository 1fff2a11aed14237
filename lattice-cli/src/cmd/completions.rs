//! `lattice completions SHELL`.

use clap::Args;
use clap_complete::Shell;

/// Print shell completions for `lattice`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice completions bash > ~/.local/share/bash-completion/completions/lattice
  lattice completions zsh > \"${fpath[1]}/_lattice\"
  lattice completions fish > ~/.config/fish/completions/lattice.fish")]
pub(crate) struct CompletionsArgs {
    /// The shell. Example: `bash`.
    #[arg(value_parser = ["bash", "zsh", "fish"])]
    shell: String,
}

/// Writes the completions to stdout.
pub(crate) fn run(args: &CompletionsArgs, command: &mut clap::Command) {
    let shell = match args.shell.as_str() {
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => Shell::Bash,
    };
    clap_complete::generate(shell, command, "lattice", &mut std::io::stdout());
}
