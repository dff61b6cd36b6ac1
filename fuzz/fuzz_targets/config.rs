//! config.toml: never panics; whatever it accepts only ever points at its own hosts (building
//! the endpoints asserts their host).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use zdauth_core::config::Config;
use zdauth_core::zendesk::Endpoints;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("config.toml")) {
        Ok(config) => {
            for connection in &config.connections {
                assert!(zdauth_core::subdomain::validate(&connection.subdomain).is_ok());
                let url = connection.base_url();
                assert!(matches!(url.scheme(), "https" | "http"));
                let endpoints = Endpoints::for_connection(connection);
                assert!(endpoints.token.host_str().is_some());
            }
        }
        Err(error) => assert!(!error.to_string().contains('\n')),
    }
});
