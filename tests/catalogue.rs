use std::collections::BTreeMap;

use chrono::NaiveDate;
use insight_desk::domain::Period;
use insight_desk::metrics::{Registry, RegistryError};

use crate::db_story;

fn file(body: &str) -> String {
    format!(
        "-- name: m\n-- label.fr: M\n-- label.en: M\n-- description.fr: d\n-- description.en: d\n-- unit: money\n-- value: sum\n-- breakdowns: day\n{body}"
    )
}

fn load_one(text: &str) -> Result<Registry, RegistryError> {
    Registry::from_files(
        [("queries/m.sql".to_string(), text.to_string())],
        "queries/",
    )
}

#[test]
fn the_shipped_catalogue_loads_with_the_cockpit_metrics() {
    let registry = Registry::embedded().expect("queries/ is valid");
    for name in [
        "revenue",
        "gross_margin",
        "orders",
        "aov",
        "new_customers",
        "ad_spend",
        "roas",
        "cac",
        "conversion_rate",
        "sessions",
        "return_rate",
        "roas_60d",
        "ltv_12m",
        "repurchase_rate_90d",
        "days_of_cover",
        "cash",
        "revenue_target",
        "stock_turnover",
        "units_sold",
    ] {
        assert!(
            registry.get(name).is_some(),
            "metric {name} missing from queries/"
        );
    }
    // French and English synonyms resolve to the same metric.
    assert_eq!(
        registry.resolve("chiffre d'affaires").unwrap().name,
        "revenue"
    );
    assert_eq!(registry.resolve("CA").unwrap().name, "revenue");
    assert_eq!(registry.resolve("panier moyen").unwrap().name, "aov");
    assert_eq!(registry.resolve("marge").unwrap().name, "gross_margin");
    assert_eq!(registry.suggest("revnue", 3)[0], "revenue");
}

#[test]
fn an_unknown_parameter_stops_the_load_with_file_line_and_column() {
    let err = load_one(&file(
        "SELECT day, num\nFROM t WHERE day BETWEEN :from AND :til\n",
    ))
    .unwrap_err()
    .to_string();
    assert_eq!(
        err.lines().next().unwrap().split(": ").next().unwrap(),
        "queries/m.sql:10:36",
        "{err}"
    );
    assert!(err.contains("unknown parameter :til"), "{err}");
}

#[test]
fn bad_headers_are_refused_with_their_line() {
    let cases = [
        (
            file("SELECT day, num FROM t WHERE day <= :to")
                .replace("-- unit: money", "-- unit: euros"),
            "queries/m.sql:6:",
            "unknown unit",
        ),
        (
            file("SELECT day, num FROM t WHERE day <= :to")
                .replace("-- breakdowns: day", "-- breakdowns: day, colour"),
            "queries/m.sql:8:",
            "unknown breakdown",
        ),
        (
            file("SELECT day, num FROM t WHERE day <= :to")
                .replace("-- value: sum", "-- valeur: sum"),
            "queries/m.sql:7:",
            "unknown header key",
        ),
        (
            file("SELECT day, num FROM t WHERE day <= :to").replace("-- name: m\n", ""),
            "queries/m.sql:1:",
            "missing header line `-- name",
        ),
        (
            file("SELECT day, num FROM t WHERE day = $1"),
            "queries/m.sql:9:",
            "positional placeholder",
        ),
        (
            file("SELECT day, num FROM t WHERE day <= :to").replace(
                "-- breakdowns: day",
                "-- params: channel text\n-- breakdowns: day",
            ),
            "queries/m.sql:8:",
            "never uses it",
        ),
    ];
    for (text, location, message) in cases {
        let err = load_one(&text).unwrap_err().to_string();
        assert!(err.starts_with(location), "expected {location} in {err}");
        assert!(err.contains(message), "expected {message:?} in {err}");
    }
}

#[test]
fn two_files_with_one_name_are_refused() {
    let text = file("SELECT day, num FROM t WHERE day <= :to");
    let err = Registry::from_files(
        [
            ("a.sql".to_string(), text.clone()),
            ("b.sql".to_string(), text),
        ],
        "q",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("already defined in a.sql"), "{err}");
}

db_story!(every_metric_and_breakdown_runs, |store| {
    let registry = Registry::embedded().unwrap();
    let period = Period::new(
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    )
    .unwrap();
    crate::cockpit::load_hand_built_shop(store).await;
    for def in registry.iter() {
        let total = def.run(store, period, None, &BTreeMap::new()).await;
        assert!(total.is_ok(), "{} failed: {:?}", def.name, total.err());
        for by in &def.breakdowns {
            let split = def.run(store, period, Some(*by), &BTreeMap::new()).await;
            assert!(
                split.is_ok(),
                "{} by {by} failed: {:?}",
                def.name,
                split.err()
            );
        }
    }
    // Additive metrics: the breakdown adds up to the total, whatever the backend.
    for name in ["revenue", "orders", "ad_spend", "units_sold"] {
        let def = registry.get(name).unwrap();
        let total = def
            .run(store, period, None, &BTreeMap::new())
            .await
            .unwrap()
            .total()
            .unwrap()
            .num;
        for by in &def.breakdowns {
            let split = def
                .run(store, period, Some(*by), &BTreeMap::new())
                .await
                .unwrap();
            assert_eq!(
                split.rows.iter().map(|r| r.num).sum::<i64>(),
                total,
                "{name} by {by}"
            );
        }
    }
});
