//! `targets` (revenue objective per day, or per month split over its days) and `cash`
//! (bank balance by date): the small hand-kept spreadsheets a CEO compares the shop against.
//!
//! Both are keyed tables (`targets` by day, `cash_balances` by day and account): a row for a
//! key already stored replaces it, an identical one is skipped. A monthly target (`2026-11`
//! in the date column) is split over the month's days in proportion to weekday weights taken
//! from optional `Mon`…`Sun` (`Lun`…`Dim`) columns, equal when absent, exactly to the cent.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};

use super::db::{Tx, Val};
use super::error::{CellError, ImportError};
use super::order::allocate;
use super::parse::{cents, day};
use super::reader::{opt, req, CsvSource, Field, Row};
use super::rejects::{reject_path, RejectFile};
use super::{ImportOptions, ImportSummary, OnError};
use crate::store::{ShopSettings, Store};

static TARGET_FIELDS: [Field; 9] = [
    req(&["Date", "Day", "Jour", "Month", "Mois"]),
    req(&[
        "Target",
        "Revenue target",
        "Objectif",
        "Objectif CA",
        "Objectif de CA",
        "Revenue",
    ]),
    opt(&["Mon", "Monday", "Lun", "Lundi"]),
    opt(&["Tue", "Tuesday", "Mar", "Mardi"]),
    opt(&["Wed", "Wednesday", "Mer", "Mercredi"]),
    opt(&["Thu", "Thursday", "Jeu", "Jeudi"]),
    opt(&["Fri", "Friday", "Ven", "Vendredi"]),
    opt(&["Sat", "Saturday", "Sam", "Samedi"]),
    opt(&["Sun", "Sunday", "Dim", "Dimanche"]),
];

static CASH_FIELDS: [Field; 4] = [
    req(&["Date", "Day", "Jour"]),
    req(&["Balance", "Cash", "Solde", "Trésorerie"]),
    opt(&["Account", "Compte"]),
    opt(&["Currency", "Devise"]),
];

/// `2026-11` or `11/2026`: a month.
fn month(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let (y, m) = match t.split_once('-') {
        Some((y, m)) if y.len() == 4 => (y, m),
        _ => {
            let (m, y) = t.split_once('/')?;
            (y, m)
        }
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// Reads every row with `parse`, quarantining or failing on bad ones as `opts` says.
pub(super) fn read_rows<T>(
    src: &mut CsvSource,
    path: &Path,
    opts: &ImportOptions,
    summary: &mut ImportSummary,
    mut parse: impl FnMut(&Row<'_>) -> Result<T, ImportError>,
) -> anyhow::Result<Vec<T>> {
    let headers = src.headers().to_vec();
    let delimiter = src.delimiter;
    let mut rejects: Option<RejectFile> = None;
    let mut out = Vec::new();
    while let Some(row) = src.next_row() {
        summary.rows_read += 1;
        match row.and_then(|r| parse(&r)) {
            Ok(v) => out.push(v),
            Err(e) if opts.on_error == OnError::Quarantine && e.is_row_level() => {
                if rejects.is_none() {
                    let dir = opts.rejects_dir.clone().unwrap_or_else(|| ".".into());
                    rejects = Some(RejectFile::create(
                        reject_path(path, &dir),
                        &headers,
                        delimiter,
                    )?);
                }
                if let Some(r) = rejects.as_mut() {
                    r.write(&[src.last_raw()], &e.reason())?;
                }
                summary.rejected += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    summary.reject_file = rejects.map(RejectFile::finish).transpose()?;
    Ok(out)
}

pub(super) fn new_summary(path: &Path, kind: &str, opts: &ImportOptions) -> ImportSummary {
    ImportSummary {
        file: path.display().to_string(),
        kind: kind.into(),
        dry_run: opts.dry_run,
        ..ImportSummary::default()
    }
}

pub async fn import_targets(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "targets", &TARGET_FIELDS)?;
    let mut summary = new_summary(path, "targets", opts);
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let style = row.style();
        let amount = row.require(1, |t| cents(t, style))?;
        let text = row.get(0);
        if let Ok(Some(d)) = day(&text) {
            return Ok(vec![(d, amount)]);
        }
        let first = month(&text).ok_or_else(|| {
            ImportError::cell(
                row.file(),
                &row.place(0),
                &text,
                CellError::expected("a day such as 2026-11-20 or a month such as 2026-11"),
            )
        })?;
        let mut weights = [1i64; 7];
        for (i, w) in weights.iter_mut().enumerate() {
            if let Some(v) = row.parse(2 + i, |t| cents(t, style))? {
                *w = v;
            }
        }
        let days: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| d.month() == first.month())
            .collect();
        let per_day: Vec<i64> = days
            .iter()
            .map(|d| weights[d.weekday().num_days_from_monday() as usize])
            .collect();
        Ok(days.into_iter().zip(allocate(amount, &per_day)).collect())
    })?;
    let targets: BTreeMap<NaiveDate, i64> = rows.into_iter().flatten().collect();
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    let n = tx.numbered();
    for (date, amount) in targets {
        let sql = if n {
            "SELECT revenue_cents FROM targets WHERE date = $1"
        } else {
            "SELECT revenue_cents FROM targets WHERE date = ?"
        };
        let old = fetch_i64(&mut tx, sql, vec![Val::Date(date)]).await?;
        match old {
            Some(v) if v == amount => {
                summary.skipped += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
            None => summary.inserted += 1,
        }
        let sql = if n {
            "INSERT INTO targets (date, revenue_cents) VALUES ($1, $2) ON CONFLICT (date) DO UPDATE SET revenue_cents = excluded.revenue_cents"
        } else {
            "INSERT INTO targets (date, revenue_cents) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET revenue_cents = excluded.revenue_cents"
        };
        tx.execute(sql, vec![Val::Date(date), Val::Int(amount)])
            .await
            .context("failed to write targets")?;
    }
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

pub async fn import_cash(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "cash", &CASH_FIELDS)?;
    let shop_currency = ShopSettings::load(store)
        .await?
        .map_or_else(|| "EUR".to_string(), |s| s.currency);
    let mut summary = new_summary(path, "cash", opts);
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let style = row.style();
        let date = row.require(0, day)?;
        let balance = row.require(1, |t| cents(t, style))?;
        let account = Some(row.get(2).trim().to_string())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "main".into());
        let currency = Some(row.get(3).trim().to_ascii_uppercase())
            .filter(|c| c.len() == 3)
            .unwrap_or_else(|| shop_currency.clone());
        Ok((date, account, balance, currency))
    })?;
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    let n = tx.numbered();
    for (date, account, balance, currency) in rows {
        let sql = if n {
            "SELECT balance_cents FROM cash_balances WHERE date = $1 AND account = $2 AND currency = $3"
        } else {
            "SELECT balance_cents FROM cash_balances WHERE date = ? AND account = ? AND currency = ?"
        };
        let key = vec![
            Val::Date(date),
            Val::Text(account.clone()),
            Val::Text(currency.clone()),
        ];
        match fetch_i64(&mut tx, sql, key).await? {
            Some(v) if v == balance => {
                summary.skipped += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
            None => summary.inserted += 1,
        }
        let sql = if n {
            "INSERT INTO cash_balances (date, account, balance_cents, currency) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (date, account) DO UPDATE SET balance_cents = excluded.balance_cents, currency = excluded.currency"
        } else {
            "INSERT INTO cash_balances (date, account, balance_cents, currency) VALUES (?, ?, ?, ?) \
             ON CONFLICT (date, account) DO UPDATE SET balance_cents = excluded.balance_cents, currency = excluded.currency"
        };
        tx.execute(
            sql,
            vec![
                Val::Date(date),
                Val::Text(account),
                Val::Int(balance),
                Val::Text(currency),
            ],
        )
        .await
        .context("failed to write cash balances")?;
    }
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

async fn fetch_i64(tx: &mut Tx, sql: &str, vals: Vec<Val>) -> anyhow::Result<Option<i64>> {
    tx.optional_i64(sql, vals)
        .await
        .context("failed to read the stored value")
}

pub(super) async fn finish(tx: Tx, opts: &ImportOptions) -> anyhow::Result<()> {
    if opts.dry_run {
        tx.rollback()
            .await
            .context("failed to roll back the dry run")
    } else {
        tx.commit().await.context("failed to commit the import")
    }
}
