//! A stand-in `notify-send` for the keep-alive tests: the real notifier needs a desktop
//! session this machine does not have. It records each call's argv (one argument a line,
//! then `@@end`) in the sandbox, for the tests to check what a notification said.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::world::World;

/// Installs the stand-in in `w`'s sandbox; returns the dir to put first on PATH.
pub fn install(w: &World) -> PathBuf {
    let bin = w.sb.temp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("notify-send");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" @@end >> '{}'\n",
            record_file(w).display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// The environment that makes a notifier find the stand-in (before the rest of `path`, if
/// any) and believe a desktop is there.
pub fn desktop_env(bin: &Path, path: &str) -> Vec<(String, String)> {
    let path = if path.is_empty() {
        bin.display().to_string()
    } else {
        format!("{}:{path}", bin.display())
    };
    vec![("PATH".into(), path), ("DISPLAY".into(), ":99".into())]
}

fn record_file(w: &World) -> PathBuf {
    w.sb.temp.path().join("notified.txt")
}

/// Each notification's argv, in the order they were sent.
pub fn notified(w: &World) -> Vec<String> {
    let text = std::fs::read_to_string(record_file(w)).unwrap_or_default();
    text.split("@@end\n")
        .filter(|call| !call.is_empty())
        .map(str::to_owned)
        .collect()
}
