//! Insight Desk's integration tests: one binary, one module per story.
//! Stories that touch the store run on SQLite and, when `TEST_POSTGRES_URL` names a
//! server, on a fresh Postgres database each (see support.rs).

mod support;

/// Alert rules on the demo shop's planted situations and their lifecycle in Slack.
mod alerts;

/// Anomaly detection measured on NAB's labelled ad-exchange series; `bench-anomaly`'s errors.
mod anomaly;

/// Attribution: last-click against the weighted 30/40/30 model, on a hand-built shop.
mod attribution;
/// The catalogue loads, refuses bad files, and every metric × breakdown runs on both backends.
mod catalogue;
/// ChurnGuard on a hand-built shop, against the documented signal table.
mod churn;
/// The binary as a user runs it: errors, exit codes, the demo's output folder.
mod cli;
/// Predicted customer value: BG/NBD + Gamma-Gamma against the published CDNOW fits.
mod clv;
/// The cockpit on a small hand-built shop, against answers worked out by hand.
mod cockpit;
/// Monthly acquisition cohorts: retention and 90-day repurchase on the shop of `ltv`.
mod cohorts;
/// Customer analytics (RFM) on a hand-built shop, against an independent computation.
mod customers;
/// Demand forecast, days of cover, reorders and dormant stock on a hand-built shop; /stock, /sku.
mod forecast;
/// Real Shopify and Google Ads exports, broken copies, quarantine and a French twin.
mod import;
/// Helpers of the import stories: the shared data folder, store snapshots, an independent reading.
mod import_support;
/// `/insight` questions in French and English, hostile text, answers on the hand-built shop.
mod insight;
/// The Marketing Profit Matrix (CAC, LTV, LTV/CAC, ROAS) on a hand-built shop, by hand.
mod ltv;
/// SKU profitability (full cost, quadrants, /profit) and price elasticity, by hand.
mod profit;
/// Digests on a schedule: time zones, exactly-once delivery, retries, the freshness gate.
mod schedule;
/// The Slack bot: signed HTTP commands, Socket Mode, allow-lists, retries, uploads.
mod slack;
/// Summary tables (migration 0004) give exactly the figures of the fact views.
mod summaries;
/// API sync from a fake Shopify: backfill, incremental, resume after a crash, rate limits,
/// secrets, and the same cockpit as the CSV export.
mod sync;
/// API sync from Google Ads (token refresh, lookback) and one source failing among others.
mod sync_ads;
/// Shopify's catalogue and stock over the API, against the products and inventory exports.
mod sync_catalog;
/// API sync from Meta (paging, async report jobs, throttling, expired token) and Klaviyo
/// (campaign and flow reports, e-mail engagement).
mod sync_meta;
/// A sync killed mid-way then resumed: the same store as an uninterrupted one.
mod sync_resume;
