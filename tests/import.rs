//! Importing real exports (../shared/data) and broken copies of them, on SQLite and Postgres:
//! the store holds what the files say (checked against an independent reading), re-imports
//! change nothing, bad files are refused with file:line:column and leave the store as it was,
//! quarantine sets aside exactly the bad orders, and a French twin imports identically.

use std::path::{Path, PathBuf};

use insight_desk::import::{ImportError, ImportOptions, Kind, OnError, REASON_COLUMN};
use insight_desk::store::{refresh_after_load, Store};

use crate::db_story;
use crate::import_support::{expected_shopify, files, import, money, shared_data, snapshot};
use crate::summaries::derived_tables;

async fn shopify_shop_story(store: &Store, prefix: &str) {
    let Some(dir) = shared_data("shopify") else {
        return;
    };
    let paths = files(&dir, prefix);
    assert!(!paths.is_empty(), "no {prefix}* files in {}", dir.display());
    let opts = ImportOptions::default();
    for path in &paths {
        let s = import(store, Kind::ShopifyOrders, path, &opts).await;
        assert_eq!(s.rejected, 0, "{s}");
    }
    let want = expected_shopify(&paths);
    let got = snapshot(store).await;
    assert_eq!(got["orders"], want.orders, "orders of {prefix}");
    assert_eq!(got["customers"], want.customers, "customers of {prefix}");
    assert_eq!(
        got["order_lines"], want.line_items,
        "line items of {prefix}"
    );
    assert_eq!(got["orders.total"], want.total, "Σ Total of {prefix}");
    assert_eq!(got["revenue"], want.revenue, "net revenue of {prefix}");
    assert_eq!(
        got["lines.net"], got["orders.net"],
        "lines carry the orders' net"
    );
    // The later files refreshed the summaries incrementally: they hold what a full rebuild
    // gives.
    let refreshed = derived_tables(store).await;
    refresh_after_load(store).await.unwrap();
    assert_eq!(
        derived_tables(store).await,
        refreshed,
        "summaries of {prefix}"
    );

    // Re-importing every file leaves the store identical.
    for path in &paths {
        import(store, Kind::ShopifyOrders, path, &opts).await;
    }
    assert_eq!(snapshot(store).await, got, "re-import changed the store");
    if paths.len() == 1 {
        let again = import(store, Kind::ShopifyOrders, &paths[0], &opts).await;
        assert_eq!(
            (again.inserted, again.updated, again.skipped),
            (0, 0, want.orders as u64)
        );
    }
}

db_story!(
    shopify_dev_store_inr_imports_to_independent_totals,
    |store| {
        shopify_shop_story(store, "ramkumar03ace").await;
    }
);

db_story!(shopify_uk_store_with_refunds_and_cancellations, |store| {
    shopify_shop_story(store, "Diptargha").await;
});

db_story!(shopify_cod_store_seventeen_overlapping_exports, |store| {
    shopify_shop_story(store, "zhangerson").await;
});

/// Σ Cost of an ads report, read independently (preamble, header, no Total rows).
fn report_cost(path: &Path) -> i64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let header = &records[2];
    let cost = header.iter().position(|h| h == "Cost").unwrap();
    records[3..]
        .iter()
        .filter(|r| !r[0].starts_with("Total"))
        .map(|r| money(&r[cost]))
        .sum()
}

db_story!(google_ads_reports_spread_over_their_period, |store| {
    let Some(dir) = shared_data("google_ads") else {
        return;
    };
    let paths = files(&dir, "");
    assert_eq!(paths.len(), 4);
    let mut expected_spend = 0;
    for path in &paths {
        let all_time = path.to_string_lossy().contains("intragoinc_Campaign");
        let mut opts = ImportOptions::default();
        if all_time {
            // "All time" names no days: refused without --period.
            let err = insight_desk::import::import_file(
                store,
                chrono_tz::Europe::Paris,
                Kind::GoogleAds,
                path,
                &opts,
            )
            .await
            .unwrap_err();
            assert!(format!("{err:#}").contains("--period"), "{err:#}");
            opts.period = Some(
                insight_desk::domain::Period::new(
                    "2025-01-01".parse().unwrap(),
                    "2025-12-31".parse().unwrap(),
                )
                .unwrap(),
            );
        }
        let before = snapshot(store).await;
        let s = import(store, Kind::GoogleAds, path, &opts).await;
        let after = snapshot(store).await;
        let cost = report_cost(path);
        assert_eq!(
            after["ad_spend.spend"] - before["ad_spend.spend"],
            cost,
            "{}",
            path.display()
        );
        expected_spend += cost;
        let total_rows = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("Total"))
            .count();
        assert!(
            s.skipped as usize >= total_rows,
            "Total rows are skipped: {s}"
        );
        // Re-import: nothing changes.
        let again = import(store, Kind::GoogleAds, path, &opts).await;
        assert_eq!((again.inserted, again.updated), (0, 0), "{again}");
        assert_eq!(snapshot(store).await, after);
    }
    let got = snapshot(store).await;
    assert_eq!(got["ad_spend.spend"], expected_spend);
    // hudl: 6 campaigns with spend, spread over 1 January – 29 May 2026 (149 days).
    let hudl_rows: i64 = insight_desk::with_pool!(store, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM ad_spend WHERE currency = 'GBP'").fetch_one(pool).await
    })
    .unwrap();
    assert_eq!(hudl_rows, 6 * 149);
});

/// A copy of a real export in `dir` under `name`, with `edit` applied to its text.
fn corrupted(src: &Path, dir: &Path, name: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, edit(text)).unwrap();
    path
}

pub fn ramkumar() -> Option<PathBuf> {
    shared_data("shopify").map(|d| d.join("ramkumar03ace__orders_export_1.csv"))
}

db_story!(
    bad_files_are_refused_with_their_place_and_leave_the_store_unchanged,
    |store| {
        let Some(good) = ramkumar() else { return };
        let Some(dipt) = shared_data("shopify").map(|d| d.join("Diptargha__orders_export_1.csv"))
        else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let opts = ImportOptions::default();
        import(store, Kind::ShopifyOrders, &good, &opts).await;
        let before = snapshot(store).await;

        let cases: Vec<(PathBuf, &str)> = vec![
        (
            corrupted(&good, tmp.path(), "bad-date.csv", |t| t.replacen("2025-12-06 10:37:33 -0500", "2025-13-06 10:37:33 -0500", 1)),
            "bad-date.csv:2:16: column \"Created at\" holds \"2025-13-06 10:37:33 -0500\", expected a timestamp",
        ),
        (
            corrupted(&good, tmp.path(), "bad-price.csv", |t| t.replacen(",2499.00,\"\",YM-ECO-001", ",24.9O,\"\",YM-ECO-001", 1)),
            "bad-price.csv:4:19: column \"Lineitem price\" holds \"24.9O\", expected an amount",
        ),
        (
            corrupted(&good, tmp.path(), "no-price.csv", |t| t.replacen("Lineitem price", "Lineitem prize", 1)),
            "no-price.csv:1: missing required column \"Lineitem price\"",
        ),
        (
            corrupted(&dipt, tmp.path(), "truncated.csv", |t| {
                let at = t.find("\"Customer Payment:").unwrap();
                t[..at + 40].to_string()
            }),
            "truncated.csv:3: a quoted field in column 46 (Note Attributes) is never closed",
        ),
        (
            corrupted(&good, tmp.path(), "semicolons.csv", |t| {
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                lines[1] = lines[1].replace(',', ";");
                lines.join("\n")
            }),
            "semicolons.csv:2: the row has 1 fields where the header has 79",
        ),
    ];
        for (path, expected) in cases {
            let err = insight_desk::import::import_file(
                store,
                chrono_tz::Europe::Paris,
                Kind::ShopifyOrders,
                &path,
                &opts,
            )
            .await
            .expect_err("a bad file must be refused");
            let message = format!("{err:#}");
            assert!(err.downcast_ref::<ImportError>().is_some(), "{message}");
            assert!(
                message.contains(expected),
                "expected {expected:?} in {message:?}"
            );
            assert!(message.contains(path.to_str().unwrap()), "{message}");
            assert_eq!(
                snapshot(store).await,
                before,
                "{} changed the store",
                path.display()
            );
        }
    }
);

// Regression (issue 5): in CRLF files the csv crate counts a record's `\n` only once the next
// record has started, so every error after the first data row named the line above the bad
// one. Line numbers here were counted by hand in an editor.
db_story!(crlf_files_name_the_line_of_the_bad_value, |store| {
    let Some(dir) = shared_data("shopify") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        // A real CRLF export: records of 10 and 11 lines (multi-line Note Attributes with
        // CRLF and LF inside) before the bad price of order 2518791, which is on line 40.
        (
            corrupted(
                &dir.join("zhangerson__orders_export__9_.csv"),
                tmp.path(),
                "crlf-real.csv",
                |t| {
                    assert!(t.contains("\r\n"), "the real export is CRLF");
                    t.replacen(
                        "2026-04-04 16:06:42 +0500,1,Facial Hair Removal Kit - 1 Pcs,1450.00,",
                        "2026-04-04 16:06:42 +0500,1,Facial Hair Removal Kit - 1 Pcs,14S0.00,",
                        1,
                    )
                },
            ),
            "crlf-real.csv:40:19: column \"Lineitem price\" holds \"14S0.00\"",
        ),
        // An LF export turned CRLF: order #1060's quoted note spans lines 2-4, #1057 is on
        // line 7.
        (
            corrupted(
                &dir.join("Diptargha__orders_export_1.csv"),
                tmp.path(),
                "crlf-copy.csv",
                |t| {
                    t.replace('\n', "\r\n").replacen(
                        "2025-12-06 11:39:30 +0000,1,Women Square-neck Halter Mini Dress - BROWN / M,36.98,",
                        "2025-12-06 11:39:30 +0000,1,Women Square-neck Halter Mini Dress - BROWN / M,36.9B,",
                        1,
                    )
                },
            ),
            "crlf-copy.csv:7:19: column \"Lineitem price\" holds \"36.9B\"",
        ),
    ];
    for (path, expected) in cases {
        let err = insight_desk::import::import_file(
            store,
            chrono_tz::Europe::Paris,
            Kind::ShopifyOrders,
            &path,
            &ImportOptions::default(),
        )
        .await
        .expect_err("a bad file must be refused");
        let message = format!("{err:#}");
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
    }
});

db_story!(quarantine_sets_aside_exactly_the_bad_orders, |store| {
    let Some(good) = ramkumar() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // Order #1050 (4 rows) gets a bad price on its third row; #1051 (1 row) a bad date.
    let bad = corrupted(&good, tmp.path(), "two-bad.csv", |t| {
        t.replacen(",2499.00,\"\",YM-ECO-001", ",x,\"\",YM-ECO-001", 1)
            .replacen("2025-12-06 10:37:33 -0500", "yesterday", 1)
    });
    let opts = ImportOptions {
        on_error: OnError::Quarantine,
        rejects_dir: Some(tmp.path().to_path_buf()),
        ..ImportOptions::default()
    };
    let s = import(store, Kind::ShopifyOrders, &bad, &opts).await;
    let all = expected_shopify(std::slice::from_ref(&good));
    assert_eq!(s.rejected, 2, "{s}");
    assert_eq!(s.inserted as i64, all.orders - 2, "{s}");
    let names: Vec<String> = insight_desk::with_pool!(store, pool => {
        sqlx::query_scalar("SELECT external_id FROM orders WHERE external_id IN ('#1050', '#1051')").fetch_all(pool).await
    })
    .unwrap();
    assert!(names.is_empty(), "bad orders were imported: {names:?}");

    let reject_file = s.reject_file.expect("a reject file");
    let mut reader = csv::Reader::from_path(&reject_file).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().next_back(),
        Some(REASON_COLUMN)
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let rejected_names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        rejected_names,
        ["#1051", "#1050", "#1050", "#1050", "#1050"]
    );
    assert!(rows[0][79].contains("Created at"), "{:?}", &rows[0][79]);
    assert!(rows[1][79].contains("Lineitem price"), "{:?}", &rows[1][79]);

    // Fixing nothing and importing the reject file again (its extra column ignored) rejects
    // the same two orders and imports nothing else.
    let again_dir = tmp.path().join("again");
    std::fs::create_dir_all(&again_dir).unwrap();
    let again_opts = ImportOptions {
        rejects_dir: Some(again_dir),
        ..opts.clone()
    };
    let again = import(store, Kind::ShopifyOrders, &reject_file, &again_opts).await;
    assert_eq!((again.inserted, again.rejected), (0, 2), "{again}");
});

/// The English export rewritten as a French spreadsheet would save it: `;`, decimal
/// commas, French column names.
fn french_twin(src: &Path, dest: &Path) {
    const NAMES: [(&str, &str); 14] = [
        ("Name", "Nom"),
        ("Email", "E-mail"),
        ("Financial Status", "Statut financier"),
        ("Currency", "Devise"),
        ("Subtotal", "Sous-total"),
        ("Shipping", "Expédition"),
        ("Total", "Total"),
        ("Discount Amount", "Montant de la réduction"),
        ("Created at", "Créé le"),
        ("Lineitem quantity", "Quantité de l'article"),
        ("Lineitem name", "Nom de l'article"),
        ("Lineitem price", "Prix de l'article"),
        ("Lineitem sku", "SKU de l'article"),
        ("Refunded Amount", "Montant remboursé"),
    ];
    const MONEY: [&str; 7] = [
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Discount Amount",
        "Lineitem price",
        "Refunded Amount",
    ];
    let mut reader = csv::Reader::from_path(src).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(dest)
        .unwrap();
    let french: Vec<String> = headers
        .iter()
        .map(|h| {
            NAMES
                .iter()
                .find(|(en, _)| *en == h)
                .map_or(h.to_string(), |(_, fr)| fr.to_string())
        })
        .collect();
    writer.write_record(&french).unwrap();
    for record in reader.records() {
        let r = record.unwrap();
        let row: Vec<String> = r
            .iter()
            .zip(headers.iter())
            .map(|(v, h)| {
                if MONEY.contains(&h) {
                    v.replace('.', ",")
                } else {
                    v.to_string()
                }
            })
            .collect();
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
}

db_story!(a_french_export_imports_like_its_english_twin, |store| {
    let Some(english) = ramkumar() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let french = tmp.path().join("commandes.csv");
    french_twin(&english, &french);
    assert!(std::fs::read_to_string(&french)
        .unwrap()
        .starts_with("Nom;E-mail;Statut financier"));

    let opts = ImportOptions::default();
    let fr = import(store, Kind::ShopifyOrders, &french, &opts).await;
    let from_french = snapshot(store).await;
    let want = expected_shopify(std::slice::from_ref(&english));
    assert_eq!(from_french["orders"], want.orders);
    assert_eq!(from_french["revenue"], want.revenue);
    assert_eq!(fr.inserted as i64, want.orders);
    // The English original is recognised as the very same orders: nothing to update.
    let en = import(store, Kind::ShopifyOrders, &english, &opts).await;
    assert_eq!(
        (en.inserted, en.updated, en.skipped),
        (0, 0, want.orders as u64),
        "{en}"
    );
    assert_eq!(snapshot(store).await, from_french);
});

db_story!(a_dry_run_reports_and_writes_nothing, |store| {
    let Some(good) = ramkumar() else { return };
    let before = snapshot(store).await;
    let s = import(
        store,
        Kind::ShopifyOrders,
        &good,
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    )
    .await;
    assert!(s.dry_run && s.inserted > 0, "{s}");
    assert_eq!(snapshot(store).await, before);
});

#[test]
fn the_binary_exits_non_zero_and_names_the_place() {
    let Some(good) = ramkumar() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bad = corrupted(&good, tmp.path(), "bad-date.csv", |t| {
        t.replacen("2025-12-06 10:37:33 -0500", "2025-13-06 10:37:33 -0500", 1)
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insight-desk"))
        .current_dir(tmp.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", tmp.path().join("s.db").display()),
        )
        .env("RUST_LOG", "off")
        .args(["import", "shopify-orders"])
        .arg(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains("bad-date.csv:2:16: column \"Created at\""),
        "{err}"
    );
    assert!(err.contains("--on-error quarantine"), "{err}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insight-desk"))
        .current_dir(tmp.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", tmp.path().join("s.db").display()),
        )
        .env("RUST_LOG", "off")
        .args(["import", "shopify-orders"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("51 inserted"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insight-desk"))
        .current_dir(tmp.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", tmp.path().join("s.db").display()),
        )
        .env("RUST_LOG", "off")
        .args(["sources"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("shopify-orders") && table.contains("fresh") && table.contains("51"),
        "{table}"
    );
}

db_story!(targets_and_cash_from_french_spreadsheets, |store| {
    let tmp = tempfile::tempdir().unwrap();
    // Two daily targets, then December as a month with weekend days weighing double.
    let targets = tmp.path().join("objectifs.csv");
    std::fs::write(
        &targets,
        "\u{feff}Jour;Objectif CA;Lun;Mar;Mer;Jeu;Ven;Sam;Dim\r\n\
         2026-11-29;1 234,50;;;;;;;\r\n\
         30/11/2026;2 000,00;;;;;;;\r\n\
         2026-12;38 000,00;1;1;1;1;1;2;2\r\n",
    )
    .unwrap();
    let opts = ImportOptions::default();
    let s = import(store, Kind::Targets, &targets, &opts).await;
    assert_eq!((s.rows_read, s.inserted), (3, 2 + 31), "{s}");
    let (days, total): (i64, i64) = insight_desk::with_pool!(store, pool => {
        sqlx::query_as("SELECT COUNT(*), CAST(SUM(revenue_cents) AS BIGINT) FROM targets").fetch_one(pool).await
    })
    .unwrap();
    assert_eq!((days, total), (33, 123_450 + 200_000 + 3_800_000));
    // December 2026 has 23 weekdays and 8 weekend days: 38 000 € / (23 + 16) per weight.
    let saturday: i64 = insight_desk::with_pool!(store, pool => {
        sqlx::query_scalar("SELECT revenue_cents FROM targets WHERE date = $1")
            .bind(chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap())
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert!((saturday - 2 * 3_800_000 / 39).abs() <= 1, "{saturday}");
    let again = import(store, Kind::Targets, &targets, &opts).await;
    assert_eq!(
        (again.inserted, again.updated, again.skipped),
        (0, 0, 33),
        "{again}"
    );

    let cash = tmp.path().join("tresorerie.csv");
    std::fs::write(
        &cash,
        "Date;Solde;Compte\n2026-11-29;52 300,10;Qonto\n2026-11-30;-1 200,00;Qonto\n",
    )
    .unwrap();
    let s = import(store, Kind::Cash, &cash, &opts).await;
    assert_eq!(s.inserted, 2, "{s}");
    std::fs::write(&cash, "Date;Solde;Compte\n2026-11-30;-1 100,00;Qonto\n").unwrap();
    let s = import(store, Kind::Cash, &cash, &opts).await;
    assert_eq!((s.inserted, s.updated), (0, 1), "{s}");
    let sum: i64 = insight_desk::with_pool!(store, pool => {
        sqlx::query_scalar("SELECT CAST(SUM(balance_cents) AS BIGINT) FROM cash_balances").fetch_one(pool).await
    })
    .unwrap();
    assert_eq!(sum, 5_230_010 - 110_000);
});

db_story!(
    generic_transactions_group_invoices_and_dedupe_customers,
    |store| {
        let tmp = tempfile::tempdir().unwrap();
        // An invoice dataset: lines grouped by invoice, quantity × unit price, a return.
        let invoices = tmp.path().join("online_retail.csv");
        std::fs::write(
            &invoices,
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
         536365,85123A,WHITE HANGING HEART,6,2026-11-01 08:26:00,2.55,17850,United Kingdom\n\
         536365,71053,WHITE METAL LANTERN,6,2026-11-01 08:26:00,3.39,17850,United Kingdom\n\
         536366,22633,HAND WARMER,6,2026-11-02 08:28:00,1.85,17850,United Kingdom\n\
         C536379,D,Discount,-1,2026-11-02 09:41:00,27.50,14527,United Kingdom\n",
        )
        .unwrap();
        let opts = ImportOptions::default();
        let s = import(store, Kind::Transactions, &invoices, &opts).await;
        assert_eq!((s.rows_read, s.inserted), (4, 3), "{s}");
        // A plain sales file without order ids, e-mails in two spellings.
        let sales = tmp.path().join("ventes.csv");
        std::fs::write(
        &sales,
        "Date;E-mail;Montant;Canal\n2026-11-03;Anne@Example.com ;49,90;facebook\n2026-11-04; anne@example.com;20,00;email\n",
    )
    .unwrap();
        let s = import(store, Kind::Transactions, &sales, &opts).await;
        assert_eq!(s.inserted, 2, "{s}");
        let got = snapshot(store).await;
        assert_eq!(got["orders"], 5);
        assert_eq!(got["customers"], 3, "17850, 14527 and anne@example.com");
        assert_eq!(got["revenue"], 1530 + 2034 + 1110 - 2750 + 4990 + 2000);
        let channels: Vec<String> = insight_desk::with_pool!(store, pool => {
        sqlx::query_scalar("SELECT channel FROM orders WHERE source = 'transactions' ORDER BY placed_at").fetch_all(pool).await
    })
    .unwrap();
        assert_eq!(channels, ["other", "other", "other", "meta", "email"]);
        for file in [&invoices, &sales] {
            let again = import(store, Kind::Transactions, file, &opts).await;
            assert_eq!((again.inserted, again.updated), (0, 0), "{again}");
        }
        assert_eq!(snapshot(store).await, got);
    }
);

db_story!(
    meta_ads_exports_in_french_by_day_and_in_english_by_period,
    |store| {
        let tmp = tempfile::tempdir().unwrap();
        let daily = tmp.path().join("meta-jour.csv");
        std::fs::write(
        &daily,
        "Jour;Nom de la campagne;Montant dépensé (EUR);Impressions;Clics sur un lien;Achats;Valeur de conversion des achats\n\
         2026-11-01;Prospection;1 234,56;10 000;250;12;1 500,00\n\
         2026-11-02;Prospection;1 000,00;9 000;200;10;1 250,50\n\
         2026-11-02;Retargeting;300,00;2 000;80;;\n",
    )
    .unwrap();
        let opts = ImportOptions::default();
        let s = import(store, Kind::MetaAds, &daily, &opts).await;
        assert_eq!(s.inserted, 3, "{s}");
        let period = tmp.path().join("meta-period.csv");
        std::fs::write(
        &period,
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR),Impressions,Link clicks,Purchases,Purchases conversion value\n\
         2026-10-01,2026-10-07,Brand,700.07,7000,70,7,\"1,400.00\"\n",
    )
    .unwrap();
        let s = import(store, Kind::MetaAds, &period, &opts).await;
        assert_eq!(s.inserted, 7, "spread over its 7 days: {s}");
        type Sums = (i64, i64, i64, i64);
        let (rows, spend, value, purchases): Sums = insight_desk::with_pool!(store, pool => {
        sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(spend_cents) AS BIGINT), CAST(SUM(conversion_value_cents) AS BIGINT), \
             CAST(SUM(conversions) AS BIGINT) FROM ad_spend WHERE channel = 'meta' AND source = 'meta_ads'",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
        assert_eq!((rows, spend), (10, 123_456 + 100_000 + 30_000 + 70_007));
        assert_eq!(
            (value, purchases),
            (150_000 + 125_050 + 140_000, 12 + 10 + 7)
        );
        let again = import(store, Kind::MetaAds, &daily, &opts).await;
        assert_eq!(
            (again.inserted, again.updated, again.skipped),
            (0, 0, 3),
            "{again}"
        );
    }
);

db_story!(products_then_costs_complete_the_catalogue, |store| {
    let tmp = tempfile::tempdir().unwrap();
    let products = tmp.path().join("products_export.csv");
    std::fs::write(
        &products,
        "Handle,Title,Vendor,Type,Variant SKU,Variant Price,Cost per item,Status\n\
         serum,Sérum éclat,Maison,Soin,SER-30,39.00,9.50,active\n\
         serum,,,,SER-50,59.00,,active\n\
         gift-card,Carte cadeau,Maison,,,25.00,,active\n",
    )
    .unwrap();
    let opts = ImportOptions::default();
    let s = import(store, Kind::ShopifyProducts, &products, &opts).await;
    assert_eq!((s.inserted, s.skipped), (2, 1), "{s}");
    let costs = tmp.path().join("couts.csv");
    std::fs::write(
        &costs,
        "Référence;Prix d'achat;Emballage;Taux de retour;Délai\nSER-50;12,40;0,80;2,5 %;21\nSER-99;1,00;;;\n",
    )
    .unwrap();
    // An unknown SKU aborts the file, naming it; quarantine imports the rest.
    let err = insight_desk::import::import_file(
        store,
        chrono_tz::Europe::Paris,
        Kind::Costs,
        &costs,
        &opts,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("couts.csv:3:1: column \"Référence\" holds \"SER-99\""),
        "{err:#}"
    );
    let q = ImportOptions {
        on_error: OnError::Quarantine,
        rejects_dir: Some(tmp.path().to_path_buf()),
        ..ImportOptions::default()
    };
    let s = import(store, Kind::Costs, &costs, &q).await;
    assert_eq!((s.updated, s.rejected), (1, 1), "{s}");
    type Costs = (Option<i64>, Option<i64>, Option<i64>, Option<i64>, String);
    let got: Vec<Costs> = insight_desk::with_pool!(store, pool => {
        sqlx::query_as(
            "SELECT supplier_cost_cents, packaging_cents, return_rate_bp, lead_time_days, v.title \
             FROM variants v JOIN products p ON p.id = v.product_id ORDER BY sku",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap();
    assert_eq!(
        got,
        [
            (Some(950), None, None, None, "Sérum éclat".to_string()),
            (
                Some(1240),
                Some(80),
                Some(250),
                Some(21),
                "Sérum éclat".to_string()
            ),
        ]
    );
});

db_story!(ga4_traffic_by_day_and_by_period, |store| {
    let tmp = tempfile::tempdir().unwrap();
    let daily = tmp.path().join("ga4.csv");
    std::fs::write(
        &daily,
        "# ----------------------------------------\n# Traffic acquisition: Session source / medium\n\
         # Start date: 20261101\n# End date: 20261102\n# ----------------------------------------\n\n\
         Session source / medium,Date,Sessions,Engaged sessions,Key events\n\
         google / cpc,20261101,\"1,200\",800,30\nfacebook / paid,20261101,900,500,12\n\
         (direct) / (none),20261102,400,300,9\ngoogle / organic,20261102,700,500,10\n",
    )
    .unwrap();
    let opts = ImportOptions::default();
    let s = import(store, Kind::Ga4, &daily, &opts).await;
    assert_eq!(s.inserted, 4, "{s}");
    let channels: Vec<(String, i64)> = insight_desk::with_pool!(store, pool => {
        sqlx::query_as("SELECT channel, sessions FROM traffic ORDER BY date, source").fetch_all(pool).await
    })
    .unwrap();
    assert_eq!(
        channels,
        [
            ("meta".to_string(), 900),
            ("google".to_string(), 1200),
            ("direct".to_string(), 400),
            ("organic".to_string(), 700)
        ]
    );
    // Without a Date column the totals are spread over the report's dates.
    let totals = tmp.path().join("ga4-totals.csv");
    std::fs::write(
        &totals,
        "# Start date: 20261001\n# End date: 20261010\n\nSession source / medium,Sessions,Key events\nklaviyo / email,1005,11\n",
    )
    .unwrap();
    let s = import(store, Kind::Ga4, &totals, &opts).await;
    assert_eq!(s.inserted, 10, "{s}");
    let (n, sessions, conversions): (i64, i64, i64) = insight_desk::with_pool!(store, pool => {
        sqlx::query_as("SELECT COUNT(*), CAST(SUM(sessions) AS BIGINT), CAST(SUM(conversions) AS BIGINT) FROM traffic WHERE channel = 'email'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!((n, sessions, conversions), (10, 1005, 11));
    let again = import(store, Kind::Ga4, &daily, &opts).await;
    assert_eq!(
        (again.inserted, again.updated, again.skipped),
        (0, 0, 4),
        "{again}"
    );
});

db_story!(an_inventory_snapshot_sums_locations_for_its_day, |store| {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("inventory_export.csv");
    std::fs::write(
        &file,
        "Handle,Title,Option1 Name,Option1 Value,SKU,Location,Incoming,Unavailable,Committed,Available,On hand\n\
         serum,Sérum,Size,30 ml,SER-30,Paris,0,0,2,10,12\n\
         serum,Sérum,Size,30 ml,SER-30,Lyon,0,0,0,5,5\n\
         serum,Sérum,Size,50 ml,SER-50,Paris,0,0,0,0,0\n",
    )
    .unwrap();
    let opts = ImportOptions {
        period: Some(insight_desk::domain::Period::day(
            "2026-11-20".parse().unwrap(),
        )),
        ..ImportOptions::default()
    };
    let s = import(store, Kind::ShopifyInventory, &file, &opts).await;
    assert_eq!((s.rows_read, s.inserted), (3, 2), "{s}");
    let levels: Vec<(String, i64)> = insight_desk::with_pool!(store, pool => {
        sqlx::query_as("SELECT sku, on_hand FROM inventory_levels WHERE date = $1 ORDER BY sku")
            .bind(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(
        levels,
        [("SER-30".to_string(), 17), ("SER-50".to_string(), 0)]
    );
});

/// A Klaviyo campaign the test writes into its fixture: name, send time, recipients, unique
/// opens, unique clicks, unique placed orders, revenue in cents.
type Campaign = (&'static str, &'static str, i64, i64, i64, i64, i64);

/// Klaviyo's campaign export, as its "Export analytics" writes it (24 columns), with LF line
/// ends (CRLF line numbers: `crlf_files_name_the_line_of_the_bad_value`).
fn klaviyo_campaign_export(rows: &[Campaign]) -> String {
    let mut out = String::from(
        "Campaign Name,Tags,Subject,List,Send Time,Send Weekday,Total Recipients,Unique Placed Order,\
         Placed Order Rate,Revenue,Unique Opens,Open Rate,Total Opens,Unique Clicks,Click Rate,\
         Total Clicks,Unsubscribes,Spam Complaints,Spam Complaints Rate,Successful Deliveries,\
         Bounces,Bounce Rate,Campaign ID,Campaign Channel\n",
    );
    for (i, (name, sent, recipients, opens, clicks, orders, revenue)) in rows.iter().enumerate() {
        let revenue = format!("{}.{:02}", revenue / 100, revenue % 100);
        let revenue = if revenue.len() > 7 {
            // Thousands grouped and quoted, as Klaviyo writes them.
            let (int, frac) = revenue.split_once('.').unwrap();
            let cut = int.len() - 3;
            format!("\"{},{}.{frac}\"", &int[..cut], &int[cut..])
        } else {
            revenue
        };
        out.push_str(&format!(
            "{name},Newsletter,\"Hello, {name}\",Main list,{sent},Tuesday,{recipients},{orders},0.10%,\
             {revenue},{opens},40.00%,{},{clicks},1.50%,{},3,0,0.00%,{},12,0.10%,01HX{i:04},Email\n",
            opens * 2,
            clicks + 7,
            recipients - 12,
        ));
    }
    out
}

db_story!(
    klaviyo_campaign_and_flow_exports_fill_the_email_channel,
    |store| {
        let tmp = tempfile::tempdir().unwrap();
        let campaigns: [Campaign; 4] = [
            (
                "Black Friday teaser",
                "2026-11-24 10:00:00",
                42_000,
                16_800,
                630,
                41,
                312_450,
            ),
            (
                "Black Friday J-1",
                "2026-11-26 18:30:00",
                42_310,
                17_100,
                910,
                77,
                598_010,
            ),
            (
                "Black Friday",
                "2026-11-27 07:00:00",
                43_005,
                18_250,
                1_402,
                190,
                1_523_390,
            ),
            (
                "Nouveautés hiver",
                "2026-11-27 17:00:00",
                12_000,
                4_100,
                150,
                9,
                61_090,
            ),
        ];
        let mut file_rows = campaigns.to_vec();
        // A draft: no send time, nobody reached; skipped, not an error.
        file_rows.push(("Soldes (draft)", "", 0, 0, 0, 0, 0));
        let campaign_file = tmp.path().join("klaviyo_campaigns.csv");
        std::fs::write(&campaign_file, klaviyo_campaign_export(&file_rows)).unwrap();

        // A flow export by day, French locale (`;`, decimal comma): two messages of the
        // welcome flow on the same day are one row of the flow.
        let flows: [(&str, &str, &str, i64, i64, i64, i64); 4] = [
            (
                "2026-11-26",
                "Welcome Series",
                "Email 1",
                310,
                41,
                6,
                30_150,
            ),
            ("2026-11-26", "Welcome Series", "Email 2", 250, 22, 2, 9_990),
            (
                "2026-11-27",
                "Welcome Series",
                "Email 1",
                405,
                60,
                9,
                51_075,
            ),
            (
                "2026-11-27",
                "Abandoned Cart",
                "Rappel",
                120,
                33,
                11,
                88_000,
            ),
        ];
        let mut flow_text = String::from(
            "Day;Flow ID;Flow Name;Flow Message ID;Flow Message Name;Flow Message Channel;Status;\
             Delivered;Unique Opens;Open Rate;Unique Clicks;Click Rate;Placed Order;Unique Placed Order;Revenue\n",
        );
        for (d, flow, msg, delivered, clicks, orders, revenue) in flows {
            flow_text.push_str(&format!(
                "{d};XyZ1;{flow};M{msg};{msg};Email;live;{delivered};{};45,0 %;{clicks};3,1 %;{};{orders};{},{:02}\n",
                delivered / 2,
                orders + 1,
                revenue / 100,
                revenue % 100
            ));
        }
        let flow_file = tmp.path().join("klaviyo_flows.csv");
        std::fs::write(&flow_file, &flow_text).unwrap();

        let opts = ImportOptions::default();
        let s = import(store, Kind::Klaviyo, &campaign_file, &opts).await;
        assert_eq!((s.rows_read, s.inserted, s.skipped), (5, 4, 1), "{s}");
        let s = import(store, Kind::Klaviyo, &flow_file, &opts).await;
        assert_eq!((s.rows_read, s.inserted), (4, 3), "{s}");

        // The expected store, computed from the fixtures' own figures.
        let sum = |f: fn(&Campaign) -> i64| campaigns.iter().map(f).sum::<i64>();
        let flow_sum = |i: usize| flows.iter().map(|r| [r.3, r.4, r.5, r.6][i]).sum::<i64>();
        let expected = (
            4 + 3,
            0,
            sum(|c| c.2) + flow_sum(0),
            sum(|c| c.4) + flow_sum(1),
            sum(|c| c.5) + flow_sum(2),
            sum(|c| c.6) + flow_sum(3),
        );
        type Email = (i64, i64, i64, i64, i64, i64);
        let email = || async {
            let got: Email = insight_desk::with_pool!(store, pool => {
                sqlx::query_as(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(spend_cents), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(impressions), 0) AS BIGINT), CAST(COALESCE(SUM(clicks), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(conversions), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(conversion_value_cents), 0) AS BIGINT) \
                     FROM ad_spend WHERE channel = 'email' AND source = 'klaviyo'",
                )
                .fetch_one(pool)
                .await
            })
            .unwrap();
            got
        };
        assert_eq!(email().await, expected);
        let per_day: Vec<(String, String, i64)> = insight_desk::with_pool!(store, pool => {
            sqlx::query_as(
                "SELECT CAST(date AS TEXT), campaign, CAST(conversion_value_cents AS BIGINT) FROM ad_spend \
                 WHERE channel = 'email' AND campaign LIKE 'Flow: %' ORDER BY date, campaign",
            )
            .fetch_all(pool)
            .await
        })
        .unwrap();
        let per_day: Vec<(String, String, i64)> = per_day
            .into_iter()
            .map(|(d, c, v)| (d[..10].to_string(), c, v))
            .collect();
        assert_eq!(
            per_day,
            [
                (
                    "2026-11-26".into(),
                    "Flow: Welcome Series".into(),
                    30_150 + 9_990
                ),
                ("2026-11-27".into(), "Flow: Abandoned Cart".into(), 88_000),
                ("2026-11-27".into(), "Flow: Welcome Series".into(), 51_075),
            ]
        );

        // Re-importing either file changes nothing.
        let before = (snapshot(store).await, email().await);
        for file in [&campaign_file, &flow_file] {
            let again = import(store, Kind::Klaviyo, file, &opts).await;
            assert_eq!((again.inserted, again.updated), (0, 0), "{again}");
        }
        assert_eq!((snapshot(store).await, email().await), before);

        // A later export: Black Friday's attributed revenue grew; that day is replaced.
        let mut later = file_rows.clone();
        later[2].6 += 10_000;
        let later_file = tmp.path().join("klaviyo_campaigns_later.csv");
        std::fs::write(&later_file, klaviyo_campaign_export(&later)).unwrap();
        let s = import(store, Kind::Klaviyo, &later_file, &opts).await;
        assert_eq!((s.inserted, s.updated, s.skipped), (0, 1, 4), "{s}");
        assert_eq!(email().await.5, expected.5 + 10_000);
        let before = (snapshot(store).await, email().await);

        // A corrupted copy: refused with its place, the store as it was.
        let bad = corrupted(&later_file, tmp.path(), "klaviyo_bad.csv", |t| {
            t.replacen(",1402,", ",1 4O2,", 1)
        });
        let err = insight_desk::import::import_file(
            store,
            chrono_tz::Europe::Paris,
            Kind::Klaviyo,
            &bad,
            &opts,
        )
        .await
        .expect_err("a bad clicks count must be refused");
        let message = format!("{err:#}");
        assert!(
            message.contains("klaviyo_bad.csv:4:14: column \"Unique Clicks\" holds \"1 4O2\", expected a whole number"),
            "{message}"
        );
        assert_eq!((snapshot(store).await, email().await), before);

        // The same with quarantine: the bad campaign is set aside, the others unchanged.
        let quarantine = ImportOptions {
            on_error: OnError::Quarantine,
            rejects_dir: Some(tmp.path().to_path_buf()),
            ..ImportOptions::default()
        };
        let s = import(store, Kind::Klaviyo, &bad, &quarantine).await;
        assert_eq!((s.inserted, s.updated, s.rejected), (0, 0, 1), "{s}");
        let rejected = std::fs::read_to_string(s.reject_file.unwrap()).unwrap();
        assert_eq!(rejected.lines().count(), 2, "{rejected}");
        assert!(rejected.contains("Black Friday,") && rejected.contains(REASON_COLUMN));
        assert_eq!((snapshot(store).await, email().await), before);

        // A dry run of a new export reports and writes nothing.
        let dry = ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        };
        let mut next = later.clone();
        next.push((
            "Cyber Monday",
            "2026-11-30 09:00:00",
            41_000,
            15_000,
            700,
            50,
            400_000,
        ));
        let next_file = tmp.path().join("klaviyo_next.csv");
        std::fs::write(&next_file, klaviyo_campaign_export(&next)).unwrap();
        let s = import(store, Kind::Klaviyo, &next_file, &dry).await;
        assert_eq!((s.inserted, s.dry_run), (1, true), "{s}");
        assert_eq!((snapshot(store).await, email().await), before);

        // `sources` shows the import with what the store holds for it.
        let states = insight_desk::import::sources::list(store).await.unwrap();
        let k = states
            .iter()
            .find(|s| s.source == "klaviyo")
            .expect("klaviyo in sources");
        assert_eq!(k.rows, 7);
        assert_eq!(k.data_from, Some("2026-11-24".parse().unwrap()));
        assert_eq!(k.data_to, Some("2026-11-27".parse().unwrap()));
        assert!(k.last_error.is_none());
    }
);

// Regression (issue 5): re-importing an ad report whose figures changed failed with a
// primary-key conflict, because the replaced day was deleted under channel 'google' only
// and with its parameters shifted.
db_story!(a_changed_ad_report_day_replaces_the_stored_one, |store| {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("meta.csv");
    let write = |spend: &str| {
        std::fs::write(
            &file,
            format!("Day,Campaign name,Amount spent (EUR),Purchases\n2026-11-01,Prospecting,{spend},3\n"),
        )
        .unwrap()
    };
    let opts = ImportOptions::default();
    write("100.00");
    import(store, Kind::MetaAds, &file, &opts).await;
    write("120.50");
    let s = import(store, Kind::MetaAds, &file, &opts).await;
    assert_eq!((s.inserted, s.updated), (0, 1), "{s}");
    let got = snapshot(store).await;
    assert_eq!((got["ad_spend"], got["ad_spend.spend"]), (1, 12_050));
});
