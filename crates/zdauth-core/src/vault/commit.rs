//! Group commit: threads of one process that persist entries at the same time share one
//! vault save, each returning only once its entry is on disk.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};

use super::payload::Entry;
use super::store::Vault;
use crate::error::Error;

#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    queue: Mutex<Queue>,
    saved: Condvar,
}

#[derive(Debug, Default)]
struct Queue {
    next_ticket: u64,
    pending: Vec<(u64, String, Entry)>,
    /// Tickets whose batch was saved (true) or failed (false).
    outcomes: HashMap<u64, bool>,
    writing: bool,
}

impl GroupCommit {
    pub(super) fn persist(&self, vault: &Vault, name: &str, entry: Entry) -> Result<(), Error> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.pending.push((ticket, name.to_owned(), entry.clone()));
        loop {
            match queue.outcomes.remove(&ticket) {
                Some(true) => return Ok(()),
                // Saved alone, so the error is this entry's own and says what went wrong.
                Some(false) => {
                    drop(queue);
                    return vault.update(|data| {
                        data.connections.insert(name.to_owned(), entry);
                    });
                }
                None => {}
            }
            if queue.writing {
                queue = self
                    .saved
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            queue.writing = true;
            let batch = std::mem::take(&mut queue.pending);
            drop(queue);
            let mut turn = Turn {
                commit: self,
                tickets: batch.iter().map(|(ticket, _, _)| *ticket).collect(),
                saved: false,
            };
            turn.saved = vault
                .update(|data| {
                    for (_, name, entry) in batch {
                        data.connections.insert(name, entry);
                    }
                })
                .is_ok();
            drop(turn);
            queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The writer's turn: ending it (even by a panic in the save) records the batch's outcome and
/// wakes the waiting threads, so none waits forever.
struct Turn<'a> {
    commit: &'a GroupCommit,
    tickets: Vec<u64>,
    saved: bool,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut queue = self
            .commit
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for ticket in self.tickets.drain(..) {
            queue.outcomes.insert(ticket, self.saved);
        }
        queue.writing = false;
        self.commit.saved.notify_all();
    }
}
