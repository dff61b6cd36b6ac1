//! One line of text typed into the TUI (a form field, a passphrase). Typing goes to the
//! text, never to the keymap: `q` in a field is a q. It edits like a shell line (←/→,
//! Home/End, Ctrl-A/E/W/U/K, Backspace and Delete at the cursor). Masked fields show dots
//! only, keep their text in memory that is wiped on drop, and never print it with `Debug`.

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
    /// Shown, but never in `Debug`: the login's pasted address carries an authorization code.
    unlogged: bool,
    /// The last key or paste brought more than the field takes.
    full: bool,
    /// Where typing goes, in characters from the start (0..=len).
    cursor: usize,
}

/// A clone gets its own buffer of the full size, so typing into it never reallocates either.
impl Clone for TextField {
    fn clone(&self) -> Self {
        Self {
            text: reserved(&self.text),
            masked: self.masked,
            unlogged: self.unlogged,
            full: self.full,
            cursor: self.cursor,
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
        if self.masked || self.unlogged {
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
            unlogged: false,
            full: false,
            cursor: text.chars().count(),
        }
    }

    /// A field shown as typed whose text never reaches a `Debug` print (a pasted address
    /// holding an authorization code).
    pub fn unlogged() -> Self {
        Self {
            unlogged: true,
            ..Self::new("")
        }
    }

    pub fn masked() -> Self {
        Self {
            text: reserved(""),
            masked: true,
            unlogged: true,
            full: false,
            cursor: 0,
        }
    }

    /// Where the cursor is, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
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

    /// What the screen shows, split at the cursor.
    pub fn shown_around_cursor(&self) -> (String, String) {
        let shown = self.shown();
        let at = shown
            .char_indices()
            .nth(self.cursor)
            .map_or(shown.len(), |(i, _)| i);
        let (before, after) = shown.split_at(at);
        (before.to_owned(), after.to_owned())
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.full = false;
        self.cursor = 0;
    }

    /// The byte offset of character `at` (the end when past it).
    fn byte(&self, at: usize) -> usize {
        self.text
            .char_indices()
            .nth(at)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Takes `c` at the cursor if there is room; a refusal is remembered for the screen to
    /// say. Inserting moves bytes inside the reserved buffer: it never reallocates.
    fn push(&mut self, c: char) {
        self.full = self.len() >= MAX_CHARS;
        if !self.full {
            let at = self.byte(self.cursor);
            self.text.insert(at, c);
            self.cursor += 1;
        }
    }

    /// Removes the characters `from..to` (in characters), leaving the cursor at `from`.
    fn remove(&mut self, from: usize, to: usize) {
        let (start, end) = (self.byte(from), self.byte(to));
        self.text.drain(start..end);
        self.cursor = from;
        self.full = false;
    }

    /// Where Ctrl-W stops: back over spaces, then over the word before them.
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !chars[at - 1].is_whitespace() {
            at -= 1;
        }
        at
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
        let end = self.len();
        let ctrl = key.mods == KeyModifiers::CONTROL;
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = end,
            KeyCode::Char('w') if ctrl => self.remove(self.word_start(), self.cursor),
            KeyCode::Char('u') if ctrl => self.remove(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.remove(self.cursor, end),
            KeyCode::Char(c) if key.mods.is_empty() && !c.is_control() => self.push(c),
            KeyCode::Left if key.mods.is_empty() => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right if key.mods.is_empty() => self.cursor = (self.cursor + 1).min(end),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = end,
            KeyCode::Backspace if self.cursor > 0 => self.remove(self.cursor - 1, self.cursor),
            KeyCode::Delete if self.cursor < end => self.remove(self.cursor, self.cursor + 1),
            // At an edge: nothing to delete, but the key is the field's, not the keymap's.
            KeyCode::Backspace | KeyCode::Delete => self.full = false,
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_address_is_shown_but_never_debug_printed() {
        let mut field = TextField::unlogged();
        for c in "http://127.0.0.1:8765/callback?code=SECRETCODE".chars() {
            assert!(field.key(Key::char(c)));
        }
        assert!(
            field.shown().contains("SECRETCODE"),
            "the user sees what was pasted"
        );
        let debug = format!("{field:?} {:?}", field.clone());
        assert!(!debug.contains("SECRETCODE"), "{debug}");
    }

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

    fn typed(field: &mut TextField, keys: &[Key]) -> String {
        for &key in keys {
            assert!(field.key(key), "{key:?} is an editing key");
        }
        let (before, after) = field.shown_around_cursor();
        format!("{before}|{after}")
    }

    #[test]
    fn it_edits_like_a_shell_line() {
        use KeyCode::{Backspace, Delete, End, Home, Left, Right};
        let plain = Key::plain;
        let mut field = TextField::new("read write");
        assert_eq!(typed(&mut field, &[]), "read write|");
        assert_eq!(typed(&mut field, &[plain(Left); 6]), "read| write");
        assert_eq!(typed(&mut field, &[Key::char('s')]), "reads| write");
        assert_eq!(typed(&mut field, &[plain(Backspace)]), "read| write");
        assert_eq!(typed(&mut field, &[plain(Delete)]), "read|write");
        assert_eq!(typed(&mut field, &[Key::char(' ')]), "read |write");
        assert_eq!(typed(&mut field, &[plain(Home)]), "|read write");
        assert_eq!(
            typed(&mut field, &[plain(Left), plain(Backspace)]),
            "|read write"
        );
        assert_eq!(
            typed(&mut field, &[plain(End), plain(Right)]),
            "read write|"
        );
        assert_eq!(typed(&mut field, &[Key::ctrl('a')]), "|read write");
        assert_eq!(typed(&mut field, &[Key::ctrl('e')]), "read write|");
        assert_eq!(typed(&mut field, &[Key::ctrl('w')]), "read |");
        assert_eq!(typed(&mut field, &[Key::ctrl('w')]), "|");

        let mut field = TextField::new("tickets:read  users:read");
        assert_eq!(typed(&mut field, &[Key::ctrl('w')]), "tickets:read  |");
        assert_eq!(typed(&mut field, &[Key::ctrl('w')]), "|");
        let mut field = TextField::new("acme eu prod");
        let back_to_eu = [plain(Left); 5];
        assert_eq!(typed(&mut field, &back_to_eu), "acme eu| prod");
        assert_eq!(typed(&mut field, &[Key::ctrl('k')]), "acme eu|");
        assert_eq!(typed(&mut field, &[plain(Left); 2]), "acme |eu");
        assert_eq!(typed(&mut field, &[Key::ctrl('u')]), "|eu");
        field.paste("prod ");
        assert_eq!(
            typed(&mut field, &[]),
            "prod |eu",
            "a paste lands at the cursor"
        );
        // Wide characters count as one each.
        let mut field = TextField::new("zürich");
        assert_eq!(typed(&mut field, &[plain(Left); 4]), "zü|rich");
        assert_eq!(typed(&mut field, &[plain(Backspace)]), "z|rich");
        let mut secret = TextField::masked();
        secret.paste("hunter2");
        assert_eq!(typed(&mut secret, &[plain(Left); 3]), "••••|•••");
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
        for i in 0..MAX_CHARS {
            assert!(field.key(Key::char('𝄞')), "four bytes each");
            assert!(!field.is_full());
            // In the middle too: an insert shifts bytes inside the buffer.
            if i % 7 == 0 {
                field.key(Key::plain(KeyCode::Left));
            }
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
