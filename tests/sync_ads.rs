//! API sync from Google Ads against a fake API and token endpoint on loopback, on SQLite and
//! Postgres: campaign spend by day with an access token that expires mid-sync, the lookback
//! window re-read without rewriting anything, and one source failing while another succeeds.

use std::time::Duration;

use insight_desk::sync::fake_google_ads::{AdDay, FakeGoogleAds};
use insight_desk::sync::fake_shopify::FakeShopify;
use insight_desk::sync::google_ads::GoogleAdsConfig;
use insight_desk::sync::{sync_one, sync_sources, Source, SyncConfig, SyncOptions};
use serde_json::json;

use crate::db_story;
use crate::sync::{config, node, scalar, shop, TOKEN};

const REFRESH: &str = "1//fake-refresh-token-secret";
const DEV: &str = "fake-developer-token-secret";

fn google_config(fake: &FakeGoogleAds, dir: &std::path::Path) -> GoogleAdsConfig {
    let file = dir.join("google-ads.json");
    std::fs::write(
        &file,
        json!({"developer_token": DEV, "client_id": "id.apps.googleusercontent.com", "client_secret": "s3cret", "refresh_token": REFRESH}).to_string(),
    )
    .unwrap();
    let mut g = GoogleAdsConfig::new("123-456-7890");
    g.base_url = Some(fake.base_url());
    g.token_url = Some(fake.token_url());
    g.credentials_file = Some(file);
    g.backfill_days = 5;
    g.days_per_request = 2;
    g.max_attempts = 2;
    g
}

/// Two campaigns on each of the last three days (yesterday in Paris being the last):
/// Brand 10.00 € a day, Prospecting 2.504 € (2.50 €), 55.50 € of conversion value each.
fn ad_days() -> Vec<AdDay> {
    let yesterday = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
        - chrono::Days::new(1);
    let mut rows = Vec::new();
    for back in 0..3 {
        for (campaign, micros) in [("Brand", 10_000_000), ("Prospecting", 2_504_000)] {
            rows.push(AdDay {
                date: yesterday - chrono::Days::new(back),
                campaign: campaign.into(),
                cost_micros: micros,
                impressions: 1000,
                clicks: 40,
                conversions: 2.0,
                conversions_value: 55.5,
            });
        }
    }
    rows
}

db_story!(
    google_ads_spend_syncs_by_day_and_an_expired_token_is_refreshed,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeGoogleAds::start(REFRESH, DEV, ad_days()).await.unwrap();
        let cfg = SyncConfig {
            google_ads: Some(google_config(&fake, dir.path())),
            ..SyncConfig::default()
        };
        // Every token stops working after the first search: the second gets 401, the client
        // fetches a new token once and asks again.
        fake.expire_tokens_after(1);
        let outcome = sync_one(
            store,
            chrono_tz::Europe::Paris,
            &cfg,
            Source::GoogleAds,
            &SyncOptions::default(),
        )
        .await;
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.mode, "backfill");
        let calls: Vec<(String, u16)> = fake
            .calls()
            .into_iter()
            .map(|c| (c.kind, c.status))
            .collect();
        let expected: Vec<(String, u16)> = [
            ("token", 200),
            ("search", 200),
            ("search", 401),
            ("token", 200),
            ("search", 200),
            ("search", 200),
        ]
        .iter()
        .map(|(k, s)| (k.to_string(), *s))
        .collect();
        assert_eq!(
            calls, expected,
            "five days, two per request, one token refresh"
        );
        assert!(fake.calls()[1]
            .query
            .contains("FROM campaign WHERE segments.date BETWEEN"));
        assert_eq!(outcome.counts.inserted, 6);
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM ad_spend WHERE channel = 'google' AND source = 'google_ads'"
            )
            .await,
            6
        );
        assert_eq!(
            scalar(
                store,
                "SELECT CAST(SUM(spend_cents) AS BIGINT) FROM ad_spend"
            )
            .await,
            3 * (1000 + 250)
        );
        assert_eq!(
            scalar(
                store,
                "SELECT CAST(SUM(conversion_value_cents) AS BIGINT) FROM ad_spend"
            )
            .await,
            6 * 5550
        );
        assert_eq!(
            scalar(store, "SELECT CAST(SUM(clicks) AS BIGINT) FROM ad_spend").await,
            240
        );

        // The next sync re-reads the lookback window: the same figures, nothing rewritten.
        let again = sync_one(
            store,
            chrono_tz::Europe::Paris,
            &cfg,
            Source::GoogleAds,
            &SyncOptions::default(),
        )
        .await;
        assert_eq!(again.error, None);
        assert_eq!(
            (
                again.counts.inserted,
                again.counts.updated,
                again.counts.unchanged
            ),
            (0, 0, 6)
        );
        let all = format!("{:?} {:?}", fake.calls(), again);
        assert!(!all.contains(REFRESH) && !all.contains(DEV));
    }
);

db_story!(one_source_failing_does_not_stop_the_others, |store| {
    let dir = tempfile::tempdir().unwrap();
    let google = FakeGoogleAds::start(REFRESH, DEV, ad_days()).await.unwrap();
    google.fail_searches(true);
    let shopify = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
        .await
        .unwrap();
    let mut cfg = config(&shopify, dir.path(), TOKEN);
    cfg.google_ads = Some(google_config(&google, dir.path()));
    let opts = SyncOptions {
        base_backoff: Duration::from_millis(10),
        ..SyncOptions::default()
    };
    // The failing source first: the other still runs.
    let outcomes = sync_sources(
        store,
        chrono_tz::Europe::Paris,
        &cfg,
        &[Source::GoogleAds, Source::Shopify],
        &opts,
    )
    .await;
    let error = outcomes[0].error.as_deref().expect("google_ads fails");
    assert!(
        error.contains("500") && error.contains("2 attempts"),
        "{error}"
    );
    assert_eq!(outcomes[1].error, None);
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM orders").await, 5);
    let states = insight_desk::import::sources::list(store).await.unwrap();
    let g = states.iter().find(|s| s.source == "google_ads").unwrap();
    assert!(g.last_error.is_some() && g.last_success_at.is_none());
    let s = states.iter().find(|s| s.source == "shopify").unwrap();
    assert!(s.last_error.is_none() && s.last_success_at.is_some());
});
