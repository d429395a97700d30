//! Parsing one metric file: its header into a typed [`MetricDef`], its body kept as SQL.

use std::collections::BTreeMap;

use serde::Serialize;

use super::params::{compile_named_params, CompiledSql};
use super::registry::RegistryError;

/// How the figure is measured, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Minor units of the shop currency.
    Money,
    Count,
    /// A share, shown ×100 with a `%`.
    Percent,
    /// A multiple, such as ROAS (`3.2×`).
    Ratio,
    Days,
}

/// How the value is computed from the aggregated facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueRule {
    /// value = SUM(num)
    Sum,
    /// value = SUM(num) / SUM(den); undefined when SUM(den) = 0.
    Ratio,
}

/// What an empty result means: a true zero (no orders that day) or missing data (no cash
/// balance ever recorded), which the outputs show as "no data" rather than 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmptyRule {
    Zero,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    Line,
    Bar,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Date,
    Text,
    Int,
}

/// A breakdown a metric may be split by. Each is a column of the metric's facts with the
/// same name, so the registry only ever splices one of these fixed identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Day,
    Channel,
    Sku,
    Category,
    CustomerType,
    Source,
    Campaign,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Day,
        Dimension::Channel,
        Dimension::Sku,
        Dimension::Category,
        Dimension::CustomerType,
        Dimension::Source,
        Dimension::Campaign,
    ];

    /// The facts column (and the CLI spelling).
    pub fn column(self) -> &'static str {
        match self {
            Dimension::Day => "day",
            Dimension::Channel => "channel",
            Dimension::Sku => "sku",
            Dimension::Category => "category",
            Dimension::CustomerType => "customer_type",
            Dimension::Source => "source",
            Dimension::Campaign => "campaign",
        }
    }

    pub fn parse(text: &str) -> Option<Dimension> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        Dimension::ALL.into_iter().find(|d| d.column() == t)
    }
}

impl std::fmt::Display for Dimension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.column())
    }
}

/// One metric of the catalogue, checked and ready to run.
#[derive(Debug, Clone, Serialize)]
pub struct MetricDef {
    pub name: String,
    pub label_fr: String,
    pub label_en: String,
    pub synonyms: Vec<String>,
    pub description_fr: String,
    pub description_en: String,
    pub params: Vec<(String, ParamType)>,
    pub unit: Unit,
    pub value: ValueRule,
    pub empty: EmptyRule,
    pub breakdowns: Vec<Dimension>,
    pub chart: ChartKind,
    /// Where it came from, for error messages.
    pub file: String,
    #[serde(skip)]
    pub(crate) sql: CompiledSql,
}

/// Parameters every metric may use without declaring them: the asked period, its length, and
/// the asked breakdown's column name (`''` for the total), with which a metric may read a
/// summary table of the right grain (see queries/revenue.sql).
pub const BUILTIN_PARAMS: [(&str, ParamType); 4] = [
    ("from", ParamType::Date),
    ("to", ParamType::Date),
    ("days", ParamType::Int),
    ("by", ParamType::Text),
];

const KNOWN_KEYS: [&str; 12] = [
    "name",
    "label.fr",
    "label.en",
    "synonyms",
    "description.fr",
    "description.en",
    "params",
    "unit",
    "value",
    "empty",
    "breakdowns",
    "chart",
];

impl MetricDef {
    /// Parses the text of `file`. Errors carry the file and the line (and column for SQL).
    pub fn parse(file: &str, text: &str) -> Result<MetricDef, RegistryError> {
        let err = |line: usize, message: String| RegistryError::Invalid {
            file: file.to_string(),
            line,
            column: 1,
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut fields: BTreeMap<&str, (usize, String)> = BTreeMap::new();
        let mut body_start_line = None;
        let mut body_offset = text.len();
        let mut offset = 0;
        for (idx, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = idx + 1;
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim();
            if trimmed.is_empty() {
                offset += raw.len();
                continue;
            }
            let Some(comment) = trimmed.strip_prefix("--") else {
                body_start_line = Some(line_no);
                body_offset = offset;
                break;
            };
            offset += raw.len();
            let comment = comment.trim();
            let Some((key, value)) = comment.split_once(':') else {
                continue; // a plain comment in the header
            };
            let key = key.trim();
            if key.contains(' ') {
                continue; // prose that happens to contain a colon
            }
            if !KNOWN_KEYS.contains(&key) {
                return Err(err(
                    line_no,
                    format!(
                        "unknown header key {key:?}: expected one of {}",
                        KNOWN_KEYS.join(", ")
                    ),
                ));
            }
            let value = value.trim().to_string();
            match fields.get_mut(key) {
                // Descriptions may run over several `-- description.xx:` lines.
                Some((_, existing)) if key.starts_with("description") => {
                    existing.push(' ');
                    existing.push_str(&value);
                }
                Some((first, _)) => {
                    return Err(err(
                        line_no,
                        format!("header key {key:?} repeated (first on line {first})"),
                    ))
                }
                None => {
                    fields.insert(key, (line_no, value));
                }
            }
        }
        let body_line = body_start_line.ok_or_else(|| err(1, "no SQL after the header".into()))?;
        let get = |key: &str| -> Result<(usize, String), RegistryError> {
            fields
                .get(key)
                .cloned()
                .ok_or_else(|| err(1, format!("missing header line `-- {key}: …`")))
        };

        let (name_line, name) = get("name")?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(err(
                name_line,
                format!("metric name {name:?} must be lowercase snake_case"),
            ));
        }
        let (_, label_fr) = get("label.fr")?;
        let (_, label_en) = get("label.en")?;
        let (_, description_fr) = get("description.fr")?;
        let (_, description_en) = get("description.en")?;
        let synonyms = fields
            .get("synonyms")
            .map(|(_, v)| split_list(v).map(|s| s.to_lowercase()).collect())
            .unwrap_or_default();

        let mut params: Vec<(String, ParamType)> = BUILTIN_PARAMS
            .iter()
            .map(|(n, t)| (n.to_string(), *t))
            .collect();
        if let Some((line, declared)) = fields.get("params") {
            for item in split_list(declared) {
                let (pname, ptype) = item.split_once(' ').ok_or_else(|| {
                    err(
                        *line,
                        format!("parameter {item:?}: expected `name type`, e.g. `channel text`"),
                    )
                })?;
                let ptype = match ptype.trim() {
                    "date" => ParamType::Date,
                    "text" => ParamType::Text,
                    "int" => ParamType::Int,
                    other => {
                        return Err(err(
                            *line,
                            format!(
                            "parameter {pname}: unknown type {other:?}: expected date, text or int"
                        ),
                        ))
                    }
                };
                if params.iter().any(|(n, _)| n == pname) {
                    return Err(err(
                        *line,
                        format!(
                            "parameter {pname:?} declared twice (from, to, days and by are built in)"
                        ),
                    ));
                }
                params.push((pname.to_string(), ptype));
            }
        }

        let (unit_line, unit) = get("unit")?;
        let unit = match unit.as_str() {
            "money" => Unit::Money,
            "count" => Unit::Count,
            "percent" => Unit::Percent,
            "ratio" => Unit::Ratio,
            "days" => Unit::Days,
            other => {
                return Err(err(
                    unit_line,
                    format!(
                        "unknown unit {other:?}: expected money, count, percent, ratio or days"
                    ),
                ))
            }
        };
        let (value_line, value) = get("value")?;
        let value = match value.as_str() {
            "sum" => ValueRule::Sum,
            "ratio" => ValueRule::Ratio,
            other => return Err(err(value_line, format!("unknown value rule {other:?}: expected sum (SUM(num)) or ratio (SUM(num) / SUM(den))"))),
        };
        if unit == Unit::Percent && value != ValueRule::Ratio {
            return Err(err(
                value_line,
                "a percent metric needs `value: ratio` (num / den)".into(),
            ));
        }
        let empty = match fields.get("empty").map(|(l, v)| (*l, v.as_str())) {
            None | Some((_, "zero")) => EmptyRule::Zero,
            Some((_, "missing")) => EmptyRule::Missing,
            Some((line, other)) => {
                return Err(err(
                    line,
                    format!("unknown empty rule {other:?}: expected zero or missing"),
                ))
            }
        };
        let mut breakdowns = Vec::new();
        if let Some((line, list)) = fields.get("breakdowns") {
            for item in split_list(list) {
                let dim = Dimension::parse(item).ok_or_else(|| {
                    let known: Vec<_> = Dimension::ALL.iter().map(|d| d.column()).collect();
                    err(
                        *line,
                        format!(
                            "unknown breakdown {item:?}: expected one of {}",
                            known.join(", ")
                        ),
                    )
                })?;
                breakdowns.push(dim);
            }
        }
        let chart = match fields.get("chart").map(|(l, v)| (*l, v.as_str())) {
            None | Some((_, "none")) => ChartKind::None,
            Some((_, "line")) => ChartKind::Line,
            Some((_, "bar")) => ChartKind::Bar,
            Some((line, other)) => {
                return Err(err(
                    line,
                    format!("unknown chart kind {other:?}: expected line, bar or none"),
                ))
            }
        };

        let body = &text[body_offset..];
        let sql = compile_named_params(body, &params).map_err(|(line, column, message)| {
            RegistryError::Invalid {
                file: file.to_string(),
                line: body_line + line - 1,
                column,
                message,
            }
        })?;
        for (pname, _) in &params {
            let builtin = BUILTIN_PARAMS.iter().any(|(b, _)| b == pname);
            if !builtin && !sql.order.contains(pname) {
                let line = fields.get("params").map(|(l, _)| *l).unwrap_or(1);
                return Err(err(
                    line,
                    format!("parameter :{pname} is declared but the SQL never uses it"),
                ));
            }
        }
        if !body.contains("num") || (value == ValueRule::Ratio && !body.contains("den")) {
            return Err(err(
                body_line,
                "the SQL must select a `num` column (and `den` for `value: ratio`)".into(),
            ));
        }

        Ok(MetricDef {
            name,
            label_fr,
            label_en,
            synonyms,
            description_fr,
            description_en,
            params,
            unit,
            value,
            empty,
            breakdowns,
            chart,
            file: file.to_string(),
            sql,
        })
    }

    pub fn label(&self, lang: crate::domain::Lang) -> &str {
        lang.pick(&self.label_fr, &self.label_en)
    }

    pub fn description(&self, lang: crate::domain::Lang) -> &str {
        lang.pick(&self.description_fr, &self.description_en)
    }

    /// The parameters beyond the built-in period ones.
    pub fn extra_params(&self) -> impl Iterator<Item = &(String, ParamType)> {
        self.params
            .iter()
            .filter(|(n, _)| !BUILTIN_PARAMS.iter().any(|(b, _)| b == n))
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}
