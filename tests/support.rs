//! Test stores: a SQLite file in a temp dir, or a fresh database on the Postgres server named
//! by `TEST_POSTGRES_URL` (e.g. postgres://postgres@127.0.0.1:5432/postgres), dropped
//! when the test ends. `TEST_REQUIRE_POSTGRES=1` (set by .ci/run) turns a missing
//! server into a failure instead of a skip, so CI cannot pass without running them.

use insight_desk::store::{ShopSettings, Store};

pub const POSTGRES_ENV: &str = "TEST_POSTGRES_URL";

pub struct TestStore {
    pub store: Store,
    /// The URL a second pool (a second replica) can open.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

impl TestStore {
    pub async fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        paris_shop().ensure(&store).await.expect("settings");
        TestStore {
            store,
            url,
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// `None` when no Postgres server is configured (and not required).
    pub async fn postgres() -> Option<TestStore> {
        let admin_url = match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                if std::env::var("TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("{POSTGRES_ENV} is not set but TEST_REQUIRE_POSTGRES=1: the Postgres tests must run");
                }
                eprintln!(
                    "skipping the Postgres variant: set {POSTGRES_ENV}=postgres://… to run it"
                );
                return None;
            }
        };
        let name = format!("insight_desk_test_{}_{}", std::process::id(), rand_suffix());
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to the Postgres test server");
        insight_desk::with_pool!(&admin, pool => {
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(pool).await.map(|_| ())
        })
        .expect("create test database");
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        let store = Store::open(&url).await.expect("open postgres");
        paris_shop().ensure(&store).await.expect("settings");
        Some(TestStore {
            store,
            url,
            _dir: None,
            pg_cleanup: Some((admin_url, name)),
        })
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg_cleanup.take() else {
            return;
        };
        let store = self.store.clone();
        // Drop runs outside async; a short-lived runtime on another thread drops the database.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                store.close().await;
                if let Ok(admin) = Store::connect(&admin_url).await {
                    let _ = insight_desk::with_pool!(&admin, pool => {
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(pool).await.map(|_| ())
                    });
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{}", nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub fn paris_shop() -> ShopSettings {
    ShopSettings {
        name: "Test shop".into(),
        timezone: chrono_tz::Europe::Paris,
        currency: "EUR".into(),
    }
}

/// Defines `$name::sqlite` and `$name::postgres` running the same async story body, which
/// receives a `&Store`.
#[macro_export]
macro_rules! db_story {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($store: &insight_desk::store::Store) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::support::TestStore::sqlite().await;
                story(&t.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) = $crate::support::TestStore::postgres().await {
                    story(&t.store).await;
                }
            }
        }
    };
}
