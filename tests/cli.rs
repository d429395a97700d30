//! The binary as a user runs it: clear errors with a non-zero exit.

use std::process::Command;

fn insight_desk(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insight-desk"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run insight-desk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn an_unknown_metric_suggests_the_closest_names() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(insight_desk(dir.path()).args(["query", "revnue"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown metric \"revnue\": did you mean revenue"),
        "{err}"
    );
}

#[test]
fn a_bad_date_is_refused_with_the_expected_format() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) =
        run(insight_desk(dir.path()).args(["report", "cockpit", "--date", "2026-02-30"]));
    assert_ne!(code, 0);
    assert!(err.contains("expected YYYY-MM-DD"), "{err}");
}

#[test]
fn a_bad_configuration_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("insight-desk.toml"),
        "timezone = \"Mars/Olympus\"\n",
    )
    .unwrap();
    let (code, _, err) = run(insight_desk(dir.path()).args(["metrics"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("invalid configuration") && err.contains("Mars/Olympus"),
        "{err}"
    );

    let (code, _, err) =
        run(insight_desk(dir.path()).args(["--config", "missing.toml", "metrics"]));
    assert_ne!(code, 0);
    assert!(err.contains("missing.toml not found"), "{err}");
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", "mysql://u:secret@h/db")
        .args(["migrate"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("must start with sqlite:// or postgres://"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[test]
fn the_catalogue_lists_every_metric() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(insight_desk(dir.path()).args(["--lang", "en", "metrics"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("revenue") && out.contains("Gross margin") && out.contains("19 metrics"),
        "{out}"
    );
}

/// A SQLite file holding the hand-built shop of tests/cockpit.rs, for the binary to read.
async fn hand_built_store(dir: &std::path::Path) -> String {
    let url = format!("sqlite://{}", dir.join("shop.db").display());
    let store = insight_desk::store::Store::open(&url).await.unwrap();
    crate::support::paris_shop().ensure(&store).await.unwrap();
    crate::cockpit::load_hand_built_shop(&store).await;
    store.close().await;
    url
}

#[tokio::test]
async fn query_prints_the_same_figures_as_table_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let url = hand_built_store(dir.path()).await;
    let base = [
        "query",
        "chiffre d'affaires",
        "--by",
        "day",
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-21",
    ];

    let (code, out, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(base)
        .args(["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["metric"], "revenue");
    let days: Vec<(String, f64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-11-19".into(), 36.0),
            ("2026-11-20".into(), 72.0),
            ("2026-11-21".into(), 50.0)
        ]
    );
    assert_eq!(json["total"]["value"].as_f64(), Some(158.0));

    let (code, out, _) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(base)
        .args(["--format", "csv"]));
    assert_eq!(code, 0);
    assert_eq!(out, "day,value,num,den\n2026-11-19,36.0,3600,\n2026-11-20,72.0,7200,\n2026-11-21,50.0,5000,\ntotal,158.0,15800,\n");

    let (code, out, _) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(base)
        .args(["--lang", "fr"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("72,00\u{a0}€") && out.contains("158,00\u{a0}€"),
        "{out}"
    );
}

#[tokio::test]
async fn report_cockpit_json_carries_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let url = hand_built_store(dir.path()).await;
    let (code, out, err) = run(insight_desk(dir.path()).env("DATABASE_URL", &url).args([
        "report",
        "cockpit",
        "--date",
        "2026-11-20",
        "--format",
        "json",
        "--out",
        "report",
    ]));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for field in [
        "date",
        "timezone",
        "currency",
        "revenue",
        "gross_margin",
        "orders",
        "aov_by_channel",
        "conversion_rate",
        "marketing",
        "stock_alerts",
        "growth",
        "data_as_of",
    ] {
        assert!(json.get(field).is_some(), "missing {field}");
    }
    for field in [
        "actual",
        "target",
        "vs_target_pct",
        "trend_7d_pct",
        "trend_30d_pct",
    ] {
        assert!(
            json["revenue"].get(field).is_some(),
            "missing revenue.{field}"
        );
    }
    for field in [
        "channel",
        "spend",
        "revenue",
        "roas",
        "roas_60d",
        "cac",
        "new_customers",
        "budget_share_pct",
    ] {
        assert!(
            json["marketing"]["by_channel"][0].get(field).is_some(),
            "missing marketing.by_channel[].{field}"
        );
    }
    assert_eq!(json["revenue"]["actual"].as_f64(), Some(72.0));
    assert_eq!(json["orders"]["new_customers"], 1);
    assert_eq!(
        json["growth"]["repurchase_rate_90d"],
        serde_json::Value::Null,
        "no cohort 90 days back: no data"
    );
    for file in [
        "cockpit.json",
        "cockpit.blocks.json",
        "revenue_vs_target.png",
        "margin_by_channel.png",
        "roas_by_channel.png",
    ] {
        let path = dir.path().join("report").join(file);
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "{} not written",
            path.display()
        );
    }
    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report/cockpit.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written, json, "the file and stdout carry the same cockpit");
}

#[tokio::test]
async fn ask_answers_as_insight_would_in_text_blocks_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let url = hand_built_store(dir.path()).await;
    let question = ["ask", "revenue by channel from 2026-11-19 to 2026-11-20"];

    // Meta 36 € − 18 € refund, email 70 €, organic 20 €: 108 € (see tests/cockpit.rs).
    let (code, out, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(["--lang", "en"])
        .args(question)
        .args(["--out", "charts"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Revenue by channel · 19 Nov – 20 Nov 2026\n"),
        "{out}"
    );
    assert!(
        out.contains("Email") && out.contains("€70.00") && out.contains("€108.00"),
        "{out}"
    );
    assert!(
        dir.path().join("charts/revenue_by_channel.png").exists(),
        "{err}"
    );

    let (code, out, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(question)
        .args(["--format", "blocks"]));
    assert_eq!(code, 0, "{err}");
    let message: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(message["blocks"][0]["type"], "header");
    assert!(
        message["text"].as_str().unwrap().contains("108,00\u{a0}€"),
        "{out}"
    );

    // Not understood is an answer too (exit 0), with the closest names.
    let (code, out, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", &url)
        .args(["ask", "revnue"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("`revenue` (Chiffre d'affaires)"), "{out}");
    assert!(err.contains("only the person who asked"), "{err}");
}
