//! The bot's background work — question and phase timers, the poster's deliveries — and the
//! interactions in flight, on one `TaskTracker`, stopped by the `CancellationToken` that
//! `serve` hands down (mini-redis's shutdown pattern).
//!
//! Invariant: once `serve` drains, a timer that has not fired never fires (its sleep is
//! cancelled) and the poster takes nothing new; a timer that has fired, a delivery under
//! way and every interaction in flight run to their end, and `serve` waits for them
//! ([`Tasks::drain`]) before it closes the store. So nothing touches a closed store.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A little after a deadline, so the layer's clock agrees it has passed.
const SLACK_MS: i64 = 50;

/// A handle on the tracker and the shutdown token; clones share both.
#[derive(Clone, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    shutdown: CancellationToken,
}

impl Tasks {
    pub fn new(shutdown: CancellationToken) -> Tasks {
        Tasks { tracker: TaskTracker::new(), shutdown }
    }

    /// Runs `fire` once `deadline` has passed (both in the layer's milliseconds, `now` its
    /// clock), unless the shutdown comes first.
    pub fn at(&self, deadline: i64, now: i64, fire: impl Future<Output = ()> + Send + 'static) {
        let wait = Duration::from_millis(u64::try_from(deadline + SLACK_MS - now).unwrap_or(0));
        let shutdown = self.shutdown.clone();
        self.tracker.spawn(async move {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => {}
                () = tokio::time::sleep(wait) => fire.await,
            }
        });
    }

    /// Runs `work` (a delivery) to its end, tracked: the shutdown waits for it.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.tracker.spawn(work);
    }

    /// Counts `work` (an interaction being answered) until it ends: the shutdown waits for it.
    pub async fn track<F: Future>(&self, work: F) -> F::Output {
        self.tracker.track_future(work).await
    }

    /// Completes when the shutdown has begun.
    pub async fn stopped(&self) {
        self.shutdown.cancelled().await
    }

    /// Stops the timers that have not fired and waits, at most `limit`, for everything
    /// tracked to end; the number still running when time ran out.
    pub async fn drain(&self, limit: Duration) -> usize {
        self.shutdown.cancel();
        self.tracker.close();
        match tokio::time::timeout(limit, self.tracker.wait()).await {
            Ok(()) => 0,
            Err(_) => self.tracker.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::Tasks;

    /// A timer that has not fired when the shutdown drains never fires; work in flight is
    /// waited for, so the store can close after `drain` with nothing left to touch it.
    #[tokio::test]
    async fn a_drain_stops_the_timers_not_yet_fired_and_waits_for_work_in_flight() {
        let tasks = Tasks::default();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = fired.clone();
        tasks.at(1_000, 0, async move { flag.store(true, Ordering::SeqCst) });
        let answered = Arc::new(AtomicBool::new(false));
        let done = answered.clone();
        let in_flight = tasks.clone();
        let click = tokio::spawn(async move {
            in_flight
                .track(async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    done.store(true, Ordering::SeqCst);
                })
                .await
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(tasks.drain(Duration::from_secs(5)).await, 0);
        assert!(answered.load(Ordering::SeqCst), "the drain waited for the click in flight");
        click.await.expect("the click ends");
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert!(!fired.load(Ordering::SeqCst), "a timer fired after the shutdown");
        tasks.at(0, 0, async { panic!("a timer armed after the shutdown fired") });
        assert_eq!(tasks.drain(Duration::from_secs(1)).await, 0);
    }
}
