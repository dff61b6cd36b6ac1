//! Which columns the list shows at a width, and how wide each is. One pure function that
//! both the view (to draw) and `update` (to tell which header a click landed on) read, so
//! the two can never disagree about where a column is.

use crate::tui::app::{App, SortMode};

/// Columns in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The cursor and the multi-select mark.
    Marker,
    Name,
    Subdomain,
    User,
    Scopes,
    Tags,
    Access,
    Bar,
    Refresh,
    State,
}

impl Column {
    /// What a click on its header sorts by.
    pub fn sort(self) -> Option<SortMode> {
        match self {
            Column::Name => Some(SortMode::Name),
            Column::Access => Some(SortMode::TimeLeft),
            Column::Refresh => Some(SortMode::RefreshLeft),
            Column::State => Some(SortMode::State),
            _ => None,
        }
    }
}

/// From this width on, the scopes get a column, and the tags one when any connection has tags.
pub const WIDE: u16 = 110;
pub const SPACING: u16 = 1;
pub const BAR_WIDTH: u16 = 5;
const MARKER_WIDTH: u16 = 2;
/// NAME is as wide as the longest name, up to this; a longer name is cut (names are at most
/// 64 characters by the config's rule, so in practice never).
const NAME_MAX: u16 = 64;
/// `login required`, the longest state.
const STATE_WIDTH: u16 = 14;
const ACCESS_WIDTH: u16 = 7;
/// `expired`, `30d`; under `NO_COLOR` the words `<1d LAPSES` need more.
pub const REFRESH_WIDTH: u16 = 7;
pub const REFRESH_WIDTH_IN_WORDS: u16 = 10;
/// The narrowest a shared column is drawn; below it, it is dropped instead.
const FLEX_MIN: u16 = 8;

/// On a narrow terminal these go first, in this order, so NAME and STATE stay whole. ACCESS
/// and REFRESH go last of all, only where nothing else is left to drop.
const DROP_ORDER: [Column; 7] = [
    Column::Bar,
    Column::Scopes,
    Column::User,
    Column::Tags,
    Column::Subdomain,
    Column::Refresh,
    Column::Access,
];

/// The layout of the rows the list shows in a `width` × `height` area (its table header
/// included): under `NO_COLOR`, REFRESH widens while a row on screen carries a word.
pub fn for_list(app: &App, width: u16, height: u16) -> Vec<(Column, u16)> {
    let rows = usize::from(height.saturating_sub(1)).max(1);
    let words = app.options.no_color
        && app.visible[app.window(rows)]
            .iter()
            .any(|&i| app.rows[i].lapse(app.now, app.keepalive).is_some());
    let refresh = if words {
        REFRESH_WIDTH_IN_WORDS
    } else {
        REFRESH_WIDTH
    };
    layout(app, width, refresh)
}

/// (column, width) for a list `width` wide, its widths plus one space between columns
/// adding up to at most `width`.
pub fn layout(app: &App, width: u16, refresh_width: u16) -> Vec<(Column, u16)> {
    let has_tags = app.rows.iter().any(|r| !r.connection.tags.is_empty());
    let wide = width >= WIDE;
    let longest = app
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    // Room for "NAME▾" too.
    let name = u16::try_from(longest)
        .unwrap_or(NAME_MAX)
        .clamp(5, NAME_MAX);
    let mut shown: Vec<Column> = [
        Column::Marker,
        Column::Name,
        Column::Subdomain,
        Column::User,
        Column::Scopes,
        Column::Tags,
        Column::Access,
        Column::Bar,
        Column::Refresh,
        Column::State,
    ]
    .into_iter()
    .filter(|c| match c {
        Column::Scopes => wide,
        Column::Tags => wide && has_tags,
        _ => true,
    })
    .collect();
    let fixed = |c: Column| match c {
        Column::Marker => Some(MARKER_WIDTH),
        Column::Name => Some(name),
        Column::Access => Some(ACCESS_WIDTH),
        Column::Bar => Some(BAR_WIDTH),
        Column::Refresh => Some(refresh_width),
        Column::State => Some(STATE_WIDTH),
        _ => None,
    };
    let need = |shown: &[Column]| -> u32 {
        let widths: u32 = shown
            .iter()
            .map(|&c| u32::from(fixed(c).unwrap_or(FLEX_MIN)))
            .sum();
        let gaps = u32::try_from(shown.len().saturating_sub(1)).unwrap_or(u32::MAX);
        widths + gaps * u32::from(SPACING)
    };
    for drop in DROP_ORDER {
        if need(&shown) <= u32::from(width) {
            break;
        }
        shown.retain(|&c| c != drop);
    }
    // What the fixed columns leave is shared by the others, by weight.
    let weight = |c: Column| match c {
        Column::User => 3,
        _ => 2,
    };
    let gaps = u16::try_from(shown.len().saturating_sub(1)).unwrap_or(u16::MAX) * SPACING;
    let fixed_total: u16 = shown.iter().filter_map(|&c| fixed(c)).sum();
    let mut spare = width.saturating_sub(fixed_total + gaps);
    let mut weights: u16 = shown
        .iter()
        .filter(|&&c| fixed(c).is_none())
        .map(|&c| weight(c))
        .sum();
    shown
        .into_iter()
        .map(|c| {
            if let Some(w) = fixed(c) {
                return (c, w);
            }
            // Each takes its share of what is left, so the rounding lands on the last one.
            let w = spare * weight(c) / weights.max(1);
            spare -= w;
            weights -= weight(c);
            (c, w)
        })
        .collect()
}

/// The column under `x`, counted from the list's left edge (a gap belongs to no column).
pub fn at(columns: &[(Column, u16)], x: u16) -> Option<Column> {
    let mut left = 0u16;
    for &(column, width) in columns {
        if x >= left && x < left.saturating_add(width) {
            return Some(column);
        }
        left = left.saturating_add(width).saturating_add(SPACING);
    }
    None
}
