//! `/insight` without Slack: French and English questions parsed into metric, breakdown and
//! period; hostile text answered helpfully with the store left intact; answers on the
//! hand-built shop checked against figures worked out by hand.

use chrono::NaiveDate;
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::domain::{Lang, Period};
use insight_desk::insight::{
    answer, examples, parse_question, AskedPeriod, MetricQuestion, Problem, Question,
    MAX_QUESTION_CHARS,
};
use insight_desk::metrics::{format_value, Dimension, Registry, Unit};
use insight_desk::render::{check_limits, message_text, Block, Message};
use insight_desk::reply::{Reply, Visibility};
use insight_desk::store::Store;

use crate::cockpit::load_hand_built_shop;
use crate::db_story;
use crate::support::paris_shop;

/// Wednesday 25 November 2026: yesterday is Tuesday 24, this week began Monday 23.
const TODAY: &str = "2026-11-25";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn registry() -> Registry {
    Registry::embedded().unwrap()
}

fn metric_question(text: &str, today: &str) -> MetricQuestion {
    match parse_question(text, &registry(), d(today)) {
        Question::Metric(q) => q,
        other => panic!("{text:?}: expected a metric question, got {other:?}"),
    }
}

use Dimension::{Campaign, Category, Channel, CustomerType, Day, Sku, Source};

/// (question, metric, breakdown, first day, last day)
#[rustfmt::skip]
const QUESTIONS: &[(&str, &str, Option<Dimension>, &str, &str)] = &[
    ("ca hier", "revenue", None, "2026-11-24", "2026-11-24"),
    ("marge par canal 30j", "gross_margin", Some(Channel), "2026-10-26", "2026-11-24"),
    ("revenue by channel last 7 days", "revenue", Some(Channel), "2026-11-18", "2026-11-24"),
    ("aov by segment this month", "aov", Some(CustomerType), "2026-11-01", "2026-11-24"),
    ("commandes 7j", "orders", None, "2026-11-18", "2026-11-24"),
    ("Chiffre d’affaires ce mois", "revenue", None, "2026-11-01", "2026-11-24"),
    ("CA last 30 days", "revenue", None, "2026-10-26", "2026-11-24"),
    ("marge 2026-10", "gross_margin", None, "2026-10-01", "2026-10-31"),
    ("ca du 1 au 15 octobre", "revenue", None, "2026-10-01", "2026-10-15"),
    ("panier moyen par canal", "aov", Some(Channel), "2026-10-26", "2026-11-24"),
    ("Taux de conversion par canal semaine dernière", "conversion_rate", Some(Channel), "2026-11-16", "2026-11-22"),
    ("orders this week", "orders", None, "2026-11-23", "2026-11-24"),
    ("revenue last week", "revenue", None, "2026-11-16", "2026-11-22"),
    ("ventes nettes mois dernier", "revenue", None, "2026-10-01", "2026-10-31"),
    ("gross margin last month", "gross_margin", None, "2026-10-01", "2026-10-31"),
    ("ca cette année", "revenue", None, "2026-01-01", "2026-11-24"),
    ("revenue ytd", "revenue", None, "2026-01-01", "2026-11-24"),
    ("ca octobre 2026", "revenue", None, "2026-10-01", "2026-10-31"),
    ("revenue october", "revenue", None, "2026-10-01", "2026-10-31"),
    ("units sold oct", "units_sold", None, "2026-10-01", "2026-10-31"),
    ("ca 2026-11-20", "revenue", None, "2026-11-20", "2026-11-20"),
    ("revenue from 2026-10-01 to 2026-10-15", "revenue", None, "2026-10-01", "2026-10-15"),
    ("ca par produit 1-15 oct", "revenue", Some(Sku), "2026-10-01", "2026-10-15"),
    ("marge par catégorie 7 jours", "gross_margin", Some(Category), "2026-11-18", "2026-11-24"),
    ("commandes nouveaux vs récurrents hier", "orders", Some(CustomerType), "2026-11-24", "2026-11-24"),
    ("sessions par source derniers 30 jours", "sessions", Some(Source), "2026-10-26", "2026-11-24"),
    ("dépenses pub par campagne 30j", "ad_spend", Some(Campaign), "2026-10-26", "2026-11-24"),
    ("revenue daily last 14 days", "revenue", Some(Day), "2026-11-11", "2026-11-24"),
    ("ca par jour du 2026-11-01 au 2026-11-20", "revenue", Some(Day), "2026-11-01", "2026-11-20"),
    ("ROAS par canal 7j", "roas", Some(Channel), "2026-11-18", "2026-11-24"),
    ("roas 60j par canal", "roas_60d", Some(Channel), "2026-10-26", "2026-11-24"),
    ("CAC by channel last month", "cac", Some(Channel), "2026-10-01", "2026-10-31"),
    ("taux de retour par sku ce mois-ci", "return_rate", Some(Sku), "2026-11-01", "2026-11-24"),
    ("new customers by channel yesterday", "new_customers", Some(Channel), "2026-11-24", "2026-11-24"),
    ("ca aujourd'hui", "revenue", None, "2026-11-25", "2026-11-25"),
    ("CA décembre", "revenue", None, "2025-12-01", "2025-12-31"),
    ("revenue last 3 months", "revenue", None, "2026-08-25", "2026-11-24"),
    ("ca 20/11", "revenue", None, "2026-11-20", "2026-11-20"),
    ("ca du 15 décembre au 10 janvier", "revenue", None, "2025-12-15", "2026-01-10"),
    ("marge l'année dernière", "gross_margin", None, "2025-01-01", "2025-12-31"),
    ("ca entre le 3 et le 9 nov", "revenue", None, "2026-11-03", "2026-11-09"),
    ("what was revenue on nov 20?", "revenue", None, "2026-11-20", "2026-11-20"),
    ("revenue november 2026", "revenue", None, "2026-11-01", "2026-11-24"),
    ("ca avant-hier", "revenue", None, "2026-11-23", "2026-11-23"),
    ("CHIFFRE D'AFFAIRES PAR CATEGORIE 2 semaines", "revenue", Some(Category), "2026-11-11", "2026-11-24"),
    ("panier moyen 2025", "aov", None, "2025-01-01", "2025-12-31"),
    ("stock par catégorie", "days_of_cover", Some(Category), "2026-10-26", "2026-11-24"),
    ("ca du 1er au 15 octobre", "revenue", None, "2026-10-01", "2026-10-15"),
    ("revenue 2026-10-01..2026-10-15 by product", "revenue", Some(Sku), "2026-10-01", "2026-10-15"),
    ("unités vendues sept derniers jours", "units_sold", None, "2026-11-18", "2026-11-24"),
    ("ventes par canal hier", "revenue", Some(Channel), "2026-11-24", "2026-11-24"),
    ("nombre de ventes 7j", "orders", None, "2026-11-18", "2026-11-24"),
];

#[test]
fn french_and_english_questions_become_metric_breakdown_and_period() {
    let registry = registry();
    let mut failures = Vec::new();
    for (text, metric, by, from, to) in QUESTIONS {
        let expected = (
            metric.to_string(),
            *by,
            Period::new(d(from), d(to)).unwrap(),
        );
        match parse_question(text, &registry, d(TODAY)) {
            Question::Metric(q) if (q.metric.clone(), q.by, q.period) == expected => {
                assert!(q.ignored.is_empty(), "{text:?} ignored {:?}", q.ignored);
            }
            other => failures.push(format!("{text:?}: expected {expected:?}, got {other:?}")),
        }
    }
    assert!(QUESTIONS.len() >= 30);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn periods_say_how_they_were_asked_and_today_is_flagged_incomplete() {
    let q = metric_question("ca aujourd'hui", TODAY);
    assert!(q.incomplete);
    assert_eq!(q.asked, AskedPeriod::Today);
    let q = metric_question("ca", TODAY);
    assert_eq!(
        (q.asked, q.incomplete, q.period_label(Lang::Fr)),
        (AskedPeriod::Default, false, "30 derniers jours".to_string())
    );
    let q = metric_question("revenue 2026-10", TODAY);
    assert_eq!(q.period_label(Lang::En), "October 2026");
    assert_eq!(
        metric_question("ca 7j", TODAY).period_label(Lang::Fr),
        "7 derniers jours"
    );
    // On a Monday "this week" has no complete day yet: it is today, incomplete.
    let q = metric_question("orders this week", "2026-11-23");
    assert_eq!(q.period, Period::day(d("2026-11-23")));
    assert!(q.incomplete);
    // On the 1st, "this month" is the 1st so far.
    let q = metric_question("ca ce mois", "2026-12-01");
    assert_eq!(
        (q.period, q.incomplete),
        (Period::day(d("2026-12-01")), true)
    );
}

#[test]
fn list_help_and_what_cannot_be_answered() {
    let registry = registry();
    let parse = |text: &str| parse_question(text, &registry, d(TODAY));
    assert_eq!(parse("list"), Question::List);
    assert_eq!(parse("Liste des métriques"), Question::List);
    assert_eq!(parse("help"), Question::Help);
    assert_eq!(parse("aide"), Question::Help);
    assert_eq!(parse("   "), Question::Help);
    match parse("revnue by channel") {
        Question::NotUnderstood {
            problem: Problem::NoMetric,
            closest,
        } => assert_eq!(closest.first().map(String::as_str), Some("revenue")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse("cash par canal"),
        Question::BreakdownNotAllowed {
            metric: "cash".into(),
            by: Channel,
            allowed: vec![]
        }
    );
    assert_eq!(
        parse("panier moyen par sku"),
        Question::BreakdownNotAllowed {
            metric: "aov".into(),
            by: Sku,
            allowed: vec![Day, Channel, CustomerType]
        }
    );
    assert!(matches!(
        parse("ca 2026-02-30"),
        Question::NotUnderstood { problem: Problem::InvalidPeriod(w), .. } if w == "2026-02-30"
    ));
    assert!(matches!(
        parse("ca 99999j"),
        Question::NotUnderstood {
            problem: Problem::InvalidPeriod(_),
            ..
        }
    ));
    assert!(matches!(
        parse("ca 2027-01"),
        Question::NotUnderstood { problem: Problem::FuturePeriod(p), .. } if p.from == d("2027-01-01")
    ));
    // Every example the bot offers is itself understood.
    for lang in [Lang::Fr, Lang::En] {
        for example in examples(lang) {
            assert!(
                matches!(parse(example), Question::Metric(ref q) if q.ignored.is_empty()),
                "{example:?}"
            );
        }
    }
}

/// Whether a parsed question is the helpful answer expected.
type Check = fn(&Question) -> bool;

/// Text a hostile or careless user might type, each with a check of the helpful answer.
fn hostile_inputs() -> Vec<(String, Check)> {
    vec![
        (
            "'; DROP TABLE orders; --".into(),
            |q| matches!(q, Question::Metric(m) if m.metric == "orders" && m.ignored == ["drop", "table"]),
        ),
        (
            "revenue\" OR 1=1; DELETE FROM customers --".into(),
            |q| matches!(q, Question::Metric(m) if m.metric == "revenue" && m.ignored.contains(&"delete".to_string())),
        ),
        (
            "ca hier ".repeat(1700),
            |q| matches!(q, Question::NotUnderstood { problem: Problem::TooLong { max }, closest } if *max == MAX_QUESTION_CHARS && !closest.is_empty()),
        ),
        ("💰📈🚀🔥".into(), |q| *q == Question::Help),
        (
            "ca\u{0}\u{7} hier\r\n\t\u{202e}".into(),
            |q| matches!(q, Question::Metric(m) if m.metric == "revenue" && m.period == Period::day(d("2026-11-24"))),
        ),
        (
            "`rm -rf /` <script>alert(1)</script> &amp;".into(),
            |q| matches!(q, Question::NotUnderstood { problem: Problem::NoMetric, closest } if closest.len() == 3),
        ),
        (
            "ca 999999999999999999999999j".into(),
            |q| matches!(q, Question::Metric(m) if m.metric == "revenue" && !m.ignored.is_empty()),
        ),
        ("ca from 0001-01-01 to 9999-12-31".into(), |q| {
            matches!(q, Question::Metric(m) if !m.ignored.is_empty())
                || matches!(q, Question::NotUnderstood { .. })
        }),
        ("ca du 31 au 1 février".into(), |q| {
            matches!(
                q,
                Question::NotUnderstood {
                    problem: Problem::InvalidPeriod(_),
                    ..
                }
            )
        }),
    ]
}

#[test]
fn hostile_text_gets_a_helpful_answer() {
    let registry = registry();
    for (text, helpful) in hostile_inputs() {
        let q = parse_question(&text, &registry, d(TODAY));
        assert!(
            helpful(&q),
            "{:?} → {q:?}",
            text.chars().take(60).collect::<String>()
        );
    }
}

fn app(store: &Store, lang: Lang) -> App {
    App {
        config: Config::default(),
        lang,
        store: store.clone(),
        registry: registry(),
        shop: paris_shop(),
    }
}

const TABLES: [&str; 8] = [
    "orders",
    "order_lines",
    "customers",
    "refunds",
    "products",
    "variants",
    "ad_spend",
    "traffic",
];

async fn row_counts(store: &Store) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(store.count_rows(table).await.unwrap());
    }
    counts
}

fn assert_within_limits(reply: &Reply) {
    assert!(!reply.messages.is_empty());
    for m in &reply.messages {
        check_limits(m).unwrap_or_else(|e| panic!("{e}\n{}", m.to_json()));
    }
}

db_story!(hostile_questions_leave_the_store_intact, |store| {
    load_hand_built_shop(store).await;
    let before = row_counts(store).await;
    assert_eq!(before[0], 6, "the six hand-built orders");
    for lang in [Lang::Fr, Lang::En] {
        let app = app(store, lang);
        for (text, _) in hostile_inputs() {
            let q = parse_question(&text, &app.registry, d("2026-11-21"));
            let reply = answer(&app, &q).await.unwrap();
            assert_within_limits(&reply);
            let shown = reply.messages.iter().map(message_text).collect::<String>();
            assert!(!shown.contains("DROP TABLE"), "{shown}");
        }
    }
    assert_eq!(row_counts(store).await, before);
});

/// Every text a message shows, joined.
fn all_text(messages: &[Message]) -> String {
    messages
        .iter()
        .flat_map(|m| m.blocks())
        .map(|b| serde_json::to_string(b).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn code_block(messages: &[Message]) -> Vec<String> {
    for block in messages.iter().flat_map(|m| m.blocks()) {
        if let Block::Section {
            text: Some(text), ..
        } = block
        {
            if let Some(body) = text.as_str().strip_prefix("```\n") {
                return body
                    .trim_end_matches("```")
                    .lines()
                    .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect();
            }
        }
    }
    panic!("no table in {}", all_text(messages));
}

fn euros(cents: i64, lang: Lang) -> String {
    format_value(Unit::Money, Some(cents as f64), "EUR", lang)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

db_story!(answers_match_the_hand_computation, |store| {
    load_hand_built_shop(store).await;
    let fr = app(store, Lang::Fr);
    // Shop time: today is 21 Nov, so yesterday is the 20th.
    let today = d("2026-11-21");

    // Revenue by channel 19–20 Nov: meta O1 36 € − its 18 € refund = 18 €; email O3 70 €;
    // organic O4 20 €; 108 € in all. Largest first; shares 65 %, 19 %, 17 %.
    let q = parse_question(
        "ca par canal du 19 au 20 novembre 2026",
        &fr.registry,
        today,
    );
    let reply = answer(&fr, &q).await.unwrap();
    assert_eq!(reply.visibility, Visibility::InChannel);
    assert_within_limits(&reply);
    assert_eq!(
        code_block(&reply.messages),
        [
            "Canal Chiffre d'affaires Part".to_string(),
            format!("Email {} 65 %", euros(7000, Lang::Fr)),
            format!("Organique {} 19 %", euros(2000, Lang::Fr)),
            format!("Meta Ads {} 17 %", euros(1800, Lang::Fr)),
            format!("Total {} 100 %", euros(10800, Lang::Fr)),
        ]
    );
    assert_eq!(euros(10800, Lang::Fr), "108,00 €");
    let text = all_text(&reply.messages);
    assert!(text.contains("Chiffre d'affaires par canal"), "{text}");
    // 17–18 Nov had no sales: no comparison rather than +∞.
    assert!(text.contains("— vs 17 nov. – 18 nov. 2026"), "{text}");
    assert_eq!(reply.charts.len(), 1, "a bar chart of the channels");

    // Yesterday's revenue in English: 20 Nov = O3 70 + O4 20 − refund 18 = $72 → €72.00,
    // against 19 Nov's 36 €: ▲ 100.0 %.
    let en = app(store, Lang::En);
    let q = parse_question("revenue yesterday", &en.registry, today);
    let reply = answer(&en, &q).await.unwrap();
    assert_within_limits(&reply);
    let text = all_text(&reply.messages);
    assert!(text.contains("Revenue · yesterday"), "{text}");
    assert!(text.contains("*€72.00* · Fri 20 Nov 2026"), "{text}");
    assert!(
        text.contains("▲ 100.0% vs Thu 19 Nov 2026 (€36.00)"),
        "{text}"
    );
    assert!(text.contains("Data: orders as of 21 Nov"), "{text}");
    assert!(!text.contains("cash"), "revenue does not read cash: {text}");
    assert!(reply.charts.is_empty(), "one day: no chart");

    // Orders 20 Nov by customer type: O3 Alice returning, O4 Carol new.
    let q = parse_question("commandes nouveaux vs récurrents hier", &fr.registry, today);
    let reply = answer(&fr, &q).await.unwrap();
    assert_within_limits(&reply);
    assert_eq!(
        code_block(&reply.messages),
        [
            "Clients Commandes Part",
            "Nouveaux 1 50 %",
            "Récurrents 1 50 %",
            "Total 2 100 %"
        ]
    );

    // Gross margin 20 Nov: 49 € on 72 € = 68.1 %; 19 Nov: (36 − 16) / 36 = 55.6 % → ▲ 12.5 pts.
    let q = parse_question("marge 2026-11-20", &en.registry, today);
    let reply = answer(&en, &q).await.unwrap();
    let text = all_text(&reply.messages);
    assert!(text.contains("*68.1%*"), "{text}");
    assert!(
        text.contains("▲ 12.5\u{a0}pts vs Thu 19 Nov 2026 (55.6%)"),
        "{text}"
    );

    // Days in date order, named as people read them: 19 Nov 36 €, 20 Nov 72 €.
    let q = parse_question("ca par jour du 19 au 20 novembre", &fr.registry, today);
    let reply = answer(&fr, &q).await.unwrap();
    assert_eq!(
        code_block(&reply.messages),
        [
            "Jour Chiffre d'affaires",
            "jeu. 19 nov. 2026 36,00 €",
            "ven. 20 nov. 2026 72,00 €",
            "Total 108,00 €"
        ]
    );

    // Today (21 Nov, in progress): O2's 50 € so far, shown against yesterday without an
    // arrow, since a partial day always looks like a fall.
    let q = parse_question("ca aujourd'hui", &fr.registry, today);
    let reply = answer(&fr, &q).await.unwrap();
    let text = all_text(&reply.messages);
    assert!(
        text.contains("*50,00\u{a0}€* · sam. 21 nov. 2026"),
        "{text}"
    );
    assert!(
        text.contains("— vs ven. 20 nov. 2026 (72,00\u{a0}€)"),
        "{text}"
    );
    assert!(text.contains("⏳ journée en cours"), "{text}");

    // A 30-day question without breakdown is charted day by day.
    let q = parse_question("ca 30j", &fr.registry, today);
    let reply = answer(&fr, &q).await.unwrap();
    assert_within_limits(&reply);
    assert_eq!(reply.charts.len(), 1);
    // 19 Nov 36 € + 20 Nov 72 €.
    assert!(all_text(&reply.messages).contains("*108,00\u{a0}€*"));
});

db_story!(guides_are_ephemeral_and_within_limits, |store| {
    let app = app(store, Lang::Fr);
    let today = d(TODAY);
    let list = answer(&app, &parse_question("list", &app.registry, today))
        .await
        .unwrap();
    assert_eq!(list.visibility, Visibility::Ephemeral);
    assert_within_limits(&list);
    let text = all_text(&list.messages);
    for def in app.registry.iter() {
        assert!(
            text.contains(&format!("`{}`", def.name)),
            "{} missing",
            def.name
        );
    }
    assert!(text.contains("panier moyen"), "synonyms are listed");

    let lost = answer(&app, &parse_question("revnue", &app.registry, today))
        .await
        .unwrap();
    assert_eq!(lost.visibility, Visibility::Ephemeral);
    assert_within_limits(&lost);
    let text = all_text(&lost.messages);
    assert!(text.contains("`revenue` (Chiffre d'affaires)"), "{text}");
    for example in examples(Lang::Fr) {
        assert!(text.contains(&format!("`/insight {example}`")), "{text}");
    }

    let refused = answer(
        &app,
        &parse_question("cac par produit", &app.registry, today),
    )
    .await
    .unwrap();
    assert_eq!(refused.visibility, Visibility::Ephemeral);
    let text = all_text(&refused.messages);
    assert!(
        text.contains("ne se découpe pas par SKU. Découpages possibles : jour, canal."),
        "{text}"
    );

    let help = answer(&app, &Question::Help).await.unwrap();
    assert_eq!(help.visibility, Visibility::Ephemeral);
    assert_within_limits(&help);
});
