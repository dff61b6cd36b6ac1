//! What a server says back is scrubbed of what zdauth sent it (checklist item 29).
//!
//! A server, a proxy or a debugging server at `base_url` may echo the request in its error text.
//! Before that text is shown, logged or stored, every secret of the request is replaced by
//! `[redacted]`: as sent, form- or percent-encoded (`+`, `%XX` in either case, even twice),
//! JSON- or HTML-escaped, in either ASCII letter case, inside base64 (HTTP Basic), or in pieces: any run of a secret at least
//! [`MIN_PIECE`] bytes long goes, and a shorter one too where the text was cut (at its start or
//! end, or before an ellipsis), since a server's own truncation leaves such a stub.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use url::form_urlencoded;
use zeroize::Zeroizing;

use crate::vault::User;

pub(super) const REDACTED: &str = "[redacted]";
/// What is left of a text that would cost too much to scrub: all of it goes, not a secret's piece.
pub(super) const WITHHELD: &str =
    "[the server's text was withheld: it looked too much like a secret]";
/// Comparisons allowed per byte of text. An ordinary answer needs a few dozen at most (hex
/// text against three hex secrets: under 64); a server that chose a repetitive token and
/// echoes near-matches of it would make the scrub quadratic (minutes on a 256 KiB answer),
/// with the vault lock held.
const WORK_PER_BYTE: usize = 128;
/// A run of a secret this long is taken for the secret wherever it appears.
const MIN_PIECE: usize = 8;
/// Where the text was cut, a stub this long is enough to redact.
const MIN_STUB: usize = 4;
/// The fields of a token request whose values are secrets.
const SECRET_FIELDS: [&str; 4] = ["code", "code_verifier", "refresh_token", "client_secret"];

/// The secrets one request carried.
#[derive(Default)]
pub(super) struct Sent<'a> {
    secrets: Vec<&'a [u8]>,
    /// Only a whole secret (in any of its encodings) goes, no piece or stub: for API answers,
    /// where a run shared with another token is data (every Zendesk JWT starts alike).
    whole_only: bool,
}

impl<'a> Sent<'a> {
    pub(super) fn of(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            secrets: secrets
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::as_bytes)
                .collect(),
            whole_only: false,
        }
    }

    /// As [`Sent::of`], but only whole secrets are redacted.
    pub(super) fn whole(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            whole_only: true,
            ..Self::of(secrets)
        }
    }

    /// The secret values of a token request's form.
    pub(super) fn of_form(form: &[(&str, &'a str)]) -> Self {
        Self::of(
            form.iter()
                .filter(|(field, _)| SECRET_FIELDS.contains(field))
                .map(|(_, value)| *value),
        )
    }

    /// Server text fit to show, log and store: secrets out first (so that no cut can leave a
    /// piece of one behind), then controls and bidi, then cut to one short line.
    pub(super) fn clean(&self, text: &str) -> String {
        super::error::sanitize(&self.redact(text))
    }

    /// A users/me answer whose fields echo the request.
    pub(super) fn user(&self, user: &User) -> User {
        User {
            id: user.id,
            name: self.redact(&user.name),
            email: self.redact(&user.email),
            role: self.redact(&user.role),
        }
    }

    pub(super) fn redact(&self, text: &str) -> String {
        if self.secrets.is_empty() {
            return text.to_owned();
        }
        let mut text = text.to_owned();
        for encoded in self.base64_forms() {
            text = text.replace(encoded.as_str(), REDACTED);
        }
        let index: Vec<Starts> = self.secrets.iter().map(|s| starts(s)).collect();
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        let mut budget = bytes.len().saturating_mul(WORK_PER_BYTE).max(1 << 16);
        while at < bytes.len() {
            let Ok(found) = self.match_at(bytes, at, &index, &mut budget) else {
                return WITHHELD.to_owned();
            };
            if let Some(end) = found {
                out.extend_from_slice(REDACTED.as_bytes());
                at = end;
            } else {
                out.push(bytes[at]);
                at += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The part of each secret's base64 (standard and URL-safe) that does not depend on the
    /// bytes around it, for each of the three alignments; of the secret as sent and of its
    /// form encoding, which is what HTTP Basic encodes (RFC 6749 §2.3.1).
    fn base64_forms(&self) -> Vec<Zeroizing<String>> {
        let mut forms = Vec::new();
        for secret in &self.secrets {
            let form_encoded: String = form_urlencoded::byte_serialize(secret).collect();
            for plain in [*secret, form_encoded.as_bytes()] {
                for skip in 0..3.min(plain.len()) {
                    let whole = (plain.len() - skip) / 3 * 3;
                    if whole < 6 {
                        continue;
                    }
                    let core = &plain[skip..skip + whole];
                    forms.push(Zeroizing::new(STANDARD_NO_PAD.encode(core)));
                    forms.push(Zeroizing::new(URL_SAFE_NO_PAD.encode(core)));
                }
            }
        }
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        forms
    }

    /// Where a redacted stretch that starts at `at` ends, if one does: the longest run of any
    /// secret's bytes, decoded, that is long enough to count.
    /// `Err` once `budget` is spent.
    fn match_at(
        &self,
        text: &[u8],
        at: usize,
        index: &[Starts],
        budget: &mut usize,
    ) -> Result<Option<usize>, OverBudget> {
        let mut best = None;
        let here = units(text, at);
        for (secret, starts) in self.secrets.iter().zip(index) {
            for first in here.iter() {
                for &from in &starts[usize::from(first.decoded[0].to_ascii_lowercase())] {
                    if self.whole_only && from != 0 {
                        continue;
                    }
                    *budget = budget.checked_sub(1).ok_or(OverBudget)?;
                    if !starts_alike(&secret[from..], first.bytes()) {
                        continue;
                    }
                    let (end, to) = reach(text, first.end, secret, from + first.len);
                    *budget = budget.checked_sub(to - from).ok_or(OverBudget)?;
                    let run = to - from;
                    let piece =
                        run >= MIN_PIECE || (run >= MIN_STUB && (at == 0 || is_cut(&text[end..])));
                    let counts = run == secret.len() || (!self.whole_only && piece);
                    if counts && best.is_none_or(|best| end > best) {
                        best = Some(end);
                    }
                }
            }
        }
        Ok(best)
    }
}

struct OverBudget;

/// Where in a secret each byte value occurs (ASCII letters under their lower case), so that
/// a text byte tries only those places.
type Starts = Vec<Vec<usize>>;

fn starts(secret: &[u8]) -> Starts {
    let mut starts = vec![Vec::new(); 256];
    for (at, &byte) in secret.iter().enumerate() {
        starts[usize::from(byte.to_ascii_lowercase())].push(at);
    }
    starts
}

/// ASCII letters match in either case: a proxy or an error page may upper- or lower-case
/// what it quotes, and a hex token reads the same either way.
fn starts_alike(secret: &[u8], unit: &[u8]) -> bool {
    secret
        .get(..unit.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(unit))
}

/// Follows `secret` from `from` through `text` from `at`, one unit at a time.
fn reach(text: &[u8], mut at: usize, secret: &[u8], mut from: usize) -> (usize, usize) {
    'outer: while from < secret.len() {
        // Most bytes stand only for themselves: compared directly, a long hostile answer
        // costs a few times its length, not the decoding of every byte.
        match text.get(at) {
            None => break,
            Some(&byte) if !is_escape_start(byte) => {
                if !byte.eq_ignore_ascii_case(&secret[from]) {
                    break;
                }
                at += 1;
                from += 1;
                continue;
            }
            Some(_) => {}
        }
        for unit in units(text, at).iter() {
            if starts_alike(&secret[from..], unit.bytes()) {
                at = unit.end;
                from += unit.len;
                continue 'outer;
            }
        }
        break;
    }
    (at, from)
}

fn is_escape_start(byte: u8) -> bool {
    matches!(byte, b'%' | b'\\' | b'&' | b'+')
}

/// The text goes no further than closing punctuation, or an ellipsis follows: it was cut here.
/// Byte-wise and stopping at the first other byte: it runs at every candidate stub.
fn is_cut(rest: &[u8]) -> bool {
    const ELLIPSIS: &[u8] = "…".as_bytes();
    rest.starts_with(b"..")
        || rest.starts_with(ELLIPSIS)
        || rest
            .iter()
            .all(|b| b.is_ascii_whitespace() || b".\"')]}".contains(b) || ELLIPSIS.contains(b))
}

/// What the text at one place may stand for: up to four bytes, and where the unit ends.
#[derive(Clone, Copy)]
struct Unit {
    decoded: [u8; 4],
    len: usize,
    end: usize,
}

impl Unit {
    fn bytes(&self) -> &[u8] {
        &self.decoded[..self.len]
    }

    fn byte(byte: u8, end: usize) -> Self {
        Self {
            decoded: [byte, 0, 0, 0],
            len: 1,
            end,
        }
    }

    fn char(c: char, end: usize) -> Self {
        let mut decoded = [0; 4];
        let len = c.encode_utf8(&mut decoded).len();
        Self { decoded, len, end }
    }
}

/// The readings of one place in the text; at most three.
struct Units {
    found: [Unit; 3],
    count: usize,
}

impl Units {
    fn push(&mut self, unit: Unit) {
        if self.count < self.found.len() {
            self.found[self.count] = unit;
            self.count += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.found[..self.count].iter()
    }
}

/// The readings of `text` at `at`, decoded ones first: `%XX`, `%25XX`, `\uXXXX`, `\/`, `&#NN;`,
/// `&amp;`, `+` (and `%2B`) for a space, and always the byte itself.
fn units(text: &[u8], at: usize) -> Units {
    let rest = &text[at..];
    let hex = |from: usize, digits: usize| -> Option<u32> {
        let part = rest.get(from..from + digits)?;
        let part = std::str::from_utf8(part).ok()?;
        u32::from_str_radix(part, 16).ok()
    };
    let hex_byte = |from: usize| hex(from, 2).and_then(|byte| u8::try_from(byte).ok());
    let mut found = Units {
        found: [Unit::byte(0, at); 3],
        count: 0,
    };
    match rest.first() {
        Some(b'%') => {
            if rest.get(1..3) == Some(b"25")
                && let Some(byte) = hex_byte(3)
            {
                found.push(Unit::byte(byte, at + 5));
            }
            if let Some(byte) = hex_byte(1) {
                found.push(Unit::byte(byte, at + 3));
                // `%2B` is a form-encoded space encoded once more.
                if byte == b'+' {
                    found.push(Unit::byte(b' ', at + 3));
                }
            }
        }
        Some(b'\\') => match rest.get(1) {
            Some(b'u') => {
                if let Some(c) = hex(2, 4).and_then(char::from_u32) {
                    found.push(Unit::char(c, at + 6));
                }
            }
            Some(&escaped @ (b'/' | b'\\' | b'"' | b'\'')) => {
                found.push(Unit::byte(escaped, at + 2));
            }
            _ => {}
        },
        Some(b'&') => {
            if let Some((c, len)) = html_entity(rest) {
                found.push(Unit::char(c, at + len));
            }
        }
        Some(b'+') => found.push(Unit::byte(b' ', at + 1)),
        _ => {}
    }
    if let Some(&byte) = rest.first() {
        found.push(Unit::byte(byte, at + 1));
    }
    found
}

fn html_entity(rest: &[u8]) -> Option<(char, usize)> {
    let end = rest.iter().take(10).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[1..end]).ok()?;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests;
