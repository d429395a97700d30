//! Shop-wide settings kept in the store itself: the time zone its `local_date` columns were
//! computed in, and the currency its money columns are in. They live with the data because
//! the data depends on them: opening a store with another time zone would silently shift
//! every day, so it is refused instead.

use anyhow::{bail, Context};
use chrono_tz::Tz;

use super::Store;
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    pub name: String,
    pub timezone: Tz,
    pub currency: String,
}

impl ShopSettings {
    /// Reads the settings the store was created with, if any.
    pub async fn load(store: &Store) -> anyhow::Result<Option<ShopSettings>> {
        let rows: Vec<(String, String)> = with_pool!(store, pool => {
            sqlx::query_as("SELECT key, value FROM settings WHERE key IN ('shop_name', 'timezone', 'currency')")
                .fetch_all(pool)
                .await
        })
        .context("failed to read shop settings")?;
        let get = |k: &str| {
            rows.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let (Some(timezone), Some(currency)) = (get("timezone"), get("currency")) else {
            return Ok(None);
        };
        let timezone: Tz = timezone
            .parse()
            .map_err(|e| anyhow::anyhow!("store setting timezone={timezone:?} is invalid: {e}"))?;
        Ok(Some(ShopSettings {
            name: get("shop_name").unwrap_or_default(),
            timezone,
            currency,
        }))
    }

    /// Records these settings in an empty store, or checks that they match what the store
    /// already holds.
    pub async fn ensure(&self, store: &Store) -> anyhow::Result<()> {
        if let Some(existing) = ShopSettings::load(store).await? {
            if existing.timezone != self.timezone {
                bail!(
                    "the store's days were computed in time zone {} but the configuration says {}: \
                     set timezone = \"{}\" in the config, or rebuild the store",
                    existing.timezone,
                    self.timezone,
                    existing.timezone
                );
            }
            if existing.currency != self.currency {
                bail!(
                    "the store holds money in {} but the configuration says {}: set currency = \"{}\"",
                    existing.currency,
                    self.currency,
                    existing.currency
                );
            }
            return Ok(());
        }
        for (key, value) in [
            ("shop_name", self.name.clone()),
            ("timezone", self.timezone.name().to_string()),
            ("currency", self.currency.clone()),
        ] {
            with_pool!(store, pool => {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(key)
                    .bind(value)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })
            .context("failed to record shop settings")?;
        }
        Ok(())
    }
}
