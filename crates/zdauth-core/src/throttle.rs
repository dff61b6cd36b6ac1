//! How many refreshes run at once, for every door: enough in flight to hide network latency,
//! never so many for one Zendesk account that its rate limit bites.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Refreshes in flight by default. Each is one POST, mostly spent waiting on the network, so
/// 32 cost little here; 200 connections at 100 ms a request take under a second of waiting.
pub const DEFAULT_JOBS: u16 = 32;
/// Zendesk rate-limits per account (subdomain): whatever the job count, one account never
/// gets more token requests at once from this process than this.
pub(crate) const PER_ACCOUNT: usize = 4;

#[derive(Clone, Debug)]
pub struct Throttle {
    jobs: Arc<Semaphore>,
    accounts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

/// Held for the length of one refresh.
pub struct Slot {
    _account: OwnedSemaphorePermit,
    _job: OwnedSemaphorePermit,
}

impl Throttle {
    pub fn new(jobs: u16) -> Self {
        Self {
            jobs: Arc::new(Semaphore::new(usize::from(jobs.max(1)))),
            accounts: Arc::default(),
        }
    }

    /// Waits for a slot for a refresh at `subdomain`.
    pub async fn slot(&self, subdomain: &str) -> Slot {
        let account = self
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(subdomain.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(PER_ACCOUNT)))
            .clone();
        // The account's permit first, so that a busy account does not sit on shared ones.
        let account = account.acquire_owned().await.expect("never closed");
        let job = self
            .jobs
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        Slot {
            _account: account,
            _job: job,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_account_gets_at_most_its_share_and_others_still_run() {
        let throttle = Throttle::new(6);
        let mut held = Vec::new();
        for _ in 0..PER_ACCOUNT {
            held.push(throttle.slot("acme").await);
        }
        let more_acme =
            tokio::time::timeout(std::time::Duration::from_millis(50), throttle.slot("acme")).await;
        assert!(more_acme.is_err(), "a fifth acme refresh must wait");
        // Another account still gets the jobs acme leaves free.
        held.push(throttle.slot("globex").await);
        held.push(throttle.slot("globex").await);
        let over_jobs = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            throttle.slot("initech"),
        )
        .await;
        assert!(over_jobs.is_err(), "six jobs are in flight");
        held.pop();
        throttle.slot("initech").await;
    }
}
