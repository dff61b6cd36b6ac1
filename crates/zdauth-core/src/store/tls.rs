//! `[store].ca_cert`: the PEM file of the CA that signed the store's certificate, read
//! bounded, as the only roots the store's TLS trusts (instead of the platform's).

use std::path::PathBuf;

use ureq::tls::{Certificate, PemItem, parse_pem};

use crate::error::Error;
use crate::safe_file::{self, Limit, Links};

/// A CA bundle is a few KiB; a system's whole bundle is about 200 KiB.
const CA_LIMIT: Limit = Limit {
    bytes: 1024 * 1024,
    what: "a CA certificate file",
};

/// The certificates in the file at `raw` (`~/` expanded; otherwise it must be absolute, as
/// config.toml means the same thing from any working directory).
pub(super) fn roots(raw: &str) -> Result<Vec<Certificate<'static>>, Error> {
    let path = match raw.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .ok_or_else(|| Error::Usage("[store].ca_cert starts with ~/ but there is no home directory: write the whole path".into()))?,
        None => PathBuf::from(raw),
    };
    if !path.is_absolute() {
        return Err(Error::Usage(format!(
            "[store].ca_cert {} is a relative path: write it whole (/…) or from ~/",
            super::words::shorten(raw)
        )));
    }
    let pem = safe_file::read(&path, Links::Follow, CA_LIMIT)?.ok_or_else(|| {
        Error::Usage(format!(
            "[store].ca_cert {}: no such file; point it at the PEM file of the store's CA",
            path.display()
        ))
    })?;
    let certs: Vec<Certificate<'static>> = parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::Usage(format!(
            "[store].ca_cert {} holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it at the store's CA",
            path.display()
        )));
    }
    Ok(certs)
}
