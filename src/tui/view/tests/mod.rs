//! Screens at a fixed clock with ratatui's `TestBackend`, checked with insta snapshots.

mod cliff;
mod dialogs;
mod forms;
mod rows;
mod store;
mod tags;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::tui::app::{App, Options};
use crate::tui::keymap::Key;
use crate::tui::msg::{LoginUpdate, Msg, RefreshFailure};
use crate::tui::testdata::*;

pub(super) fn buffer(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| super::draw(frame, app)).unwrap();
    terminal.backend().buffer().clone()
}

/// The characters only, one line per row: what a user reads.
pub(super) fn text(app: &App, width: u16, height: u16) -> String {
    characters(&buffer(app, width, height))
}

pub(super) fn characters(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn list_at_80x24() {
    insta::assert_snapshot!(text(&app(), 80, 24));
}

#[test]
fn list_at_120x30() {
    insta::assert_snapshot!(text(&app(), 120, 30));
}

/// Refreshing (with its spinner) and error, beside the four token states.
#[test]
fn list_with_work_in_flight() {
    let mut app = app();
    press(&mut app, "jjr");
    app.update(Msg::Refreshed {
        name: "globex".into(),
        result: Err(RefreshFailure {
            message: "Zendesk answered 503".into(),
            login_required: false,
        }),
    });
    press(&mut app, "jr");
    insta::assert_snapshot!(text(&app, 100, 12));
}

#[test]
fn detail_pane() {
    let mut app = app();
    press(&mut app, "j");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    insta::assert_snapshot!(text(&app, 80, 24));
    press(&mut app, "jj");
    insta::assert_snapshot!("detail_pane_login_required", text(&app, 80, 24));
}

#[test]
fn help_overlay() {
    let mut app = app();
    press(&mut app, "?");
    insta::assert_snapshot!(text(&app, 80, 24));
}

#[test]
fn filter_in_progress() {
    let mut app = app();
    press(&mut app, "/glo");
    insta::assert_snapshot!(text(&app, 80, 24));
}

/// Colours are in the styles, so this one snapshots the buffer's styles too.
#[test]
fn colours_follow_the_margin() {
    insta::assert_debug_snapshot!(buffer(&app(), 80, 9));
}

/// umbrella's clock says 10:00 left, but Zendesk refused its grant: the countdown and its
/// bar are grey, not the green of a live token.
#[test]
fn item_27_a_refused_grant_has_a_grey_countdown() {
    let buf = buffer(&app(), 80, 9);
    let colour_of = |y: u16, text: &str| {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let column = line
            .find(text)
            .map(|at| line[..at].chars().count())
            .unwrap();
        buf[(u16::try_from(column).unwrap(), y)].fg
    };
    // Row 1 of the header says initech lapses: the list starts on row 3.
    assert_eq!(colour_of(6, "10:00"), ratatui::style::Color::DarkGray);
    assert_eq!(colour_of(6, "██░░░"), ratatui::style::Color::DarkGray);
    assert_eq!(
        colour_of(3, "29:41"),
        ratatui::style::Color::Green,
        "acme is live"
    );
}

/// A client credentials row never asks for a login: its state is its access token's, and
/// without a stored secret it says so.
#[test]
fn a_client_credentials_row_and_its_detail_pane() {
    let mut config = config(&NAMES);
    config.connections[0].grant = zdauth_core::config::Grant::ClientCredentials;
    let mut data = vault();
    let acme = data.connections.get_mut("acme").unwrap();
    acme.tokens.as_mut().unwrap().refresh_token = None;
    let mut app = App::new(&config, &data, now(), Options::default());
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    let screen = text(&app, 100, 30);
    let row = screen.lines().find(|l| l.contains("› acme")).unwrap();
    assert!(row.trim_end().ends_with("no secret"), "{row}");
    assert!(
        screen.contains("grant         client credentials (no login) · no secret stored: press e"),
        "{screen}"
    );
    assert!(screen.contains("refresh token none: a new access token is minted from the secret"));

    data.connections.get_mut("acme").unwrap().client_secret =
        Some(zdauth_core::secret::Secret::new("s"));
    let mut app = App::new(&config, &data, now(), Options::default());
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    let screen = text(&app, 100, 30);
    let row = screen.lines().find(|l| l.contains("› acme")).unwrap();
    assert!(row.trim_end().ends_with(" ok"), "{row}");
    assert!(!row.contains("login"), "{row}");
    assert!(
        screen.contains("client credentials (no login) · secret stored"),
        "{screen}"
    );
}

#[test]
fn no_color_is_monochrome_and_still_reads() {
    let app = app_with(Options {
        no_color: true,
        vault_path: "~/.config/zdauth/vault.age".into(),
        time_zone: berlin(),
        ..Options::default()
    });
    let buf = buffer(&app, 80, 24);
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
    // The same words as in colour, and a word where colour marked a lapsing grant: the
    // state never hides in a colour alone. Wide, so no column is cut differently.
    let words =
        |screen: String| -> Vec<String> { screen.split_whitespace().map(str::to_owned).collect() };
    let mono = words(text(&app, 200, 24));
    let colour = words(text(&self::app(), 200, 24));
    let calm: Vec<String> = mono
        .iter()
        .filter(|w| !matches!(w.as_str(), "soon" | "LAPSES"))
        .cloned()
        .collect();
    assert_eq!(calm, colour);
    assert!(
        text(&app, 80, 24).contains(" 5d soon "),
        "initech has 5 days"
    );
    insta::assert_debug_snapshot!(buffer(&app, 80, 9));
}

#[test]
fn no_token_ever_appears_unmasked() {
    let mut app = app();
    let mut screens = vec![text(&app, 120, 30)];
    app.update(Msg::Key(Key::plain(KeyCode::Enter)));
    for _ in NAMES {
        screens.push(text(&app, 200, 40));
        screens.push(text(&app, 80, 24));
        press(&mut app, "j");
    }
    press(&mut app, "?");
    screens.push(text(&app, 120, 30));
    let all = screens.concat();
    for secret in SECRETS {
        // Any 7 characters in a row would already be more than the mask shows.
        for start in 0..secret.len() - 7 {
            let piece = &secret[start..start + 7];
            assert!(!all.contains(piece), "{piece} of {secret} on screen");
        }
    }
    assert!(all.contains("ACAT-Q…"), "the masked token is shown");
}

#[test]
fn a_thousand_connections_render() {
    let names: Vec<String> = (0..1000).map(|i| format!("conn{i:04}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut app = App::new(&config(&refs), &vault(), now(), Options::default());
    press(&mut app, "G");
    let screen = text(&app, 120, 30);
    assert!(screen.contains("› conn0999"), "{screen}");
    press(&mut app, "/conn05");
    assert!(text(&app, 120, 30).contains("conn0500"));
}

#[test]
fn welcome_at_80x24() {
    let app = App::new(&config(&[]), &vault(), now(), Options::default());
    let screen = text(&app, 80, 24);
    assert!(screen.contains("a   add one"), "{screen}");
    assert!(screen.contains("zdauth demo"));
    assert!(
        screen.contains(" a add  q quit  ? help"),
        "the footer offers add"
    );
    insta::assert_snapshot!(screen);
}

/// The authorize URL the fake and Zendesk hand out: long enough to wrap at 80 columns.
const LOGIN_URL: &str = "https://acme-support.zendesk.com/oauth/authorizations/new?response_type=code&client_id=zdauth_acme&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&scope=read%20write&state=Xy7Qw2";

fn logging_in(update: LoginUpdate) -> Msg {
    Msg::Login {
        name: "acme".into(),
        update,
    }
}

/// `l` on acme, then the clock one second on: the countdown reads 4:59.
fn app_logging_in() -> App {
    let mut app = app();
    press(&mut app, "l");
    app.update(Msg::Tick(at(1)));
    app
}

#[test]
fn login_modal_before_the_url() {
    let app = app_logging_in();
    insta::assert_snapshot!("login_modal_starting_80x24", text(&app, 80, 24));
    insta::assert_snapshot!("login_modal_starting_120x30", text(&app, 120, 30));
}

#[test]
fn login_modal_with_the_url() {
    let mut app = app_logging_in();
    app.update(logging_in(LoginUpdate::Url(LOGIN_URL.into())));
    let small = text(&app, 80, 24);
    // Every character of the URL is on screen, only cut into lines.
    assert!(
        small.replace(['\n', ' '], "").contains(LOGIN_URL),
        "{small}"
    );
    insta::assert_snapshot!("login_modal_url_80x24", small);
    insta::assert_snapshot!("login_modal_url_120x30", text(&app, 120, 30));
}

#[test]
fn login_modal_with_a_note() {
    let mut app = app_logging_in();
    app.update(logging_in(LoginUpdate::Url(LOGIN_URL.into())));
    app.update(logging_in(LoginUpdate::Note(
        "no browser started (xdg-open not found): open the URL yourself".into(),
    )));
    insta::assert_snapshot!("login_modal_note_80x24", text(&app, 80, 24));
    insta::assert_snapshot!("login_modal_note_120x30", text(&app, 120, 30));
}

#[test]
fn login_modal_while_exchanging() {
    let mut app = app_logging_in();
    app.update(logging_in(LoginUpdate::Url(LOGIN_URL.into())));
    app.update(logging_in(LoginUpdate::Exchanging));
    insta::assert_snapshot!("login_modal_exchanging_80x24", text(&app, 80, 24));
    insta::assert_snapshot!("login_modal_exchanging_120x30", text(&app, 120, 30));
}

#[test]
fn login_modal_goes_when_the_login_ends() {
    let mut app = app_logging_in();
    app.update(logging_in(LoginUpdate::Finished(Err("cancelled".into()))));
    assert!(!text(&app, 80, 24).contains("log in to acme"));
}
