//! Login errors. One line each: what happened, then what to do. None carries the code or state.

use std::io;
use std::time::Duration;

use thiserror::Error;

use super::callback::CallbackError;

#[derive(Debug, Error)]
pub enum LoginError {
    #[error(
        "port {port} on 127.0.0.1 is busy (another login or program holds it); free it, or set the connection's `redirect_port` to another port registered as a redirect URI in Zendesk"
    )]
    PortBusy { port: u16 },

    #[error(
        "no login callback arrived within {}; run the login again, with a longer `--timeout` if you need more time",
        humantime::format_duration(*after)
    )]
    TimedOut { after: Duration },

    #[error(
        "the login listener on 127.0.0.1 could not accept every connection ({cause}) and no callback arrived within {}; raise the open-file limit (`ulimit -n`) or close programs that hold many connections, then run the login again",
        humantime::format_duration(*after)
    )]
    AcceptFailed { after: Duration, cause: io::Error },

    #[error("the login was cancelled; nothing was stored")]
    Cancelled,

    #[error("could not start a browser ({0}); open the URL above yourself, or set $BROWSER")]
    Browser(String),

    #[error(transparent)]
    Callback(#[from] CallbackError),

    #[error("the login listener on 127.0.0.1 failed: {0}; try the login again")]
    Io(#[from] io::Error),
}
