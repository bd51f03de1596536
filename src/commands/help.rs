//! `tier completions SHELL` and `tier man`: generated from the clap definitions, so they never
//! drift from the flags.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tier", &mut out);
    std::io::stdout()
        .lock()
        .write_all(&out)
        .context("cannot write to stdout")
}

/// Prints the man page (roff) on stdout: the top-level page, then one section per subcommand.
pub fn man() -> Result<()> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands() {
        let name = format!("tier-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(clap::builder::Str::from(name.leak() as &str));
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    std::io::stdout()
        .lock()
        .write_all(&out)
        .context("cannot write to stdout")
}
