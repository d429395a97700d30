//! The demo shop's marketing exports: daily ad spend per campaign (Meta, Google, Klaviyo)
//! and GA4-style traffic per source / medium, consistent with the day's orders.
//!
//! Spend follows the customers each platform is paid to bring (≈ 50 € per Meta customer,
//! ≈ 25 € per Google customer); impressions and clicks follow from typical CPMs, CTRs and
//! CPCs; paid sessions follow from clicks, the others from orders and a conversion rate, so
//! the site converts at 2–3 %. Platforms report more conversions than the shop records
//! (view-through, cross-device: Meta ×1.4–1.8, Google ×1.1–1.3, Klaviyo ×1.5–1.9), as real
//! platforms do. During the planted Meta collapse, spend rises by 40 % while the orders
//! Meta brings fall (see `sim`), and Meta's own reporting barely notices.

use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::Calendar;
use super::people::{
    CAC_CENTS, DIRECT, EMAIL, GOOGLE, GOOGLE_CAMPAIGNS, META, META_CAMPAIGNS, ORGANIC,
};
use super::rows::{Rows, Table, Val};

/// What the day's orders looked like per channel (counted orders only).
#[derive(Default)]
pub struct DayStats {
    pub orders: [i64; 5],
    pub total_cents: [i64; 5],
    /// Expected new customers per channel before any planted effect (what the budget buys).
    pub expected_new: [f64; 5],
}

/// Writes the day's ad spend and traffic rows; returns the day's total spend in cents.
pub fn write_day(
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    d: usize,
    scale: f64,
    stats: &DayStats,
    meta_collapse: bool,
    rows: &mut Rows,
) -> i64 {
    let date = cal.date(d);
    let mut spend_total = 0;
    let avg_total = |c: usize| {
        if stats.orders[c] > 0 {
            stats.total_cents[c] as f64 / stats.orders[c] as f64
        } else {
            7_800.0
        }
    };
    let ad_row = |rows: &mut Rows,
                  channel: &'static str,
                  campaign: &'static str,
                  spend: i64,
                  impressions: i64,
                  clicks: i64,
                  conversions: i64,
                  value: i64| {
        rows.push(
            Table::AdSpend,
            [
                Val::Date(date),
                Val::Str(channel),
                Val::Str(campaign),
                Val::Str("demo"),
                Val::Str("EUR"),
                Val::Int(spend),
                Val::Int(impressions),
                Val::Int(clicks),
                Val::Int(conversions),
                Val::Int(value),
            ],
        );
        spend
    };

    // Meta: CPM 6–8 €, CTR 1.3–1.8 %.
    let boost = if meta_collapse { 1.4 } else { 1.0 };
    let meta_spend = stats.expected_new[META] * CAC_CENTS[0] * noise(rng, 0.07) * boost;
    let mut meta_clicks = 0;
    for (campaign, share) in split(rng, &META_CAMPAIGNS) {
        let spend = (meta_spend * share).round() as i64;
        let impressions = (spend as f64 / rng.gen_range(600.0..800.0) * 1000.0).round() as i64;
        let clicks = (impressions as f64 * rng.gen_range(0.013..0.018)).round() as i64;
        let conversions =
            (stats.orders[META] as f64 * share * rng.gen_range(1.4..1.8)).round() as i64;
        let value =
            (conversions as f64 * avg_total(META) * rng.gen_range(0.95..1.15)).round() as i64;
        meta_clicks += clicks;
        spend_total += ad_row(
            rows,
            "meta",
            campaign,
            spend,
            impressions,
            clicks,
            conversions,
            value,
        );
    }

    // Google: CPC 0.28–0.38 €, CTR 3.5–6 %.
    let google_spend = stats.expected_new[GOOGLE] * CAC_CENTS[1] * noise(rng, 0.07);
    let mut google_clicks = 0;
    for (campaign, share) in split(rng, &GOOGLE_CAMPAIGNS) {
        let spend = (google_spend * share).round() as i64;
        let clicks = (spend as f64 / rng.gen_range(28.0..38.0)).round() as i64;
        let impressions = (clicks as f64 / rng.gen_range(0.035..0.06)).round() as i64;
        let conversions =
            (stats.orders[GOOGLE] as f64 * share * rng.gen_range(1.1..1.3)).round() as i64;
        let value =
            (conversions as f64 * avg_total(GOOGLE) * rng.gen_range(0.95..1.1)).round() as i64;
        google_clicks += clicks;
        spend_total += ad_row(
            rows,
            "google",
            campaign,
            spend,
            impressions,
            clicks,
            conversions,
            value,
        );
    }

    // Klaviyo: a flat subscription by the day; sessions from the orders e-mails bring.
    let email_sessions = sessions(rng, stats.orders[EMAIL], 0.045);
    let email_clicks = (email_sessions as f64 / rng.gen_range(0.9..0.97)).round() as i64;
    let campaign_day = matches!(date.weekday(), chrono::Weekday::Tue | chrono::Weekday::Thu);
    let ctr = if campaign_day {
        rng.gen_range(0.018..0.025)
    } else {
        rng.gen_range(0.03..0.045)
    };
    let sends = (email_clicks as f64 / ctr).round() as i64;
    let conversions = (stats.orders[EMAIL] as f64 * rng.gen_range(1.5..1.9)).round() as i64;
    let value = (conversions as f64 * avg_total(EMAIL)).round() as i64;
    let klaviyo = (2_300.0 * scale).round().max(1.0) as i64;
    spend_total += ad_row(
        rows,
        "email",
        "Klaviyo",
        klaviyo,
        sends,
        email_clicks,
        conversions,
        value,
    );

    // GA4 traffic acquisition: sessions and (consent-trimmed) conversions.
    let ga4 =
        |rng: &mut ChaCha8Rng, orders: f64| (orders * rng.gen_range(0.85..0.97)).round() as i64;
    let facebook_share = rng.gen_range(0.4..0.5);
    let meta_orders = stats.orders[META] as f64;
    let traffic = [
        (
            "google",
            "cpc",
            "google",
            (google_clicks as f64 * rng.gen_range(0.88..0.95)).round() as i64,
            stats.orders[GOOGLE] as f64,
        ),
        (
            "facebook",
            "paid",
            "meta",
            (meta_clicks as f64 * facebook_share * rng.gen_range(0.8..0.9)).round() as i64,
            meta_orders * facebook_share,
        ),
        (
            "instagram",
            "paid",
            "meta",
            (meta_clicks as f64 * (1.0 - facebook_share) * rng.gen_range(0.8..0.9)).round() as i64,
            meta_orders * (1.0 - facebook_share),
        ),
        (
            "klaviyo",
            "email",
            "email",
            email_sessions,
            stats.orders[EMAIL] as f64,
        ),
        (
            "google",
            "organic",
            "organic",
            sessions(rng, stats.orders[ORGANIC], 0.016),
            stats.orders[ORGANIC] as f64,
        ),
        (
            "(direct)",
            "(none)",
            "direct",
            sessions(rng, stats.orders[DIRECT], 0.022),
            stats.orders[DIRECT] as f64,
        ),
    ];
    for (source, medium, channel, sessions, orders) in traffic {
        let conversions = ga4(rng, orders);
        rows.push(
            Table::Traffic,
            [
                Val::Date(date),
                Val::Str(source),
                Val::Str(medium),
                Val::Str(channel),
                Val::Int(sessions.max(conversions)),
                Val::Int(conversions),
            ],
        );
    }
    spend_total
}

/// Sessions that would bring `orders` at about `rate` conversion.
fn sessions(rng: &mut ChaCha8Rng, orders: i64, rate: f64) -> i64 {
    ((orders as f64).max(0.5) / rate * noise(rng, 0.08)).round() as i64
}

/// Campaign shares with ±15 % daily wobble, summing to 1.
fn split(rng: &mut ChaCha8Rng, campaigns: &[(&'static str, f64); 3]) -> [(&'static str, f64); 3] {
    let mut out = campaigns.map(|(name, share)| (name, share * rng.gen_range(0.85..1.15)));
    let total: f64 = out.iter().map(|c| c.1).sum();
    for c in &mut out {
        c.1 /= total;
    }
    out
}

/// A multiplicative noise around 1 with about `sigma` relative spread.
pub fn noise(rng: &mut ChaCha8Rng, sigma: f64) -> f64 {
    let z: f64 = rng.sample(rand_distr::StandardNormal);
    (z * sigma).exp()
}
