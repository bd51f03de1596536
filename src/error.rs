//! The error kinds `main` tells apart by type (a usage error exits with code 2), and an error
//! chain as the one line `main` prints. A leaf: every layer may use it without importing any
//! other.

/// An error in how tier was called (a flag value, a missing input): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// An error and its causes as one line: `outer: cause: root cause`, without repeating a cause
/// that the message before it already contains, and with line breaks inside messages flattened.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
