//! The subdomain/URL normaliser: whatever it accepts is a bare label that builds exactly
//! `https://LABEL.zendesk.com`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zdauth_core::subdomain::{normalize, validate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(label) = normalize(&text) {
        assert!(validate(&label).is_ok(), "{label:?}");
        let host = format!("{label}.zendesk.com");
        let url = url::Url::parse(&format!("https://{host}")).unwrap();
        assert_eq!(url.host_str(), Some(host.as_str()));
    }
    if validate(&text).is_ok() {
        assert_eq!(normalize(&text).as_deref(), Ok(&*text));
    }
});
