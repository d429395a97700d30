//! The RFM report for people: terminal text, the Block Kit message `/rfm` posts, and the CSV
//! export of a segment's customers for an e-mail tool. Numbers are formatted once here, in
//! French or English, so the text and the Slack message say the same thing.

use std::collections::HashMap;

use super::load::Contact;
use super::report::{RfmReport, ScoredCustomer, SegmentSummary};
use super::segment::RfmSegment;
use crate::charts::Chart;
use crate::domain::{format_count, format_money, format_pct, Cents, Lang};
use crate::render::{escape_mrkdwn as esc, format_date, format_day_month, Block, Draft, Message};

/// Customers listed by name under a segment (the CSV has them all).
pub const LISTED_CUSTOMERS: usize = 15;
/// Movements shown (the JSON has them all).
const SHOWN_MOVES: usize = 5;

fn money(c: Cents, r: &RfmReport, lang: Lang) -> String {
    format_money(c, &r.currency, lang, true)
}

fn share(p: Option<f64>, lang: Lang) -> String {
    p.map_or("—".into(), |p| format_pct(p, 0, lang))
}

fn signed(n: Option<i64>, lang: Lang) -> String {
    match n {
        None => "—".into(),
        Some(0) => "=".into(),
        Some(n) if n > 0 => format!("+{}", format_count(n, lang)),
        Some(n) => format!("-{}", format_count(-n, lang)),
    }
}

/// "14 % des clients font 80 % du CA (4 265 clients sur 30 467)".
pub fn pareto_sentence(r: &RfmReport, lang: Lang) -> String {
    match &r.pareto {
        Some(p) => match lang {
            Lang::Fr => format!(
                "{} des clients font {} du CA ({} clients sur {})",
                format_pct(p.customers_share_pct, 0, lang),
                format_pct(p.revenue_pct as f64, 0, lang),
                format_count(p.customers as i64, lang),
                format_count(r.customers, lang)
            ),
            Lang::En => format!(
                "{} of customers make {} of revenue ({} of {} customers)",
                format_pct(p.customers_share_pct, 0, lang),
                format_pct(p.revenue_pct as f64, 0, lang),
                format_count(p.customers as i64, lang),
                format_count(r.customers, lang)
            ),
        },
        None => lang
            .pick(
                "pas de CA : pas de ligne de Pareto",
                "no revenue: no Pareto line",
            )
            .into(),
    }
}

/// "1 234 clients ont changé de segment depuis le 13 nov. (dont 37 Champions → À risque)".
fn movement_lines(r: &RfmReport, lang: Lang) -> Vec<String> {
    let Some(m) = &r.movements else {
        return vec![lang
            .pick(
                "Mouvements : pas d'historique une semaine plus tôt.",
                "Movements: no history a week earlier.",
            )
            .into()];
    };
    let since = format_day_month(m.since, lang);
    let mut lines = vec![match lang {
        Lang::Fr => format!(
            "Depuis le {since} : {} clients ont changé de segment, {} nouveaux acheteurs",
            format_count(m.moved, lang),
            format_count(m.entered, lang)
        ),
        Lang::En => format!(
            "Since {since}: {} customers changed segment, {} new buyers",
            format_count(m.moved, lang),
            format_count(m.entered, lang)
        ),
    }];
    for mv in m.moves.iter().take(SHOWN_MOVES) {
        let (from, to) = (mv.from.label(lang), mv.to.label(lang));
        lines.push(match lang {
            Lang::Fr => format!("{} {from} → {to}", format_count(mv.customers, lang)),
            Lang::En => format!("{} {from} became {to}", format_count(mv.customers, lang)),
        });
    }
    lines
}

fn header(r: &RfmReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Segments RFM", "RFM segments"),
        format_date(r.as_of, lang)
    )
}

fn headline(r: &RfmReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "{} clients acheteurs · CA net {} depuis le début",
            format_count(r.customers, lang),
            money(r.revenue, r, lang)
        ),
        Lang::En => format!(
            "{} buying customers · net revenue {} to date",
            format_count(r.customers, lang),
            money(r.revenue, r, lang)
        ),
    }
}

/// The segments as aligned columns.
fn table(r: &RfmReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "Segment".into(),
        lang.pick("Clients", "Customers").into(),
        lang.pick("% clients", "% cust.").into(),
        lang.pick("% CA", "% rev.").into(),
        lang.pick("Panier moy.", "Avg basket").into(),
        lang.pick("vs S-1", "vs w-1").into(),
    ]];
    for s in &r.segments {
        rows.push([
            s.label.clone(),
            format_count(s.customers, lang),
            share(s.customers_share_pct, lang),
            share(s.revenue_share_pct, lang),
            s.average_basket.map_or("—".into(), |b| money(b, r, lang)),
            signed(s.change_vs_last_week, lang),
        ]);
    }
    super::aligned(&rows, 1)
}

/// "F = 4 dès 2 commandes · R = 5 si dernière commande il y a 9 j au plus · M = 5 dès 250 €".
fn bounds_line(r: &RfmReport, lang: Lang) -> String {
    let b = &r.score_bounds;
    let f: Vec<String> = (1..5)
        .filter_map(|i| b.orders_at_least[i].map(|v| format!("F={} ≥ {v}", i + 1)))
        .collect();
    let rec: Vec<String> = (1..5)
        .filter_map(|i| b.recency_days_at_most[i].map(|v| format!("R={} ≤ {v} j", i + 1)))
        .collect();
    let m = b.value_cents_at_least[4]
        .map(|v| format!("M=5 ≥ {}", money(Cents(v), r, lang)))
        .unwrap_or_default();
    let rec = if lang == Lang::En {
        rec.iter().map(|s| s.replace(" j", " d")).collect()
    } else {
        rec
    };
    format!(
        "{} {} · {} · {}",
        lang.pick(
            "Quintiles parmi les clients acheteurs, ex-aequo à égalité :",
            "Quintiles among buying customers, ties scored equally:"
        ),
        rec.join(", "),
        if f.is_empty() {
            lang.pick("F=1 pour tous", "F=1 for all").to_string()
        } else {
            format!("{} {}", f.join(", "), lang.pick("commandes", "orders"))
        },
        m
    )
}

fn customer_line(
    c: &ScoredCustomer,
    contacts: &HashMap<i64, Contact>,
    r: &RfmReport,
    lang: Lang,
) -> String {
    let who = contacts
        .get(&c.customer_id)
        .map(|k| k.email.clone().unwrap_or_else(|| k.key.clone()))
        .unwrap_or_else(|| format!("#{}", c.customer_id));
    format!(
        "{who} · {} · {} {} · {} · {}",
        c.scores.code(),
        format_count(c.orders, lang),
        lang.pick("cmd", "orders"),
        format_day_month(c.last_order, lang),
        money(c.value, r, lang)
    )
}

/// The customers of `segment`, most valuable first.
pub fn segment_customers(r: &RfmReport, segment: RfmSegment) -> Vec<&ScoredCustomer> {
    let mut list: Vec<&ScoredCustomer> = r.scored.iter().filter(|c| c.segment == segment).collect();
    list.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then(a.customer_id.cmp(&b.customer_id))
    });
    list
}

fn summary_of(r: &RfmReport, segment: RfmSegment) -> Option<&SegmentSummary> {
    r.segments.iter().find(|s| s.segment == segment)
}

/// The report as terminal text; with `segment`, its most valuable customers too.
pub fn rfm_text(
    r: &RfmReport,
    segment: Option<(RfmSegment, &HashMap<i64, Contact>)>,
    lang: Lang,
) -> String {
    let mut out = format!(
        "{}\n{}\n{}\n\n",
        header(r, lang),
        headline(r, lang),
        pareto_sentence(r, lang)
    );
    out.push_str(&table(r, lang));
    out.push_str("\n\nActions\n");
    for s in &r.segments {
        out.push_str(&format!("  {}: {}\n", s.label, s.action));
    }
    out.push('\n');
    for line in movement_lines(r, lang) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&bounds_line(r, lang));
    out.push('\n');
    if let Some((segment, contacts)) = segment {
        let list = segment_customers(r, segment);
        out.push_str(&format!(
            "\n{} ({}){}\n",
            segment.label(lang),
            format_count(list.len() as i64, lang),
            lang.pick(" — les plus gros d'abord", ", most valuable first")
        ));
        for c in list.iter().take(LISTED_CUSTOMERS) {
            out.push_str(&format!("  {}\n", customer_line(c, contacts, r, lang)));
        }
        if list.len() > LISTED_CUSTOMERS {
            out.push_str(&format!(
                "  … {} (--format csv)\n",
                lang.pick("la suite dans l'export", "the rest in the export")
            ));
        }
    }
    out
}

/// The `/rfm` message; `chart` is the attached chart, if any.
pub fn rfm_message(
    r: &RfmReport,
    segment: Option<(RfmSegment, &HashMap<i64, Contact>)>,
    chart: Option<&Chart>,
    lang: Lang,
) -> Vec<Message> {
    let colon = lang.pick("\u{a0}:", ":");
    let head = header(r, lang);
    let mut draft = Draft::new(
        lang,
        esc(&format!("{head}{colon} {}", pareto_sentence(r, lang))),
    );
    draft.push(Block::header(head).with_block_id("rfm-header"));
    draft.push(
        Block::section(format!(
            "*{}*\n{}",
            esc(&headline(r, lang)),
            esc(&pareto_sentence(r, lang))
        ))
        .with_block_id("rfm-headline"),
    );
    draft.push(
        Block::section(format!(
            "```\n{}\n```",
            esc(&table(r, lang).replace('`', "'"))
        ))
        .with_block_id("rfm-table"),
    );
    let actions: Vec<String> = r
        .segments
        .iter()
        .filter(|s| s.customers > 0)
        .map(|s| format!("*{}* — {}", esc(&s.label), esc(&s.action)))
        .collect();
    if !actions.is_empty() {
        draft.push(Block::section(actions.join("\n")).with_block_id("rfm-actions"));
    }
    let moves = movement_lines(r, lang);
    let mut moves_text = format!("*{}*", esc(&moves[0]));
    for line in &moves[1..] {
        moves_text.push_str(&format!("\n• {}", esc(line)));
    }
    draft.push(Block::section(moves_text).with_block_id("rfm-movements"));
    if let Some((segment, contacts)) = segment {
        let list = segment_customers(r, segment);
        let count = summary_of(r, segment).map_or(0, |s| s.customers);
        let mut text = format!(
            "*{} ({})*{}\n",
            esc(segment.label(lang)),
            format_count(count, lang),
            esc(lang.pick(" — les plus gros d'abord", ", most valuable first"))
        );
        for c in list.iter().take(LISTED_CUSTOMERS) {
            text.push_str(&format!(
                "• {}\n",
                esc(&customer_line(c, contacts, r, lang))
            ));
        }
        if list.is_empty() {
            text.push_str(lang.pick("_personne_", "_nobody_"));
        }
        draft.push(Block::section(text).with_block_id("rfm-customers"));
    }
    let mut context = vec![esc(&bounds_line(r, lang))];
    if let Some(chart) = chart {
        context.push(format!(
            "📈 {}{colon} {}",
            lang.pick("Graphique joint", "Chart attached"),
            esc(&chart.title)
        ));
    }
    context.push(esc(lang.pick(
        "Export : `insight-desk report rfm --segment at-risk --format csv`",
        "Export: `insight-desk report rfm --segment at-risk --format csv`",
    )));
    draft.push(Block::context(context).with_block_id("rfm-context"));
    draft.finalize()
}

/// Cents as a plain decimal for CSV (`1234.50`), never through a float.
fn decimal(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Every customer of `segment` (all customers when `None`), most valuable first, as CSV:
/// `email,customer_key,segment,r,f,m,rfm,orders,value,first_order,last_order,recency_days`.
pub fn rfm_csv(
    r: &RfmReport,
    segment: Option<RfmSegment>,
    contacts: &HashMap<i64, Contact>,
) -> anyhow::Result<String> {
    let mut list: Vec<&ScoredCustomer> = r
        .scored
        .iter()
        .filter(|c| segment.map_or(true, |s| c.segment == s))
        .collect();
    list.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then(a.customer_id.cmp(&b.customer_id))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "customer_key",
        "segment",
        "r",
        "f",
        "m",
        "rfm",
        "orders",
        "value",
        "first_order",
        "last_order",
        "recency_days",
    ])?;
    for c in list {
        let contact = contacts.get(&c.customer_id);
        w.write_record([
            contact.and_then(|k| k.email.clone()).unwrap_or_default(),
            contact.map(|k| k.key.clone()).unwrap_or_default(),
            c.segment.key().to_string(),
            c.scores.r.to_string(),
            c.scores.f.to_string(),
            c.scores.m.to_string(),
            c.scores.code(),
            c.orders.to_string(),
            decimal(c.value),
            c.first_order.to_string(),
            c.last_order.to_string(),
            c.recency_days.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
