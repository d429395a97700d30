//! The cockpit as the CEO sees it: one valid message in each language, the figures, arrows
//! and explanations a reader would check, and the terminal summary agreeing with Slack.

use serde_json::json;

use super::*;
use crate::cockpit::sample::sample_cockpit;
use crate::cockpit::{Cockpit, Failure, StockAlert};
use crate::domain::{Cents, Lang};

/// The one message the cockpit must fit in, checked against every limit.
fn one_message(c: &Cockpit, lang: Lang) -> Message {
    let mut messages = cockpit_message(c, lang);
    for m in &messages {
        check_limits(m).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(messages.len(), 1, "the cockpit no longer fits one message");
    messages.remove(0)
}

/// Every text of the message, one line per line of mrkdwn.
fn lines(m: &Message) -> Vec<String> {
    let json = m.to_json();
    let mut texts = Vec::new();
    for block in json["blocks"].as_array().unwrap() {
        let text = block["text"]["text"].as_str().into_iter();
        let fields = block["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["text"].as_str());
        let elements = block["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["text"].as_str());
        texts.extend(
            text.chain(fields)
                .chain(elements)
                .flat_map(str::lines)
                .map(String::from),
        );
    }
    texts
}

fn line_starting<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in {lines:#?}"))
}

#[test]
fn the_sample_cockpit_is_one_valid_message_in_both_languages() {
    let c = sample_cockpit();
    let fr = one_message(&c, Lang::Fr);
    let en = one_message(&c, Lang::En);
    assert_eq!(
        fr.to_json()["blocks"][0]["text"]["text"],
        "Cockpit — ven. 20 nov. 2026"
    );
    assert_eq!(
        en.to_json()["blocks"][0]["text"]["text"],
        "Cockpit — Fri 20 Nov 2026"
    );
    assert!(fr.text().starts_with(
        "Cockpit — ven. 20 nov. 2026\u{a0}: CA 9\u{202f}123\u{a0}€ (▼ 13,1\u{a0}% vs objectif)"
    ));
    // The five families, in the order of SPEC §5.
    let json = en.to_json();
    let sections = json["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section");
    let titles: Vec<&str> = sections
        .map(|b| b["text"]["text"].as_str().unwrap().lines().next().unwrap())
        .collect();
    let expected = [
        "*💰 Financial health*",
        "*🛒 Sales*",
        "*📣 Marketing efficiency*",
        "*📦 Operations*",
        "*🌱 Growth*",
    ];
    assert_eq!(titles, expected);
}

#[test]
fn french_figures_read_as_a_french_ceo_expects() {
    let l = lines(&one_message(&sample_cockpit(), Lang::Fr));
    assert_eq!(
        line_starting(&l, "CA"),
        "CA\u{a0}: *9\u{202f}123\u{a0}€* 🔴 ▼ 13,1\u{a0}% vs objectif 10\u{202f}500\u{a0}€"
    );
    assert_eq!(
        line_starting(&l, "Tendance"),
        "Tendance\u{a0}: vs ven. dernier ▼ 9,0\u{a0}% · 7\u{a0}j ▲ 3,2\u{a0}% · 30\u{a0}j ▼ 1,4\u{a0}%"
    );
    assert_eq!(
        line_starting(&l, "Marge brute"),
        "Marge brute\u{a0}: *5\u{202f}010\u{a0}€* 54,9\u{a0}% · ▼ 0,8\u{a0}pt vs 30\u{a0}j préc."
    );
    assert_eq!(
        line_starting(&l, "Trésorerie"),
        "Trésorerie\u{a0}: *182\u{202f}500\u{a0}€* seuil 100\u{202f}000\u{a0}€"
    );
    assert_eq!(
        line_starting(&l, "Nouveaux"),
        "Nouveaux / récurrents\u{a0}: *61 / 79* (+2 invités)"
    );
    // AOV and CAC keep their cents; channels carry their display names.
    assert!(line_starting(&l, "Panier moyen").contains("Meta Ads 61,50\u{a0}€ ▲ 2,0\u{a0}%"));
    assert_eq!(
        line_starting(&l, "CAC 30\u{a0}j 42"),
        "CAC 30\u{a0}j 42,50\u{a0}€ ▲ 4,2\u{a0}%"
    );
    assert_eq!(
        line_starting(&l, "ROAS 7\u{a0}j *1,6*"),
        "ROAS 7\u{a0}j *1,6* ▼ 9,1\u{a0}% · 60\u{a0}j 2,2"
    );
    assert_eq!(line_starting(&l, "*Organique*"), "*Organique*");
    assert!(l
        .iter()
        .any(|x| x == "pas de dépenses · 600 nouveaux clients"));
    assert_eq!(
        line_starting(&l, "• "),
        "• Sérum éclat 30 ml (SKU-0007) — 6,5\u{a0}j · 84 en stock"
    );
    assert_eq!(
        line_starting(&l, "Satisfaction"),
        "Satisfaction\u{a0}: *—* (aucune source connectée)"
    );
    assert!(line_starting(&l, "LTV").contains("(cohorte 22 oct. – 20 nov. 2025)"));
    assert_eq!(
        line_starting(&l, "Maison Demo"),
        "Maison Demo · Europe/Paris · Données\u{a0}: commandes au 20 nov. · ⚠ dépenses pub au 19 nov. (en retard)"
    );
    assert_eq!(
        line_starting(&l, "⚠ Rotation"),
        "⚠ Rotation des stocks indisponible\u{a0}: example failure"
    );
    assert!(
        line_starting(&l, "📈 Graphique").contains("chiffre d'affaires vs objectif, 30\u{a0}jours")
    );
}

#[test]
fn no_traffic_source_says_so_instead_of_zero() {
    let mut c = sample_cockpit();
    c.conversion_rate.overall_pct = None;
    c.conversion_rate.sessions = None;
    c.conversion_rate.change_pts_vs_previous_7d = None;
    c.conversion_rate.by_channel.clear();
    let fr = lines(&one_message(&c, Lang::Fr));
    assert_eq!(
        line_starting(&fr, "Conversion"),
        "Conversion 7\u{a0}j\u{a0}: *—* (pas de source de trafic)"
    );
    let en = lines(&one_message(&c, Lang::En));
    assert_eq!(
        line_starting(&en, "Conversion"),
        "Conversion 7 d: *—* (no traffic source)"
    );
    let text = cockpit_text(&c, Lang::Fr);
    let conversion = text
        .lines()
        .find(|l| l.trim_start().starts_with("Conversion"))
        .unwrap();
    assert!(
        conversion.ends_with("—  (pas de source de trafic)"),
        "{conversion}"
    );
    assert!(
        !conversion.contains("0\u{a0}%") && !conversion.contains("0,0"),
        "{conversion}"
    );
}

#[test]
fn missing_target_and_low_cash_are_explained() {
    let mut c = sample_cockpit();
    c.revenue.target = None;
    c.revenue.vs_target_pct = None;
    c.cash.balance = Some(Cents(8_000_000));
    c.cash.below_threshold = true;
    let l = lines(&one_message(&c, Lang::Fr));
    assert_eq!(
        line_starting(&l, "CA"),
        "CA\u{a0}: *9\u{202f}123\u{a0}€* (pas d'objectif)"
    );
    assert_eq!(
        line_starting(&l, "Trésorerie"),
        "Trésorerie\u{a0}: *80\u{202f}000\u{a0}€* ⚠ sous le seuil de 100\u{202f}000\u{a0}€"
    );
    assert!(one_message(&c, Lang::Fr).text().contains("pas d'objectif"));

    c.cash.balance = None;
    let l = lines(&one_message(&c, Lang::En));
    assert_eq!(line_starting(&l, "Cash"), "Cash: *—* (no balance recorded)");
}

#[test]
fn three_hundred_stock_alerts_still_make_one_valid_message_with_the_most_urgent_first() {
    let mut c = sample_cockpit();
    c.stock_alerts = (0..300)
        .map(|i| StockAlert {
            sku: format!("SKU-{i:04}"),
            name: format!("Crème «\u{a0}été\u{a0}» n°{i} & co"),
            on_hand: 300 - i,
            days_of_cover: 13.9 - (i % 139) as f64 / 10.0,
            units_per_day: 3.0,
            revenue_28d: Cents(10_000 * i),
        })
        .collect();
    for lang in [Lang::Fr, Lang::En] {
        one_message(&c, lang);
    }
    let l = lines(&one_message(&c, Lang::Fr));
    assert_eq!(
        line_starting(&l, "⚠ 300"),
        "⚠ 300 SKU sous 14\u{a0}j de couverture\u{a0}:"
    );
    let shown: Vec<&String> = l.iter().filter(|x| x.starts_with("• ")).collect();
    assert_eq!(shown.len(), 5);
    // 0,1 j of cover: i = 138 and 277; the bigger revenue at stake comes first; names escaped.
    assert_eq!(
        shown[0],
        "• Crème «\u{a0}été\u{a0}» n°277 &amp; co (SKU-0277) — 0,1\u{a0}j · 23 en stock"
    );
    assert!(l.contains(&"  _+295 autres_".to_string()));
}

#[test]
fn many_failures_are_all_reported_within_the_limits() {
    let mut c = sample_cockpit();
    c.failures = (0..25)
        .map(|i| Failure {
            figure: format!("figure_{i}"),
            message: "timeout".into(),
        })
        .collect();
    let m = one_message(&c, Lang::En);
    let failures = lines(&m)
        .into_iter()
        .filter(|l| l.ends_with("unavailable: timeout"))
        .count();
    assert_eq!(failures, 25);
}

#[test]
fn the_message_has_block_kit_shape() {
    let json = one_message(&sample_cockpit(), Lang::En).to_json();
    assert_eq!(
        json["blocks"][0],
        json!({"type": "header", "text": {"type": "plain_text", "text": "Cockpit — Fri 20 Nov 2026", "emoji": true},
               "block_id": "cockpit-header"})
    );
    let growth = &json["blocks"][6];
    assert_eq!(growth["type"], "section");
    assert_eq!(growth["text"]["type"], "mrkdwn");
    assert!(growth["text"]["text"]
        .as_str()
        .unwrap()
        .starts_with("*🌱 Growth*\n12-month LTV of new customers: *€142*"));
    let marketing = &json["blocks"][3];
    assert_eq!(marketing["fields"].as_array().unwrap().len(), 4);
    assert_eq!(marketing["fields"][0]["type"], "mrkdwn");
    let footer = json["blocks"].as_array().unwrap().last().unwrap();
    assert_eq!(footer["type"], "context");
    assert_eq!(
        footer["elements"][1],
        json!({"type": "mrkdwn", "text": "⚠ Stock rotation unavailable: example failure"})
    );
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["blocks", "text"]
    );
}

#[test]
fn the_terminal_summary_shows_the_same_figures() {
    let c = sample_cockpit();
    let text = cockpit_text(&c, Lang::Fr);
    let row = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap()
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(text.starts_with("Cockpit — ven. 20 nov. 2026\nMaison Demo · Europe/Paris\n"));
    assert_eq!(
        row("CA "),
        "CA 9\u{202f}123\u{a0}€ 🔴 ▼ 13,1\u{a0}% vs objectif 10\u{202f}500\u{a0}€"
    );
    assert_eq!(row("Meta Ads  "), "Meta Ads 53,3\u{a0}%");
    let marketing = text.lines().find(|l| l.contains("42,50")).unwrap();
    let cells: Vec<&str> = marketing
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "Meta Ads",
            "50\u{202f}000\u{a0}€",
            "56\u{a0}%",
            "1,6",
            "▼ 9,1\u{a0}%",
            "2,2",
            "42,50\u{a0}€",
            "▲ 4,2\u{a0}%"
        ]
    );
    assert_eq!(
        row("Organique"),
        "Organique 0\u{a0}€ pas de dépenses · 600 nouveaux clients"
    );
    assert_eq!(
        row("Satisfaction"),
        "Satisfaction — (aucune source connectée)"
    );
    assert!(text.contains("⚠ Rotation des stocks indisponible\u{a0}: example failure"));
    // Aligned: every figure value ends in the same column.
    let ends: Vec<usize> = ["CA ", "Mois en cours", "Marge brute", "Trésorerie"]
        .iter()
        .map(|p| {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(p))
                .unwrap();
            line.find(" €")
                .or_else(|| line.find("\u{a0}€"))
                .map(|i| line[..i].chars().count())
                .unwrap()
        })
        .collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{text}");
}

#[test]
fn a_missing_value_shows_no_change_and_counts_agree_in_number() {
    let mut c = sample_cockpit();
    let google = &mut c.marketing.by_channel[1];
    (google.cac, google.new_customers) = (None, 0);
    c.marketing.by_channel[3].new_customers = 1;
    c.aov_by_channel[1].aov = None;
    let l = lines(&one_message(&c, Lang::Fr));
    assert!(l.iter().any(|x| x == "CAC 30\u{a0}j —"), "{l:#?}");
    assert!(l.iter().any(|x| x == "pas de dépenses · 1 nouveau client"));
    assert!(line_starting(&l, "Panier moyen").ends_with("Google Ads —"));
}
