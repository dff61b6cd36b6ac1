//! Zendesk's OAuth and API endpoints, spoken over reqwest.

mod answer;
mod api_body;
mod authorize;
mod client;
mod client_credentials;
mod clients;
mod endpoints;
mod error;
mod jwt;
pub(crate) mod pkce;
mod redact;
mod wire;

pub use answer::{Salvage, is_plain_token};
pub(crate) use api_body::api_body;
pub use authorize::AuthorizationRequest;
pub(crate) use client::ATTEMPTS;
pub(crate) use client::TokenRequest;
pub(crate) use client::{Outgoing, RawAnswer};
pub use client::{Timeouts, ZendeskClient};
pub use clients::{ApiToken, Created, NewClient, OAuthClient};
pub use endpoints::{Endpoints, issuer};
pub use error::ZendeskError;
pub use wire::CurrentToken;
