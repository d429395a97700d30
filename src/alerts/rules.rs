//! The alert rules, evaluated for one day. They read the same figures as the cockpit
//! ([`compute_cockpit`]), so an alert never disagrees with the 1-slide: stock cover, the
//! channels' 7-day ROAS against their previous four weeks (four whole weeks, so every weekday
//! counts the same), revenue against target, cash; plus the sources' freshness
//! (`sync_state`) and statistical anomalies on the daily series.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;

use super::Finding;
use crate::cockpit::{compute_cockpit, Cockpit, CockpitOptions};
use crate::commands::App;
use crate::domain::{format_count, format_decimal, format_money, format_pct, Cents, Lang};
use crate::schedule::{AlertRule, RuleKind};

/// What the rules found, and the rules that could not be evaluated (their open alerts are
/// left as they are: no data is not "resolved").
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub failed: Vec<(RuleKind, String)>,
}

/// Evaluates `rules` on the day `as_of` (a complete day, shop time zone); `now` is the instant
/// freshness is judged at.
pub async fn evaluate(
    app: &App,
    rules: &[AlertRule],
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Evaluation> {
    let mut out = Evaluation::default();
    if rules.is_empty() {
        return Ok(out);
    }
    let needs_cockpit = rules.iter().any(|r| {
        matches!(
            r.kind,
            RuleKind::StockCover
                | RuleKind::RoasDrop
                | RuleKind::RevenueBelowTarget
                | RuleKind::CashBelow
        )
    });
    let cockpit = if needs_cockpit {
        let options = CockpitOptions {
            stock_cover_days: rules
                .iter()
                .filter(|r| r.kind == RuleKind::StockCover)
                .map(|r| r.days)
                .max()
                .unwrap_or(app.config.cockpit.stock_cover_days),
            cash_critical_threshold: app.config.cash_critical_threshold(),
        };
        Some(
            compute_cockpit(&app.store, &app.registry, &app.shop, as_of, &options)
                .await
                .with_context(|| format!("alert rules: the figures of {as_of}"))?,
        )
    } else {
        None
    };
    let lang = app.lang;
    let currency = app.shop.currency.as_str();
    for rule in rules {
        let found = match (rule.kind, &cockpit) {
            (RuleKind::StockCover, Some(c)) => stock_cover(app, rule, c, lang).await,
            (RuleKind::RoasDrop, Some(c)) => Ok(roas_drop(rule, c, lang, currency)),
            (RuleKind::RevenueBelowTarget, Some(c)) => {
                Ok(revenue_below_target(rule, c, lang, currency))
            }
            (RuleKind::CashBelow, Some(c)) => Ok(cash_below(rule, c, lang, currency)),
            (RuleKind::SourceStale, _) => source_stale(app, as_of, now, lang).await,
            (RuleKind::Anomaly, _) => super::anomaly_rule::evaluate(app, rule, as_of).await,
            (_, None) => unreachable!("the cockpit is computed for the rules that need it"),
        };
        match found {
            Ok(mut findings) => {
                attach_charts(app, rule.kind, cockpit.as_ref(), &mut findings);
                out.findings.extend(findings);
            }
            Err(e) => {
                tracing::error!(
                    rule = rule.kind.as_str(),
                    error = format!("{e:#}"),
                    "alert rule could not be evaluated"
                );
                out.failed.push((rule.kind, format!("{e:#}")));
            }
        }
    }
    Ok(out)
}

/// Open purchase orders on `day`, per SKU: (next expected delivery, units on order).
async fn open_purchase_orders(
    app: &App,
    day: NaiveDate,
) -> anyhow::Result<BTreeMap<String, (NaiveDate, i64)>> {
    let rows: Vec<(String, String, i64)> = crate::with_pool!(&app.store, pool => {
        sqlx::query_as(
            "SELECT sku, CAST(MIN(expected_date) AS TEXT), CAST(SUM(quantity) AS BIGINT) FROM purchase_orders \
             WHERE ordered_date <= $1 AND (received_date IS NULL OR received_date > $1) GROUP BY sku",
        )
        .bind(day)
        .fetch_all(pool)
        .await
    })
    .context("failed to read the open purchase orders")?;
    Ok(rows
        .into_iter()
        .filter_map(|(sku, date, qty)| Some((sku, (date.get(..10)?.parse().ok()?, qty))))
        .collect())
}

/// SKUs under the threshold that will run out before their next delivery: a SKU with a
/// purchase order arriving before its stock runs out is being handled, not at risk.
async fn stock_cover(
    app: &App,
    rule: &AlertRule,
    c: &Cockpit,
    lang: Lang,
) -> anyhow::Result<Vec<Finding>> {
    let incoming = open_purchase_orders(app, c.date).await?;
    let under: Vec<_> = c
        .stock_alerts
        .iter()
        .filter(|s| s.days_of_cover < rule.days as f64)
        .filter(|s| {
            let runs_out = c.date + Days::new(s.days_of_cover.max(0.0).floor() as u64);
            incoming
                .get(&s.sku)
                .map_or(true, |(next, _)| *next > runs_out)
        })
        .collect();
    let Some(worst) = under
        .iter()
        .min_by(|a, b| a.days_of_cover.total_cmp(&b.days_of_cover))
    else {
        return Ok(Vec::new());
    };
    let at_stake: i64 = under.iter().map(|s| s.revenue_28d.0).sum();
    let days = |d: f64| format_decimal(d, 1, lang);
    let details = under
        .iter()
        .map(|s| {
            format!(
                "`{}` {} — {} {}, {} {}/{}, *{} {}*",
                s.sku,
                s.name,
                format_count(s.on_hand, lang),
                lang.pick("en stock", "on hand"),
                format_decimal(s.units_per_day, 1, lang),
                lang.pick("unités", "units"),
                lang.pick("jour", "day"),
                days(s.days_of_cover),
                lang.pick("jours de couverture", "days of cover"),
            ) + &match incoming.get(&s.sku) {
                Some((next, qty)) => format!(
                    " — {} {next} ({} {})",
                    lang.pick("prochaine livraison", "next delivery"),
                    format_count(*qty, lang),
                    lang.pick("unités", "units")
                ),
                None => format!(
                    " — {}",
                    lang.pick(
                        "aucune commande fournisseur en cours",
                        "no purchase order open"
                    )
                ),
            }
        })
        .collect();
    Ok(vec![Finding {
        rule: RuleKind::StockCover,
        subject: "stock".into(),
        title: match lang {
            Lang::Fr => format!(
                "Stock : {} SKU sous {} jours de couverture, sans livraison avant la rupture",
                under.len(),
                rule.days
            ),
            Lang::En => format!(
                "Stock: {} SKU(s) under {} days of cover, no delivery before they run out",
                under.len(),
                rule.days
            ),
        },
        value: format!(
            "{} {} ({})",
            days(worst.days_of_cover),
            lang.pick("jours", "days"),
            worst.name
        ),
        baseline: format!("{} {}", rule.days, lang.pick("jours (seuil)", "days (threshold)")),
        action: match lang {
            Lang::Fr => format!(
                "Recommander en commençant par {} ; {} de ventes sur 28 jours en jeu. Détail par SKU dans le fil.",
                worst.name,
                format_money(Cents(at_stake), &c.currency, lang, true)
            ),
            Lang::En => format!(
                "Reorder, starting with {}; {} of 28-day sales at stake. Per-SKU detail in the thread.",
                worst.name,
                format_money(Cents(at_stake), &c.currency, lang, true)
            ),
        },
        details,
        evidence: json!({
            "threshold_days": rule.days,
            "skus": under,
            "next_deliveries": under.iter().filter_map(|s| incoming.get(&s.sku).map(|(d, q)| json!({"sku": s.sku, "expected": d, "units": q}))).collect::<Vec<_>>(),
        }),
        as_of: c.date,
        chart: None,
    }])
}

fn roas_drop(rule: &AlertRule, c: &Cockpit, lang: Lang, currency: &str) -> Vec<Finding> {
    c.marketing
        .by_channel
        .iter()
        .filter_map(|ch| {
            let (roas, change) = (ch.roas?, ch.roas_change_pct?);
            if ch.spend.0 <= 0 || change > -rule.drop_pct {
                return None;
            }
            let baseline = roas / (1.0 + change / 100.0);
            let name = crate::domain::Channel::display(&ch.channel, lang);
            let z = roas_drop_z(c, &ch.channel, ch.revenue, baseline / roas.max(f64::EPSILON));
            if z.is_some_and(|z| z < MIN_DROP_Z) {
                tracing::debug!(channel = ch.channel, change, z, "ROAS drop within chance: not an alert");
                return None;
            }
            let r = |v: f64| format_decimal(v, 2, lang);
            Some(Finding {
                rule: RuleKind::RoasDrop,
                subject: ch.channel.clone(),
                title: match lang {
                    Lang::Fr => format!("{name} : ROAS 7 jours en baisse de {}", format_pct(-change, 0, lang)),
                    Lang::En => format!("{name}: 7-day ROAS down {}", format_pct(-change, 0, lang)),
                },
                value: format!(
                    "{} ({} {} {})",
                    r(roas),
                    format_money(ch.spend, currency, lang, true),
                    lang.pick("dépensés →", "spent →"),
                    format_money(ch.revenue, currency, lang, true)
                ),
                baseline: format!(
                    "{} ({})",
                    r(baseline),
                    lang.pick("4 semaines précédentes", "previous 4 weeks")
                ),
                action: match lang {
                    Lang::Fr => format!("Vérifier le suivi des conversions de {name} puis couper le budget des campagnes les moins rentables (seuil : −{} %).", rule.drop_pct),
                    Lang::En => format!("Check {name}'s conversion tracking, then cut the budget of the least profitable campaigns (threshold: −{} %).", rule.drop_pct),
                },
                details: Vec::new(),
                evidence: json!({
                    "channel": ch.channel, "roas_7d": roas, "roas_baseline": baseline,
                    "change_pct": change, "spend_cents": ch.spend.0, "revenue_cents": ch.revenue.0,
                    "window": c.marketing.roas_window, "drop_pct": rule.drop_pct, "z": z,
                }),
                as_of: c.date,
                chart: None,
            })
        })
        .collect()
}

/// How far beyond chance a ROAS drop must be, in standard deviations.
pub const MIN_DROP_Z: f64 = 2.5;

/// How unlikely a channel's 7-day revenue is at its baseline ROAS, as a z-score: orders
/// arrive roughly as a Poisson count and baskets vary, so revenue over a window of `n`
/// orders has a variance of about `2 n` baskets² (a basket's coefficient of variation ≈ 1).
/// `n` is estimated as revenue ÷ the channel's 30-day average basket; `ratio` is baseline ÷
/// current ROAS (how many more orders the baseline would have brought for the same spend).
/// `None` when the channel has no average basket (then only the percentage applies). On a
/// small channel a 40 % drop can be a quiet week; on a big one 30 % is a real collapse.
fn roas_drop_z(c: &Cockpit, channel: &str, revenue: Cents, ratio: f64) -> Option<f64> {
    let aov = c
        .aov_by_channel
        .iter()
        .find(|a| a.channel == channel)
        .and_then(|a| a.aov)
        .filter(|a| a.0 > 0)?;
    let orders = revenue.0 as f64 / aov.0 as f64;
    let expected = orders * ratio;
    if expected <= 0.0 {
        return None;
    }
    Some((expected - orders) / (2.0 * expected).sqrt())
}

fn revenue_below_target(rule: &AlertRule, c: &Cockpit, lang: Lang, currency: &str) -> Vec<Finding> {
    let (Some(target), Some(gap)) = (c.revenue.target, c.revenue.vs_target_pct) else {
        return Vec::new();
    };
    if gap > -rule.below_pct {
        return Vec::new();
    }
    let money = |v: Cents| format_money(v, currency, lang, true);
    vec![Finding {
        rule: RuleKind::RevenueBelowTarget,
        subject: "revenue".into(),
        title: match lang {
            Lang::Fr => format!("CA du {} : {} sous l'objectif", c.date, format_pct(-gap, 0, lang)),
            Lang::En => format!("Revenue on {}: {} below target", c.date, format_pct(-gap, 0, lang)),
        },
        value: money(c.revenue.actual),
        baseline: format!("{} ({})", money(target), lang.pick("objectif", "target")),
        action: lang
            .pick(
                "Regarder les canaux en baisse dans /cockpit ; si le retard se confirme demain, relancer une campagne e-mail.",
                "Look at the channels that fell in /cockpit; if the gap holds tomorrow, send an e-mail campaign.",
            )
            .to_string(),
        details: Vec::new(),
        evidence: json!({
            "date": c.date, "revenue_cents": c.revenue.actual.0, "target_cents": target.0,
            "gap_pct": gap, "below_pct": rule.below_pct,
        }),
        as_of: c.date,
        chart: None,
    }]
}

fn cash_below(rule: &AlertRule, c: &Cockpit, lang: Lang, currency: &str) -> Vec<Finding> {
    let Some(balance) = c.cash.balance else {
        return Vec::new();
    };
    if balance.0 >= rule.threshold_cents {
        return Vec::new();
    }
    let money = |v: Cents| format_money(v, currency, lang, true);
    let as_of = c.cash.as_of.unwrap_or(c.date);
    vec![Finding {
        rule: RuleKind::CashBelow,
        subject: "cash".into(),
        title: match lang {
            Lang::Fr => format!("Trésorerie sous le seuil : {}", money(balance)),
            Lang::En => format!("Cash below threshold: {}", money(balance)),
        },
        value: format!("{} ({} {as_of})", money(balance), lang.pick("au", "on")),
        baseline: format!("{} ({})", money(Cents(rule.threshold_cents)), lang.pick("seuil", "threshold")),
        action: lang
            .pick(
                "Décaler les achats de stock non urgents et revoir les budgets publicitaires de la semaine.",
                "Postpone non-urgent stock purchases and review this week's ad budgets.",
            )
            .to_string(),
        details: Vec::new(),
        evidence: json!({ "balance_cents": balance.0, "as_of": as_of, "threshold_cents": rule.threshold_cents }),
        as_of: c.date,
        chart: None,
    }]
}

async fn source_stale(
    app: &App,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    lang: Lang,
) -> anyhow::Result<Vec<Finding>> {
    let sources = crate::import::sources::list(&app.store).await?;
    Ok(sources
        .into_iter()
        .filter(|s| !s.is_fresh(now))
        .map(|s| {
            let last = s
                .last_success_at
                .map(|t| t.with_timezone(&app.shop.timezone).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| lang.pick("jamais", "never").to_string());
            let hours = s.expected_interval_secs / 3600;
            Finding {
                rule: RuleKind::SourceStale,
                subject: s.source.clone(),
                title: match lang {
                    Lang::Fr => format!("Source {} non synchronisée depuis {last}", s.source),
                    Lang::En => format!("Source {} not synced since {last}", s.source),
                },
                value: last.clone(),
                baseline: match lang {
                    Lang::Fr => format!("toutes les {hours} h"),
                    Lang::En => format!("every {hours} h"),
                },
                action: match (lang, &s.last_error) {
                    (Lang::Fr, Some(e)) => format!("Dernière erreur : {}. Relancer l'import ou la synchro (`insight-desk sources`).", crate::render::escape_mrkdwn(e)),
                    (Lang::En, Some(e)) => format!("Last error: {}. Re-run the import or sync (`insight-desk sources`).", crate::render::escape_mrkdwn(e)),
                    (Lang::Fr, None) => "Relancer l'import ou la synchro ; les chiffres qui en dépendent sont incomplets (`insight-desk sources`).".into(),
                    (Lang::En, None) => "Re-run the import or sync; the figures that depend on it are incomplete (`insight-desk sources`).".into(),
                },
                details: Vec::new(),
                evidence: json!({
                    "source": s.source, "last_success_at": s.last_success_at,
                    "expected_interval_secs": s.expected_interval_secs, "data_to": s.data_to,
                    "last_error": s.last_error,
                }),
                as_of,
                chart: None,
            }
        })
        .collect())
}

/// The small chart of each finding: the cockpit's own charts where one shows the evidence.
fn attach_charts(app: &App, kind: RuleKind, cockpit: Option<&Cockpit>, findings: &mut [Finding]) {
    let name = match kind {
        RuleKind::RoasDrop => "roas_by_channel",
        RuleKind::RevenueBelowTarget => "revenue_vs_target",
        _ => return,
    };
    let (Some(c), false) = (cockpit, findings.is_empty()) else {
        return;
    };
    match crate::charts::cockpit_charts(c, app.lang) {
        Ok(charts) => {
            let chart = charts.into_iter().find(|ch| ch.name == name);
            for f in findings.iter_mut() {
                f.chart = chart.clone();
            }
        }
        Err(e) => tracing::warn!(error = format!("{e:#}"), "alert chart could not be drawn"),
    }
}

/// Per-rule map of the subjects found, for the lifecycle.
pub fn subjects(findings: &[Finding]) -> BTreeMap<(RuleKind, String), &Finding> {
    findings
        .iter()
        .map(|f| ((f.rule, f.subject.clone()), f))
        .collect()
}
