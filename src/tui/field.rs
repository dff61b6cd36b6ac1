//! One line of text typed into the TUI (a form field, a passphrase). Typing goes to the
//! text, never to the keymap: `q` in a field is a q. Masked fields show dots only, keep
//! their text in memory that is wiped on drop, and never print it with `Debug`.

use crossterm::event::{KeyCode, KeyModifiers};
use zeroize::Zeroizing;

use super::keymap::Key;

/// Far more than any name, URL or secret a form takes; a paste of a whole file stops here.
pub const MAX_CHARS: usize = 512;
/// Bytes reserved up front: `MAX_CHARS` characters of up to four bytes each. Typing never
/// grows the buffer past this, so it is never reallocated, and no copy of a passphrase or
/// secret is left behind in freed memory unwiped.
const CAPACITY: usize = MAX_CHARS * 4;

/// Said under a field that refused a character: the field takes no more.
pub const FULL_NOTE: &str = "that is the most this field takes: the rest was not typed in";

#[derive(PartialEq, Eq)]
pub struct TextField {
    text: Zeroizing<String>,
    masked: bool,
    /// The last key or paste brought more than the field takes.
    full: bool,
}

/// A clone gets its own buffer of the full size, so typing into it never reallocates either.
impl Clone for TextField {
    fn clone(&self) -> Self {
        Self {
            text: reserved(&self.text),
            masked: self.masked,
            full: self.full,
        }
    }
}

fn reserved(text: &str) -> Zeroizing<String> {
    let mut buffer = Zeroizing::new(String::with_capacity(CAPACITY));
    buffer.push_str(text);
    buffer
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.masked {
            f.write_str("TextField([redacted])")
        } else {
            write!(f, "TextField({:?})", self.text.as_str())
        }
    }
}

impl TextField {
    pub fn new(text: &str) -> Self {
        Self {
            text: reserved(text),
            masked: false,
            full: false,
        }
    }

    pub fn masked() -> Self {
        Self {
            text: reserved(""),
            masked: true,
            full: false,
        }
    }

    /// Whether the last key or paste was refused, in part or whole, for want of room.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// How many characters are typed (a masked field shows that many dots).
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    /// What the screen may show: the text, or one dot per character.
    pub fn shown(&self) -> String {
        if self.masked {
            "•".repeat(self.text.chars().count())
        } else {
            self.text.to_string()
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.full = false;
    }

    /// Takes `c` if there is room; a refusal is remembered for the screen to say.
    fn push(&mut self, c: char) {
        self.full = self.len() >= MAX_CHARS;
        if !self.full {
            self.text.push(c);
        }
    }

    /// A bracketed paste: its text goes in as typed, minus line breaks and other control
    /// characters, so a copied URL's trailing newline cannot submit the form.
    pub fn paste(&mut self, pasted: &str) {
        for c in pasted.chars().filter(|c| !c.is_control()) {
            self.push(c);
            if self.full {
                break;
            }
        }
    }

    /// Applies an editing key; returns whether the key was one (and so was used).
    pub fn key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('u') if key.mods == KeyModifiers::CONTROL => self.clear(),
            KeyCode::Char(c) if key.mods.is_empty() && !c.is_control() => self.push(c),
            KeyCode::Backspace => {
                self.text.pop();
                self.full = false;
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_editing_and_masking() {
        let mut field = TextField::new("ac");
        for c in "me q".chars() {
            assert!(field.key(Key::char(c)));
        }
        assert!(field.key(Key::plain(KeyCode::Backspace)));
        assert_eq!(field.text(), "acme ");
        assert!(!field.key(Key::plain(KeyCode::Tab)), "not an editing key");
        assert!(!field.key(Key::ctrl('c')));
        assert!(field.key(Key::ctrl('u')));
        assert_eq!(field.text(), "");

        let mut secret = TextField::masked();
        for c in "hunter2".chars() {
            secret.key(Key::char(c));
        }
        assert_eq!(secret.shown(), "•••••••");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn a_paste_drops_line_breaks_and_stops_at_the_cap() {
        let mut field = TextField::new("x");
        field.paste("https://acme.zendesk.com/\r\n");
        assert_eq!(field.text(), "xhttps://acme.zendesk.com/");
        field.paste(&"a".repeat(MAX_CHARS * 2));
        assert_eq!(field.text().chars().count(), MAX_CHARS);
        assert!(field.is_full());
    }

    /// The buffer is sized up front: typing up to the limit (in the widest characters)
    /// never moves it, so no freed copy of a passphrase is left unwiped; past it, keys are
    /// refused and the field says so.
    #[test]
    fn a_masked_field_never_reallocates_and_refuses_input_past_its_size() {
        let mut field = TextField::masked();
        let (capacity, at) = (field.text.capacity(), field.text.as_ptr());
        assert!(capacity >= CAPACITY);
        for _ in 0..MAX_CHARS {
            assert!(field.key(Key::char('𝄞')), "four bytes each");
            assert!(!field.is_full());
        }
        assert_eq!((field.text.capacity(), field.text.as_ptr()), (capacity, at));
        assert!(field.key(Key::char('x')));
        assert!(field.is_full(), "refused, and said");
        assert_eq!(field.len(), MAX_CHARS);
        field.paste("more");
        assert_eq!(field.len(), MAX_CHARS);
        assert_eq!((field.text.capacity(), field.text.as_ptr()), (capacity, at));
        assert!(field.key(Key::plain(KeyCode::Backspace)));
        assert!(!field.is_full());
        let copy = field.clone();
        assert!(
            copy.text.capacity() >= CAPACITY,
            "a clone is sized up front too"
        );
    }
}
