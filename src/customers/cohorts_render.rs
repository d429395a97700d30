//! The cohort report for people: terminal text and the Block Kit message `/cohorts` posts
//! (the retention matrix, the 90-day repurchase per cohort and per channel), and CSV (one row
//! per cohort, the months as columns).

use super::cohorts::{ChannelRepurchase, Cohort, CohortReport};
use crate::charts::Chart;
use crate::domain::{format_count, format_pct, Channel, Lang};
use crate::render::{escape_mrkdwn as esc, format_day_month_year, Block, Draft, Message};

const DASH: &str = "—";

fn header(r: &CohortReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Cohortes d'acquisition", "Acquisition cohorts"),
        format_day_month_year(r.as_of, lang)
    )
}

fn rate(p: Option<f64>, lang: Lang) -> String {
    p.map_or(DASH.into(), |p| format_pct(p, 0, lang))
}

fn headline(r: &CohortReport, lang: Lang) -> String {
    let acquired: i64 = r.cohorts.iter().map(|c| c.customers).sum();
    match lang {
        Lang::Fr => format!(
            "{} nouveaux clients sur {} mois ; réachat à 90 jours : {} ({} clients avec 90 jours de recul)",
            format_count(acquired, lang),
            r.months,
            rate(r.overall.rate, lang),
            format_count(r.overall.customers, lang)
        ),
        Lang::En => format!(
            "{} new customers over {} months; 90-day repurchase: {} ({} customers with 90 days behind them)",
            format_count(acquired, lang),
            r.months,
            rate(r.overall.rate, lang),
            format_count(r.overall.customers, lang)
        ),
    }
}

/// "too young (29/11)" or the rate.
fn repurchase_cell(c: &Cohort, lang: Lang) -> String {
    match c.repurchase_rate_90d {
        Some(p) => format_pct(p, 0, lang),
        None if c.customers == 0 => DASH.into(),
        None => format!(
            "{} {}",
            lang.pick("trop tôt, le", "too young, on"),
            c.repurchase_complete_on.format("%d/%m")
        ),
    }
}

fn matrix(r: &CohortReport, lang: Lang) -> String {
    let width = r
        .cohorts
        .iter()
        .map(|c| c.retention.len())
        .max()
        .unwrap_or(1);
    let mut head = vec![
        lang.pick("Cohorte", "Cohort").to_string(),
        lang.pick("Clients", "Customers").to_string(),
    ];
    head.extend((0..width).map(|k| format!("M{k}")));
    head.push(lang.pick("Réachat 90 j", "90-day repurchase").to_string());
    let mut rows = vec![head];
    for c in &r.cohorts {
        let mut row = vec![c.month.clone(), format_count(c.customers, lang)];
        row.extend((0..width).map(|k| {
            c.retention
                .get(k)
                .map_or(String::new(), |cell| format_pct(cell.pct, 0, lang))
        }));
        row.push(repurchase_cell(c, lang));
        rows.push(row);
    }
    super::aligned(&rows, 1)
}

fn channel_table(r: &CohortReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        lang.pick("Canal d'acquisition", "Acquisition channel")
            .into(),
        lang.pick("Clients (90 j écoulés)", "Customers (90 days over)")
            .into(),
        lang.pick("Réachat 90 j", "90-day repurchase").into(),
        "%".into(),
        lang.pick("Trop récents", "Too young").into(),
    ]];
    let row = |c: &ChannelRepurchase, name: String| {
        [
            name,
            format_count(c.customers, lang),
            format_count(c.repurchased, lang),
            rate(c.rate, lang),
            format_count(c.too_young, lang),
        ]
    };
    for c in &r.channels {
        rows.push(row(c, Channel::display(&c.channel, lang)));
    }
    rows.push(row(&r.overall, lang.pick("Tous", "All").to_string()));
    super::aligned(&rows, 1)
}

fn method(lang: Lang) -> &'static str {
    lang.pick(
        "Cohorte = mois de la première commande comptée (hors annulées et tests). M+k : part de la cohorte ayant commandé pendant le k-ième mois suivant ; seuls les mois terminés sont affichés. Réachat 90 j : une autre commande dans les 90 jours suivant la première ; « trop tôt » tant que tous les clients de la cohorte n'ont pas eu 90 jours.",
        "Cohort = month of the first counted order (cancelled and test orders excluded). M+k: share of the cohort who ordered in the k-th month after; only months that have ended are shown. 90-day repurchase: another order within 90 days of the first; \"too young\" until every customer of the cohort has had 90 days.",
    )
}

pub fn cohorts_text(r: &CohortReport, lang: Lang) -> String {
    format!(
        "{}\n{}\n\n{}\n\n{}\n\n{}\n",
        header(r, lang),
        headline(r, lang),
        matrix(r, lang),
        channel_table(r, lang),
        method(lang)
    )
}

/// The `/cohorts` message; `chart` is the attached heat-map, if any.
pub fn cohorts_message(r: &CohortReport, chart: Option<&Chart>, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("cohorts-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang)))).with_block_id("cohorts-headline"),
    );
    let code = |t: String| format!("```\n{}\n```", esc(&t.replace('`', "'")));
    draft.push(Block::section(code(matrix(r, lang))).with_block_id("cohorts-matrix"));
    draft.push(Block::section(code(channel_table(r, lang))).with_block_id("cohorts-channels"));
    let mut context = vec![esc(method(lang))];
    if let Some(chart) = chart {
        context.push(format!(
            "📈 {} : {}",
            lang.pick("Graphique joint", "Chart attached"),
            esc(&chart.title)
        ));
    }
    draft.push(Block::context(context).with_block_id("cohorts-context"));
    draft.finalize()
}

/// `cohort,customers,m0,…,m{n-1},repurchased_90d,repurchase_rate_90d,repurchase_complete_on`:
/// shares in per cent with one decimal, empty where the month has not ended or the cohort is
/// too young.
pub fn cohorts_csv(r: &CohortReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let n = r.months as usize;
    let mut head = vec!["cohort".to_string(), "customers".to_string()];
    head.extend((0..n).map(|k| format!("m{k}")));
    head.extend(
        [
            "repurchased_90d",
            "repurchase_rate_90d",
            "repurchase_complete_on",
        ]
        .map(String::from),
    );
    w.write_record(head)?;
    for c in &r.cohorts {
        let mut row = vec![c.month.clone(), c.customers.to_string()];
        row.extend((0..n).map(|k| {
            c.retention
                .get(k)
                .map_or(String::new(), |cell| format!("{:.1}", cell.pct))
        }));
        row.push(c.repurchased_90d.map(|n| n.to_string()).unwrap_or_default());
        row.push(
            c.repurchase_rate_90d
                .map(|p| format!("{p:.1}"))
                .unwrap_or_default(),
        );
        row.push(c.repurchase_complete_on.to_string());
        w.write_record(row)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
