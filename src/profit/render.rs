//! SKU profitability for people: terminal text, the Block Kit message `/profit` posts (the
//! best-sellers that lose money first, the quadrants with their action, the SKUs on
//! defaults) and CSV (one row per SKU, every line of the template).

use super::cost::Quadrant;
use super::report::{ProfitReport, SkuProfit};
use crate::charts::Chart;
use crate::customers::aligned;
use crate::domain::{format_count, format_decimal, format_money, format_pct, Cents, Lang};
use crate::render::{
    escape_mrkdwn as esc, format_day_month_year, format_period, Block, Draft, Message,
};

/// SKUs listed per quadrant in the message (the CSV has them all).
pub const LISTED_PER_QUADRANT: usize = 5;

fn money(c: Cents, r: &ProfitReport, lang: Lang) -> String {
    format_money(c, &r.currency, lang, false)
}

fn header(r: &ProfitReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Rentabilité par SKU", "SKU profitability"),
        format_day_month_year(r.as_of, lang)
    )
}

fn name(s: &SkuProfit) -> String {
    format!("{} {}", s.sku, s.title)
}

/// "Best-sellers that lose money", the playbook's warning, or that there are none.
pub fn losing_sentence(r: &ProfitReport, lang: Lang) -> String {
    if r.skus.is_empty() {
        return lang
            .pick("Aucune vente sur la période.", "No sales in the period.")
            .to_string();
    }
    let losing: Vec<&SkuProfit> = r
        .losing_best_sellers
        .iter()
        .filter_map(|s| r.sku(s))
        .collect();
    if losing.is_empty() {
        let n = r.losing().count();
        return match lang {
            Lang::Fr => format!("Aucun best-seller ne perd d'argent ({} SKU à marge unitaire négative, tous à faible volume).", format_count(n as i64, lang)),
            Lang::En => format!("No best-seller loses money ({} SKUs with a negative unit margin, all low-volume).", format_count(n as i64, lang)),
        };
    }
    let loss: i64 = losing.iter().map(|s| s.economics.total_margin.0).sum();
    let items: Vec<String> = losing
        .iter()
        .take(5)
        .map(|s| {
            format!(
                "{} ({} {}, {} {})",
                name(s),
                format_count(s.units, lang),
                lang.pick("unités", "units"),
                money(s.economics.unit_margin, r, lang),
                lang.pick("par unité", "per unit"),
            )
        })
        .collect();
    let more = losing.len().saturating_sub(5);
    let more = if more > 0 {
        format!(" {} {more}", lang.pick("et", "and"))
    } else {
        String::new()
    };
    let who = match (lang, losing.len()) {
        (Lang::Fr, 1) => "1 best-seller perd de l'argent".to_string(),
        (Lang::Fr, n) => format!("{n} best-sellers perdent de l'argent"),
        (Lang::En, 1) => "1 best-seller loses money".to_string(),
        (Lang::En, n) => format!("{n} best-sellers lose money"),
    };
    match lang {
        Lang::Fr => format!(
            "⚠️ {who} ({} sur la période) : {}{more}.",
            money(Cents(loss), r, lang),
            items.join(", ")
        ),
        Lang::En => format!(
            "⚠️ {who} ({} over the period): {}{more}.",
            money(Cents(loss), r, lang),
            items.join(", ")
        ),
    }
}

fn summary(r: &ProfitReport, lang: Lang) -> String {
    let total: i64 = r.skus.iter().map(|s| s.economics.total_margin.0).sum();
    match lang {
        Lang::Fr => format!(
            "{} · {} SKU vendus · marge après coût complet {} · seuils des quadrants (médianes) : {} unités, {} de marge unitaire.",
            format_period(r.period, lang),
            format_count(r.skus.len() as i64, lang),
            money(Cents(total), r, lang),
            format_decimal(r.volume_threshold, 0, lang),
            money(r.margin_threshold, r, lang),
        ),
        Lang::En => format!(
            "{} · {} SKUs sold · margin after full cost {} · quadrant thresholds (medians): {} units, {} unit margin.",
            format_period(r.period, lang),
            format_count(r.skus.len() as i64, lang),
            money(Cents(total), r, lang),
            format_decimal(r.volume_threshold, 0, lang),
            money(r.margin_threshold, r, lang),
        ),
    }
}

fn quadrant_lines(
    r: &ProfitReport,
    q: Quadrant,
    lang: Lang,
    limit: usize,
) -> (String, Vec<String>) {
    let list = r.quadrants.iter().find(|l| l.quadrant == q);
    let (n, margin) = list.map_or((0, Cents(0)), |l| (l.skus.len(), l.total_margin));
    let title = format!(
        "{} — {} {}, {} {} — {}",
        q.label(lang),
        format_count(n as i64, lang),
        if n == 1 {
            "SKU"
        } else {
            lang.pick("SKU", "SKUs")
        },
        lang.pick("marge", "margin"),
        money(margin, r, lang),
        q.action(lang)
    );
    let mut members: Vec<&SkuProfit> = r.skus.iter().filter(|s| s.quadrant == q).collect();
    // Cash cows and niches by margin earned; the low-margin quadrants by margin lost first.
    if matches!(q, Quadrant::UrgentOptimisation | Quadrant::StopOrPivot) {
        members.sort_by_key(|s| s.economics.total_margin);
    }
    let mut lines: Vec<String> = members
        .iter()
        .take(limit)
        .map(|s| {
            format!(
                "{} · {} {} · {} {}",
                name(s),
                format_count(s.units, lang),
                lang.pick("u.", "u."),
                money(s.economics.unit_margin, r, lang),
                lang.pick("/u.", "/u."),
            )
        })
        .collect();
    if members.len() > limit {
        lines.push(format!("… +{}", members.len() - limit));
    }
    (title, lines)
}

fn defaults_sentence(r: &ProfitReport, lang: Lang) -> String {
    let d = &r.defaults;
    let values = match lang {
        Lang::Fr => format!(
            "Valeurs par défaut ([profit]) : prix fournisseur {} du prix net, packaging {}, logistique amont {}, pick & pack {}, stockage {} par an de la valeur du stock, {} jours en stock, retours {}, frais généraux {} du prix net.",
            format_pct(d.supplier_cost_pct, 0, lang), money(d.packaging, r, lang), money(d.inbound_logistics, r, lang), money(d.fulfilment, r, lang),
            format_pct(d.storage_rate_pct, 1, lang), format_decimal(d.days_in_stock, 0, lang), format_pct(d.return_rate_pct, 1, lang), format_pct(d.overhead_pct, 1, lang),
        ),
        Lang::En => format!(
            "Defaults ([profit]): supplier price {} of the net price, packaging {}, inbound logistics {}, pick & pack {}, storage {} a year of stock value, {} days in stock, returns {}, overheads {} of the net price.",
            format_pct(d.supplier_cost_pct, 0, lang), money(d.packaging, r, lang), money(d.inbound_logistics, r, lang), money(d.fulfilment, r, lang),
            format_pct(d.storage_rate_pct, 1, lang), format_decimal(d.days_in_stock, 0, lang), format_pct(d.return_rate_pct, 1, lang), format_pct(d.overhead_pct, 1, lang),
        ),
    };
    if r.using_defaults.is_empty() {
        return format!(
            "{} {values}",
            lang.pick(
                "Aucun SKU n'utilise de valeur par défaut.",
                "No SKU uses a default."
            )
        );
    }
    let shown: Vec<String> = r
        .using_defaults
        .iter()
        .take(12)
        .filter_map(|code| r.sku(code))
        .map(|s| {
            let parts: Vec<&str> = s.economics.defaults.iter().map(|c| c.label(lang)).collect();
            format!("{} ({})", s.sku, parts.join(", "))
        })
        .collect();
    let more = r.using_defaults.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(", … +{more}")
    } else {
        String::new()
    };
    match lang {
        Lang::Fr => format!(
            "{} SKU utilisent des valeurs par défaut : {}{more}. {values}",
            format_count(r.using_defaults.len() as i64, lang),
            shown.join(", ")
        ),
        Lang::En => format!(
            "{} SKUs use defaults: {}{more}. {values}",
            format_count(r.using_defaults.len() as i64, lang),
            shown.join(", ")
        ),
    }
}

fn method(r: &ProfitReport, lang: Lang) -> String {
    let unsold = format_count(r.unsold.len() as i64, lang);
    match lang {
        Lang::Fr => format!(
            "Coût complet unitaire = prix fournisseur + packaging & logistique amont + stockage (taux × valeur × jours en stock) + acquisition ({} : dépenses pub {} ÷ CA {}, au prorata du prix) + pick & pack + retours & SAV (taux historique) + frais généraux. {unsold} SKU actifs sans vente sur la période.",
            format_pct(r.acquisition_pct, 1, lang), money(r.ad_spend, r, lang), money(r.sold_revenue, r, lang),
        ),
        Lang::En => format!(
            "Full unit cost = supplier price + packaging & inbound logistics + storage (rate × value × days in stock) + acquisition ({}: ad spend {} ÷ revenue {}, pro rata of the price) + pick & pack + returns & after-sales (historic rate) + overheads. {unsold} active SKUs without a sale in the period.",
            format_pct(r.acquisition_pct, 1, lang), money(r.ad_spend, r, lang), money(r.sold_revenue, r, lang),
        ),
    }
}

/// Every SKU sold, one row each: the template's lines.
pub fn cost_table(lang: Lang, skus: &[&SkuProfit]) -> String {
    let m = |c: Cents| format_decimal(c.as_major(), 2, lang);
    let mut rows: Vec<[String; 14]> = vec![[
        "SKU".into(),
        lang.pick("Quadrant", "Quadrant").into(),
        lang.pick("Unités", "Units").into(),
        lang.pick("Prix net", "Net price").into(),
        lang.pick("Fourn.", "Supplier").into(),
        lang.pick("Pack+amont", "Pack+inb.").into(),
        lang.pick("Stock.", "Storage").into(),
        "Acq.".into(),
        "Pick".into(),
        lang.pick("Retours", "Returns").into(),
        lang.pick("FG", "Overh.").into(),
        lang.pick("Coût compl.", "Full cost").into(),
        lang.pick("Marge u.", "Unit margin").into(),
        "%".into(),
    ]];
    for s in skus {
        let e = &s.economics;
        let c = &e.cost;
        let flag = if e.defaults.is_empty() { "" } else { "*" };
        rows.push([
            format!("{}{flag}", s.sku),
            s.quadrant.label(lang).to_string(),
            format_count(s.units, lang),
            m(e.net_price),
            m(c.supplier),
            m(c.packaging_inbound),
            m(c.storage),
            m(c.acquisition),
            m(c.fulfilment),
            m(c.returns),
            m(c.overheads),
            m(c.total),
            m(e.unit_margin),
            format_decimal(e.margin_pct, 1, lang),
        ]);
    }
    aligned(&rows, 2)
}

pub fn profit_text(r: &ProfitReport, lang: Lang) -> String {
    let mut out = format!(
        "{}\n{}\n\n{}\n",
        header(r, lang),
        summary(r, lang),
        losing_sentence(r, lang)
    );
    for q in Quadrant::ALL {
        let (title, lines) = quadrant_lines(r, q, lang, LISTED_PER_QUADRANT);
        out.push_str(&format!("\n{title}\n"));
        for l in lines {
            out.push_str(&format!("  {l}\n"));
        }
    }
    if !r.skus.is_empty() {
        let all: Vec<&SkuProfit> = r.skus.iter().collect();
        out.push_str(&format!(
            "\n{}\n{}\n",
            lang.pick(
                "Coût complet par unité, du plus gros contributeur à la marge au plus petit (* : au moins une valeur par défaut) :",
                "Full cost per unit, from the largest margin contributor to the smallest (*: at least one default):"
            ),
            cost_table(lang, &all)
        ));
    }
    out.push_str(&format!(
        "\n{}\n\n{}\n",
        defaults_sentence(r, lang),
        method(r, lang)
    ));
    out
}

/// The `/profit` message; `chart` is the attached quadrant scatter, if any.
pub fn profit_message(r: &ProfitReport, chart: Option<&Chart>, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let losing = losing_sentence(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {losing}")));
    draft.push(Block::header(head).with_block_id("profit-header"));
    draft.push(Block::section(format!("*{}*", esc(&losing))).with_block_id("profit-losing"));
    draft.push(Block::section(esc(&summary(r, lang))).with_block_id("profit-summary"));
    if !r.skus.is_empty() {
        for q in Quadrant::ALL {
            let (title, lines) = quadrant_lines(r, q, lang, LISTED_PER_QUADRANT);
            let body: Vec<String> = lines.iter().map(|l| format!("• {}", esc(l))).collect();
            draft.push(
                Block::section(format!("*{}*\n{}", esc(&title), body.join("\n")))
                    .with_block_id(format!("profit-{}", q.key())),
            );
        }
    }
    let mut context = vec![esc(&defaults_sentence(r, lang)), esc(&method(r, lang))];
    if let Some(chart) = chart {
        context.push(format!(
            "📈 {} : {}",
            lang.pick("Graphique joint", "Chart attached"),
            esc(&chart.title)
        ));
    }
    draft.push(Block::context(context).with_block_id("profit-context"));
    draft.finalize()
}

fn decimal(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// One row per SKU sold: `sku, title, category, quadrant, units, net_price, supplier,
/// packaging_inbound, storage, acquisition, fulfilment, returns, overheads, full_cost,
/// unit_margin, margin_pct, total_margin, days_in_stock, return_rate_pct,
/// losing_best_seller, defaults` (amounts in major units, defaults separated by `;`).
pub fn profit_csv(r: &ProfitReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "sku",
        "title",
        "category",
        "quadrant",
        "units",
        "net_price",
        "supplier",
        "packaging_inbound",
        "storage",
        "acquisition",
        "fulfilment",
        "returns",
        "overheads",
        "full_cost",
        "unit_margin",
        "margin_pct",
        "total_margin",
        "days_in_stock",
        "return_rate_pct",
        "losing_best_seller",
        "defaults",
    ])?;
    for s in &r.skus {
        let e = &s.economics;
        let c = &e.cost;
        let defaults: Vec<String> = e
            .defaults
            .iter()
            .map(|d| {
                serde_json::to_value(d)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect();
        w.write_record([
            s.sku.clone(),
            s.title.clone(),
            s.category.clone(),
            s.quadrant.key().to_string(),
            s.units.to_string(),
            decimal(e.net_price),
            decimal(c.supplier),
            decimal(c.packaging_inbound),
            decimal(c.storage),
            decimal(c.acquisition),
            decimal(c.fulfilment),
            decimal(c.returns),
            decimal(c.overheads),
            decimal(c.total),
            decimal(e.unit_margin),
            format!("{:.2}", e.margin_pct),
            decimal(e.total_margin),
            format!("{:.1}", e.days_in_stock),
            format!("{:.2}", e.return_rate_pct),
            r.losing_best_sellers.contains(&s.sku).to_string(),
            defaults.join(";"),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
