//! PNG charts. (Placeholder until the charts land.)
use crate::cockpit::Cockpit;
use crate::domain::Lang;
pub struct Chart {
    pub name: String,
    pub title: String,
    pub alt_text: String,
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}
pub fn cockpit_charts(_c: &Cockpit, _lang: Lang) -> anyhow::Result<Vec<Chart>> {
    Ok(vec![])
}
pub fn metric_chart(
    _d: &crate::metrics::MetricDef,
    _r: &crate::metrics::MetricResult,
    _c: &str,
    _l: Lang,
) -> anyhow::Result<Option<Chart>> {
    Ok(None)
}
pub fn write_png_files(
    _c: &[Chart],
    _d: &std::path::Path,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    Ok(vec![])
}
pub fn bench_cockpit_charts(
    _c: &Cockpit,
    _l: Lang,
    _n: usize,
) -> Vec<(String, std::time::Duration, std::time::Duration, usize)> {
    vec![]
}
