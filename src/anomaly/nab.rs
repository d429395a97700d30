//! The Numenta Anomaly Benchmark's ad-exchange series (NAB `data/realAdExchange`: six hourly
//! CPC and CPM series of an online ad exchange, 14 labelled anomaly windows), read from a
//! folder laid out like `../shared/data/nab`: `realAdExchange/*.csv` (`timestamp,value`)
//! and `labels/realAdExchange_windows.json` (else NAB's own `labels/combined_windows.json`).
//!
//! The files have gaps (hours missing, up to 64 in a series) and one repeated hour, so the
//! values are laid on a regular hourly grid from the first timestamp: a missing hour is NaN
//! (the detectors skip it), a repeated one keeps its last value. The grid keeps the
//! detector's season slots aligned with the hours of the day.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};

use super::score::{score_windows, ScoreOptions, Window, WindowScore};
use super::{Detector, PreviousRule};

/// NAB scores nothing in the first 15 % of a file (at most 750 rows).
const PROBATION_SHARE: f64 = 0.15;
const PROBATION_MAX_ROWS: usize = 750;

#[derive(Debug, thiserror::Error)]
pub enum NabError {
    #[error("NAB data not found: {} does not exist. It lives in ../shared/data/nab beside the checkout; elsewhere, take data/realAdExchange/ and labels/combined_windows.json from https://github.com/numenta/NAB into a folder and pass --nab-dir FOLDER", .0.display())]
    Missing(PathBuf),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", .path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}:{line}: {message}", .path.display())]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: {message}", .path.display())]
    Labels { path: PathBuf, message: String },
}

/// One series on its hourly grid, with its labelled windows.
#[derive(Debug, Clone)]
pub struct NabSeries {
    /// NAB's key, e.g. `realAdExchange/exchange-2_cpc_results.csv`.
    pub key: String,
    pub start: NaiveDateTime,
    /// One value per hour from `start`; NaN where the file has no row.
    pub values: Vec<f64>,
    /// Rows in the file (NAB's probation is a share of these).
    pub rows: usize,
    pub windows: Vec<Window>,
}

impl NabSeries {
    /// The file name without `_results.csv`, e.g. `exchange-2_cpc`.
    pub fn name(&self) -> &str {
        let file = self.key.rsplit('/').next().unwrap_or(&self.key);
        file.trim_end_matches(".csv").trim_end_matches("_results")
    }

    pub fn instant(&self, index: usize) -> NaiveDateTime {
        self.start + Duration::hours(index as i64)
    }

    /// Scores flagged grid indices the NAB way (probation skipped, one-hour merge gap).
    pub fn score(&self, flagged: impl IntoIterator<Item = usize>) -> WindowScore {
        let flags: Vec<NaiveDateTime> = flagged.into_iter().map(|i| self.instant(i)).collect();
        let probation = ((self.rows as f64 * PROBATION_SHARE) as usize).min(PROBATION_MAX_ROWS);
        let scored_from = self
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .nth(probation)
            .map(|(i, _)| self.instant(i));
        score_windows(
            &flags,
            &self.windows,
            &ScoreOptions {
                merge_gap: Duration::hours(1),
                scored_from,
            },
        )
    }
}

/// Reads every `realAdExchange/*.csv` of `dir` (sorted by name) with its windows.
pub fn load_ad_exchange(dir: &Path) -> Result<Vec<NabSeries>, NabError> {
    let data = dir.join("realAdExchange");
    if !data.is_dir() {
        return Err(NabError::Missing(data));
    }
    let labels = read_windows(dir)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| NabError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .map_err(io(&data))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let key = format!("realAdExchange/{}", file.unwrap_or_default());
        let windows = labels.get(&key).cloned().ok_or_else(|| NabError::Labels {
            path: dir.join("labels"),
            message: format!("no windows for {key}"),
        })?;
        let (start, values, rows) = read_series(&path)?;
        out.push(NabSeries {
            key,
            start,
            values,
            rows,
            windows,
        });
    }
    Ok(out)
}

fn read_series(path: &Path) -> Result<(NaiveDateTime, Vec<f64>, usize), NabError> {
    let csv_error = |source| NabError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_error)?;
    let mut rows: Vec<(NaiveDateTime, f64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let parse_error = |message: String| NabError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        };
        let (Some(ts), Some(value)) = (record.get(0), record.get(1)) else {
            return Err(parse_error("expected timestamp,value".into()));
        };
        let t = parse_instant(ts).ok_or_else(|| parse_error(format!("bad timestamp {ts:?}")))?;
        let v: f64 = value
            .trim()
            .parse()
            .map_err(|_| parse_error(format!("bad value {value:?}")))?;
        rows.push((t, v));
    }
    let start = rows
        .iter()
        .map(|(t, _)| *t)
        .min()
        .ok_or_else(|| NabError::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: "no rows".into(),
        })?;
    let hour = |t: NaiveDateTime| ((t - start).num_seconds() as f64 / 3600.0).round() as usize;
    let len = rows.iter().map(|(t, _)| hour(*t)).max().unwrap_or(0) + 1;
    let mut values = vec![f64::NAN; len];
    for (t, v) in &rows {
        values[hour(*t)] = *v;
    }
    Ok((start, values, rows.len()))
}

/// `2011-07-01 00:15:01`, with or without NAB labels' `.000000`.
fn parse_instant(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()
}

fn read_windows(dir: &Path) -> Result<BTreeMap<String, Vec<Window>>, NabError> {
    let subset = dir.join("labels/realAdExchange_windows.json");
    let path = if subset.is_file() {
        subset
    } else {
        dir.join("labels/combined_windows.json")
    };
    let text = std::fs::read_to_string(&path).map_err(|source| NabError::Io {
        path: path.clone(),
        source,
    })?;
    let labels_error = |message: String| NabError::Labels {
        path: path.clone(),
        message,
    };
    let raw: BTreeMap<String, Vec<[String; 2]>> =
        serde_json::from_str(&text).map_err(|e| labels_error(e.to_string()))?;
    let mut out = BTreeMap::new();
    for (key, windows) in raw {
        let mut parsed = Vec::with_capacity(windows.len());
        for [a, b] in windows {
            let (Some(start), Some(end)) = (parse_instant(&a), parse_instant(&b)) else {
                return Err(labels_error(format!("{key}: bad window [{a:?}, {b:?}]")));
            };
            parsed.push(Window { start, end });
        }
        out.insert(key, parsed);
    }
    Ok(out)
}

/// One series scored for both detectors.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NabComparison {
    pub series: String,
    pub seasonal: WindowScore,
    pub previous: WindowScore,
}

/// Runs the seasonal detector and the previous rule on each series and scores both.
pub fn compare(
    series: &[NabSeries],
    detector: &Detector,
    previous: &PreviousRule,
) -> Vec<NabComparison> {
    series
        .iter()
        .map(|s| NabComparison {
            series: s.name().to_string(),
            seasonal: s.score(detector.detect(&s.values, &[]).iter().map(|f| f.index)),
            previous: s.score(previous.detect(&s.values).iter().map(|f| f.index)),
        })
        .collect()
}
