//! The Marketing Profit Matrix for people: terminal text and the Block Kit message `/ltv`
//! posts (acquisition table, value table, the ranking and the reallocation estimate), and
//! CSV (one row per channel, every figure).

use super::ltv::{ChannelLtv, LtvReport};
use crate::domain::{format_count, format_decimal, format_money, Cents, Channel, Lang};
use crate::render::{
    escape_mrkdwn as esc, format_day_month_year, format_period, Block, Draft, Message,
};

const DASH: &str = "—";

fn money(c: Cents, r: &LtvReport, lang: Lang) -> String {
    format_money(c, &r.currency, lang, true)
}

fn opt_money(c: Option<Cents>, r: &LtvReport, lang: Lang) -> String {
    c.map_or(DASH.into(), |c| money(c, r, lang))
}

fn times(x: Option<f64>, lang: Lang) -> String {
    x.map_or(DASH.into(), |x| format!("{}×", format_decimal(x, 1, lang)))
}

fn roas(x: Option<f64>, lang: Lang) -> String {
    x.map_or(DASH.into(), |x| format_decimal(x, 2, lang))
}

fn header(r: &LtvReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Matrice LTV / CAC", "LTV / CAC matrix"),
        format_day_month_year(r.as_of, lang)
    )
}

fn headline(r: &LtvReport, lang: Lang) -> String {
    let ranked: Vec<&ChannelLtv> = r.channels.iter().filter(|c| c.rank.is_some()).collect();
    match (ranked.first(), ranked.last()) {
        (Some(best), Some(worst)) if ranked.len() >= 2 => match lang {
            Lang::Fr => format!(
                "Meilleur ratio LTV/CAC : {} ({}) ; le plus faible : {} ({})",
                Channel::display(&best.channel, lang),
                times(best.ltv_cac, lang),
                Channel::display(&worst.channel, lang),
                times(worst.ltv_cac, lang)
            ),
            Lang::En => format!(
                "Best LTV/CAC: {} ({}); weakest: {} ({})",
                Channel::display(&best.channel, lang),
                times(best.ltv_cac, lang),
                Channel::display(&worst.channel, lang),
                times(worst.ltv_cac, lang)
            ),
        },
        (Some(best), _) => match lang {
            Lang::Fr => format!(
                "Un seul canal a un ratio LTV/CAC : {} ({})",
                Channel::display(&best.channel, lang),
                times(best.ltv_cac, lang)
            ),
            Lang::En => format!(
                "One channel has an LTV/CAC ratio: {} ({})",
                Channel::display(&best.channel, lang),
                times(best.ltv_cac, lang)
            ),
        },
        _ => lang
            .pick(
                "Pas encore de ratio LTV/CAC : il faut des dépenses sur la période et des clients acquis il y a plus d'un an.",
                "No LTV/CAC ratio yet: it needs spend in the period and customers acquired more than a year ago.",
            )
            .to_string(),
    }
}

fn rank(c: &ChannelLtv) -> String {
    c.rank.map_or(String::new(), |r| format!("{r}."))
}

fn acquisition_table(r: &LtvReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "#".into(),
        lang.pick("Canal", "Channel").into(),
        lang.pick("Nouveaux", "New").into(),
        lang.pick("Dépenses", "Spend").into(),
        "CAC".into(),
        lang.pick("ROAS immédiat", "Immediate ROAS").into(),
        lang.pick("ROAS 60 j", "60-day ROAS").into(),
    ]];
    for c in &r.channels {
        rows.push([
            rank(c),
            Channel::display(&c.channel, lang),
            format_count(c.new_customers, lang),
            money(c.spend, r, lang),
            opt_money(c.cac, r, lang),
            roas(c.roas_immediate, lang),
            roas(c.roas_60d, lang),
        ]);
    }
    super::aligned(&rows, 2)
}

fn value_table(r: &LtvReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 8]> = vec![[
        "#".into(),
        lang.pick("Canal", "Channel").into(),
        lang.pick("LTV 12 m marge", "12-m margin LTV").into(),
        lang.pick("CA", "revenue").into(),
        lang.pick("LTV 24 m marge", "24-m margin LTV").into(),
        lang.pick("CA", "revenue").into(),
        "LTV/CAC".into(),
        lang.pick("LTV prédite", "Predicted").into(),
    ]];
    for c in &r.channels {
        rows.push([
            rank(c),
            Channel::display(&c.channel, lang),
            opt_money(c.ltv_12m.map(|l| l.margin), r, lang),
            opt_money(c.ltv_12m.map(|l| l.revenue), r, lang),
            opt_money(c.ltv_24m.map(|l| l.margin), r, lang),
            opt_money(c.ltv_24m.map(|l| l.revenue), r, lang),
            times(c.ltv_cac, lang),
            opt_money(c.predicted_ltv_12m, r, lang),
        ]);
    }
    super::aligned(&rows, 2)
}

/// The reallocation suggestion, or why there is none.
pub fn reallocation_sentence(r: &LtvReport, lang: Lang) -> String {
    let Some(re) = &r.reallocation else {
        return match lang {
            Lang::Fr => format!(
                "Pas de suggestion de réallocation : il faut deux canaux payants avec au moins {} clients acquis il y a plus d'un an.",
                r.min_mature_customers
            ),
            Lang::En => format!(
                "No reallocation suggested: it needs two paid channels with at least {} customers acquired more than a year ago.",
                r.min_mature_customers
            ),
        };
    };
    let (from, to) = (
        Channel::display(&re.from, lang),
        Channel::display(&re.to, lang),
    );
    match lang {
        Lang::Fr => format!(
            "Suggestion (estimation) : déplacer {} ({} % des dépenses de {from} sur la période) de {from} ({}) vers {to} ({}) rapporterait environ {} de marge de plus sur 12 mois, si les deux canaux gardaient leur CAC et leur LTV à la marge — ce qu'ils ne feront pas exactement : à tester par paliers.",
            money(re.amount, r, lang),
            format_decimal(re.share_pct, 0, lang),
            times(Some(re.from_ltv_cac), lang),
            times(Some(re.to_ltv_cac), lang),
            money(re.expected_extra_margin, r, lang),
        ),
        Lang::En => format!(
            "Suggestion (an estimate): moving {} ({}% of {from}'s spend in the period) from {from} ({}) to {to} ({}) would bring about {} more margin over 12 months, if both channels kept their CAC and LTV at the margin — they will not exactly: test it in steps.",
            money(re.amount, r, lang),
            format_decimal(re.share_pct, 0, lang),
            times(Some(re.from_ltv_cac), lang),
            times(Some(re.to_ltv_cac), lang),
            money(re.expected_extra_margin, r, lang),
        ),
    }
}

fn windows(r: &LtvReport, lang: Lang) -> String {
    let roas = r
        .roas_window
        .map_or(DASH.to_string(), |w| format_period(w, lang));
    match lang {
        Lang::Fr => format!(
            "Nouveaux clients, dépenses et CAC : {}. ROAS : clients acquis du {} (60 jours écoulés). LTV : clients acquis jusqu'au {} (12 mois) / {} (24 mois), marge et CA nets par client sur leurs 365 / 730 premiers jours.",
            format_period(r.period, lang),
            roas,
            format_day_month_year(r.mature_12m_until, lang),
            format_day_month_year(r.mature_24m_until, lang),
        ),
        Lang::En => format!(
            "New customers, spend and CAC: {}. ROAS: customers acquired {} (60 days over). LTV: customers acquired up to {} (12 months) / {} (24 months), net margin and revenue per customer over their first 365 / 730 days.",
            format_period(r.period, lang),
            roas,
            format_day_month_year(r.mature_12m_until, lang),
            format_day_month_year(r.mature_24m_until, lang),
        ),
    }
}

fn predicted_note(r: &LtvReport, lang: Lang) -> String {
    let young: i64 = r.channels.iter().map(|c| c.young_customers).sum();
    if r.predicted {
        match lang {
            Lang::Fr => format!("LTV prédite (CA) : ce que les clients acquis depuis moins d'un an ont déjà dépensé plus ce que BG/NBD + Gamma-Gamma prévoient jusqu'à leurs 12 mois (`report clv`), en moyenne ({} clients).", format_count(young, lang)),
            Lang::En => format!("Predicted LTV (revenue): what the customers acquired less than a year ago have spent so far plus what BG/NBD + Gamma-Gamma expect until their 12 months (`report clv`), on average ({} customers).", format_count(young, lang)),
        }
    } else {
        match lang {
            Lang::Fr => format!("LTV prédite : — (le modèle CLV n'a pas pu être ajusté : pas encore de client ayant racheté) ; {} clients acquis depuis moins d'un an n'ont pas encore de LTV à 12 mois.", format_count(young, lang)),
            Lang::En => format!("Predicted LTV: — (the CLV model could not be fitted: no repeat customer yet); {} customers acquired less than a year ago have no 12-month LTV yet.", format_count(young, lang)),
        }
    }
}

pub fn ltv_text(r: &LtvReport, lang: Lang) -> String {
    format!(
        "{}\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n{}\n",
        header(r, lang),
        headline(r, lang),
        acquisition_table(r, lang),
        value_table(r, lang),
        reallocation_sentence(r, lang),
        windows(r, lang),
        predicted_note(r, lang),
    )
}

pub fn ltv_message(r: &LtvReport, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("ltv-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang)))).with_block_id("ltv-headline"),
    );
    if r.channels.is_empty() {
        draft.push(
            Block::section(format!(
                "_{}_",
                lang.pick(
                    "Aucun client ni dépense à cette date.",
                    "No customers nor spend at this date."
                )
            ))
            .with_block_id("ltv-empty"),
        );
    } else {
        let code = |t: String| format!("```\n{}\n```", esc(&t.replace('`', "'")));
        draft.push(
            Block::section(code(acquisition_table(r, lang))).with_block_id("ltv-acquisition"),
        );
        draft.push(Block::section(code(value_table(r, lang))).with_block_id("ltv-value"));
        draft.push(
            Block::section(esc(&reallocation_sentence(r, lang))).with_block_id("ltv-reallocation"),
        );
    }
    draft.push(
        Block::context(vec![esc(&windows(r, lang)), esc(&predicted_note(r, lang))])
            .with_block_id("ltv-context"),
    );
    draft.finalize()
}

fn decimal(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// One row per channel: `rank, channel, new_customers, spend, extra_cac, cac, ltv_12m_margin,
/// ltv_12m_revenue, mature_12m_customers, ltv_24m_margin, ltv_24m_revenue,
/// mature_24m_customers, ltv_cac, ltv_cac_revenue, roas_immediate, roas_60d,
/// young_customers, predicted_ltv_12m`; empty cells where there is no figure.
pub fn ltv_csv(r: &LtvReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "channel",
        "new_customers",
        "spend",
        "extra_cac",
        "cac",
        "ltv_12m_margin",
        "ltv_12m_revenue",
        "mature_12m_customers",
        "ltv_24m_margin",
        "ltv_24m_revenue",
        "mature_24m_customers",
        "ltv_cac",
        "ltv_cac_revenue",
        "roas_immediate",
        "roas_60d",
        "young_customers",
        "predicted_ltv_12m",
    ])?;
    let m = |c: Option<Cents>| c.map(decimal).unwrap_or_default();
    let f = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_default();
    for c in &r.channels {
        w.write_record([
            c.rank.map(|r| r.to_string()).unwrap_or_default(),
            c.channel.clone(),
            c.new_customers.to_string(),
            decimal(c.spend),
            decimal(c.extra_cac),
            m(c.cac),
            m(c.ltv_12m.map(|l| l.margin)),
            m(c.ltv_12m.map(|l| l.revenue)),
            c.ltv_12m.map_or(0, |l| l.customers).to_string(),
            m(c.ltv_24m.map(|l| l.margin)),
            m(c.ltv_24m.map(|l| l.revenue)),
            c.ltv_24m.map_or(0, |l| l.customers).to_string(),
            f(c.ltv_cac),
            f(c.ltv_cac_revenue),
            f(c.roas_immediate),
            f(c.roas_60d),
            c.young_customers.to_string(),
            m(c.predicted_ltv_12m),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
