//! The team store, as `zdauth doctor` sees it: reachable, its token accepted, the policy's
//! read and list on the prefix, the recipients. It only looks: read permission is told by
//! reading a name that should not exist (a 404 is an answer the policy allowed), and write
//! permission is not tried, since a check must not change what the team shares.

use super::Check;
use crate::config::StoreSettings;
use crate::error::Error;
use crate::store::Store;

/// A connection name hardly anyone gives (the store refuses others as paths); should a
/// secret of that name exist, reading it tells the same, and nothing is decrypted.
const PROBE: &str = "zdauth-doctor-probe";

/// One line per question, in the order they depend on each other: after a failure the
/// ones that need it are left out.
pub fn store(store: &Store, settings: &StoreSettings) -> Vec<Check> {
    let at = store.describe();
    let mut checks = Vec::new();
    let prefix = format!("{}/data/{}/*", settings.mount, settings.prefix);
    match store.read(PROBE) {
        Ok(_) => checks.push(Check::ok(format!(
            "store: {at} answers; its token may read {prefix}"
        ))),
        Err(e @ Error::StoreDenied { .. }) => {
            checks.push(Check::fail(
                format!("store: {at} answers, but its token may not read {prefix}"),
                denied_todo(&e),
            ));
            return checks;
        }
        Err(e) => {
            checks.push(Check::fail(
                format!("store: {at}: cannot be used"),
                e.to_string(),
            ));
            return checks;
        }
    }
    match store.list() {
        Ok(names) => {
            let count = names.len();
            let noun = if count == 1 { "secret" } else { "secrets" };
            checks.push(Check::ok(format!(
                "store: its token may list {}/metadata/{}/: {count} {noun}",
                settings.mount, settings.prefix
            )));
        }
        Err(e @ Error::StoreDenied { .. }) => checks.push(Check::fail(
            format!(
                "store: its token may not list {}/metadata/{}/",
                settings.mount, settings.prefix
            ),
            denied_todo(&e),
        )),
        Err(e) => checks.push(Check::fail("store: list failed", e.to_string())),
    }
    match store.renew_if_due() {
        Ok(()) => checks.push(Check::ok("store: token valid (renewed if it was due)")),
        Err(e) => checks.push(Check::warn(
            "store: the token could not be renewed",
            e.to_string(),
        )),
    }
    let count = settings.recipients.len();
    checks.push(Check::ok(if count == 0 {
        "store: recipients: none beside this machine's (only it can read what it writes)".to_owned()
    } else {
        let noun = if count == 1 {
            "recipient"
        } else {
            "recipients"
        };
        format!("store: {count} {noun} beside this machine's, each an age recipient")
    }));
    checks
}

/// The error names the policy line to add: that is the whole of what to do.
fn denied_todo(error: &Error) -> String {
    error.to_string()
}
