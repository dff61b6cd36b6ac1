//! Whether each login's catcher could bind its port now: bound on 127.0.0.1 and let go.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};

use super::Check;
use crate::config::{Config, Grant};

/// One line per port (forty connections often share one): client credentials connections
/// have no redirect and are left out.
pub fn redirect_ports(config: &Config) -> Vec<Check> {
    let mut by_port: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for connection in &config.connections {
        if connection.grant == Grant::AuthorizationCode {
            by_port
                .entry(connection.redirect_port)
                .or_default()
                .push(&connection.name);
        }
    }
    by_port
        .into_iter()
        .map(|(port, names)| {
            let who = short_list(&names);
            match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
                Ok(listener) => {
                    drop(listener);
                    Check::ok(format!("redirect port {port} free on 127.0.0.1 ({who})"))
                }
                Err(e) => Check::fail(
                    format!("redirect port {port} on 127.0.0.1 is not free ({who}): {e}"),
                    format!(
                        "stop what listens there (`ss -ltnp 'sport = :{port}'` names it), or move the connection with `zdauth edit NAME --redirect-port N` and register http://127.0.0.1:N/callback on its OAuth client"
                    ),
                ),
            }
        })
        .collect()
}

/// `a, b, c` or `a, b, c and 37 more`.
pub(super) fn short_list(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        let _ = write!(text, " and {} more", names.len() - SHOWN);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_is_cut_to_three_names_and_a_count() {
        assert_eq!(short_list(&["a"]), "a");
        assert_eq!(short_list(&["a", "b", "c"]), "a, b, c");
        assert_eq!(short_list(&["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
    }
}
