//! PKCE (RFC 7636, S256) and the `state` value (checklist items 3 and 4). Written out rather
//! than taken from the oauth2 crate: it is a dozen lines over sha2 and base64, and the oauth2
//! crate's HTTP layer (which rejects Zendesk's documented 201) would go unused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// 32 random bytes: a 43-character verifier, 256 bits.
pub(crate) fn new_verifier() -> Secret {
    Secret::new(random_token(32))
}

pub(crate) fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

/// 256 bits, fresh for every authorization request.
pub(crate) fn new_state() -> Secret {
    Secret::new(random_token(32))
}

fn random_token(bytes: usize) -> String {
    let mut buffer = zeroize::Zeroizing::new(vec![0u8; bytes]);
    rand::rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(&*buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_well_formed() {
        let a = new_verifier();
        let b = new_verifier();
        assert_ne!(a, b);
        let len = a.expose().len();
        assert!((43..=128).contains(&len), "{len}");
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(new_state(), new_state());
        assert!(new_state().expose().len() >= 22, "at least 128 bits");
    }
}
