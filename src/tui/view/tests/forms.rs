//! The form, the delete dialog and the first-run welcome, at 80×24 and 120×30.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{buffer, characters, text};
use crate::tui::app::{App, Options};
use crate::tui::first_run::FirstRun;
use crate::tui::keymap::{Key, Keymap};
use crate::tui::msg::Msg;
use crate::tui::testdata::*;

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(Key::plain(code)));
}

/// Both sizes the issue asks for, named `{name}_80x24` and `{name}_120x30`.
fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), text(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x30"), text(app, 120, 30));
}

#[test]
fn add_form_empty() {
    let mut app = app();
    press(&mut app, "a");
    both("add_form_empty", &app);
}

#[test]
fn add_form_with_errors() {
    let mut app = app();
    press(&mut app, "aAcme!");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "https://acme.example.com/agent");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "12345");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "hunter22");
    key(&mut app, KeyCode::Enter);
    let screen = text(&app, 80, 24);
    assert!(
        !screen.contains("hunter22"),
        "the secret is masked:\n{screen}"
    );
    assert!(screen.contains("••••••••"));
    both("add_form_with_errors", &app);
}

#[test]
fn edit_form() {
    let mut app = app();
    press(&mut app, "je");
    both("edit_form", &app);
}

#[test]
fn delete_confirm() {
    let mut app = app();
    press(&mut app, "d");
    both("delete_confirm", &app);
    let no_color = |app: &App| {
        let buf = buffer(app, 80, 24);
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    };
    let (mut mono, mut colour) = mono_and_colour();
    press(&mut mono, "d");
    press(&mut colour, "d");
    assert!(no_color(&mono));
    assert_eq!(text(&mono, 80, 24), text(&colour, 80, 24));
}

/// `d` on a selection: one question for all, the count and the first names; then how far
/// the deletes are.
#[test]
fn delete_confirm_for_a_selection() {
    let mut app = many(12, 80, 24);
    press(&mut app, "*d");
    insta::assert_snapshot!("delete_many_confirm_80x24", text(&app, 80, 24));
    press(&mut app, "l");
    let progress = text(&app, 80, 24);
    assert!(progress.contains("deleting… (1 of 12: c00)"), "{progress}");
}

/// The same list without and with colour. Keep-alive is off, so nothing in it lapses and no
/// REFRESH word widens the list behind a dialog (those words are `NO_COLOR`'s own, tested with
/// the list).
fn mono_and_colour() -> (App, App) {
    let mut calm = config(&NAMES);
    calm.settings.keepalive = std::time::Duration::ZERO;
    let options = Options {
        vault_path: "~/.config/zdauth/vault.age".into(),
        time_zone: berlin(),
        ..Options::default()
    };
    let mono = Options {
        no_color: true,
        ..options.clone()
    };
    (
        App::new(&calm, &vault(), now(), mono),
        App::new(&calm, &vault(), now(), options),
    )
}

#[test]
fn form_in_no_color_reads_the_same() {
    let (mut mono, mut colour) = mono_and_colour();
    for app in [&mut mono, &mut colour] {
        press(app, "ax");
        key(app, KeyCode::Enter);
    }
    let buf = buffer(&mono, 80, 24);
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset)
    );
    assert_eq!(text(&mono, 80, 24), text(&colour, 80, 24));
}

fn first_run_text(run: &FirstRun, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            crate::tui::view::first_run::draw_first_run(
                run,
                now(),
                frame.area(),
                frame.buffer_mut(),
            );
        })
        .unwrap();
    characters(terminal.backend().buffer())
}

#[test]
fn first_run_welcome_and_passphrase() {
    let mut run = FirstRun::new(
        "/home/ada/.config/zdauth/identity.age".into(),
        Keymap::default(),
        true,
    );
    let welcome = first_run_text(&run, 80, 24);
    assert!(welcome.contains("i   create the identity"), "{welcome}");
    assert!(welcome.contains("a   create the identity, then add"));
    assert!(welcome.contains("q   quit"));
    assert!(welcome.contains("zdauth demo"));
    insta::assert_snapshot!("first_run_welcome_80x24", welcome);
    insta::assert_snapshot!("first_run_welcome_120x30", first_run_text(&run, 120, 30));
    for c in "icorrect horse".chars() {
        run.key(Key::char(c));
    }
    run.key(Key::plain(KeyCode::Enter));
    run.key(Key::char('x'));
    let asking = first_run_text(&run, 80, 24);
    assert!(!asking.contains("correct"), "{asking}");
    insta::assert_snapshot!("first_run_passphrase_80x24", asking);
}

#[test]
fn a_failed_save_shows_why_under_the_fields() {
    let mut app = app();
    press(&mut app, "ahooli");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "hooli");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "zdauth_hooli");
    key(&mut app, KeyCode::Enter);
    assert!(text(&app, 80, 24).contains("saving…"));
    app.update(Msg::Saved {
        name: "hooli".into(),
        result: Err("timed out after 10s waiting for the lock on /c/zdauth.lock".into()),
    });
    let screen = text(&app, 80, 24);
    assert!(
        screen.contains("not saved: timed out after 10s"),
        "{screen}"
    );
    assert!(
        screen.contains("add a connection"),
        "the form stays:\n{screen}"
    );
}

#[test]
fn welcome_without_connections_wide() {
    let app = App::new(&config(&[]), &vault(), now(), Options::default());
    insta::assert_snapshot!("welcome_at_120x30", text(&app, 120, 30));
}
