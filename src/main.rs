//! The `tier` binary: parse arguments, run, print the error on one line, choose the exit code
//! (0 ok, 1 data or runtime error, 2 usage error; a closed pipe is a quiet success; 128 + N after
//! signal N).

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match tier::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout, usage errors to stderr; either may be closed.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
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
