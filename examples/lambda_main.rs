//! The `main` of the Lambda-target examples: `--event FILE` runs one event
//! locally and prints the response JSON alone on stdout; without arguments
//! the program runs under the Lambda runtime.

use std::fmt::Display;
use std::future::Future;
use std::process::ExitCode;

/// Parses the arguments of the example `name` and runs `once` on the event
/// file, or `runtime` inside Lambda. Errors are one line on stderr; exit
/// status 1 for a failure, 2 for bad arguments.
pub async fn main<Once, OnceFut, Runtime, RuntimeFut, E>(
    name: &str,
    once: Once,
    runtime: Runtime,
) -> ExitCode
where
    Once: FnOnce(String) -> OnceFut,
    OnceFut: Future<Output = Result<String, String>>,
    Runtime: FnOnce() -> RuntimeFut,
    RuntimeFut: Future<Output = Result<(), E>>,
    E: Display,
{
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let event = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--event" => Some(file.clone()),
        [arg] if arg.starts_with("--event=") => Some(arg.trim_start_matches("--event=").to_owned()),
        _ => {
            eprintln!(
                "usage: {name} [--event FILE]   (without --event: run under the Lambda runtime)"
            );
            return ExitCode::from(2);
        }
    };

    match event {
        Some(path) => match once(path).await {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", one_line(&e));
                ExitCode::FAILURE
            }
        },
        None => {
            if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
                eprintln!(
                    "error: not running inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set); pass --event FILE to run one event locally"
                );
                return ExitCode::FAILURE;
            }
            match runtime().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {}", one_line(&e.to_string()));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// One line, whatever the error's `Display` holds.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
