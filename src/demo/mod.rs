//! The generated demo shop. (Placeholder until the generator lands.)
use chrono::NaiveDate;

pub struct DemoOptions {
    pub seed: u64,
    pub scale: f64,
    pub end_date: NaiveDate,
    pub timezone: chrono_tz::Tz,
    pub progress: bool,
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub customers: i64,
    pub orders: i64,
    pub order_lines: i64,
    pub refunds: i64,
    pub skus: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub elapsed_ms: u128,
}
pub async fn generate(
    _store: &crate::store::Store,
    _opts: &DemoOptions,
) -> anyhow::Result<DemoSummary> {
    anyhow::bail!("not yet")
}
