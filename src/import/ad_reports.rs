//! Ad-platform reports into `ad_spend`: Google Ads UI reports (campaign or ad level,
//! channel `google`) and Meta Ads Manager exports (channel `meta`), in English or French.
//!
//! Google's UI writes a title and a date range above the header, ` --` for "no value", quoted
//! thousands (`"795,836"`) and `Total: …` rows at the end; those rows are skipped, not summed.
//! Ad-level rows are summed per campaign and day. A report with a `Day` column is imported day
//! by day. A report without one holds totals over its date range: they are **spread evenly
//! over the days of the range** (exactly, in cents, remainders to the first days), so daily
//! ROAS and spend series stay meaningful and any sum over the whole range equals the report;
//! the range comes from the report's second line, or from `--period` (required when the
//! report says "All time"). Meta's exports without a day breakdown give each row its own
//! `Reporting starts` / `Reporting ends`: such a row is spread over its own days. Re-importing a report, or a later one over the same days,
//! replaces those days' figures per campaign. Klaviyo's campaign and flow exports
//! (`klaviyo.rs`) go through the same pipeline with their own row reader.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;

use super::db::{Tx, Val};
use super::error::ImportError;
use super::order::allocate;
use super::order_sink::insert_rows;
use super::parse::{cents, count, day, norm_header};
use super::reader::{opt, req, req_prefix, CsvSource, Field, Row};
use super::rejects::{reject_path, RejectFile};
use super::{ImportOptions, ImportSummary, OnError};
use crate::domain::Period;
use crate::store::{ShopSettings, Store};

/// The day (or first day) column: field 0 of every platform, so that the pipeline can tell a
/// report by day from one over a period.
pub(super) const DAY: usize = 0;
const CAMPAIGN: usize = 1;
const COST: usize = 2;
const IMPRESSIONS: usize = 3;
const CLICKS: usize = 4;
const INTERACTIONS: usize = 5;
const CONVERSIONS: usize = 6;
const CONV_VALUE: usize = 7;
const CURRENCY: usize = 8;
const END: usize = 9;

static GOOGLE_FIELDS: [Field; 10] = [
    opt(&["Day", "Jour", "Date"]),
    req(&[
        "Campaign",
        "Campagne",
        "Campaign name",
        "Nom de la campagne",
    ]),
    req(&["Cost", "Coût", "Spend", "Dépenses"]),
    opt(&["Impr.", "Impressions", "Impr"]),
    opt(&["Clicks", "Clics"]),
    opt(&["Interactions"]),
    opt(&["Conversions", "Conv."]),
    opt(&[
        "Conv. value",
        "Conversion value",
        "Valeur de conv.",
        "Valeur de conversion",
    ]),
    opt(&["Currency code", "Currency", "Code de la devise", "Devise"]),
    opt(&["End date", "Date de fin"]),
];

static META_FIELDS: [Field; 10] = [
    opt(&[
        "Day",
        "Jour",
        "Reporting starts",
        "Début des rapports",
        "Date",
    ]),
    req(&[
        "Campaign name",
        "Nom de la campagne",
        "Campaign",
        "Campagne",
    ]),
    req_prefix(&["Amount spent", "Montant dépensé", "Dépenses"]),
    opt(&["Impressions"]),
    opt(&["Link clicks", "Clics sur un lien", "Clics sur le lien"]),
    opt(&["Clicks (all)", "Clics (tous)"]),
    opt(&["Purchases", "Achats", "Results", "Résultats"]),
    opt(&[
        "Purchases conversion value",
        "Valeur de conversion des achats",
        "Purchase conversion value",
    ]),
    opt(&["Currency", "Devise"]),
    opt(&["Reporting ends", "Fin des rapports"]),
];

/// One ad platform's report format and where its rows go.
pub struct Platform {
    pub(super) kind: &'static str,
    pub(super) channel: &'static str,
    pub(super) source: &'static str,
    /// The columns it reads; field [`DAY`] is the day (or first day) of a row.
    pub(super) fields: &'static [Field],
    /// Reads one data row that is not a `Total` row; `None` for a row that holds no figures
    /// (counted as skipped).
    pub(super) parse: fn(&Row<'_>) -> Result<Option<AdRow>, ImportError>,
}

pub static GOOGLE: Platform = Platform {
    kind: "google-ads",
    channel: "google",
    source: "google_ads",
    fields: &GOOGLE_FIELDS,
    parse: ad_row,
};

pub static META: Platform = Platform {
    kind: "meta-ads",
    channel: "meta",
    source: "meta_ads",
    fields: &META_FIELDS,
    parse: ad_row,
};

/// One row of a report, read.
pub(super) struct AdRow {
    /// The row's own first and last day; `None` for the report's period.
    pub days: Option<(NaiveDate, NaiveDate)>,
    pub campaign: String,
    /// `None`: the shop's currency.
    pub currency: Option<String>,
    pub figures: Figures,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Figures {
    pub spend: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub value: Option<i64>,
}

/// (the row's own first and last day, or None for the report's period; campaign) →
/// (currency, figures).
type Totals = BTreeMap<(Option<(NaiveDate, NaiveDate)>, String), (String, Figures)>;

impl Figures {
    fn add(&mut self, f: &Figures) {
        self.spend += f.spend;
        self.impressions += f.impressions;
        self.clicks += f.clicks;
        self.conversions += f.conversions;
        self.value = match (self.value, f.value) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
    }
}

/// The report's date range line, e.g. `"March 27, 2026 - April 23, 2026"`.
fn preamble_period(lines: &[String]) -> Option<Period> {
    lines.iter().find_map(|line| {
        let line = line.trim_matches('"');
        let (a, b) = line.split_once(" - ").or_else(|| line.split_once(" – "))?;
        Period::new(day(a).ok()??, day(b).ok()??).ok()
    })
}

fn is_total_row(first_cell: &str) -> bool {
    let t = first_cell.trim();
    norm_header(t).starts_with("total") && (t.contains(':') || norm_header(t) == "total")
}

pub async fn import(
    store: &Store,
    platform: &Platform,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, platform.kind, platform.fields)?;
    let shop_currency = ShopSettings::load(store)
        .await?
        .map_or_else(|| "EUR".to_string(), |s| s.currency);
    let period = opts.period.or_else(|| preamble_period(&src.preamble));
    if !src.has(DAY) && period.is_none() {
        return Err(ImportError::Header {
            file: src.file.clone(),
            line: src.header_line,
            problem: format!(
                "the report has no Day column and its date range ({:?}) names no days",
                src.preamble.get(1).or(src.preamble.first()).map_or("", |s| s.as_str())
            ),
            fix: "pass --period FROM..TO with the days it covers (e.g. --period 2026-01-01..2026-01-31), \
                  or download the report by day (with a Day column)"
                .into(),
        }
        .into());
    }
    let quarantine = opts.on_error == OnError::Quarantine;
    let mut rejects: Option<RejectFile> = None;
    let mut summary = ImportSummary {
        file: path.display().to_string(),
        kind: platform.kind.into(),
        dry_run: opts.dry_run,
        ..ImportSummary::default()
    };
    // (the row's days, or None for the report's period; campaign) → (currency, figures)
    let mut totals: Totals = BTreeMap::new();
    let headers = src.headers().to_vec();
    let delimiter = src.delimiter;
    while let Some(row) = src.next_row() {
        summary.rows_read += 1;
        let parsed = row.and_then(|row| {
            if is_total_row(&row.first_cell()) {
                return Ok(None);
            }
            (platform.parse)(&row)
        });
        match parsed {
            Ok(None) => summary.skipped += 1,
            Ok(Some(r)) => {
                let currency = r.currency.unwrap_or_else(|| shop_currency.clone());
                let entry = totals
                    .entry((r.days, r.campaign))
                    .or_insert_with(|| (currency, Figures::default()));
                entry.1.add(&r.figures);
            }
            Err(error) if quarantine && error.is_row_level() => {
                if rejects.is_none() {
                    let dir = opts.rejects_dir.clone().unwrap_or_else(|| ".".into());
                    rejects = Some(RejectFile::create(
                        reject_path(path, &dir),
                        &headers,
                        delimiter,
                    )?);
                }
                if let Some(r) = rejects.as_mut() {
                    r.write(&[src.last_raw()], &error.reason())?;
                }
                summary.rejected += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
    let days = daily_rows(totals, period, &mut summary);
    write(store, platform, days, opts, &mut summary).await?;
    summary.reject_file = rejects.map(RejectFile::finish).transpose()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A Google Ads or Meta row.
fn ad_row(row: &Row<'_>) -> Result<Option<AdRow>, ImportError> {
    let style = row.style();
    let days = if row.has(DAY) {
        let start = row.require(DAY, day)?;
        let end = row.parse(END, day)?.unwrap_or(start);
        let p = Period::new(start, end).map_err(|e| {
            ImportError::row(row.file(), row.line(), format!("reporting period: {e}"))
        })?;
        Some((p.from, p.to))
    } else {
        None
    };
    let clicks = match row.parse(CLICKS, |t| count(t, style))? {
        Some(c) => Some(c),
        None => row.parse(INTERACTIONS, |t| count(t, style))?,
    };
    Ok(Some(AdRow {
        days,
        campaign: row.get(CAMPAIGN).trim().to_string(),
        currency: Some(row.get(CURRENCY).trim().to_ascii_uppercase()).filter(|c| c.len() == 3),
        figures: Figures {
            spend: row.parse(COST, |t| cents(t, style))?.unwrap_or(0),
            impressions: row.parse(IMPRESSIONS, |t| count(t, style))?.unwrap_or(0),
            clicks: clicks.unwrap_or(0),
            conversions: row.parse(CONVERSIONS, |t| count(t, style))?.unwrap_or(0),
            value: row.parse(CONV_VALUE, |t| cents(t, style))?,
        },
    }))
}

/// Per (day, campaign) figures: each aggregate spread evenly over its days (a dated row
/// is one day, kept as it is).
fn daily_rows(
    totals: Totals,
    period: Option<Period>,
    summary: &mut ImportSummary,
) -> BTreeMap<(NaiveDate, String), (String, Figures)> {
    let mut out = BTreeMap::new();
    for ((days, campaign), (currency, f)) in totals {
        let Some(p) = days.map(|(from, to)| Period { from, to }).or(period) else {
            unreachable!("checked before reading rows")
        };
        if p.days() > 1 && f == Figures::default() {
            // Nothing to spread: a campaign with no activity over the range.
            summary.skipped += 1;
            continue;
        }
        let ones = vec![1; p.days() as usize];
        let spread = |v: i64| allocate(v, &ones);
        let (s, i, c, k) = (
            spread(f.spend),
            spread(f.impressions),
            spread(f.clicks),
            spread(f.conversions),
        );
        let v = f.value.map(spread);
        for (j, d) in p.iter_days().enumerate() {
            let fig = Figures {
                spend: s[j],
                impressions: i[j],
                clicks: c[j],
                conversions: k[j],
                value: v.as_ref().map(|v| v[j]),
            };
            let entry = out
                .entry((d, campaign.clone()))
                .or_insert_with(|| (currency.clone(), Figures::default()));
            entry.1.add(&fig);
        }
    }
    out
}

/// Writes days of figures per campaign (also the Google Ads API connector's way in, so both
/// replace the same rows the same way).
pub(crate) async fn write(
    store: &Store,
    platform: &Platform,
    days: BTreeMap<(NaiveDate, String), (String, Figures)>,
    opts: &ImportOptions,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let (Some(first), Some(last)) = (
        days.keys().next().map(|k| k.0),
        days.keys().last().map(|k| k.0),
    ) else {
        return Ok(());
    };
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    type Stored = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let existing: Vec<Stored> = match &mut tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(EXISTING)
                .bind(platform.channel)
                .bind(first)
                .bind(last)
                .fetch_all(&mut **t)
                .await
        }
        Tx::Postgres(t) => {
            sqlx::query_as(EXISTING)
                .bind(platform.channel)
                .bind(first)
                .bind(last)
                .fetch_all(&mut **t)
                .await
        }
    }
    .context("failed to read the stored ad spend")?;
    let existing: HashMap<(String, String), Stored> = existing
        .into_iter()
        .map(|r| ((r.0.get(..10).unwrap_or("").to_string(), r.1.clone()), r))
        .collect();
    let mut rows = Vec::new();
    for ((date, campaign), (currency, f)) in days {
        let key = (date.format("%Y-%m-%d").to_string(), campaign.clone());
        let new = (
            currency.clone(),
            f.spend,
            Some(f.impressions),
            Some(f.clicks),
            Some(f.conversions),
            f.value,
        );
        match existing.get(&key) {
            Some(old) if (old.2.clone(), old.3, old.4, old.5, old.6, old.7) == new => {
                summary.skipped += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
            None => summary.inserted += 1,
        }
        rows.push((date, campaign, currency, f));
    }
    // Delete-then-insert keeps one statement shape for new and changed days.
    for (date, campaign, _, _) in &rows {
        tx.execute(
            if tx.numbered() {
                DELETE_PG
            } else {
                DELETE_SQLITE
            },
            vec![
                Val::Date(*date),
                Val::Text(platform.channel.into()),
                Val::Text(campaign.clone()),
            ],
        )
        .await
        .context("failed to replace ad spend")?;
    }
    let values: Vec<[Val; 10]> = rows
        .into_iter()
        .map(|(date, campaign, currency, f)| {
            [
                Val::Date(date),
                Val::Text(platform.channel.into()),
                Val::Text(campaign),
                Val::Text(platform.source.into()),
                Val::Text(currency),
                Val::Int(f.spend),
                Val::Int(f.impressions),
                Val::Int(f.clicks),
                Val::Int(f.conversions),
                f.value.into(),
            ]
        })
        .collect();
    insert_rows(&mut tx, "ad_spend", &AD_COLUMNS, values).await?;
    if opts.dry_run {
        tx.rollback()
            .await
            .context("failed to roll back the dry run")?;
    } else {
        tx.commit().await.context("failed to commit the import")?;
    }
    Ok(())
}

const EXISTING: &str =
    "SELECT CAST(date AS TEXT), campaign, currency, spend_cents, impressions, clicks, \
     conversions, conversion_value_cents FROM ad_spend \
     WHERE channel = $1 AND date BETWEEN $2 AND $3";
const DELETE_SQLITE: &str = "DELETE FROM ad_spend WHERE date = ? AND channel = ? AND campaign = ?";
const DELETE_PG: &str = "DELETE FROM ad_spend WHERE date = $1 AND channel = $2 AND campaign = $3";
const AD_COLUMNS: [&str; 10] = [
    "date",
    "channel",
    "campaign",
    "source",
    "currency",
    "spend_cents",
    "impressions",
    "clicks",
    "conversions",
    "conversion_value_cents",
];
