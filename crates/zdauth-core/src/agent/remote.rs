//! The agent's identity as a process that is not the agent sees it: an age `Identity` whose
//! unwrap asks the agent for the file key. The vault, the refresh transaction and every door
//! use it like any other identity; the identity itself never leaves the agent.

use std::collections::HashMap;
use std::io;
use std::sync::{Mutex, PoisonError};

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use age_core::format::{FileKey, Stanza};

use super::client::AgentClient;
use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::vault::{Keys, check_recipient};

struct RemoteIdentity {
    client: AgentClient,
    /// The file keys the agent gave, by the header stanzas they open: a refresh re-reads
    /// vault.age under its lock after the POST, and an agent locked, stopped or restarted in
    /// between must not turn a new pair into a failed save (review finding 12). Only files
    /// this process already read; zeroized on drop.
    known: Mutex<HashMap<Vec<u8>, Zeroizing<[u8; 16]>>>,
}

/// A process reads a handful of vault files; a header that changes with every write of
/// one file (a new file key each time) must not grow this without end.
const KNOWN_MAX: usize = 64;

/// The stanzas as one unambiguous byte string (each part length-prefixed).
fn stanza_bytes(stanzas: &[Stanza]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut part = |b: &[u8]| {
        bytes.extend_from_slice(&(b.len() as u64).to_le_bytes());
        bytes.extend_from_slice(b);
    };
    for stanza in stanzas {
        part(stanza.tag.as_bytes());
        part(&(stanza.args.len() as u64).to_le_bytes());
        for arg in &stanza.args {
            part(arg.as_bytes());
        }
        part(&stanza.body);
    }
    bytes
}

impl age::Identity for RemoteIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    /// One request per age header, not one per stanza.
    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, age::DecryptError>> {
        let header = stanza_bytes(stanzas);
        let known = |header: &[u8]| {
            let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            known.get(header).map(|key| {
                // Filled in place: no copy of the key is left on the stack.
                let mut boxed = Box::new([0u8; 16]);
                boxed.copy_from_slice(&key[..]);
                FileKey::new(boxed)
            })
        };
        if let Some(key) = known(&header) {
            return Some(Ok(key));
        }
        // Not under the map's mutex: the agent may take its time (a heartbeat at a time).
        match self.client.unwrap(stanzas) {
            Ok(Some(key)) => {
                let mut kept = Zeroizing::new([0u8; 16]);
                kept.copy_from_slice(key.expose_secret());
                let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
                if known.len() >= KNOWN_MAX {
                    known.clear();
                }
                known.insert(header, kept);
                Some(Ok(key))
            }
            Ok(None) => None,
            Err(e) => Some(Err(age::DecryptError::Io(io::Error::other(AgentLost {
                class: e.class(),
                message: e.to_string(),
            })))),
        }
    }
}

/// Why the agent gave no file key, carried through age's `DecryptError::Io` so that the
/// vault reports it as the agent's failure (a locked agent: exit 6), not as a read error.
#[derive(Debug)]
pub(crate) struct AgentLost {
    class: ErrorClass,
    message: String,
}

impl std::fmt::Display for AgentLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AgentLost {}

impl AgentLost {
    /// The agent's failure inside `e`, if that is what it is.
    pub(crate) fn within(e: &io::Error) -> Option<Error> {
        let lost = e.get_ref()?.downcast_ref::<Self>()?;
        Some(Error::Agent {
            class: lost.class,
            message: lost.message.clone(),
        })
    }
}

/// Keys that decrypt through the running, unlocked agent, with its recipient checked
/// against recipient.txt as any identity's is. None: no agent runs, or it is locked.
pub fn unlocked_keys(paths: &Paths) -> Result<Option<Keys>, Error> {
    let client = AgentClient::new(paths)?;
    let Some(hello) = client.hello()? else {
        return Ok(None);
    };
    keys_from(paths, client, hello.recipient)
}

/// [`unlocked_keys`] for an agent that said it is unlocked with `recipient`.
pub fn keys_from(
    paths: &Paths,
    client: AgentClient,
    recipient: Option<String>,
) -> Result<Option<Keys>, Error> {
    let Some(recipient) = recipient else {
        return Ok(None);
    };
    let remote = RemoteIdentity {
        client,
        known: Mutex::new(HashMap::new()),
    };
    let keys = Keys::from_agent(Box::new(remote), &recipient)?;
    check_recipient(paths, &keys)?;
    Ok(Some(keys))
}
