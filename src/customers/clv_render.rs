//! The predicted-value report for people: terminal text, a Block Kit message, and the CSV of
//! every customer's predictions.

use super::clv_report::{ClvReport, CustomerValue, TopCustomer};
use crate::domain::{format_count, format_decimal, format_money, format_pct, Cents, Lang};
use crate::render::{escape_mrkdwn as esc, format_day_month_year, Block, Draft, Message};

fn money(value: f64, r: &ClvReport, lang: Lang) -> String {
    format_money(
        Cents((value * 100.0).round() as i64),
        &r.currency,
        lang,
        true,
    )
}

fn header(r: &ClvReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Valeur client prédite · données au {}",
            format_day_month_year(r.calibration_end, lang)
        ),
        Lang::En => format!(
            "Predicted customer value · data to {}",
            format_day_month_year(r.calibration_end, lang)
        ),
    }
}

fn months(r: &ClvReport) -> String {
    format!("{}", (r.horizon_days as f64 / 30.4).round() as i64)
}

fn headline(r: &ClvReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "{} clients acheteurs ({} ont racheté) · {} prochains mois : {} achats attendus, {} de CA prédit",
            format_count(r.customers, lang),
            format_count(r.repeat_customers, lang),
            months(r),
            format_decimal(r.expected_purchases, 0, lang),
            format_money(r.predicted_value, &r.currency, lang, true)
        ),
        Lang::En => format!(
            "{} buying customers ({} bought again) · next {} months: {} purchases expected, {} of revenue predicted",
            format_count(r.customers, lang),
            format_count(r.repeat_customers, lang),
            months(r),
            format_decimal(r.expected_purchases, 0, lang),
            format_money(r.predicted_value, &r.currency, lang, true)
        ),
    }
}

fn p(x: f64, lang: Lang) -> String {
    format_decimal(x, 3, lang)
}

/// The fitted parameters, one model per line.
fn parameters(r: &ClvReport, lang: Lang) -> Vec<String> {
    let b = &r.bgnbd;
    let mut lines = vec![format!(
        "BG/NBD: r {} · α {} · a {} · b {} · {} {} ({} {}, {} {})",
        p(b.params.r, lang),
        p(b.params.alpha, lang),
        p(b.params.a, lang),
        p(b.params.b, lang),
        lang.pick("log-vraisemblance", "log-likelihood"),
        format_decimal(b.log_likelihood, 1, lang),
        format_count(b.customers as i64, lang),
        lang.pick("clients", "customers"),
        b.iterations,
        lang.pick("itérations", "iterations"),
    )];
    match (&r.gamma_gamma, &r.gamma_gamma_problem) {
        (Some(g), _) => lines.push(format!(
            "Gamma-Gamma: p {} · q {} · γ {} ({} {})",
            p(g.params.p, lang),
            p(g.params.q, lang),
            p(g.params.gamma, lang),
            format_count(g.customers as i64, lang),
            lang.pick("clients ayant racheté", "repeat customers"),
        )),
        (None, Some(problem)) => lines.push(format!(
            "Gamma-Gamma: {} ({problem})",
            lang.pick("non ajusté", "not fitted")
        )),
        (None, None) => {}
    }
    if let Some(rho) = r.frequency_value_correlation {
        lines.push(match lang {
            Lang::Fr => format!(
                "Corrélation fréquence–panier {} (Gamma-Gamma les suppose indépendants{})",
                format_decimal(rho, 2, lang),
                if rho.abs() > 0.3 {
                    " : à prendre avec prudence"
                } else {
                    ""
                }
            ),
            Lang::En => format!(
                "Frequency–value correlation {} (Gamma-Gamma assumes independence{})",
                format_decimal(rho, 2, lang),
                if rho.abs() > 0.3 {
                    ": read with care"
                } else {
                    ""
                }
            ),
        });
    }
    lines
}

fn holdout_lines(r: &ClvReport, lang: Lang) -> Option<(String, String)> {
    let h = r.holdout.as_ref()?;
    let error = h.error_pct.map_or("—".into(), |e| format_pct(e, 1, lang));
    let line = match lang {
        Lang::Fr => format!(
            "Vérifié sur la suite, du {} au {} ({} semaines) : {} achats prédits, {} réels ({error})",
            format_day_month_year(h.from, lang),
            format_day_month_year(h.to, lang),
            format_decimal(h.weeks, 1, lang),
            format_decimal(h.predicted, 0, lang),
            format_count(h.actual, lang),
        ),
        Lang::En => format!(
            "Checked against what followed, {} to {} ({} weeks): {} purchases predicted, {} made ({error})",
            format_day_month_year(h.from, lang),
            format_day_month_year(h.to, lang),
            format_decimal(h.weeks, 1, lang),
            format_decimal(h.predicted, 0, lang),
            format_count(h.actual, lang),
        ),
    };
    let mut rows: Vec<[String; 4]> = vec![[
        lang.pick("Rachats", "Repeats").into(),
        lang.pick("Clients", "Customers").into(),
        lang.pick("Prédits", "Predicted").into(),
        lang.pick("Réels", "Actual").into(),
    ]];
    for row in &h.by_repeat_purchases {
        rows.push([
            row.x.clone(),
            format_count(row.customers, lang),
            format_decimal(row.predicted, 1, lang),
            format_count(row.actual, lang),
        ]);
    }
    Some((line, super::aligned(&rows, 1)))
}

fn who(c: &TopCustomer) -> String {
    c.email
        .clone()
        .or_else(|| c.customer_key.clone())
        .unwrap_or_else(|| format!("#{}", c.value.summary.customer_id))
}

fn top_line(c: &TopCustomer, r: &ClvReport, lang: Lang) -> String {
    let v = &c.value;
    match lang {
        Lang::Fr => format!(
            "{} · {} · {} achats × {} · P(actif) {}",
            who(c),
            money(v.predicted_value, r, lang),
            format_decimal(v.expected_purchases, 1, lang),
            money(v.expected_order_value, r, lang),
            format_decimal(v.p_alive, 2, lang)
        ),
        Lang::En => format!(
            "{} · {} · {} purchases × {} · P(alive) {}",
            who(c),
            money(v.predicted_value, r, lang),
            format_decimal(v.expected_purchases, 1, lang),
            money(v.expected_order_value, r, lang),
            format_decimal(v.p_alive, 2, lang)
        ),
    }
}

fn method_line(lang: Lang) -> &'static str {
    lang.pick(
        "Modèles BG/NBD (Fader, Hardie & Lee 2005) pour le nombre d'achats et Gamma-Gamma (Fader & Hardie 2013) pour leur valeur, ajustés par maximum de vraisemblance sur l'historique de la boutique ; un achat = un jour avec commande, en semaines.",
        "BG/NBD (Fader, Hardie & Lee 2005) for the number of purchases and Gamma-Gamma (Fader & Hardie 2013) for their value, fitted by maximum likelihood on the shop's history; a purchase is a day with an order, time in weeks.",
    )
}

/// The report as terminal text.
pub fn clv_text(r: &ClvReport, lang: Lang) -> String {
    let mut out = format!("{}\n{}\n", header(r, lang), headline(r, lang));
    out.push_str(&format!(
        "{} {}\n\n",
        lang.pick("P(actif) moyenne", "Mean P(alive)"),
        format_decimal(r.mean_p_alive, 2, lang)
    ));
    out.push_str(lang.pick("Paramètres\n", "Parameters\n"));
    for line in parameters(r, lang) {
        out.push_str(&format!("  {line}\n"));
    }
    if let Some((line, table)) = holdout_lines(r, lang) {
        out.push_str(&format!("\n{line}\n"));
        for row in table.lines() {
            out.push_str(&format!("  {row}\n"));
        }
    }
    out.push_str(&format!(
        "\n{}\n",
        match lang {
            Lang::Fr => format!("Plus forte valeur sur les {} prochains mois", months(r)),
            Lang::En => format!("Worth most over the next {} months", months(r)),
        }
    ));
    for c in &r.top {
        out.push_str(&format!("  {}\n", top_line(c, r, lang)));
    }
    out.push_str(&format!("\n{}\n", method_line(lang)));
    out
}

/// The report as a Slack message.
pub fn clv_message(r: &ClvReport, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("clv-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang)))).with_block_id("clv-headline"),
    );
    draft.push(
        Block::section(
            parameters(r, lang)
                .iter()
                .map(|l| esc(l))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .with_block_id("clv-parameters"),
    );
    if let Some((line, table)) = holdout_lines(r, lang) {
        draft.push(
            Block::section(format!("{}\n```\n{}\n```", esc(&line), esc(&table)))
                .with_block_id("clv-holdout"),
        );
    }
    let mut top = format!(
        "*{}*",
        match lang {
            Lang::Fr => format!("Plus forte valeur sur les {} prochains mois", months(r)),
            Lang::En => format!("Worth most over the next {} months", months(r)),
        }
    );
    for c in &r.top {
        top.push_str(&format!("\n• {}", esc(&top_line(c, r, lang))));
    }
    draft.push(Block::section(top).with_block_id("clv-top"));
    draft.push(
        Block::context(vec![
            esc(method_line(lang)),
            esc(lang.pick(
                "Tous les clients : `insight-desk report clv --format csv`",
                "Every customer: `insight-desk report clv --format csv`",
            )),
        ])
        .with_block_id("clv-context"),
    );
    draft.finalize()
}

fn num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// Every customer's predictions, highest predicted value first.
pub fn clv_csv(
    r: &ClvReport,
    contacts: &std::collections::HashMap<i64, super::Contact>,
) -> anyhow::Result<String> {
    let mut list: Vec<&CustomerValue> = r.values.iter().collect();
    list.sort_by(|a, b| {
        b.predicted_value
            .total_cmp(&a.predicted_value)
            .then(a.summary.customer_id.cmp(&b.summary.customer_id))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "customer_key",
        "repeat_purchases",
        "recency_weeks",
        "age_weeks",
        "mean_repeat_value",
        "p_alive",
        "expected_purchases",
        "expected_order_value",
        "predicted_value",
    ])?;
    for v in list {
        let c = contacts.get(&v.summary.customer_id);
        w.write_record([
            c.and_then(|c| c.email.clone()).unwrap_or_default(),
            c.map(|c| c.key.clone()).unwrap_or_default(),
            v.summary.x.to_string(),
            num(v.summary.t_x, 2),
            num(v.summary.t, 2),
            num(v.summary.monetary, 2),
            num(v.p_alive, 4),
            num(v.expected_purchases, 4),
            num(v.expected_order_value, 2),
            num(v.predicted_value, 2),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
