//! How many refreshes run at once, for every door: enough in flight to hide network latency,
//! never so many for one Zendesk account that its rate limit bites; and, once Zendesk said
//! 429 for an account, nothing more to it until the Retry-After has passed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

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
    /// Per subdomain, the instant before which no slot is given: Zendesk's rate limit is the
    /// account's, so one request's 429 holds back every request to it.
    not_before: Arc<Mutex<HashMap<String, Instant>>>,
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
            not_before: Arc::default(),
        }
    }

    /// Zendesk asked `subdomain` to wait until `until` (a 429's Retry-After): no slot for it
    /// is given before then. A later instant already set stays.
    pub fn hold_off(&self, subdomain: &str, until: Instant) {
        let mut not_before = self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let at = not_before.entry(subdomain.to_owned()).or_insert(until);
        *at = (*at).max(until);
    }

    #[cfg(test)]
    pub(crate) fn held_off(&self, subdomain: &str) -> bool {
        self.not_before(subdomain).is_some()
    }

    fn not_before(&self, subdomain: &str) -> Option<Instant> {
        let not_before = self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        not_before
            .get(subdomain)
            .copied()
            .filter(|at| *at > Instant::now())
    }

    /// Waits for a slot for a request to `subdomain`, and until any hold-off on it has passed.
    pub async fn slot(&self, subdomain: &str) -> Slot {
        loop {
            if let Some(until) = self.not_before(subdomain) {
                tokio::time::sleep_until(until).await;
            }
            let slot = self.permits(subdomain).await;
            // A 429 may have come while this waited for the permits.
            if self.not_before(subdomain).is_none() {
                return slot;
            }
        }
    }

    async fn permits(&self, subdomain: &str) -> Slot {
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

    /// Paused time: the clock moves only when every task waits, so these bounds are exact.
    #[tokio::test(start_paused = true)]
    async fn a_hold_off_delays_only_its_account_until_it_passes() {
        use std::time::Duration;
        let throttle = Throttle::new(6);
        throttle.hold_off("acme", Instant::now() + Duration::from_secs(1));
        // A shorter hold-off does not shorten it.
        throttle.hold_off("acme", Instant::now() + Duration::from_millis(10));
        let early = tokio::time::timeout(Duration::from_millis(999), throttle.slot("acme")).await;
        assert!(early.is_err(), "acme is held off for a second");
        let other = tokio::time::timeout(Duration::from_millis(1), throttle.slot("globex")).await;
        assert!(other.is_ok(), "another account is not held off");
        let late = tokio::time::timeout(Duration::from_millis(2), throttle.slot("acme")).await;
        assert!(late.is_ok(), "the hold-off has passed");
    }
}
