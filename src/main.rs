//! The `tier` binary: parse arguments, run, print the error chain, choose the exit code
//! (0 ok, 1 data or runtime error, 2 usage error; a closed pipe is a quiet success).

#![allow(clippy::print_stderr, clippy::exit)]

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = tier::cli::Cli::parse();
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
    eprintln!("tier: error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if err.downcast_ref::<tier::UsageError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}
