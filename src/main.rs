//! The `tier` binary: parse arguments, run, print the error on one line, choose the exit code
//! (0 ok, 1 data or runtime error, 2 usage error; a closed pipe is a quiet success; 128 + N after
//! signal N).

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match tier::cli::parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // Help and version, on stdout (which may be closed).
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `tier` alone: the help, on stderr, as a usage error.
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            tier::progress::say(&format!(
                "tier: {}",
                one_line_usage(&e.render().to_string())
            ));
            return ExitCode::from(2);
        }
    };
    tier::output::cleanup_on_signals();
    let Err(err) = tier::run(cli) else {
        return ExitCode::SUCCESS;
    };
    let broken_pipe = err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || c.to_string().contains("Broken pipe")
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    tier::progress::say(&format!("tier: error: {}", tier::one_line(&err)));
    if err.downcast_ref::<tier::UsageError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

/// clap's usage error as one line: the error and its tips, without the usage block.
fn one_line_usage(text: &str) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    format!("{} (see --help)", kept.join("; "))
}
