//! The attribution report for people: terminal text and the Block Kit message
//! `/attribution` posts (last-click and weighted side by side, with the difference), and CSV.

use super::attribution::AttributionReport;
use crate::domain::{format_count, format_money, format_pct, Cents, Channel, Lang};
use crate::render::{escape_mrkdwn as esc, format_period, Block, Draft, Message};

fn money(c: Cents, r: &AttributionReport, lang: Lang) -> String {
    format_money(c, &r.currency, lang, true)
}

fn header(r: &AttributionReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Attribution", "Attribution"),
        format_period(r.period, lang)
    )
}

fn headline(r: &AttributionReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "{} commandes, {} de CA ; {} avec plusieurs points de contact",
            format_count(r.orders, lang),
            money(r.revenue, r, lang),
            format_count(r.multi_touch_orders, lang)
        ),
        Lang::En => format!(
            "{} orders, {} revenue; {} with several touches",
            format_count(r.orders, lang),
            money(r.revenue, r, lang),
            format_count(r.multi_touch_orders, lang)
        ),
    }
}

fn table(r: &AttributionReport, lang: Lang) -> String {
    let pct = |p: Option<f64>| p.map_or("—".into(), |p| format_pct(p, 0, lang));
    let mut rows: Vec<[String; 6]> = vec![[
        lang.pick("Canal", "Channel").into(),
        lang.pick("Dernier clic", "Last click").into(),
        "%".into(),
        lang.pick("30/40/30", "30/40/30").into(),
        "%".into(),
        lang.pick("Écart", "Difference").into(),
    ]];
    for c in &r.channels {
        let diff = if c.difference.0 > 0 {
            format!("+{}", money(c.difference, r, lang))
        } else {
            money(c.difference, r, lang)
        };
        rows.push([
            Channel::display(&c.channel, lang),
            money(c.last_click, r, lang),
            pct(c.last_click_share_pct),
            money(c.weighted, r, lang),
            pct(c.weighted_share_pct),
            diff,
        ]);
    }
    super::aligned(&rows, 1)
}

fn method(lang: Lang) -> &'static str {
    lang.pick(
        "Pondéré : 1 contact → 100 %, 2 → 50/50, 3 ou plus → 30 % au premier, 40 % répartis sur ceux du milieu, 30 % au dernier. CA net des commandes, au jour de la commande.",
        "Weighted: 1 touch → 100%, 2 → 50/50, 3 or more → 30% to the first, 40% split over the middle ones, 30% to the last. Orders' net revenue, on the order's day.",
    )
}

pub fn attribution_text(r: &AttributionReport, lang: Lang) -> String {
    format!(
        "{}\n{}\n\n{}\n\n{}\n",
        header(r, lang),
        headline(r, lang),
        table(r, lang),
        method(lang)
    )
}

pub fn attribution_message(r: &AttributionReport, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("attribution-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang))))
            .with_block_id("attribution-headline"),
    );
    let body = if r.channels.is_empty() {
        format!(
            "_{}_",
            lang.pick(
                "Aucune commande sur la période.",
                "No orders in the period."
            )
        )
    } else {
        format!("```\n{}\n```", esc(&table(r, lang).replace('`', "'")))
    };
    draft.push(Block::section(body).with_block_id("attribution-table"));
    draft.push(Block::context(vec![esc(method(lang))]).with_block_id("attribution-context"));
    draft.finalize()
}

fn decimal(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `channel,last_click,weighted,difference,last_click_orders,touched_orders`.
pub fn attribution_csv(r: &AttributionReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "channel",
        "last_click",
        "weighted",
        "difference",
        "last_click_orders",
        "touched_orders",
    ])?;
    for c in &r.channels {
        w.write_record([
            c.channel.clone(),
            decimal(c.last_click),
            decimal(c.weighted),
            decimal(c.difference),
            c.last_click_orders.to_string(),
            c.touched_orders.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
