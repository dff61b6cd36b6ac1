//! The decrypted vault payload: never panics, and what it reads it writes back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zdauth_core::vault::VaultData;

fuzz_target!(|data: &[u8]| {
    if let Ok(vault) = VaultData::from_plaintext(data) {
        let again = VaultData::from_plaintext(&vault.to_plaintext()).expect("its own output reads");
        assert_eq!(again, vault);
    }
});
