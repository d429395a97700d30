//! Running a metric: wrap its facts SELECT in the aggregation for the asked breakdown, bind
//! the period and the extra parameters, decode `key`, `num`, `den`, and apply the value rule.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use super::header::{Dimension, EmptyRule, MetricDef, ParamType, Unit, ValueRule};
use crate::domain::Period;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("metric {metric} cannot be broken down by {by}: allowed breakdowns are {allowed}")]
    BadBreakdown {
        metric: String,
        by: Dimension,
        allowed: String,
    },
    #[error("metric {metric}: missing value for parameter :{param}")]
    MissingParam { metric: String, param: String },
    #[error("metric {metric}: parameter :{param} expects {expected}, got {value:?}")]
    BadParam {
        metric: String,
        param: String,
        expected: &'static str,
        value: String,
    },
    #[error("metric {metric} ({file}) failed on the database: {source}")]
    Database {
        metric: String,
        file: String,
        source: sqlx::Error,
    },
}

/// One line of a result: the breakdown key (none for the total) and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRow {
    pub key: Option<String>,
    pub num: i64,
    pub den: Option<i64>,
    /// The figure in the metric's unit (money: minor units; percent: 0–100). `None`: no
    /// data, or a ratio whose denominator is zero.
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricResult {
    pub metric: String,
    pub unit: Unit,
    pub period: Period,
    pub by: Option<Dimension>,
    pub rows: Vec<MetricRow>,
}

impl MetricResult {
    /// The single figure of a result without breakdown.
    pub fn total(&self) -> Option<&MetricRow> {
        self.rows.first()
    }

    pub fn value(&self) -> Option<f64> {
        self.total().and_then(|r| r.value)
    }

    /// The row for one breakdown key.
    pub fn row(&self, key: &str) -> Option<&MetricRow> {
        self.rows.iter().find(|r| r.key.as_deref() == Some(key))
    }
}

/// A decoded result row: key, fact count, SUM(num), SUM(den).
type RawRow = (Option<String>, i64, Option<i64>, Option<i64>);

/// A value for an extra parameter, parsed from text by its declared type.
#[derive(Debug, Clone)]
enum Bound {
    Date(NaiveDate),
    Text(String),
    Int(i64),
}

impl MetricDef {
    /// The SQL actually sent for a breakdown: the facts wrapped in the aggregation.
    pub fn wrapped_sql(&self, by: Option<Dimension>) -> String {
        let den = if self.value == ValueRule::Ratio {
            ", CAST(SUM(den) AS BIGINT) AS den"
        } else {
            ""
        };
        match by {
            None => format!(
                "SELECT COUNT(*) AS n, CAST(SUM(num) AS BIGINT) AS num{den}\nFROM (\n{}\n) facts",
                self.sql.text.trim_end().trim_end_matches(';')
            ),
            Some(dim) => {
                let col = dim.column();
                format!(
                    "SELECT CAST({col} AS TEXT) AS key, COUNT(*) AS n, CAST(SUM(num) AS BIGINT) AS num{den}\nFROM (\n{}\n) facts\nGROUP BY {col}\nORDER BY {col}",
                    self.sql.text.trim_end().trim_end_matches(';')
                )
            }
        }
    }

    /// Runs the metric over `period`, split by `by`, with `extra` parameter values as text.
    pub async fn run(
        &self,
        store: &Store,
        period: Period,
        by: Option<Dimension>,
        extra: &BTreeMap<String, String>,
    ) -> Result<MetricResult, QueryError> {
        self.run_where(store, period, by, extra, None).await
    }

    /// [`MetricDef::run`] on the facts of one breakdown key only (`(Channel, "meta")`): the
    /// daily ROAS of one channel, say. The filter dimension must be one of the metric's
    /// breakdowns.
    pub async fn run_where(
        &self,
        store: &Store,
        period: Period,
        by: Option<Dimension>,
        extra: &BTreeMap<String, String>,
        only: Option<(Dimension, &str)>,
    ) -> Result<MetricResult, QueryError> {
        for dim in by.into_iter().chain(only.map(|(d, _)| d)) {
            if !self.breakdowns.contains(&dim) {
                let allowed: Vec<_> = self.breakdowns.iter().map(|d| d.column()).collect();
                return Err(QueryError::BadBreakdown {
                    metric: self.name.clone(),
                    by: dim,
                    allowed: if allowed.is_empty() {
                        "none".into()
                    } else {
                        allowed.join(", ")
                    },
                });
            }
        }
        let mut binds = self.binds(period, by, extra)?;
        let mut sql = self.wrapped_sql(by);
        if let Some((dim, key)) = only {
            let filter = format!(
                ") facts\nWHERE CAST({} AS TEXT) = ${}",
                dim.column(),
                binds.len() + 1
            );
            sql = sql.replacen(") facts", &filter, 1);
            binds.push(Bound::Text(key.to_string()));
        }
        let db_err = |source| QueryError::Database {
            metric: self.name.clone(),
            file: self.file.clone(),
            source,
        };
        let raw: Vec<RawRow> = crate::with_pool!(store, pool => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = match b {
                    Bound::Date(d) => q.bind(*d),
                    Bound::Text(t) => q.bind(t.clone()),
                    Bound::Int(i) => q.bind(*i),
                };
            }
            let rows = q.fetch_all(pool).await.map_err(db_err)?;
            let ratio = self.value == ValueRule::Ratio;
            rows.iter()
                .map(|row| {
                    let key: Option<String> = if by.is_some() { row.try_get("key")? } else { None };
                    let n: i64 = row.try_get("n")?;
                    let num: Option<i64> = row.try_get("num")?;
                    let den: Option<i64> = if ratio { row.try_get("den")? } else { None };
                    Ok((key, n, num, den))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db_err)?
        });
        let rows = raw
            .into_iter()
            .filter(|(_, n, _, _)| by.is_none() || *n > 0)
            .map(|(key, n, num, den)| self.to_row(key, n, num, den))
            .collect();
        Ok(MetricResult {
            metric: self.name.clone(),
            unit: self.unit,
            period,
            by,
            rows,
        })
    }

    fn to_row(&self, key: Option<String>, n: i64, num: Option<i64>, den: Option<i64>) -> MetricRow {
        let num_v = num.unwrap_or(0);
        let value = if n == 0 && self.empty == EmptyRule::Missing {
            None
        } else {
            match self.value {
                ValueRule::Sum => Some(num_v as f64),
                ValueRule::Ratio => match den {
                    Some(d) if d != 0 => {
                        let scale = if self.unit == Unit::Percent {
                            100.0
                        } else {
                            1.0
                        };
                        Some(num_v as f64 / d as f64 * scale)
                    }
                    _ => None,
                },
            }
        };
        MetricRow {
            key,
            num: num_v,
            den: if self.value == ValueRule::Ratio {
                Some(den.unwrap_or(0))
            } else {
                None
            },
            value,
        }
    }

    fn binds(
        &self,
        period: Period,
        by: Option<Dimension>,
        extra: &BTreeMap<String, String>,
    ) -> Result<Vec<Bound>, QueryError> {
        self.sql
            .order
            .iter()
            .map(|name| {
                let ty = self
                    .params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| *t)
                    .expect("checked at load");
                match name.as_str() {
                    "from" => return Ok(Bound::Date(period.from)),
                    "to" => return Ok(Bound::Date(period.to)),
                    "days" => return Ok(Bound::Int(period.days())),
                    "by" => return Ok(Bound::Text(by.map_or("", |d| d.column()).to_string())),
                    _ => {}
                }
                let text = extra.get(name).ok_or_else(|| QueryError::MissingParam {
                    metric: self.name.clone(),
                    param: name.clone(),
                })?;
                let bad = |expected| QueryError::BadParam {
                    metric: self.name.clone(),
                    param: name.clone(),
                    expected,
                    value: text.clone(),
                };
                Ok(match ty {
                    ParamType::Date => Bound::Date(
                        crate::domain::parse_date(text).map_err(|_| bad("a date YYYY-MM-DD"))?,
                    ),
                    ParamType::Int => {
                        Bound::Int(text.trim().parse().map_err(|_| bad("an integer"))?)
                    }
                    ParamType::Text => Bound::Text(text.clone()),
                })
            })
            .collect()
    }
}
