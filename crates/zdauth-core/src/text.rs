//! Text from a server (names, emails, roles, error messages) made safe to put on a terminal
//! (checklist item 29).
//!
//! Escape sequences are removed whole, so an OSC 52 clipboard write or a colour change leaves
//! no `]52;c;…` residue; every other control character (C0, DEL, C1) and every bidi override,
//! isolate and mark goes too, so a name cannot reorder what follows it on the line. Line breaks
//! and tabs become spaces: each field stays on its line. Hand-written rather than a crate's
//! ANSI stripper: those work on bytes and know nothing of bidi, and the rules fit in one pass.

use crate::vault::User;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// The 8-bit "string terminator" that ends OSC, DCS and the like.
const ST: char = '\u{9c}';

/// Text fit for a terminal (and for the JSON a terminal may show): see the module comment.
pub fn display(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // ESC, intermediates (0x20–0x2F), one final character: `ESC ( B`, `ESC c`.
                Some(' '..='/') => {
                    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                out.push(' ');
            }
            c if c.is_control() || is_bidi(c) || is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A user as stored, with every field made fit to show.
pub fn display_user(user: &User) -> User {
    User {
        id: user.id,
        name: display(&user.name),
        email: display(&user.email),
        role: display(&user.role),
    }
}

/// Bidi embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the marks
/// (LRM, RLM, ALM): invisible, and able to make a terminal line read other than it is.
fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
    )
}

/// Format characters that draw nothing and join nothing: zero-width space, word joiner and
/// invisible operators, the deprecated shaping controls, BOM, interlinear annotation, and the
/// tag characters. They let a name look like another ("ad\u{200b}min") or hide text, and a
/// terminal that draws one as a box shifts the TUI's columns. ZWJ, ZWNJ and variation selectors
/// stay: emoji and several scripts need them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Parameters and intermediates (0x20–0x3F), then one final character (0x40–0x7E). Anything
/// else ends the sequence early; what it was is dropped with it.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| matches!(c, ' '..='?')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// OSC, DCS, SOS, PM and APC run to BEL, `ESC \` or ST; an unterminated one to the end.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_go_whole() {
        assert_eq!(display("a\x1b[1;31mb\x1b[0mc"), "abc");
        assert_eq!(display("a\x1b]52;c;aGVsbG8=\x07b"), "ab");
        assert_eq!(
            display("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"),
            "alinkb"
        );
        assert_eq!(display("a\u{9b}2Jb\u{9d}0;title\u{9c}c"), "abc");
        assert_eq!(display("a\x1b(Bb\x1bcc"), "abc");
        assert_eq!(display("cut\x1b]52;c;never ended"), "cut");
        assert_eq!(
            display("lone escape at the end\x1b"),
            "lone escape at the end"
        );
    }

    #[test]
    fn controls_and_bidi_go_and_line_breaks_become_spaces() {
        assert_eq!(display("a\x00b\x7fc\u{85}d\u{9f}"), "abc d");
        assert_eq!(display("one\ntwo\r\tthree"), "one two  three");
        let bidi = "\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}";
        assert_eq!(display(&format!("ad{bidi}min")), "admin");
    }

    #[test]
    fn invisible_format_characters_go_but_joiners_and_selectors_stay() {
        assert_eq!(
            display("ad\u{200b}m\u{2060}i\u{feff}n\u{206e}\u{fffa}\u{e0041}\u{e007f}"),
            "admin"
        );
        for kept in ["👩\u{200d}💻", "می\u{200c}خواهم", "❤\u{fe0f}"] {
            assert_eq!(display(kept), kept);
        }
    }

    #[test]
    fn ordinary_text_is_kept() {
        for text in [
            "Ada Admin",
            "Zoë Ångström <zoe@acme.test>",
            "مدير",
            "管理者 🎉",
            "a [b] ~c~",
        ] {
            assert_eq!(display(text), text);
        }
    }

    #[test]
    fn nothing_dangerous_survives_any_input() {
        use proptest::prelude::*;
        proptest!(|(text in any::<String>())| {
            let shown = display(&text);
            prop_assert!(!shown.chars().any(|c| c.is_control() || is_bidi(c) || is_invisible(c)));
        });
    }
}
