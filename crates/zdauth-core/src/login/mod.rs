//! Browser login: authorization code + PKCE, the redirect caught on 127.0.0.1.

mod accept;
mod browser;
mod callback;
mod catcher;
mod error;
mod flow;
mod page;
mod routes;

pub(crate) use browser::candidates as browser_candidates;
pub use browser::open_browser;
pub use callback::{Callback, CallbackError, parse_callback_query, parse_pasted_redirect};
pub use catcher::Catcher;
pub use error::LoginError;
pub use flow::{LoggedIn, LoginEvent, LoginSettings, login};
