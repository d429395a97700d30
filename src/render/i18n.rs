//! Every word a person reads in a rendered message, as French/English pairs side by side, and
//! the dates written the way each language writes them ("ven. 20 nov. 2026",
//! "Fri 20 Nov 2026"). chrono's localisation feature is off (it brings the whole CLDR for two
//! languages), and the abbreviations are a dozen lines, so they are written here.
//!
//! French typography: a no-break space before ":" and "%", "j" for days; numbers come from
//! `crate::domain`'s formatters.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::domain::{Lang, Period};

/// A user-facing string in both languages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tr {
    pub fr: &'static str,
    pub en: &'static str,
}

impl Tr {
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.fr, self.en)
    }
}

const fn tr(fr: &'static str, en: &'static str) -> Tr {
    Tr { fr, en }
}

pub(crate) const CONTINUED: Tr = tr("(suite)", "(continued)");
pub(crate) const COCKPIT: Tr = tr("Cockpit", "Cockpit");
/// French puts a no-break space before a colon.
pub(crate) const COLON: Tr = tr("\u{a0}:", ":");

// Families, in the order of SPEC §5.
pub(crate) const FINANCIAL: Tr = tr("Santé financière", "Financial health");
pub(crate) const COMMERCIAL: Tr = tr("Performance commerciale", "Sales");
pub(crate) const MARKETING: Tr = tr("Efficacité marketing", "Marketing efficiency");
pub(crate) const OPERATIONS: Tr = tr("Opérations", "Operations");
pub(crate) const GROWTH: Tr = tr("Croissance", "Growth");

// Financial health.
pub(crate) const REVENUE: Tr = tr("CA", "Revenue");
pub(crate) const VS_TARGET: Tr = tr("vs objectif", "vs target");
pub(crate) const NO_TARGET: Tr = tr("pas d'objectif", "no target");
pub(crate) const TREND: Tr = tr("Tendance", "Trend");
pub(crate) const MONTH_TO_DATE: Tr = tr("Mois en cours", "Month to date");
pub(crate) const GROSS_MARGIN: Tr = tr("Marge brute", "Gross margin");
pub(crate) const VS_30D: Tr = tr("vs 30\u{a0}j préc.", "vs prev. 30 d");
pub(crate) const MARGIN_BY_CHANNEL: Tr = tr("Marge 30\u{a0}j par canal", "30-d margin by channel");
pub(crate) const CASH: Tr = tr("Trésorerie", "Cash");
pub(crate) const NO_CASH: Tr = tr("aucun solde enregistré", "no balance recorded");
pub(crate) const THRESHOLD: Tr = tr("seuil", "threshold");
pub(crate) const BELOW_THRESHOLD: Tr = tr("sous le seuil de", "below the threshold of");
pub(crate) const BELOW_CRITICAL: Tr = tr("sous le seuil critique", "below the critical threshold");
pub(crate) const AS_OF: Tr = tr("au", "as of");

// Sales.
pub(crate) const ORDERS: Tr = tr("Commandes", "Orders");
pub(crate) const NEW_VS_RETURNING: Tr = tr("Nouveaux / récurrents", "New / returning");
pub(crate) const AOV_30D: Tr = tr("Panier moyen 30\u{a0}j", "AOV 30 d");
pub(crate) const CONVERSION_7D: Tr = tr("Conversion 7\u{a0}j", "Conversion 7 d");
pub(crate) const CONVERSION_BY_SOURCE: Tr =
    tr("Conversion 7\u{a0}j par source", "Conversion 7 d by source");
pub(crate) const NO_TRAFFIC: Tr = tr("pas de source de trafic", "no traffic source");
pub(crate) const SESSIONS: Tr = tr("sessions", "sessions");

// Marketing.
pub(crate) const SPEND_30D: Tr = tr("Dépenses 30\u{a0}j", "Spend 30 d");
pub(crate) const BLENDED_ROAS: Tr = tr("ROAS 7\u{a0}j global", "blended ROAS 7 d");
pub(crate) const CHANNEL: Tr = tr("Canal", "Channel");
pub(crate) const SHARE: Tr = tr("Part", "Share");
pub(crate) const ROAS_7D: Tr = tr("ROAS 7\u{a0}j", "ROAS 7 d");
pub(crate) const ROAS_60D: Tr = tr("ROAS 60\u{a0}j", "ROAS 60 d");
pub(crate) const CAC_30D: Tr = tr("CAC 30\u{a0}j", "CAC 30 d");
pub(crate) const CHANGE: Tr = tr("évol.", "change");
pub(crate) const NO_SPEND: Tr = tr("pas de dépenses", "no spend");
pub(crate) const ROAS_CHANGE_NOTE: Tr =
    tr("évol. ROAS vs 28\u{a0}j préc.", "ROAS change vs prev. 28 d");
pub(crate) const CAC_CHANGE_NOTE: Tr =
    tr("évol. CAC vs 30\u{a0}j préc.", "CAC change vs prev. 30 d");
pub(crate) const COHORT: Tr = tr("cohorte", "cohort");

// Operations.
pub(crate) const STOCK: Tr = tr("Stock", "Stock");
pub(crate) const IN_STOCK: Tr = tr("en stock", "on hand");
pub(crate) const RETURN_RATE_30D: Tr = tr("Taux de retour 30\u{a0}j", "Return rate 30 d");
pub(crate) const NO_SALES: Tr = tr("pas de ventes", "no sales");
pub(crate) const ROTATION: Tr = tr("Rotation des stocks (par an)", "Stock turns per year");
pub(crate) const SATISFACTION: Tr = tr("Satisfaction", "Satisfaction");
pub(crate) const NO_SOURCE: Tr = tr("aucune source connectée", "no source connected");

// Growth.
pub(crate) const LTV_NEW: Tr = tr(
    "LTV 12 mois des nouveaux clients",
    "12-month LTV of new customers",
);
pub(crate) const REPURCHASE_90D: Tr = tr("Réachat à 90\u{a0}j", "90-day repurchase rate");
pub(crate) const NO_CUSTOMERS: Tr = tr("aucun client dans la cohorte", "no customer in the cohort");

// Footer.
pub(crate) const DATA_AS_OF: Tr = tr("Données", "Data");
pub(crate) const LATE: Tr = tr("en retard", "late");
pub(crate) const NEVER_LOADED: Tr = tr("jamais chargé", "never loaded");
pub(crate) const UNAVAILABLE: Tr = tr("indisponible", "unavailable");
pub(crate) const CHARTS: Tr = tr(
    "📈 Graphique ci-dessous\u{a0}: chiffre d'affaires vs objectif, 30\u{a0}jours",
    "📈 Chart below: revenue vs target, 30 days",
);

/// "6,5 j" / "6.5 d" style unit for days.
pub(crate) const DAYS_UNIT: Tr = tr("j", "d");
pub(crate) const POINTS_UNIT: Tr = tr("pt", "pts");

/// "⚠ 3 SKU sous 14 j de couverture".
pub(crate) fn skus_under_cover(n: usize, days: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{n} SKU sous {days}\u{a0}j de couverture"),
        Lang::En => format!(
            "{n} SKU{} under {days} days of cover",
            if n == 1 { "" } else { "s" }
        ),
    }
}

pub(crate) fn no_sku_under_cover(days: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("aucun SKU sous {days}\u{a0}j de couverture"),
        Lang::En => format!("no SKU under {days} days of cover"),
    }
}

/// "600 nouveaux clients" / "1 new customer" (French singular for 0 and 1).
pub(crate) fn new_customers(n: i64, lang: Lang) -> String {
    let count = crate::domain::format_count(n, lang);
    match lang {
        Lang::Fr if n <= 1 => format!("{count} nouveau client"),
        Lang::Fr => format!("{count} nouveaux clients"),
        Lang::En if n == 1 => format!("{count} new customer"),
        Lang::En => format!("{count} new customers"),
    }
}

/// "+295 autres" / "+295 more".
pub(crate) fn more(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("+{n} autre{}", if n == 1 { "" } else { "s" }),
        Lang::En => format!("+{n} more"),
    }
}

/// "(+2 invités)" / "(+2 guest)".
pub(crate) fn guests(n: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("(+{n} invité{})", if n == 1 { "" } else { "s" }),
        Lang::En => format!("(+{n} guest)"),
    }
}

/// "vs ven. dernier" / "vs last Fri": the same weekday one week before `date`.
pub(crate) fn vs_last_week(date: NaiveDate, lang: Lang) -> String {
    let day = weekday(date.weekday(), lang);
    match lang {
        Lang::Fr => format!("vs {day} dernier"),
        Lang::En => format!("vs last {day}"),
    }
}

/// A figure's display name in failure lines; unknown keys are shown as they are.
pub(crate) fn figure_label(key: &str, lang: Lang) -> String {
    let tr = match key {
        "revenue" | "revenue_vs_target" => REVENUE,
        "gross_margin" | "margin" => GROSS_MARGIN,
        "cash" => CASH,
        "orders" => ORDERS,
        "aov" | "aov_by_channel" => tr("Panier moyen", "AOV"),
        "conversion_rate" => tr("Taux de conversion", "Conversion rate"),
        "marketing" | "roas" | "cac" => MARKETING,
        "stock_alerts" | "days_of_cover" => tr("Alertes stock", "Stock alerts"),
        "stock_rotation" => tr("Rotation des stocks", "Stock rotation"),
        "return_rate" => tr("Taux de retour", "Return rate"),
        "ltv" | "ltv_new_customers" | "ltv_12m" => tr("LTV", "LTV"),
        "repurchase_rate" | "repurchase_rate_90d" => tr("Taux de réachat", "Repurchase rate"),
        other => return other.to_string(),
    };
    tr.get(lang).to_string()
}

/// A data source's display name in "data as of"; unknown keys are shown as they are.
pub(crate) fn source_label(key: &str, lang: Lang) -> String {
    let tr = match key {
        "orders" => tr("commandes", "orders"),
        "ad_spend" => tr("dépenses pub", "ad spend"),
        "traffic" => tr("trafic", "traffic"),
        "inventory" => tr("stocks", "inventory"),
        "products" => tr("produits", "products"),
        "cash" | "cash_balance" => tr("trésorerie", "cash"),
        "targets" => tr("objectifs", "targets"),
        "refunds" => tr("remboursements", "refunds"),
        other => return other.to_string(),
    };
    tr.get(lang).to_string()
}

fn weekday(day: Weekday, lang: Lang) -> &'static str {
    const FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = day.num_days_from_monday() as usize;
    lang.pick(FR[i], EN[i])
}

fn month(date: NaiveDate, lang: Lang) -> &'static str {
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let i = date.month0() as usize;
    lang.pick(FR[i], EN[i])
}

/// "ven. 20 nov. 2026" / "Fri 20 Nov 2026".
pub fn format_date(date: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {}",
        weekday(date.weekday(), lang),
        format_day_month_year(date, lang)
    )
}

/// "20 nov." / "20 Nov".
pub fn format_day_month(date: NaiveDate, lang: Lang) -> String {
    format!("{} {}", date.day(), month(date, lang))
}

/// "20 nov. 2026" / "20 Nov 2026".
pub fn format_day_month_year(date: NaiveDate, lang: Lang) -> String {
    format!("{} {}", format_day_month(date, lang), date.year())
}

/// "22 août – 20 sept. 2026" (the first year only when it differs).
pub fn format_period(period: Period, lang: Lang) -> String {
    let from = if period.from.year() == period.to.year() {
        format_day_month(period.from, lang)
    } else {
        format_day_month_year(period.from, lang)
    };
    format!("{from} – {}", format_day_month_year(period.to, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        assert_eq!(format_date(d(2026, 11, 20), Lang::Fr), "ven. 20 nov. 2026");
        assert_eq!(format_date(d(2026, 11, 20), Lang::En), "Fri 20 Nov 2026");
        assert_eq!(format_date(d(2026, 8, 2), Lang::Fr), "dim. 2 août 2026");
        assert_eq!(format_date(d(2027, 2, 1), Lang::En), "Mon 1 Feb 2027");
    }

    #[test]
    fn periods_state_both_ends_and_the_year() {
        let p = Period::new(d(2026, 8, 22), d(2026, 9, 20)).unwrap();
        assert_eq!(format_period(p, Lang::Fr), "22 août – 20 sept. 2026");
        let p = Period::new(d(2025, 12, 22), d(2026, 1, 20)).unwrap();
        assert_eq!(format_period(p, Lang::En), "22 Dec 2025 – 20 Jan 2026");
    }

    #[test]
    fn same_weekday_last_week() {
        assert_eq!(vs_last_week(d(2026, 11, 20), Lang::Fr), "vs ven. dernier");
        assert_eq!(vs_last_week(d(2026, 11, 20), Lang::En), "vs last Fri");
    }
}
