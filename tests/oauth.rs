//! OAuth through the real binary against the fake Zendesk on loopback: the browser login,
//! and the token requests that keep its pair alive.

mod login;
mod refresh;
