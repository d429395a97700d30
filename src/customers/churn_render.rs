//! The ChurnGuard report for people: terminal text, the Block Kit message `/churn` posts, and
//! the CSV of every customer's score with the signals behind it.

use super::churn::{
    ChurnScore, SILENCE_MIN_DAYS, SILENCE_MIN_SENDS, WEIGHT_MODEL, WEIGHT_NO_REPEAT,
    WEIGHT_OVERDUE, WEIGHT_SILENCE,
};
use super::churn_report::{ChurnReport, ToCall};
use crate::domain::{format_count, format_decimal, format_money, format_pct, Cents, Lang};
use crate::render::{escape_mrkdwn as esc, format_date, format_day_month, Block, Draft, Message};

fn money(c: Cents, r: &ChurnReport, lang: Lang) -> String {
    format_money(c, &r.currency, lang, true)
}

fn date_of(day_no: i64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
        + chrono::Days::new(day_no.max(0) as u64)
}

fn header(r: &ChurnReport, lang: Lang) -> String {
    format!("ChurnGuard · {}", format_date(r.as_of, lang))
}

fn headline(r: &ChurnReport, lang: Lang) -> String {
    let at_risk: i64 = r
        .bands
        .iter()
        .filter(|b| b.band >= super::ChurnBand::Moderate)
        .map(|b| b.customers)
        .sum();
    let value: i64 = r
        .bands
        .iter()
        .filter(|b| b.band >= super::ChurnBand::Moderate)
        .map(|b| b.value_at_risk.0)
        .sum();
    match lang {
        Lang::Fr => format!(
            "{} clients acheteurs · {} à risque modéré ou élevé, {} de CA sur 12 mois en jeu",
            format_count(r.customers, lang),
            format_count(at_risk, lang),
            money(Cents(value), r, lang)
        ),
        Lang::En => format!(
            "{} buying customers · {} at moderate or high risk, {} of 12-month revenue at stake",
            format_count(r.customers, lang),
            format_count(at_risk, lang),
            money(Cents(value), r, lang)
        ),
    }
}

fn table(r: &ChurnReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        lang.pick("Score", "Score").into(),
        lang.pick("Niveau", "Band").into(),
        lang.pick("Clients", "Customers").into(),
        lang.pick("Part", "Share").into(),
        lang.pick("CA 12 mois", "12-mo revenue").into(),
    ]];
    for b in &r.bands {
        rows.push([
            b.range.to_string(),
            b.label.clone(),
            format_count(b.customers, lang),
            b.customers_share_pct
                .map_or("—".into(), |p| format_pct(p, 0, lang)),
            money(b.value_at_risk, r, lang),
        ]);
    }
    super::aligned(&rows, 2)
}

/// Why a customer scores what they score, in a few words: the largest signals.
fn reasons(s: &ChurnScore, lang: Lang) -> String {
    let mut parts = Vec::new();
    if s.points[0] > 0.0 {
        parts.push(match lang {
            Lang::Fr => format!(
                "{} j sans commande ({}× son rythme)",
                s.recency_days,
                format_decimal(s.overdue_ratio, 1, lang)
            ),
            Lang::En => format!(
                "{} days without an order ({}× their rhythm)",
                s.recency_days,
                format_decimal(s.overdue_ratio, 1, lang)
            ),
        });
    }
    if s.points[1] >= WEIGHT_NO_REPEAT {
        parts.push(
            lang.pick("une seule commande", "a single order")
                .to_string(),
        );
    }
    if s.points[2] > 0.0 {
        if let Some(change) = s.basket_change_pct {
            parts.push(format!(
                "{} {}",
                lang.pick("panier", "basket"),
                format_pct(change, 0, lang)
            ));
        }
    }
    if s.points[3] > 0.0 {
        parts.push(
            lang.pick("passe aux codes promo", "turning to promo codes")
                .to_string(),
        );
    }
    if s.points[4] > 0.0 {
        parts.push(format!(
            "{} {}",
            format_pct(s.refund_share_pct, 0, lang),
            lang.pick("remboursé", "refunded")
        ));
    }
    if s.silent == Some(true) {
        if let Some(day) = s.last_email_engagement_day_no {
            let since = format_day_month(date_of(day), lang);
            let sends = s.email_sends_since.unwrap_or(0);
            parts.push(match lang {
                Lang::Fr => format!(
                    "silence sur les e-mails depuis le {since} ({sends} campagnes sans ouverture ni clic)"
                ),
                Lang::En => format!(
                    "silent on e-mails since {since} ({sends} campaigns without an open or click)"
                ),
            });
        }
    }
    if let Some(p) = s.p_no_order_90d.filter(|&p| p >= 0.5) {
        parts.push(match lang {
            Lang::Fr => format!(
                "{} de chances de ne pas commander sous 90 j",
                format_pct(p * 100.0, 0, lang)
            ),
            Lang::En => format!(
                "{} likely to order nothing in 90 days",
                format_pct(p * 100.0, 0, lang)
            ),
        });
    }
    parts.join(", ")
}

fn call_line(c: &ToCall, r: &ChurnReport, lang: Lang) -> String {
    let who = c
        .email
        .clone()
        .or_else(|| c.customer_key.clone())
        .unwrap_or_else(|| format!("#{}", c.score.customer_id));
    format!(
        "{who} · {} {} · {} {} · {}",
        c.score.score,
        lang.pick("/100", "/100"),
        money(c.score.value_at_risk, r, lang),
        lang.pick("sur 12 mois", "in 12 months"),
        reasons(&c.score, lang)
    )
}

fn backtest_line(r: &ChurnReport, lang: Lang) -> Option<String> {
    let b = r.backtest.as_ref()?;
    let mut auc = b.auc.map_or("—".into(), |a| format_decimal(a, 3, lang));
    if let Some(without) = b.auc_without_silence {
        auc.push_str(&match lang {
            Lang::Fr => format!(
                " ({} sans le silence sur les e-mails)",
                format_decimal(without, 3, lang)
            ),
            Lang::En => format!(
                " ({} without the silence on e-mails)",
                format_decimal(without, 3, lang)
            ),
        });
    }
    Some(match lang {
        Lang::Fr => format!(
            "Vérifié sur la suite : {} clients sur {} n'ont pas commandé du {} au {} ; AUC des scores {auc}",
            format_count(b.churned, lang),
            format_count(b.customers, lang),
            format_day_month(b.outcome_from, lang),
            format_day_month(b.outcome_to, lang)
        ),
        Lang::En => format!(
            "Checked against what followed: {} of {} customers did not order from {} to {}; AUC of the scores {auc}",
            format_count(b.churned, lang),
            format_count(b.customers, lang),
            format_day_month(b.outcome_from, lang),
            format_day_month(b.outcome_to, lang)
        ),
    })
}

fn method_line(r: &ChurnReport, lang: Lang) -> String {
    // The overdue ratio's points: what the model and the silence leave it (churn.rs).
    let mut lateness = WEIGHT_OVERDUE;
    let mut extra = String::new();
    if r.model.is_some() {
        lateness -= WEIGHT_MODEL;
        extra.push_str(lang.pick(
            &format!(", P(aucune commande sous 90 j) du modèle d'achat ({WEIGHT_MODEL})"),
            &format!(", the purchase model's P(no order in 90 days) ({WEIGHT_MODEL})"),
        ));
    }
    if r.silence.available {
        lateness -= WEIGHT_SILENCE;
        extra.push_str(lang.pick(
            &format!(", silence sur les e-mails ({WEIGHT_SILENCE})"),
            &format!(", silence on e-mails ({WEIGHT_SILENCE})"),
        ));
    }
    match lang {
        Lang::Fr => format!(
            "Score 0–100 : retard sur son propre rythme d'achat ({lateness} pts ; {} j pour un client à une commande), une seule commande (15), panier en baisse (8), codes promo (5), retours (7){extra}",
            format_decimal(r.shop_rhythm_days, 0, lang)
        ),
        Lang::En => format!(
            "Score 0–100: lateness against the customer's own buying rhythm ({lateness} pts; {} days for one-order customers), a single order (15), falling basket (8), promo codes (5), returns (7){extra}",
            format_decimal(r.shop_rhythm_days, 0, lang)
        ),
    }
}

/// Silence on e-mails: whom it concerns, or why it is not scored.
fn silence_line(r: &ChurnReport, lang: Lang) -> String {
    let s = &r.silence;
    if !s.available {
        let why = match (s.engaged_profiles > 0, lang) {
            (false, Lang::Fr) => "aucune ouverture ni aucun clic d'e-mail dans la base",
            (false, Lang::En) => "no e-mail open or click in the store",
            (true, Lang::Fr) => "aucun envoi de campagne e-mail dans la base",
            (true, Lang::En) => "no e-mail campaign send in the store",
        };
        return match lang {
            Lang::Fr => format!(
                "Silence sur les e-mails : non disponible ({why} jusqu'au {} ; `insight-desk sync klaviyo`), non compté",
                format_date(r.as_of, lang)
            ),
            Lang::En => format!(
                "Silence on e-mails: not available ({why} up to {}; `insight-desk sync klaviyo`), not scored",
                format_date(r.as_of, lang)
            ),
        };
    }
    let (weight, sends, days) = (
        format_decimal(WEIGHT_SILENCE, 0, lang),
        SILENCE_MIN_SENDS,
        SILENCE_MIN_DAYS,
    );
    match lang {
        Lang::Fr => format!(
            "Silence sur les e-mails ({weight} pts pris au retard : aucune ouverture ni clic depuis {days} j et {sends} campagnes ou plus) : {} clients sur {} ayant déjà ouvert ou cliqué ; {} n'ont jamais ouvert ni cliqué (notés sans ce signal)",
            format_count(s.silent_customers, lang),
            format_count(s.engaged_customers, lang),
            format_count(s.never_engaged_customers, lang)
        ),
        Lang::En => format!(
            "Silence on e-mails ({weight} pts taken from lateness: no open or click for {days}+ days and {sends}+ campaigns): {} of {} customers who ever opened or clicked; {} never did (scored without the signal)",
            format_count(s.silent_customers, lang),
            format_count(s.engaged_customers, lang),
            format_count(s.never_engaged_customers, lang)
        ),
    }
}

/// The report as terminal text.
pub fn churn_text(r: &ChurnReport, lang: Lang) -> String {
    let mut out = format!(
        "{}\n{}\n\n{}\n\nActions\n",
        header(r, lang),
        headline(r, lang),
        table(r, lang)
    );
    for b in &r.bands {
        out.push_str(&format!("  {} ({}): {}\n", b.label, b.range, b.action));
    }
    out.push_str(&format!(
        "\n{}\n",
        lang.pick("À appeler en premier", "Call first")
    ));
    if r.to_call.is_empty() {
        out.push_str(lang.pick("  personne\n", "  nobody\n"));
    }
    for c in &r.to_call {
        out.push_str(&format!("  {}\n", call_line(c, r, lang)));
    }
    out.push('\n');
    if let Some(line) = backtest_line(r, lang) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&method_line(r, lang));
    out.push('\n');
    out.push_str(&silence_line(r, lang));
    out.push('\n');
    out
}

/// The `/churn` message.
pub fn churn_message(r: &ChurnReport, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("churn-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang)))).with_block_id("churn-headline"),
    );
    draft.push(
        Block::section(format!(
            "```\n{}\n```",
            esc(&table(r, lang).replace('`', "'"))
        ))
        .with_block_id("churn-table"),
    );
    let actions: Vec<String> = r
        .bands
        .iter()
        .map(|b| format!("*{}* ({}) — {}", esc(&b.label), b.range, esc(&b.action)))
        .collect();
    draft.push(Block::section(actions.join("\n")).with_block_id("churn-actions"));
    let mut calls = format!("*{}*", lang.pick("À appeler en premier", "Call first"));
    if r.to_call.is_empty() {
        calls.push_str(lang.pick("\n_personne_", "\n_nobody_"));
    }
    for c in &r.to_call {
        calls.push_str(&format!("\n• {}", esc(&call_line(c, r, lang))));
    }
    draft.push(Block::section(calls).with_block_id("churn-to-call"));
    let mut context = Vec::new();
    if let Some(line) = backtest_line(r, lang) {
        context.push(esc(&line));
    }
    context.push(esc(&method_line(r, lang)));
    context.push(esc(&silence_line(r, lang)));
    context.push(esc(lang.pick(
        "Tous les scores : `insight-desk report churn --format csv`",
        "Every score: `insight-desk report churn --format csv`",
    )));
    draft.push(Block::context(context).with_block_id("churn-context"));
    draft.finalize()
}

fn decimal(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// Every customer's score and signals, highest score first (then largest value at risk).
pub fn churn_csv(
    r: &ChurnReport,
    contacts: &std::collections::HashMap<i64, super::Contact>,
) -> anyhow::Result<String> {
    let mut list: Vec<&ChurnScore> = r.scores.iter().collect();
    list.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.value_at_risk.cmp(&a.value_at_risk))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "customer_key",
        "score",
        "band",
        "orders",
        "last_order",
        "recency_days",
        "rhythm_days",
        "own_rhythm",
        "overdue_ratio",
        "basket_change_pct",
        "last_order_discounted",
        "earlier_discount_share",
        "refund_share_pct",
        "points_overdue",
        "points_single_order",
        "points_basket",
        "points_promo",
        "points_returns",
        "value_12m",
        "value",
        "p_no_order_90d",
        "points_model",
        "last_email_engagement",
        "email_campaigns_since",
        "silent_on_emails",
        "points_silence",
    ])?;
    for s in list {
        let c = contacts.get(&s.customer_id);
        w.write_record([
            c.and_then(|c| c.email.clone()).unwrap_or_default(),
            c.map(|c| c.key.clone()).unwrap_or_default(),
            s.score.to_string(),
            s.band.key().to_string(),
            s.orders.to_string(),
            date_of(s.last_day_no).to_string(),
            s.recency_days.to_string(),
            num(s.rhythm_days, 1),
            s.own_rhythm.to_string(),
            num(s.overdue_ratio, 2),
            s.basket_change_pct.map(|p| num(p, 1)).unwrap_or_default(),
            s.last_order_discounted.to_string(),
            s.earlier_discount_share
                .map(|p| num(p, 2))
                .unwrap_or_default(),
            num(s.refund_share_pct, 1),
            num(s.points[0], 1),
            num(s.points[1], 1),
            num(s.points[2], 1),
            num(s.points[3], 1),
            num(s.points[4], 1),
            decimal(s.value_at_risk),
            decimal(s.value),
            s.p_no_order_90d.map(|p| num(p, 3)).unwrap_or_default(),
            num(s.points[5], 1),
            s.last_email_engagement_day_no
                .map(|d| date_of(d).to_string())
                .unwrap_or_default(),
            s.email_sends_since
                .map(|n| n.to_string())
                .unwrap_or_default(),
            s.silent.map(|b| b.to_string()).unwrap_or_default(),
            num(s.points[6], 1),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
