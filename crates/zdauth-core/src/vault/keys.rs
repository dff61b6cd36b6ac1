//! The user's age identity: made by `init`, sealed under a passphrase (scrypt) in
//! identity.age, or read from a plain age identity file. Opening it is the only slow step
//! (scrypt, about a second at the default work factor), done once per process.

use std::io::{BufRead, BufReader, Read, Write};
use std::iter;
use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::config::MAX_KDF_WORK_FACTOR;
use crate::error::Error;
use crate::safe_file::{self, IDENTITY_LIMIT, Links};
use crate::secret::Secret;

pub struct Keys {
    identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Without the plugin feature, an identity file holds X25519 keys only.
    recipients: Vec<age::x25519::Recipient>,
    /// The `age1…` line(s) to encrypt to; public.
    recipient: String,
    /// The identity file's text, kept only so `passwd` can seal it again; None when the
    /// identity is the agent's, which never hands it out.
    identity_text: Option<Secret>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// A new X25519 identity, as `age-keygen` would make it.
    pub(crate) fn generate() -> Self {
        let identity = age::x25519::Identity::generate();
        let text = format!(
            "# created by zdauth\n# public key: {}\n{}\n",
            identity.to_public(),
            identity.to_string().expose_secret()
        );
        Self::from_identity_text(Secret::new(text), "the new identity")
            .expect("a generated identity parses")
    }

    /// Parses the text of an age identity file (`AGE-SECRET-KEY-1…` lines, `#` comments).
    pub fn from_identity_text(text: Secret, source: &str) -> Result<Self, Error> {
        let unusable = |why: String| {
            Error::Locked(format!(
                "{source} is not a usable age identity ({why}): give a file made by age-keygen or zdauth init"
            ))
        };
        let file = age::IdentityFile::from_buffer(BufReader::new(text.expose().as_bytes()))
            .map_err(|e| unusable(e.to_string()))?;
        let mut recipient = Vec::new();
        file.write_recipients_file(&mut recipient)
            .map_err(|e| unusable(e.to_string()))?;
        let recipient = String::from_utf8(recipient).expect("recipients are ASCII");
        let recipients = recipient
            .lines()
            .map(str::parse::<age::x25519::Recipient>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unusable(e.to_string()))?;
        let identities = file
            .into_identities()
            .map_err(|e| unusable(e.to_string()))?;
        Ok(Self {
            identities,
            recipients,
            recipient,
            identity_text: Some(text),
        })
    }

    /// Keys whose identity is `remote` (the agent's unwrap oracle) and whose recipient is
    /// `recipient` (public, from the agent's hello; the caller checks it against
    /// recipient.txt).
    pub(crate) fn from_agent(
        remote: Box<dyn age::Identity + Send + Sync>,
        recipient: &str,
    ) -> Result<Self, Error> {
        let recipients = recipient
            .lines()
            .map(str::parse::<age::x25519::Recipient>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::Locked(format!(
                    "the agent named a recipient that is not an age X25519 key ({e}): run `zdauth agent stop`, then the command again"
                ))
            })?;
        Ok(Self {
            identities: vec![remote],
            recipients,
            recipient: format!("{}\n", recipient.trim_end()),
            identity_text: None,
        })
    }

    /// The file key of an age header's stanzas, as decrypting would find it: what the agent
    /// answers an Unwrap with. None: no stanza is for this identity.
    pub(crate) fn unwrap_stanzas(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.identities
            .iter()
            .find_map(|identity| identity.unwrap_stanzas(stanzas))
    }

    /// A plain identity file is the user's: a link to it is followed.
    pub fn from_identity_file(path: &Path) -> Result<Self, Error> {
        let text = match safe_file::read_text(path, Links::Follow, IDENTITY_LIMIT) {
            Ok(Some(mut text)) => std::mem::take(&mut *text),
            Ok(None) => {
                return Err(Error::Locked(format!(
                    "cannot read the identity file {}: it does not exist; check the path given by --identity-file, settings.identity_file or ZDAUTH_IDENTITY_FILE",
                    path.display()
                )));
            }
            Err(e) => return Err(Error::Locked(e.to_string())),
        };
        Self::from_identity_text(Secret::new(text), &path.display().to_string())
    }

    /// Decrypts identity.age and reads the identity inside it.
    pub(crate) fn unseal(sealed: &[u8], passphrase: &Secret, path: &Path) -> Result<Self, Error> {
        let plain = Self::open_sealed(sealed, passphrase, path)?;
        let text = std::str::from_utf8(&plain).map_err(|e| unreadable(path, &e))?;
        Self::from_identity_text(Secret::new(text), &path.display().to_string())
    }

    /// The plaintext of passphrase-protected (scrypt) age data. Work factors above
    /// `MAX_KDF_WORK_FACTOR` are refused rather than spent (checklist item 12).
    pub fn open_sealed(
        sealed: &[u8],
        passphrase: &Secret,
        path: &Path,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // Counted by the tests (scrypt once per unlock, not per command): keep the words.
        tracing::debug!(path = %path.display(), "scrypt: opening passphrase-protected data");
        let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.expose()));
        identity.set_max_work_factor(MAX_KDF_WORK_FACTOR);
        let decryptor = age::Decryptor::new_buffered(sealed).map_err(|e| unreadable(path, &e))?;
        if !decryptor.is_scrypt() {
            return Err(Error::Locked(format!(
                "{} is not passphrase-protected age data: restore it from a backup, or set settings.identity_file to a plain identity",
                path.display()
            )));
        }
        let mut reader = decryptor
            .decrypt(iter::once(&identity as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                    Error::WrongPassphrase {
                        path: path.to_path_buf(),
                    }
                }
                age::DecryptError::ExcessiveWork { required, .. } => Error::Locked(format!(
                    "{} asks for scrypt work factor {required}, above zdauth's limit of {MAX_KDF_WORK_FACTOR}: it was not sealed by zdauth; restore it from a backup",
                    path.display()
                )),
                other => unreadable(path, &other),
            })?;
        let mut plain = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut plain)
            .map_err(|e| unreadable(path, &e))?;
        Ok(plain)
    }

    /// Encrypts the identity under `passphrase` with the work factor pinned (checklist item 12).
    pub fn seal(&self, passphrase: &Secret, work_factor: u8) -> Result<Vec<u8>, Error> {
        let Some(identity_text) = &self.identity_text else {
            return Err(Error::Usage(
                "the identity is held by the agent, which never hands it out, so it cannot be sealed here: open identity.age itself (`zdauth passwd` does)".into(),
            ));
        };
        let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.expose()));
        recipient.set_work_factor(work_factor);
        encrypt_to(
            iter::once(&recipient as &dyn age::Recipient),
            identity_text.expose().as_bytes(),
        )
    }

    pub fn recipient(&self) -> &str {
        self.recipient.trim_end()
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        encrypt_to(
            self.recipients.iter().map(|r| r as &dyn age::Recipient),
            plaintext,
        )
    }

    /// `plaintext` as age armor (the text `age -a` writes) to this identity's recipient and
    /// `extra` ones: a team store's payload, which every listed member can open.
    pub(crate) fn encrypt_armored(
        &self,
        plaintext: &[u8],
        extra: &[age::x25519::Recipient],
    ) -> Result<String, Error> {
        let failed =
            |e: String| Error::Crypto(format!("age encryption failed: {e}; please report this"));
        let mut all: Vec<&age::x25519::Recipient> = self.recipients.iter().collect();
        for recipient in extra {
            // Compared by their text: the type has no equality of its own.
            if !all.iter().any(|r| r.to_string() == recipient.to_string()) {
                all.push(recipient);
            }
        }
        let encryptor = age::Encryptor::with_recipients(all.into_iter().map(|r| r as _))
            .map_err(|e| failed(e.to_string()))?;
        let armor = age::armor::ArmoredWriter::wrap_output(
            Vec::with_capacity(plaintext.len() * 2 + 512),
            age::armor::Format::AsciiArmor,
        )
        .map_err(|e| failed(e.to_string()))?;
        let mut writer = encryptor
            .wrap_output(armor)
            .map_err(|e| failed(e.to_string()))?;
        writer
            .write_all(plaintext)
            .map_err(|e| failed(e.to_string()))?;
        let out = writer
            .finish()
            .and_then(age::armor::ArmoredWriter::finish)
            .map_err(|e| failed(e.to_string()))?;
        Ok(String::from_utf8(out).expect("age armor is ASCII"))
    }

    /// Opens age armor (or binary age) written by [`Self::encrypt_armored`].
    pub(crate) fn decrypt_armored(
        &self,
        text: &str,
    ) -> Result<Zeroizing<Vec<u8>>, age::DecryptError> {
        let reader = age::armor::ArmoredReader::new(text.as_bytes());
        self.decrypt_from(BufReader::new(reader), text.len())
    }

    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, age::DecryptError> {
        self.decrypt_from(ciphertext, ciphertext.len())
    }

    /// Decrypts as it reads: a vault of 1,000 connections is read on every `zdauth token`,
    /// and holding its ciphertext whole beside the plaintext costs a page fault per 4 KiB.
    pub(crate) fn decrypt_from(
        &self,
        ciphertext: impl BufRead,
        size_hint: usize,
    ) -> Result<Zeroizing<Vec<u8>>, age::DecryptError> {
        let decryptor = age::Decryptor::new_buffered(ciphertext)?;
        let mut reader = decryptor.decrypt(
            self.identities
                .iter()
                .map(|i| i.as_ref() as &dyn age::Identity),
        )?;
        let mut plain = Zeroizing::new(Vec::with_capacity(size_hint));
        reader.read_to_end(&mut plain)?;
        Ok(plain)
    }
}

fn encrypt_to<'a>(
    recipients: impl Iterator<Item = &'a dyn age::Recipient>,
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    let failed =
        |e: String| Error::Crypto(format!("age encryption failed: {e}; please report this"));
    let encryptor =
        age::Encryptor::with_recipients(recipients).map_err(|e| failed(e.to_string()))?;
    let mut out = Vec::with_capacity(plaintext.len() + 256);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| failed(e.to_string()))?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(drop))
        .map_err(|e| failed(e.to_string()))?;
    Ok(out)
}

fn unreadable(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::Locked(format!(
        "{} cannot be read as an age identity ({e}): restore it from a backup or run `zdauth init` in a new --config-dir",
        path.display()
    ))
}

/// An identity that cannot be read leaves the vault locked (exit 6), whatever the cause.
pub(super) fn read_identity(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    match safe_file::read(path, Links::Follow, IDENTITY_LIMIT) {
        Ok(Some(sealed)) => Ok(sealed),
        Ok(None) => Err(Error::Locked(format!(
            "{} does not exist: restore it from a backup",
            path.display()
        ))),
        Err(e) => Err(Error::Locked(e.to_string())),
    }
}
