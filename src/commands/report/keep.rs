//! A replaced report directory keeps what its owner set: the directory's mode (setgid
//! included) and group, and each file's mode and group; a new one follows the umask.

use std::fs::Permissions;
use std::path::Path;

/// The permissions a new report directory is created with (the umask then applies, as for
/// `mkdir`).
#[cfg(unix)]
pub fn new_dir() -> Permissions {
    use std::os::unix::fs::PermissionsExt;
    Permissions::from_mode(0o777)
}

/// Gives the staging directory the group of the report it replaces, so the files written into
/// it next are that group's as well.
pub fn group(previous: &Path, staging: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(previous) {
            set_group(staging, m.gid());
        }
    }
    #[cfg(not(unix))]
    let _ = (previous, staging);
}

/// Gives a newly written file the mode and group of the file of the same name in the previous
/// report; a file the previous report did not have gets the group of a setgid directory, as if
/// it had been created there.
pub fn file(old: &Path, staging: &Path, new: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata(old) {
            Ok(m) if m.is_file() => {
                set_group(new, m.gid());
                let _ = std::fs::set_permissions(new, m.permissions());
            }
            _ => {
                if let Ok(m) = std::fs::metadata(staging) {
                    set_group(new, m.gid());
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (old, staging, new);
}

/// Gives the staging directory the previous report directory's mode (after its group, so a
/// setgid bit holds).
pub fn mode(previous: &Path, staging: &Path) {
    if let Ok(m) = std::fs::metadata(previous) {
        let _ = std::fs::set_permissions(staging, m.permissions());
    }
}

#[cfg(unix)]
fn set_group(path: &Path, gid: u32) {
    use std::os::unix::fs::MetadataExt;
    let current = std::fs::metadata(path).map(|m| m.gid()).ok();
    if current != Some(gid) && std::os::unix::fs::chown(path, None, Some(gid)).is_err() {
        crate::progress::note(&format!(
            "tier: note: cannot give `{}` the group {gid} of the previous report (not a member)",
            path.display()
        ));
    }
}
