//! The five families of the cockpit (SPEC §5), each turned into rows of formatted figures:
//! financial health, sales, marketing efficiency, operations, growth. Every comparison has
//! its ▲/▼ and its window; every missing value is "—" with the reason where a reader would
//! otherwise wonder (no target, no traffic source, no source connected).

use crate::cockpit::{Cockpit, StockAlert};
use crate::domain::{format_count, format_decimal, Cents, Channel, Lang};

use super::figures::{self, change_pct, change_pts, money, money_cents, pct, ratio, DASH};
use super::i18n::{self, format_day_month, format_period};
use super::view::{figure, missing, ChannelLine, Family, Row};

/// Stock alerts shown by name; the rest are counted.
const TOP_STOCK_ALERTS: usize = 5;
/// Categories shown in the stock rotation line; the rest are counted.
const TOP_CATEGORIES: usize = 6;

/// "🔴 ▼ 13,1 % vs objectif 10 500 €", or "(pas d'objectif)".
fn against_target(change: Option<f64>, target: Option<Cents>, cur: &str, lang: Lang) -> String {
    match target {
        Some(target) => format!(
            "{}{} {} {}",
            figures::target_cue(change),
            change_pct(change, lang),
            i18n::VS_TARGET.get(lang),
            money(target, cur, lang)
        ),
        None => missing(i18n::NO_TARGET, lang),
    }
}

pub(super) fn financial(c: &Cockpit, lang: Lang) -> Family {
    let cur = &c.currency;
    let r = &c.revenue;
    let vs_target = against_target(r.vs_target_pct, r.target, cur, lang);
    let days = i18n::DAYS_UNIT.get(lang);
    let trend = format!(
        "{} {} · 7\u{a0}{days} {} · 30\u{a0}{days} {}",
        i18n::vs_last_week(c.date, lang),
        change_pct(r.vs_last_week_pct, lang),
        change_pct(r.trend_7d_pct, lang),
        change_pct(r.trend_30d_pct, lang),
    );
    let mtd_vs = figures::vs(r.month_to_date, r.month_target_to_date);
    let mtd = against_target(mtd_vs, r.month_target_to_date, cur, lang);
    let m = &c.gross_margin;
    let margin = format!(
        "{} · {} {}",
        pct(m.pct, lang),
        change_pts(m.pct_change_pts_30d, lang),
        i18n::VS_30D.get(lang)
    );
    let by_channel = m
        .by_channel
        .iter()
        .map(|ch| (Channel::display(&ch.channel, lang), pct(ch.pct, lang)))
        .collect();
    let cash = &c.cash;
    let (cash_value, cash_detail) = match cash.balance {
        None => (DASH.to_string(), missing(i18n::NO_CASH, lang)),
        Some(balance) => {
            let threshold = cash.critical_threshold.map(|t| money(t, cur, lang));
            let mut detail: Vec<String> = Vec::new();
            if let Some(as_of) = cash.as_of.filter(|d| *d != c.date) {
                detail.push(format!(
                    "{} {}",
                    i18n::AS_OF.get(lang),
                    format_day_month(as_of, lang)
                ));
            }
            detail.extend(match (threshold, cash.below_threshold) {
                (Some(t), true) => Some(format!("⚠ {} {t}", i18n::BELOW_THRESHOLD.get(lang))),
                (Some(t), false) => Some(format!("{} {t}", i18n::THRESHOLD.get(lang))),
                (None, true) => Some(format!("⚠ {}", i18n::BELOW_CRITICAL.get(lang))),
                (None, false) => None,
            });
            (money(balance, cur, lang), detail.join(" · "))
        }
    };
    let mut rows = vec![
        figure(
            i18n::REVENUE.get(lang),
            money(r.actual, cur, lang),
            vs_target,
        ),
        figure(i18n::TREND.get(lang), String::new(), trend),
        figure(
            i18n::MONTH_TO_DATE.get(lang),
            money(r.month_to_date, cur, lang),
            mtd,
        ),
        figure(
            i18n::GROSS_MARGIN.get(lang),
            money(m.amount, cur, lang),
            margin,
        ),
    ];
    if !m.by_channel.is_empty() {
        rows.push(Row::List {
            label: i18n::MARGIN_BY_CHANNEL.get(lang).into(),
            items: by_channel,
            more: None,
            bulleted: false,
        });
    }
    rows.push(figure(i18n::CASH.get(lang), cash_value, cash_detail));
    Family {
        icon: "💰",
        title: i18n::FINANCIAL.get(lang),
        rows,
        channels: Vec::new(),
        note: None,
    }
}

pub(super) fn commercial(c: &Cockpit, lang: Lang) -> Family {
    let cur = &c.currency;
    let o = &c.orders;
    let orders_detail = format!(
        "{} {} ({})",
        change_pct(o.vs_last_week_pct, lang),
        i18n::vs_last_week(c.date, lang),
        format_count(o.same_day_last_week, lang)
    );
    let split = format!(
        "{} / {}",
        format_count(o.new_customers, lang),
        format_count(o.returning_customers, lang)
    );
    let guests = if o.guest > 0 {
        i18n::guests(o.guest, lang)
    } else {
        String::new()
    };
    let mut rows = vec![
        figure(
            i18n::ORDERS.get(lang),
            format_count(o.total, lang),
            orders_detail,
        ),
        figure(i18n::NEW_VS_RETURNING.get(lang), split, guests),
    ];
    if !c.aov_by_channel.is_empty() {
        let items = c.aov_by_channel.iter().map(|a| {
            let value = match a.aov {
                Some(_) => format!(
                    "{} {}",
                    money_cents(a.aov, cur, lang),
                    change_pct(a.change_pct, lang)
                ),
                None => DASH.to_string(),
            };
            (Channel::display(&a.channel, lang), value)
        });
        rows.push(Row::List {
            label: i18n::AOV_30D.get(lang).into(),
            items: items.collect(),
            more: None,
            bulleted: false,
        });
    }
    let conv = &c.conversion_rate;
    match conv.overall_pct {
        Some(rate) => {
            let mut detail = change_pts(conv.change_pts_vs_previous_7d, lang);
            if let Some(sessions) = conv.sessions {
                detail.push_str(&format!(
                    " · {} {}",
                    format_count(sessions, lang),
                    i18n::SESSIONS.get(lang)
                ));
            }
            rows.push(figure(
                i18n::CONVERSION_7D.get(lang),
                pct(Some(rate), lang),
                detail,
            ));
            if !conv.by_channel.is_empty() {
                let items = conv
                    .by_channel
                    .iter()
                    .map(|ch| (Channel::display(&ch.channel, lang), pct(ch.pct, lang)));
                rows.push(Row::List {
                    label: i18n::CONVERSION_BY_SOURCE.get(lang).into(),
                    items: items.collect(),
                    more: None,
                    bulleted: false,
                });
            }
        }
        None => rows.push(figure(
            i18n::CONVERSION_7D.get(lang),
            DASH.into(),
            missing(i18n::NO_TRAFFIC, lang),
        )),
    }
    Family {
        icon: "🛒",
        title: i18n::COMMERCIAL.get(lang),
        rows,
        channels: Vec::new(),
        note: None,
    }
}

pub(super) fn marketing(c: &Cockpit, lang: Lang) -> Family {
    let cur = &c.currency;
    let mk = &c.marketing;
    let blended = format!(
        "{} {}",
        i18n::BLENDED_ROAS.get(lang),
        ratio(mk.blended_roas, lang)
    );
    let rows = vec![figure(
        i18n::SPEND_30D.get(lang),
        money(mk.total_spend, cur, lang),
        blended,
    )];
    let channels = mk
        .by_channel
        .iter()
        .map(|ch| ChannelLine {
            name: Channel::display(&ch.channel, lang),
            spend: money(ch.spend, cur, lang),
            share: figures::pct_with(ch.budget_share_pct, 0, lang),
            roas: ratio(ch.roas, lang),
            // No change is shown for a value that is not there.
            roas_change: ch
                .roas
                .map_or(String::new(), |_| change_pct(ch.roas_change_pct, lang)),
            roas_60d: ratio(ch.roas_60d, lang),
            cac: money_cents(ch.cac, cur, lang),
            cac_change: ch
                .cac
                .map_or(String::new(), |_| change_pct(ch.cac_change_pct, lang)),
            no_spend: (ch.spend.0 == 0).then(|| {
                let new = i18n::new_customers(ch.new_customers, lang);
                format!("{} · {new}", i18n::NO_SPEND.get(lang))
            }),
        })
        .collect();
    let note = format!(
        "{} · {}{} {} {} · {}",
        i18n::ROAS_CHANGE_NOTE.get(lang),
        i18n::ROAS_60D.get(lang),
        i18n::COLON.get(lang),
        i18n::COHORT.get(lang),
        format_period(mk.roas_60d_cohort, lang),
        i18n::CAC_CHANGE_NOTE.get(lang),
    );
    Family {
        icon: "📣",
        title: i18n::MARKETING.get(lang),
        rows,
        channels,
        note: Some(note),
    }
}

/// Most urgent first: least cover, then most revenue at stake.
fn by_urgency(alerts: &[StockAlert]) -> Vec<&StockAlert> {
    let mut sorted: Vec<&StockAlert> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        a.days_of_cover
            .total_cmp(&b.days_of_cover)
            .then(b.revenue_28d.cmp(&a.revenue_28d))
    });
    sorted
}

pub(super) fn operations(c: &Cockpit, lang: Lang) -> Family {
    let ops = &c.operations;
    let threshold = ops.stock_cover_threshold_days;
    let days = i18n::DAYS_UNIT.get(lang);
    let mut rows = Vec::new();
    if c.stock_alerts.is_empty() {
        rows.push(figure(
            i18n::STOCK.get(lang),
            String::new(),
            format!("✅ {}", i18n::no_sku_under_cover(threshold, lang)),
        ));
    } else {
        let alerts = by_urgency(&c.stock_alerts);
        let items = alerts.iter().take(TOP_STOCK_ALERTS).map(|a| {
            let cover = format!("{}\u{a0}{days}", format_decimal(a.days_of_cover, 1, lang));
            let on_hand = format!(
                "{} {}",
                format_count(a.on_hand, lang),
                i18n::IN_STOCK.get(lang)
            );
            (
                format!("{} ({})", a.name, a.sku),
                format!("{cover} · {on_hand}"),
            )
        });
        let hidden = alerts.len().saturating_sub(TOP_STOCK_ALERTS);
        rows.push(Row::List {
            label: format!(
                "⚠ {}",
                i18n::skus_under_cover(alerts.len(), threshold, lang)
            ),
            items: items.collect(),
            more: (hidden > 0).then(|| i18n::more(hidden, lang)),
            bulleted: true,
        });
    }
    let returns = match ops.return_rate_pct {
        Some(rate) => (pct(Some(rate), lang), String::new()),
        None => (DASH.to_string(), missing(i18n::NO_SALES, lang)),
    };
    rows.push(figure(
        i18n::RETURN_RATE_30D.get(lang),
        returns.0,
        returns.1,
    ));
    if ops.stock_rotation.is_empty() {
        rows.push(figure(i18n::ROTATION.get(lang), DASH.into(), String::new()));
    } else {
        let items = ops.stock_rotation.iter().take(TOP_CATEGORIES);
        let hidden = ops.stock_rotation.len().saturating_sub(TOP_CATEGORIES);
        rows.push(Row::List {
            label: i18n::ROTATION.get(lang).into(),
            items: items
                .map(|r| (r.category.clone(), ratio(r.turns_per_year, lang)))
                .collect(),
            more: (hidden > 0).then(|| i18n::more(hidden, lang)),
            bulleted: false,
        });
    }
    let satisfaction = match ops.satisfaction {
        Some(score) => (ratio(Some(score), lang), String::new()),
        None => (DASH.to_string(), missing(i18n::NO_SOURCE, lang)),
    };
    rows.push(figure(
        i18n::SATISFACTION.get(lang),
        satisfaction.0,
        satisfaction.1,
    ));
    Family {
        icon: "📦",
        title: i18n::OPERATIONS.get(lang),
        rows,
        channels: Vec::new(),
        note: None,
    }
}

pub(super) fn growth(c: &Cockpit, lang: Lang) -> Family {
    let g = &c.growth;
    let cohort = |p| format!("({} {})", i18n::COHORT.get(lang), format_period(p, lang));
    let no_customer = |p| {
        format!(
            "({}{} {})",
            i18n::NO_CUSTOMERS.get(lang),
            i18n::COLON.get(lang),
            format_period(p, lang)
        )
    };
    let ltv = match g.ltv_new_customers {
        Some(ltv) => (money(ltv, &c.currency, lang), cohort(g.ltv_cohort)),
        None => (DASH.to_string(), no_customer(g.ltv_cohort)),
    };
    let repurchase = match g.repurchase_rate_90d {
        Some(rate) => (pct(Some(rate), lang), cohort(g.repurchase_cohort)),
        None => (DASH.to_string(), no_customer(g.repurchase_cohort)),
    };
    let rows = vec![
        figure(i18n::LTV_NEW.get(lang), ltv.0, ltv.1),
        figure(i18n::REPURCHASE_90D.get(lang), repurchase.0, repurchase.1),
    ];
    Family {
        icon: "🌱",
        title: i18n::GROWTH.get(lang),
        rows,
        channels: Vec::new(),
        note: None,
    }
}
