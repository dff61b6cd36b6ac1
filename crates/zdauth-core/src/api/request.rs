//! What of a request can be refused before any connection or token is touched: its method,
//! its headers, its body and whether it may paginate.

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::{ApiRequest, MAX_BODY};
use crate::error::{Error, quote};

/// Methods Zendesk's REST API answers; CONNECT and TRACE are no API's business.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/// Headers the transport sets itself: the token, the host it goes to, and how the body is
/// framed. One given by the user would leak a credential or desynchronise the request.
const REFUSED: [&str; 12] = [
    "authorization",
    "proxy-authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "cookie",
    "te",
    "trailer",
    "upgrade",
    "keep-alive",
    "expect",
];
/// Where the page range of `--max-pages` ends.
pub const MAX_PAGES: u32 = 100_000;

/// `Name: value`, as given to `-H`, split and checked as [`ApiRequest::check`] would.
pub fn parse_header(line: &str) -> Result<(String, String), Error> {
    // Not quoted back: a mistyped `-H "Bearer eyJ…"` would print a token.
    let Some((name, value)) = line.split_once(':') else {
        return Err(Error::Usage(
            "a -H header has no colon between its name and value; write it as 'Name: value'".into(),
        ));
    };
    let header = (name.trim().to_owned(), value.trim().to_owned());
    checked_header(&header)?;
    Ok(header)
}

impl ApiRequest {
    /// What can be refused before any connection or token is touched: the method, headers
    /// (Authorization and the transport's own are not the user's to set), a body on a method
    /// that takes none, `paginate` with anything but GET.
    pub fn check(&self) -> Result<(), Error> {
        let method = self.method()?;
        self.header_map()?;
        if self.body.is_some() && (method == Method::GET || method == Method::HEAD) {
            return Err(Error::Usage(format!(
                "a {method} request takes no body; leave out -f and --input, or give -X POST, PUT, PATCH or DELETE"
            )));
        }
        if self.body.as_ref().is_some_and(|body| body.len() > MAX_BODY) {
            return Err(Error::Usage(format!(
                "the request body is larger than {} MiB; send less at a time",
                MAX_BODY >> 20
            )));
        }
        if self.paginate && method != Method::GET {
            return Err(Error::Usage(format!(
                "--paginate follows pages of a GET only, not {method}; leave it out"
            )));
        }
        if self.paginate && !(1..=MAX_PAGES).contains(&self.max_pages) {
            return Err(Error::Usage(format!(
                "--max-pages must be between 1 and {MAX_PAGES}, not {}",
                self.max_pages
            )));
        }
        if self.target.trim().is_empty() {
            return Err(Error::Usage(
                "no path given; give one such as users/me.json".into(),
            ));
        }
        Ok(())
    }

    /// The method to send: as given, else GET, or POST with a body.
    pub(super) fn method(&self) -> Result<Method, Error> {
        let given = self.method.trim().to_ascii_uppercase();
        if given.is_empty() {
            return Ok(if self.body.is_some() {
                Method::POST
            } else {
                Method::GET
            });
        }
        if !METHODS.contains(&given.as_str()) {
            return Err(Error::Usage(format!(
                "{} is not a method zdauth api sends; give one of {}",
                quote(&self.method),
                METHODS.join(", ")
            )));
        }
        Ok(Method::from_bytes(given.as_bytes()).expect("a listed method"))
    }

    /// The headers to send: the user's, with `Accept` and (with a body) `Content-Type`
    /// defaulting to JSON.
    pub(super) fn header_map(&self) -> Result<HeaderMap, Error> {
        let mut map = HeaderMap::new();
        for header in &self.headers {
            let (name, value) = checked_header(header)?;
            map.append(name, value);
        }
        if !map.contains_key(ACCEPT) {
            map.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if self.body.is_some() && !map.contains_key(CONTENT_TYPE) {
            map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(map)
    }
}

fn checked_header((name, value): &(String, String)) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
        Error::Usage(format!(
            "{} is not a header name; write the header as 'Name: value'",
            quote(name)
        ))
    })?;
    if REFUSED.contains(&header_name.as_str()) {
        return Err(Error::Usage(format!(
            "zdauth api sets the {name} header itself; leave it out (the token comes from the vault)",
            name = header_name.as_str()
        )));
    }
    // HeaderValue refuses CR, LF and other controls: a value cannot smuggle a second header.
    let header_value = HeaderValue::from_str(value.trim()).map_err(|_| {
        Error::Usage(format!(
            "the value of the {} header holds a control or non-ASCII character; leave it out",
            header_name.as_str()
        ))
    })?;
    Ok((header_name, header_value))
}
