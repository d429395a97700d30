//! Logging: structured `tracing` events to stderr, filtered by `RUST_LOG` (default: warnings),
//! and `spawn_blocking` that keeps the caller's span so CPU work stays traceable.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs CPU-bound work (chart rendering, model fitting) off the async runtime, inside the
/// current tracing span.
pub async fn spawn_blocking_in_span<T, F>(f: F) -> anyhow::Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| anyhow::anyhow!("background task failed: {e}"))
}
