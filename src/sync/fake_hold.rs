//! A gate the fake APIs put in front of their answers, so a test can stop a sync at a known
//! point (the `n`-th page, the `n`-th chunk of a download), kill its task there, and resume:
//! the calls of a held kind from the `n`-th on wait until the test releases them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

#[derive(Clone)]
pub struct Hold {
    inner: Arc<Inner>,
}

struct Inner {
    /// Calls seen per kind.
    seen: Mutex<HashMap<String, usize>>,
    /// Calls of this kind from this index on wait.
    rule: Mutex<Option<(String, usize)>>,
    released: watch::Sender<bool>,
    waiting: AtomicUsize,
}

impl Default for Hold {
    fn default() -> Self {
        Hold {
            inner: Arc::new(Inner {
                seen: Mutex::new(HashMap::new()),
                rule: Mutex::new(None),
                released: watch::channel(true).0,
                waiting: AtomicUsize::new(0),
            }),
        }
    }
}

impl Hold {
    /// From now on, the calls of `kind` from the `n`-th (0-based, counted over the fake's
    /// life) wait until [`Hold::release`].
    pub fn hold(&self, kind: &str, n: usize) {
        *self.inner.rule.lock().unwrap_or_else(|p| p.into_inner()) = Some((kind.to_string(), n));
        self.inner.released.send_replace(false);
    }

    /// Lets every waiting call go on, and holds nothing more.
    pub fn release(&self) {
        *self.inner.rule.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.inner.released.send_replace(true);
    }

    /// How many calls of `kind` were seen.
    pub fn seen(&self, kind: &str) -> usize {
        let seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(kind).copied().unwrap_or(0)
    }

    /// Counts a call of `kind`; waits while it is held.
    pub async fn pass(&self, kind: &str) {
        let index = {
            let mut seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
            let slot = seen.entry(kind.to_string()).or_insert(0);
            *slot += 1;
            *slot - 1
        };
        let held = {
            let rule = self.inner.rule.lock().unwrap_or_else(|p| p.into_inner());
            matches!(&*rule, Some((k, n)) if k == kind && index >= *n)
        };
        if !held {
            return;
        }
        let mut released = self.inner.released.subscribe();
        self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        let _ = released.wait_for(|r| *r).await;
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    /// Waits until a call is held (panics after `timeout`: the test's sync never got there).
    pub async fn until_held(&self, timeout: Duration) {
        let started = Instant::now();
        while self.inner.waiting.load(Ordering::SeqCst) == 0 {
            assert!(
                started.elapsed() < timeout,
                "no call was held within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
