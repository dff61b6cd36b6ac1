//! The one fan-out of the commands that act on many connections at once (`status --check`,
//! `refresh`, `export`): every connection its own task, each holding a throttle slot while it
//! works, so that no more than `jobs` run at once and no account gets more than its share.

use std::future::Future;

use zdauth_core::config::Connection;
use zdauth_core::throttle::Throttle;

/// Runs `work` for each connection at once under one [`Throttle`] of `jobs`, and gives each
/// connection back beside its result, in the order given (config order, for the printing).
/// A task that panicked is an error naming its connection, not a result.
pub(super) fn each<R, F, Fut>(
    runtime: &tokio::runtime::Runtime,
    connections: Vec<Connection>,
    jobs: u16,
    work: F,
) -> anyhow::Result<Vec<(Connection, R)>>
where
    F: Fn(Connection) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    runtime.block_on(async {
        let throttle = Throttle::new(jobs);
        let tasks: Vec<_> = connections
            .into_iter()
            .map(|connection| {
                let throttle = throttle.clone();
                let subdomain = connection.subdomain.clone();
                let job = work(connection.clone());
                let task = tokio::spawn(async move {
                    let _slot = throttle.slot(&subdomain).await;
                    job.await
                });
                (connection, task)
            })
            .collect();
        let mut results = Vec::with_capacity(tasks.len());
        for (connection, task) in tasks {
            let result = task
                .await
                .map_err(|e| anyhow::anyhow!("the work for {} failed: {e}", connection.name))?;
            results.push((connection, result));
        }
        Ok(results)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn connection(name: &str, subdomain: &str) -> Connection {
        crate::seed::connection(name, subdomain, "client", 8765, None).unwrap()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Every task yields while it holds its slot, so that all of them are spawned and
    /// waiting before any ends: the highest count seen is what the throttle let through.
    fn most_at_once(connections: Vec<Connection>, jobs: u16) -> (usize, Vec<String>) {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let results = each(&runtime(), connections, jobs, |c| {
            let (running, most) = (running.clone(), most.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                running.fetch_sub(1, Ordering::SeqCst);
                c.name
            }
        })
        .unwrap();
        let names = results
            .into_iter()
            .map(|(c, name)| {
                assert_eq!(c.name, name, "each result beside its own connection");
                name
            })
            .collect();
        (most.load(Ordering::SeqCst), names)
    }

    #[test]
    fn results_come_back_in_the_order_given_and_jobs_bound_the_work_in_flight() {
        let many: Vec<Connection> = (0..12)
            .map(|i| connection(&format!("c{i:02}"), &format!("sub{i:02}")))
            .collect();
        let order: Vec<String> = many.iter().map(|c| c.name.clone()).collect();
        let (most, names) = most_at_once(many, 3);
        assert_eq!(names, order);
        assert_eq!(most, 3);
    }

    #[test]
    fn one_account_gets_at_most_four_at_once_whatever_the_jobs() {
        let same: Vec<Connection> = (0..10)
            .map(|i| connection(&format!("c{i}"), "acme"))
            .collect();
        assert_eq!(most_at_once(same, 32).0, 4);
    }

    #[test]
    fn a_task_that_panics_is_an_error_naming_it() {
        let error = each(
            &runtime(),
            vec![connection("acme", "acme")],
            4,
            |c| async move { assert_ne!(c.name, "acme", "boom") },
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("the work for acme failed"),
            "{error}"
        );
    }
}
