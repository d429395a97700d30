//! Daily RFM snapshots (migration 0006) and the movements between two of them.
//!
//! A snapshot is every buying customer's segment and scores as of a day, stored as one row
//! per day with the customers packed: per customer, the id as a LEB128 delta from the previous
//! one (ids sorted), one byte for the segment and one for the scores (`(r−1)·25 + (f−1)·5 +
//! (m−1)`): about 4 bytes per customer. A report saves its day's snapshot (replacing it),
//! and compares with the snapshot of seven days earlier; when that one is missing, or was made
//! with another segment mapping, it is recomputed from the data as of that day (the same
//! as-of rule: later data ignored) and saved, so movements are always available.
//!
//! **Retention** ([`retained`]): after each save, snapshots are thinned relative to the newest
//! one kept: every day for [`DAILY_DAYS`] days (the week-earlier comparison, with room for a
//! month of daily reports), then the latest of each ISO week up to [`WEEKLY_DAYS`] days, then
//! the latest of each month. At 300 k customers that is about 110 MB for five years instead
//! of 2 GB. A pruned day is never lost for good: asked for, it is recomputed from the data.

use std::collections::HashMap;

use anyhow::{bail, Context};
use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::rfm::{RfmRule, Scores};
use super::segment::RfmSegment;
use crate::store::Store;
use crate::with_pool;

const FORMAT_VERSION: u8 = 1;

/// One customer in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotEntry {
    pub customer_id: i64,
    pub segment: RfmSegment,
    pub scores: Scores,
}

/// Packs entries (any order) into the stored bytes.
pub fn encode(entries: &[SnapshotEntry]) -> Vec<u8> {
    let mut sorted: Vec<&SnapshotEntry> = entries.iter().collect();
    sorted.sort_unstable_by_key(|e| e.customer_id);
    let mut out = Vec::with_capacity(1 + entries.len() * 4);
    out.push(FORMAT_VERSION);
    let mut previous = 0i64;
    for e in sorted {
        let mut delta = (e.customer_id - previous) as u64;
        previous = e.customer_id;
        loop {
            let byte = (delta & 0x7f) as u8;
            delta >>= 7;
            if delta == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.push(e.segment.code());
        let s = e.scores;
        out.push((s.r - 1) * 25 + (s.f - 1) * 5 + (s.m - 1));
    }
    out
}

/// Unpacks stored bytes.
pub fn decode(bytes: &[u8]) -> anyhow::Result<Vec<SnapshotEntry>> {
    let Some((&version, mut rest)) = bytes.split_first() else {
        bail!("empty RFM snapshot");
    };
    anyhow::ensure!(
        version == FORMAT_VERSION,
        "RFM snapshot format {version} is not known"
    );
    let mut out = Vec::with_capacity(bytes.len() / 4);
    let mut previous = 0i64;
    while !rest.is_empty() {
        let (mut delta, mut shift) = (0u64, 0);
        loop {
            let (&byte, tail) = rest.split_first().context("truncated RFM snapshot")?;
            rest = tail;
            delta |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
            anyhow::ensure!(shift < 64, "corrupt RFM snapshot");
        }
        let [seg, packed, ..] = rest else {
            bail!("truncated RFM snapshot");
        };
        let segment = RfmSegment::from_code(*seg).context("corrupt RFM snapshot segment")?;
        anyhow::ensure!(*packed < 125, "corrupt RFM snapshot scores");
        rest = &rest[2..];
        previous += delta as i64;
        out.push(SnapshotEntry {
            customer_id: previous,
            segment,
            scores: Scores {
                r: packed / 25 + 1,
                f: packed / 5 % 5 + 1,
                m: packed % 5 + 1,
            },
        });
    }
    Ok(out)
}

/// A short fingerprint of a segment mapping (FNV-1a of its JSON): a snapshot made with other
/// rules is not compared with today's.
pub fn rules_hash(rules: &[RfmRule]) -> String {
    let json = serde_json::to_string(rules).unwrap_or_default();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in json.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Replaces the snapshot of `as_of`.
pub async fn save(
    store: &Store,
    as_of: NaiveDate,
    rules_hash: &str,
    entries: &[SnapshotEntry],
) -> anyhow::Result<()> {
    let data = encode(entries);
    let count = entries.len() as i64;
    with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM rfm_snapshots WHERE as_of = $1")
            .bind(as_of)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO rfm_snapshots (as_of, computed_at, customers, rules_hash, data) VALUES ($1, $2, $3, $4, $5)")
            .bind(as_of)
            .bind(Utc::now())
            .bind(count)
            .bind(rules_hash)
            .bind(&data)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }.await)
    .with_context(|| format!("failed to save the RFM snapshot of {as_of}"))
}

/// The snapshot of `as_of` if one was saved with the mapping `rules_hash`.
pub async fn load(
    store: &Store,
    as_of: NaiveDate,
    rules_hash: &str,
) -> anyhow::Result<Option<Vec<SnapshotEntry>>> {
    let row: Option<(Vec<u8>,)> = with_pool!(store, pool => {
        sqlx::query_as("SELECT data FROM rfm_snapshots WHERE as_of = $1 AND rules_hash = $2")
            .bind(as_of)
            .bind(rules_hash)
            .fetch_optional(pool)
            .await
    })
    .with_context(|| format!("failed to read the RFM snapshot of {as_of}"))?;
    row.map(|(data,)| decode(&data)).transpose()
}

/// Every snapshot this recent (days before the newest) is kept.
pub const DAILY_DAYS: i64 = 35;
/// Beyond [`DAILY_DAYS`] and up to this age, the latest snapshot of each ISO week is kept;
/// older, the latest of each month.
pub const WEEKLY_DAYS: i64 = 730;

/// Which of the snapshot days `days` (any order) the retention rule keeps, in order.
pub fn retained(days: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut days = days.to_vec();
    days.sort_unstable();
    days.dedup();
    let Some(&newest) = days.last() else {
        return days;
    };
    // Newest first: the first day seen of a week (or month) is its latest.
    let mut kept = Vec::new();
    let mut seen: std::collections::HashSet<(u8, i32, u32)> = std::collections::HashSet::new();
    for &day in days.iter().rev() {
        let age = (newest - day).num_days();
        let keep = if age <= DAILY_DAYS {
            true
        } else if age <= WEEKLY_DAYS {
            let w = day.iso_week();
            seen.insert((1, w.year(), w.week()))
        } else {
            seen.insert((2, day.year(), day.month()))
        };
        if keep {
            kept.push(day);
        }
    }
    kept.reverse();
    kept
}

/// Deletes the snapshots the retention rule does not keep; returns how many.
pub async fn prune(store: &Store) -> anyhow::Result<usize> {
    let days: Vec<NaiveDate> = with_pool!(store, pool => {
        sqlx::query_scalar("SELECT as_of FROM rfm_snapshots").fetch_all(pool).await
    })
    .context("failed to list the RFM snapshots")?;
    let keep: std::collections::HashSet<NaiveDate> = retained(&days).into_iter().collect();
    let drop: Vec<NaiveDate> = days.into_iter().filter(|d| !keep.contains(d)).collect();
    for day in &drop {
        with_pool!(store, pool => {
            sqlx::query("DELETE FROM rfm_snapshots WHERE as_of = $1")
                .bind(*day)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .with_context(|| format!("failed to delete the RFM snapshot of {day}"))?;
    }
    Ok(drop.len())
}

/// How many customers went from one segment to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub from: RfmSegment,
    pub to: RfmSegment,
    pub customers: i64,
}

/// Movements from `before` to `now`, largest first (ties in segment order); customers new to
/// the base (not in `before`) are counted apart.
pub fn movements(before: &[SnapshotEntry], now: &[SnapshotEntry]) -> (Vec<Movement>, i64) {
    let was: HashMap<i64, RfmSegment> = before.iter().map(|e| (e.customer_id, e.segment)).collect();
    let mut counts: HashMap<(RfmSegment, RfmSegment), i64> = HashMap::new();
    let mut entered = 0;
    for e in now {
        match was.get(&e.customer_id) {
            Some(&from) if from != e.segment => *counts.entry((from, e.segment)).or_default() += 1,
            Some(_) => {}
            None => entered += 1,
        }
    }
    let mut moves: Vec<Movement> = counts
        .into_iter()
        .map(|((from, to), customers)| Movement {
            from,
            to,
            customers,
        })
        .collect();
    moves.sort_by(|a, b| {
        b.customers
            .cmp(&a.customers)
            .then(a.from.cmp(&b.from))
            .then(a.to.cmp(&b.to))
    });
    (moves, entered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_35_days_then_weekly_then_monthly() {
        let newest: NaiveDate = "2026-11-24".parse().unwrap(); // a Tuesday
                                                               // Three years of daily snapshots.
        let days: Vec<NaiveDate> = (0..3 * 365)
            .map(|i| newest - chrono::Days::new(i))
            .collect();
        let kept = retained(&days);
        let age = |d: &NaiveDate| (newest - *d).num_days();
        // Every day of the last 35 (36 snapshots: ages 0..=35).
        assert_eq!(kept.iter().filter(|d| age(d) <= 35).count(), 36);
        // Ages 36..=730: the latest of each ISO week, i.e. the Sundays, plus the latest
        // older-than-35 day of the week straddling the boundary (age 36, a Monday here).
        let weekly: Vec<&NaiveDate> = kept
            .iter()
            .filter(|d| (36..=730).contains(&age(d)))
            .collect();
        assert!(weekly
            .iter()
            .all(|d| d.weekday() == chrono::Weekday::Sun || age(d) == 36));
        let sundays = (36..=730)
            .filter(|&a| (newest - chrono::Days::new(a)).weekday() == chrono::Weekday::Sun)
            .count();
        assert_eq!(weekly.len(), sundays + 1);
        // Older: one a month, the last day present of each month.
        let monthly: Vec<&NaiveDate> = kept.iter().filter(|d| age(d) > 730).collect();
        let mut months: Vec<(i32, u32)> = monthly.iter().map(|d| (d.year(), d.month())).collect();
        months.dedup();
        assert_eq!(months.len(), monthly.len(), "one per month");
        assert!(monthly
            .iter()
            .all(|d| (**d + chrono::Days::new(1)).day() == 1 || age(d) == 731));
        // Idempotent, and nothing is lost from a short history.
        assert_eq!(retained(&kept), kept);
        let recent: Vec<NaiveDate> = days[..30].to_vec();
        assert_eq!(retained(&recent).len(), 30);
        assert!(retained(&[]).is_empty());
    }

    #[test]
    fn snapshots_round_trip() {
        let entries: Vec<SnapshotEntry> =
            [(300_000i64, "555"), (1, "111"), (129, "345"), (7, "512")]
                .iter()
                .zip(RfmSegment::ALL)
                .map(|(&(id, code), segment)| {
                    let d: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
                    SnapshotEntry {
                        customer_id: id,
                        segment,
                        scores: Scores {
                            r: d[0],
                            f: d[1],
                            m: d[2],
                        },
                    }
                })
                .collect();
        let mut back = decode(&encode(&entries)).unwrap();
        back.sort_by_key(|e| e.customer_id);
        let mut want = entries.clone();
        want.sort_by_key(|e| e.customer_id);
        assert_eq!(back, want);
        assert!(decode(&[FORMAT_VERSION, 0x80]).is_err());
    }
}
