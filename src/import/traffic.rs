//! `ga4`: Google Analytics 4's traffic acquisition export into `traffic` (sessions and
//! conversions per day and source / medium, with the channel they map to).
//!
//! GA4 writes `#` comment lines above the header (report name, `# Start date: 20261101`,
//! `# End date: 20261130`), dates as `20261101`, and `Session source / medium` as one
//! column. A report with a `Date` column is stored day by day; without one, its totals are
//! spread evenly over the report's dates (from the comments, or `--period`), as ad reports are.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;

use super::db::{Tx, Val};
use super::error::ImportError;
use super::order::allocate;
use super::parse::{count, day, norm_header};
use super::plans::{finish, new_summary, read_rows};
use super::reader::{opt, req, CsvSource, Field};
use super::{ImportOptions, ImportSummary};
use crate::domain::{Channel, Period};
use crate::store::Store;

static FIELDS: [Field; 4] = [
    opt(&["Date", "Jour"]),
    req(&[
        "Session source / medium",
        "Source / medium",
        "Source/support de la session",
        "Source / support de la session",
        "Source / support",
    ]),
    req(&["Sessions"]),
    opt(&[
        "Conversions",
        "Key events",
        "Événements clés",
        "Evenements cles",
    ]),
];

/// The channel of a GA4 source / medium.
pub fn traffic_channel(source: &str, medium: &str) -> Channel {
    let (s, m) = (source.to_ascii_lowercase(), medium.to_ascii_lowercase());
    let paid = [
        "cpc",
        "ppc",
        "paid",
        "paidsocial",
        "paid_social",
        "display",
        "cpm",
    ]
    .iter()
    .any(|p| m.contains(p));
    if ["facebook", "instagram", "meta", "fb", "ig"]
        .iter()
        .any(|w| s.contains(w))
    {
        Channel::Meta
    } else if s.contains("google") && paid {
        Channel::Google
    } else if m.contains("email") || s.contains("klaviyo") || s.contains("newsletter") {
        Channel::Email
    } else if m == "organic" || m == "referral" && s.contains("search") {
        Channel::Organic
    } else if s == "(direct)" || m == "(none)" {
        Channel::Direct
    } else {
        Channel::Other
    }
}

/// `# Start date: 20261101` and `# End date: 20261130` among the comment lines.
fn comment_period(lines: &[String]) -> Option<Period> {
    let find = |key: &str| {
        lines.iter().find_map(|l| {
            let l = l.trim_start_matches('#').trim();
            let (k, v) = l.split_once(':')?;
            (norm_header(k) == key).then(|| day(v).ok().flatten())?
        })
    };
    Period::new(find("startdate")?, find("enddate")?).ok()
}

pub async fn import_ga4(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "ga4", &FIELDS)?;
    let period = opts.period.or_else(|| comment_period(&src.preamble));
    if !src.has(0) && period.is_none() {
        return Err(ImportError::Header {
            file: src.file.clone(),
            line: src.header_line,
            problem: "the report has no Date column and no `# Start date` / `# End date` lines".into(),
            fix: "pass --period FROM..TO with the days it covers, or export it with the Date dimension".into(),
        }
        .into());
    }
    let mut summary = new_summary(path, "ga4", opts);
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let style = row.style();
        let date = if row.has(0) {
            Some(row.require(0, day)?)
        } else {
            None
        };
        let pair = row.get(1).trim().to_string();
        let (source, medium) = pair
            .split_once('/')
            .map_or((pair.as_str(), ""), |(s, m)| (s.trim(), m.trim()));
        let sessions = row.require(2, |t| count(t, style))?;
        let conversions = row.parse(3, |t| count(t, style))?;
        Ok((
            date,
            source.to_string(),
            medium.to_string(),
            sessions,
            conversions,
        ))
    })?;
    let mut days: BTreeMap<(NaiveDate, String, String), (i64, Option<i64>)> = BTreeMap::new();
    for (date, source, medium, sessions, conversions) in rows {
        let span = date.map_or_else(|| period.expect("checked above"), Period::day);
        let ones = vec![1; span.days() as usize];
        let s = allocate(sessions, &ones);
        let c = conversions.map(|c| allocate(c, &ones));
        for (i, d) in span.iter_days().enumerate() {
            let e = days
                .entry((d, source.clone(), medium.clone()))
                .or_insert((0, None));
            e.0 += s[i];
            if let Some(c) = &c {
                e.1 = Some(e.1.unwrap_or(0) + c[i]);
            }
        }
    }
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    let n = tx.numbered();
    for ((date, source, medium), (sessions, conversions)) in days {
        let key = vec![
            Val::Date(date),
            Val::Text(source.clone()),
            Val::Text(medium.clone()),
        ];
        let select = if n {
            "SELECT sessions FROM traffic WHERE date = $1 AND source = $2 AND medium = $3"
        } else {
            "SELECT sessions FROM traffic WHERE date = ? AND source = ? AND medium = ?"
        };
        match tx
            .optional_i64(select, key)
            .await
            .context("failed to read traffic")?
        {
            Some(old) if old == sessions => summary.skipped += 1,
            Some(_) => summary.updated += 1,
            None => summary.inserted += 1,
        }
        let channel = traffic_channel(&source, &medium).key();
        let sql = if n {
            "INSERT INTO traffic (date, source, medium, channel, sessions, conversions) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (date, source, medium) DO UPDATE SET channel = excluded.channel, sessions = excluded.sessions, conversions = excluded.conversions"
        } else {
            "INSERT INTO traffic (date, source, medium, channel, sessions, conversions) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (date, source, medium) DO UPDATE SET channel = excluded.channel, sessions = excluded.sessions, conversions = excluded.conversions"
        };
        let vals = vec![
            Val::Date(date),
            Val::Text(source),
            Val::Text(medium),
            Val::Text(channel.into()),
            Val::Int(sessions),
            conversions.into(),
        ];
        tx.execute(sql, vals)
            .await
            .context("failed to write traffic")?;
    }
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
