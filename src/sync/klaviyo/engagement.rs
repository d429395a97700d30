//! Klaviyo e-mail engagement: the events of the metrics "Opened Email" and "Clicked Email"
//! since the cursor, with their profiles, reduced to the latest open and click per normalised
//! e-mail and moved forward in `email_engagement` (migration 0012), for ChurnGuard; and the
//! days of those events per normalised e-mail in `email_engagement_days` (migration 0014), so
//! that ChurnGuard as of a past day sees only the engagement up to it.
//!
//! The events are written a page at a time, each page (latest times and days) in one
//! transaction with the cursor that covers it (the next page's link and the newest event
//! stored so far), so memory stays that of one page whatever the window, and a pass broken
//! off resumes at its next page.
//! Re-reading a page is harmless: a time only ever moves forward and a day already known
//! stays as it is.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Klaviyo, KlaviyoCursor, CLICKED, OPENED, SOURCE};
use crate::domain::day_no;
use crate::import::db::{Tx, Val};
use crate::import::order::customer_key;
use crate::sync::state::{self, RunCounts};

/// An engagement pass broken off (`KlaviyoCursor::opened_page`, `clicked_page`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementPage {
    /// The next page's link (`links.next`).
    pub next: String,
    /// The newest event time stored so far by this pass.
    pub newest: Option<DateTime<Utc>>,
}

/// The latest event time per customer key of one page of events, the (customer key, UTC day
/// number) of every event, and the page's newest time.
fn latest_of_page(page: &Value, counts: &mut RunCounts) -> Events {
    let emails: HashMap<&str, &str> = page["included"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["attributes"]["email"].as_str()?)))
        .collect();
    let mut latest: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut days = BTreeSet::new();
    let mut newest = None;
    for e in page["data"].as_array().into_iter().flatten() {
        counts.records_read += 1;
        let Some(t) = e["attributes"]["datetime"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
        else {
            continue;
        };
        newest = newest.max(Some(t));
        let profile = e["relationships"]["profile"]["data"]["id"]
            .as_str()
            .unwrap_or("");
        let Some(key) = emails.get(profile).and_then(|m| customer_key(m, "")) else {
            continue; // a profile without an e-mail
        };
        days.insert((key.clone(), day_no(t.date_naive())));
        let slot = latest.entry(key).or_insert(t);
        *slot = (*slot).max(t);
    }
    (latest, days, newest)
}

impl Klaviyo<'_> {
    /// Reads the opens, then the clicks, and stores each one's latest and days per customer, a
    /// page per transaction with the cursor.
    pub(super) async fn engagement(
        &mut self,
        metrics: &HashMap<String, String>,
        cursor: &mut KlaviyoCursor,
        counts: &mut RunCounts,
    ) -> anyhow::Result<()> {
        for (name, opens) in [(OPENED, true), (CLICKED, false)] {
            let Some(metric) = metrics.get(name).cloned() else {
                tracing::info!(metric = name, "klaviyo: no such metric, no engagement read");
                continue;
            };
            let since = if opens {
                cursor.opened_until
            } else {
                cursor.clicked_until
            };
            let resumed = if opens {
                cursor.opened_page.clone()
            } else {
                cursor.clicked_page.clone()
            };
            let (mut next, mut newest) = match resumed {
                Some(p) => (p.next, p.newest),
                None => {
                    let since = since.unwrap_or_else(|| {
                        Utc::now() - chrono::Duration::days(i64::from(self.config.backfill_days))
                    });
                    let first = format!(
                        "/events/?filter=and(equals(metric_id,\"{metric}\"),greater-than(datetime,{}))&include=profile&fields[event]=datetime&fields[profile]=email&sort=datetime",
                        since.format("%Y-%m-%dT%H:%M:%SZ")
                    );
                    (first, None)
                }
            };
            loop {
                let page = self.call(None, &next, "events").await?;
                let (latest, days, page_newest) = latest_of_page(&page, counts);
                newest = newest.max(page_newest);
                let mut tx = Tx::begin(self.store).await?;
                let now = Utc::now();
                for (key, t) in latest {
                    let (open, click) = if opens {
                        (Some(t), None)
                    } else {
                        (None, Some(t))
                    };
                    let changed = tx
                        .execute(
                            UPSERT,
                            vec![Val::Text(key), open.into(), click.into(), Val::Ts(now)],
                        )
                        .await?;
                    if changed > 0 {
                        counts.updated += 1;
                    } else {
                        counts.unchanged += 1;
                    }
                }
                let kind = if opens { "open" } else { "click" };
                for (key, day) in days {
                    tx.execute(
                        INSERT_DAY,
                        vec![Val::Text(key), Val::Int(day), Val::Text(kind.into())],
                    )
                    .await?;
                }
                let link = page["links"]["next"].as_str().map(str::to_string);
                let (until, resume) = if opens {
                    (&mut cursor.opened_until, &mut cursor.opened_page)
                } else {
                    (&mut cursor.clicked_until, &mut cursor.clicked_page)
                };
                *resume = link.clone().map(|next| EngagementPage { next, newest });
                if link.is_none() {
                    *until = newest.or(*until);
                }
                state::save_cursor(&mut tx, SOURCE, &*cursor).await?;
                tx.commit().await?;
                match link {
                    Some(link) => next = link,
                    None => break,
                }
            }
        }
        Ok(())
    }
}

/// What one page of events gives: the latest per key, the (key, day) pairs, the newest time.
type Events = (
    HashMap<String, DateTime<Utc>>,
    BTreeSet<(String, i64)>,
    Option<DateTime<Utc>>,
);

/// A day with at least one open (or click) of a customer; a day already known stays as it is.
const INSERT_DAY: &str = "INSERT INTO email_engagement_days (customer_key, day_no, kind) \
     VALUES ($1, $2, $3) ON CONFLICT (customer_key, day_no, kind) DO NOTHING";

/// Moves a customer's last open / click forward only (never back, never to NULL); a row that
/// would not change is not written.
const UPSERT: &str = "INSERT INTO email_engagement (customer_key, last_open_at, last_click_at, updated_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (customer_key) DO UPDATE SET \
     last_open_at = CASE WHEN email_engagement.last_open_at IS NULL OR excluded.last_open_at > email_engagement.last_open_at \
       THEN COALESCE(excluded.last_open_at, email_engagement.last_open_at) ELSE email_engagement.last_open_at END, \
     last_click_at = CASE WHEN email_engagement.last_click_at IS NULL OR excluded.last_click_at > email_engagement.last_click_at \
       THEN COALESCE(excluded.last_click_at, email_engagement.last_click_at) ELSE email_engagement.last_click_at END, \
     updated_at = excluded.updated_at \
     WHERE (excluded.last_open_at IS NOT NULL AND (email_engagement.last_open_at IS NULL OR excluded.last_open_at > email_engagement.last_open_at)) \
        OR (excluded.last_click_at IS NOT NULL AND (email_engagement.last_click_at IS NULL OR excluded.last_click_at > email_engagement.last_click_at))";
