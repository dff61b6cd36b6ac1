//! The launcher's own calls to its server (init, unseal, policies, tokens): plain HTTP/1.0 on
//! loopback over a `TcpStream`. HTTP/1.0 because the server then never chunks its answer and
//! closes the connection after it, so reading to the end is the whole parse. This is not the
//! client under test (zdauth-core's store client is); it only has to be obviously right.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// The most a setup answer may be; the launcher's answers are a few KiB.
const CAP: u64 = 1 << 20;
const TIMEOUT: Duration = Duration::from_secs(10);

/// One request; `Err` only when no HTTP answer came (refused, timed out, cut short).
pub(super) fn call(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        let _ = write!(request, "X-Vault-Token: {token}\r\n");
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream
        .take(CAP)
        .read_to_end(&mut answer)
        .map_err(|e| e.to_string())?;
    parse(&answer)
}

fn parse(answer: &[u8]) -> Result<(u16, Value), String> {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| {
        format!(
            "no HTTP answer: {:?}",
            text.chars().take(200).collect::<String>()
        )
    })?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("no status line: {head:?}"))?;
    let value = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()))
    };
    Ok((status, value))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_status_and_json_body() {
        let (status, body) =
            parse(b"HTTP/1.0 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{\"errors\":[\"x\"]}")
                .unwrap();
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0], "x");
        assert_eq!(
            parse(b"HTTP/1.0 204 No Content\r\n\r\n").unwrap().1,
            serde_json::Value::Null
        );
        assert!(parse(b"garbage").is_err());
    }
}
