//! SKU profitability and price elasticity on small hand-built shops, every figure worked out
//! by hand below (not by the report's code), on SQLite and Postgres: the full-cost template
//! line by line, defaults applied and reported, the four quadrants, the losing best-seller,
//! `/profit` in Slack; an elasticity of −2 built into daily sales and recovered, a SKU
//! without price changes, and a change next to a promotion left out.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::domain::{local_day, Cents, Lang, Period};
use insight_desk::metrics::Registry;
use insight_desk::profit::{
    elasticity_csv, elasticity_report, elasticity_text, profit_csv, profit_report, profit_text,
    Component, Confidence, NoEstimate, ProfitOptions, ProfitReport, Quadrant, Reading, SkipReason,
};
use insight_desk::render::check_limits;
use insight_desk::reply::Visibility;
use insight_desk::slack::command::CockpitDay;
use insight_desk::slack::{dispatch, Command};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::db_story;
use crate::support::paris_shop;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const AS_OF: &str = "2026-11-20";
const FROM: &str = "2026-11-01";

async fn exec(store: &Store, sql: &str, binds: &[Bind<'_>]) {
    with_pool!(store, pool => {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match *b {
                Bind::I(v) => q.bind(v),
                Bind::N(v) => q.bind(v),
                Bind::S(v) => q.bind(v),
                Bind::D(v) => q.bind(v),
                Bind::B(v) => q.bind(v),
                Bind::T(v) => q.bind(v),
            };
        }
        q.execute(pool).await.map(|_| ())
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

enum Bind<'a> {
    I(i64),
    N(Option<i64>),
    S(&'a str),
    D(NaiveDate),
    B(bool),
    T(DateTime<Utc>),
}
use Bind::*;

/// A product with one variant: (sku, category, price cents, supplier, packaging, inbound,
/// fulfilment, storage bp, return bp, overhead).
type V = (
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn variants(store: &Store, rows: &[V]) {
    for (i, &(sku, category, price, sc, pk, il, ff, sr, rr, oh)) in rows.iter().enumerate() {
        let id = i as i64 + 1;
        exec(
            store,
            "INSERT INTO products (id, handle, title, category, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[I(id), S(sku), S(sku), S(category), T(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())],
        )
        .await;
        exec(
            store,
            "INSERT INTO variants (sku, product_id, title, price_cents, currency, supplier_cost_cents, packaging_cents, \
             inbound_logistics_cents, fulfilment_cents, storage_rate_bp, return_rate_bp, overhead_cents) \
             VALUES ($1, $2, 'Standard', $3, 'EUR', $4, $5, $6, $7, $8, $9, $10)",
            &[S(sku), I(id), I(price), N(sc), N(pk), N(il), N(ff), N(sr), N(rr), N(oh)],
        )
        .await;
    }
}

/// A guest order of `quantity` × `unit` cents of `sku` at noon UTC on `day`.
async fn sale(
    store: &Store,
    id: i64,
    sku: &str,
    day: NaiveDate,
    quantity: i64,
    unit: i64,
    cost: Option<i64>,
) {
    let at = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    let (local, day_no) = local_day(at, chrono_tz::Europe::Paris);
    let net = quantity * unit;
    exec(
        store,
        "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
         gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, is_test, updated_at) \
         VALUES ($1, 'test', $2, NULL, $3, $4, $5, 'EUR', 'direct', $6, 0, $6, 0, 0, $6, $7, $3)",
        &[I(id), S(&format!("#{id}")), T(at), D(local), I(day_no), I(net), B(false)],
    )
    .await;
    exec(
        store,
        "INSERT INTO order_lines (order_id, line_no, sku, title, quantity, unit_price_cents, discount_cents, net_cents, unit_cost_cents) \
         VALUES ($1, 1, $2, $2, $3, $4, 0, $5, $6)",
        &[I(id), S(sku), I(quantity), I(unit), I(net), N(cost)],
    )
    .await;
}

async fn stock(store: &Store, sku: &str, from: NaiveDate, to: NaiveDate, on_hand: i64) {
    for day in Period::new(from, to).unwrap().iter_days() {
        exec(
            store,
            "INSERT INTO inventory_levels (sku, date, on_hand) VALUES ($1, $2, $3)",
            &[S(sku), D(day), I(on_hand)],
        )
        .await;
    }
}

/// The profit shop, period 1–20 Nov 2026 (20 days):
///
/// | SKU | sold in P | components | stock |
/// |---|---|---|---|
/// | A | 10 × 20 € (line cost 8 €) on 5 Nov; 100 × 20 € on 15 Oct (before P) | all given: 8 € supplier, 0,50 + 0,30 pack/inbound, 1,50 pick, 18,25 %/yr storage, 5 % returns, 1 € overheads | 20 every day |
/// | B | 5 × 10 € | none | none |
/// | C | 20 × 5 € (no line cost: the variant's 3 €), one refunded (5 €) | all but the return rate: 0,50 + 0,50, 2 €, 0 %, 1 € | 10 every day |
/// | D | 2 × 50 € (line cost 10 €) | all: 1 + 1 €, 2 €, 0 %, 0 %, 5 € | 4 every day |
/// | E | nothing | — | — |
///
/// Ad spend in P: 45 € (and 999 € on 31 Oct, outside): 45 ÷ 450 € sold = 10 %.
async fn profit_shop(store: &Store) {
    variants(
        store,
        &[
            (
                "A",
                "soin",
                2000,
                Some(800),
                Some(50),
                Some(30),
                Some(150),
                Some(1825),
                Some(500),
                Some(100),
            ),
            ("B", "soin", 1000, None, None, None, None, None, None, None),
            (
                "C",
                "corps",
                500,
                Some(300),
                Some(50),
                Some(50),
                Some(200),
                Some(0),
                None,
                Some(100),
            ),
            (
                "D",
                "corps",
                5000,
                Some(1000),
                Some(100),
                Some(100),
                Some(200),
                Some(0),
                Some(0),
                Some(500),
            ),
            (
                "E",
                "corps",
                3000,
                Some(1000),
                None,
                None,
                None,
                None,
                None,
                None,
            ),
        ],
    )
    .await;
    sale(store, 1, "A", d("2026-11-05"), 10, 2000, Some(800)).await;
    sale(store, 2, "A", d("2026-10-15"), 100, 2000, Some(800)).await;
    sale(store, 3, "B", d("2026-11-06"), 5, 1000, None).await;
    sale(store, 4, "C", d("2026-11-07"), 20, 500, None).await;
    sale(store, 5, "D", d("2026-11-08"), 2, 5000, Some(1000)).await;
    let at = d("2026-11-10").and_hms_opt(12, 0, 0).unwrap().and_utc();
    exec(
        store,
        "INSERT INTO refunds (id, order_id, refunded_at, local_date, amount_cents, sku, quantity, restocked) \
         VALUES (1, 4, $1, $2, 500, 'C', 1, $3)",
        &[T(at), D(d("2026-11-10")), B(false)],
    )
    .await;
    for (day, cents) in [("2026-11-03", 4_500), ("2026-10-31", 99_900)] {
        exec(
            store,
            "INSERT INTO ad_spend (date, channel, campaign, source, currency, spend_cents) VALUES ($1, 'meta', 'c', 'test', 'EUR', $2)",
            &[D(d(day)), I(cents)],
        )
        .await;
    }
    let (from, to) = (d(FROM), d(AS_OF));
    stock(store, "A", from, to, 20).await;
    stock(store, "C", from, to, 10).await;
    stock(store, "D", from, to, 4).await;
    refresh_after_load(store).await.unwrap();
}

async fn report(store: &Store) -> ProfitReport {
    let period = Period::new(d(FROM), d(AS_OF)).unwrap();
    profit_report(store, d(AS_OF), period, "EUR", &ProfitOptions::default())
        .await
        .unwrap()
}

db_story!(
    full_cost_unit_margin_and_quadrants_match_the_hand_computation,
    |store| {
        profit_shop(store).await;
        let r = report(store).await;
        assert_eq!((r.ad_spend, r.sold_revenue), (Cents(4_500), Cents(45_000)));
        assert!((r.acquisition_pct - 10.0).abs() < 1e-9);

        // A: 8 € + 0,80 € + storage 18,25 % × 8 € × 40 days (20 on hand ÷ 0,5 a day) ÷ 365 = 0,16 €
        // + acquisition 10 % × 20 € + 1,50 € + returns 5 % × 20 € + 1 € = 14,46 €; margin 5,54 €.
        let a = &r.sku("A").unwrap().economics;
        let c = a.cost;
        assert_eq!(
            [
                c.supplier,
                c.packaging_inbound,
                c.storage,
                c.acquisition,
                c.fulfilment,
                c.returns,
                c.overheads,
                c.total
            ],
            [800, 80, 16, 200, 150, 100, 100, 1446].map(Cents)
        );
        assert_eq!((a.net_price, a.unit_margin), (Cents(2000), Cents(554)));
        assert!((a.days_in_stock - 40.0).abs() < 1e-9);
        assert!(a.defaults.is_empty());

        // B, nothing given: 40 % × 10 € + 0,60 + 0,40 + storage 5 % × 4 € × 60 days ÷ 365 (0,03 €)
        // + 1 € acquisition + 1,50 € + 5 % returns + 8 % overheads = 8,83 €; margin 1,17 €.
        let b = &r.sku("B").unwrap().economics;
        let c = b.cost;
        assert_eq!(
            [
                c.supplier,
                c.packaging_inbound,
                c.storage,
                c.acquisition,
                c.fulfilment,
                c.returns,
                c.overheads,
                c.total
            ],
            [400, 100, 3, 100, 150, 50, 80, 883].map(Cents)
        );
        assert_eq!(b.unit_margin, Cents(117));
        assert_eq!(
            b.defaults,
            vec![
                Component::SupplierPrice,
                Component::Packaging,
                Component::InboundLogistics,
                Component::StorageRate,
                Component::DaysInStock,
                Component::Fulfilment,
                Component::ReturnRate,
                Component::Overheads,
            ]
        );

        // C: the variant's 3 € at sale, 1 € pack, no storage cost, 0,50 € acquisition, 2 €, returns
        // at its own refunded rate (5 € of 100 €: 5 %) 0,25 €, 1 € = 7,75 € for a 5 € price.
        let cc = &r.sku("C").unwrap().economics;
        assert_eq!(cc.cost.total, Cents(775));
        assert_eq!(cc.cost.returns, Cents(25));
        assert_eq!(cc.unit_margin, Cents(-275));
        assert!((cc.return_rate_pct - 5.0).abs() < 1e-9);
        assert!(cc.defaults.is_empty(), "{:?}", cc.defaults);
        assert_eq!(cc.total_margin, Cents(-5_500));

        // D: 10 + 2 + 0 + 5 + 2 + 0 + 5 = 24 €, margin 26 €.
        let dd = &r.sku("D").unwrap().economics;
        assert_eq!(
            (dd.cost.total, dd.unit_margin),
            (Cents(2_400), Cents(2_600))
        );

        // Medians: 7,5 units; (1,17 + 5,54) ÷ 2 = 3,355 € of unit margin.
        assert_eq!(r.volume_threshold, 7.5);
        assert_eq!(r.margin_threshold, Cents(336));
        let quadrant = |s: &str| r.sku(s).unwrap().quadrant;
        assert_eq!(
            ["A", "B", "C", "D"].map(quadrant),
            [
                Quadrant::CashCow,
                Quadrant::StopOrPivot,
                Quadrant::UrgentOptimisation,
                Quadrant::NichePremium
            ]
        );
        assert_eq!(r.losing_best_sellers, vec!["C".to_string()]);
        assert_eq!(r.using_defaults, vec!["B".to_string()]);
        assert_eq!(r.unsold, vec!["E".to_string()]);
        // By total margin: A 55,40 €, D 52 €, B 5,85 €, C −55 €.
        assert_eq!(
            r.skus.iter().map(|s| s.sku.as_str()).collect::<Vec<_>>(),
            ["A", "D", "B", "C"]
        );

        let text = profit_text(&r, Lang::En);
        assert!(text.contains("⚠️ 1 best-seller loses money (-€55.00 over the period): C C (20 units, -€2.75 per unit)."), "{text}");
        assert!(
            text.contains("1 SKUs use defaults: B (supplier price"),
            "{text}"
        );
        let csv = profit_csv(&r).unwrap();
        let row_c = csv.lines().find(|l| l.starts_with("C,")).unwrap();
        assert!(
            row_c.contains(
                ",urgent_optimisation,20,5.00,3.00,1.00,0.00,0.50,2.00,0.25,1.00,7.75,-2.75,"
            ),
            "{row_c}"
        );
        assert!(row_c.contains(",true,"), "{row_c}");
    }
);

db_story!(
    profit_in_slack_posts_the_quadrants_and_the_scatter,
    |store| {
        profit_shop(store).await;
        let app = App {
            config: Config::default(),
            lang: Lang::Fr,
            store: store.clone(),
            registry: Registry::embedded().unwrap(),
            shop: paris_shop(),
        };
        // The default period (365 days) also counts A's October sale: 110 units.
        let reply = dispatch(
            &app,
            Command::Profit(CockpitDay::Date(d(AS_OF))),
            Visibility::InChannel,
        )
        .await
        .unwrap();
        assert_eq!(reply.visibility, Visibility::InChannel);
        for m in &reply.messages {
            check_limits(m).unwrap();
        }
        assert_eq!(reply.charts.len(), 1);
        assert_eq!(reply.charts[0].name, "profit_quadrants");
        assert!(reply.charts[0].png.starts_with(b"\x89PNG"));
        let text = serde_json::to_string(&reply.messages[0].to_json()).unwrap();
        assert!(text.contains("best-sellers perdent de l'argent"), "{text}");
        assert!(text.contains("Optimisation urgente"), "{text}");
        assert!(text.contains("Stop ou Pivot"), "{text}");
        assert!(text.contains("Arrêt ou repositionnement radical"), "{text}");
    }
);

/// Daily guest orders of `units` of `sku` over `from..=to`, ids from `next`.
async fn daily(
    store: &Store,
    next: &mut i64,
    sku: &str,
    from: &str,
    to: &str,
    units: impl Fn(NaiveDate) -> i64,
) {
    for day in Period::new(d(from), d(to)).unwrap().iter_days() {
        let n = units(day);
        if n > 0 {
            *next += 1;
            sale(store, *next, sku, day, n, 1000, Some(300)).await;
        }
    }
}

/// The elasticity shop, data 1 Apr – 31 Oct 2026:
/// - EL-A: 10 € until 31 May, 11 € from 1 Jun, 10 € again from 1 Sep (regular prices);
///   1,000 units a day at 10 €, 1,000 × 1.1^-2 ≈ 826 at 11 €: e = −2 built in.
/// - EL-CTRL: 200 a day, never repriced (the control of EL-A, same category, and a SKU
///   without price changes).
/// - EL-PROMO (another category): 10 € → 12 € on 1 Jun, a −25 % promotion 10–16 Jun, back to 12 €: its only
///   change has a promotion in its after window.
async fn elasticity_shop(store: &Store) {
    variants(
        store,
        &[
            (
                "EL-A",
                "soin",
                1000,
                Some(300),
                None,
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "EL-CTRL",
                "soin",
                1000,
                Some(300),
                None,
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "EL-PROMO",
                "maquillage",
                1000,
                Some(300),
                None,
                None,
                None,
                None,
                None,
                None,
            ),
        ],
    )
    .await;
    let prices: [(&str, &str, i64, bool); 8] = [
        ("EL-A", "2026-01-01", 1000, false),
        ("EL-A", "2026-06-01", 1100, false),
        ("EL-A", "2026-09-01", 1000, false),
        ("EL-CTRL", "2026-01-01", 1000, false),
        ("EL-PROMO", "2026-01-01", 1000, false),
        ("EL-PROMO", "2026-06-01", 1200, false),
        ("EL-PROMO", "2026-06-10", 900, true),
        ("EL-PROMO", "2026-06-17", 1200, false),
    ];
    for (sku, day, price, promo) in prices {
        exec(
            store,
            "INSERT INTO price_history (sku, valid_from, price_cents, is_promo) VALUES ($1, $2, $3, $4)",
            &[S(sku), D(d(day)), I(price), B(promo)],
        )
        .await;
    }
    let high = (d("2026-06-01"), d("2026-08-31"));
    let mut next = 100;
    daily(
        store,
        &mut next,
        "EL-A",
        "2026-04-01",
        "2026-10-31",
        |day| {
            if day >= high.0 && day <= high.1 {
                826
            } else {
                1000
            }
        },
    )
    .await;
    daily(
        store,
        &mut next,
        "EL-CTRL",
        "2026-04-01",
        "2026-10-31",
        |_| 200,
    )
    .await;
    daily(
        store,
        &mut next,
        "EL-PROMO",
        "2026-04-01",
        "2026-10-31",
        |day| {
            if day >= d("2026-06-10") && day < d("2026-06-17") {
                300
            } else {
                100
            }
        },
    )
    .await;
    refresh_after_load(store).await.unwrap();
}

db_story!(
    elasticity_recovers_minus_two_and_says_when_there_is_not_enough,
    |store| {
        elasticity_shop(store).await;
        let period = Period::new(d("2025-11-21"), d(AS_OF)).unwrap();
        let r = elasticity_report(store, d(AS_OF), period, 30)
            .await
            .unwrap();

        // Two changes: ln(826/1000) ÷ ln(1.1) and ln(1000/826) ÷ ln(1/1.1), both −2.005.
        let a = r.sku("EL-A").unwrap();
        let e = a.estimate.as_ref().expect("EL-A has an estimate");
        let expected = (826f64 / 1000.0).ln() / 1.1f64.ln();
        assert!((e.elasticity - expected).abs() < 1e-6, "{e:?}");
        assert!((e.elasticity + 2.0).abs() < 0.05, "{e:?}");
        assert_eq!(e.changes, 2);
        assert!(e.agree);
        assert_eq!(e.confidence, Confidence::High);
        assert_eq!(e.reading, Reading::PriceSensitive);
        assert!(e.low < e.elasticity && e.elasticity < e.high);
        // 28 days × 1,000 before and 28 × 826 after, twice.
        assert_eq!(e.units, 2 * 28 * (1000 + 826));
        assert_eq!(a.changes[0].units_before, 28_000);
        assert_eq!(a.changes[0].units_after, 28 * 826);
        assert_eq!(a.changes[0].control_change_pct, Some(0.0));

        let ctrl = r.sku("EL-CTRL").unwrap();
        assert_eq!(
            (ctrl.estimate.is_none(), ctrl.not_enough),
            (true, Some(NoEstimate::NoPriceChange))
        );

        let promo = r.sku("EL-PROMO").unwrap();
        assert!(promo.estimate.is_none());
        assert_eq!(promo.not_enough, Some(NoEstimate::NoUsableChange));
        assert_eq!(
            promo.skipped.len(),
            1,
            "the return from promotion is not a change"
        );
        assert_eq!(promo.skipped[0].reason, SkipReason::PromotionInWindow);
        assert_eq!(promo.skipped[0].day, d("2026-06-01"));

        let text = elasticity_text(&r, Lang::En);
        assert!(
            text.contains("Not enough price changes: 1 SKUs without a regular price change"),
            "{text}"
        );
        assert!(text.contains("EL-PROMO (promotion in a window)"), "{text}");
        let fr = elasticity_text(&r, Lang::Fr);
        assert!(fr.contains("Pas assez de changements de prix"), "{fr}");
        let csv = elasticity_csv(&r).unwrap();
        assert!(
            csv.lines()
                .any(|l| l.starts_with("EL-A,") && l.contains(",-2.00")),
            "{csv}"
        );
        assert!(
            csv.lines().any(|l| l.starts_with("EL-PROMO,")
                && l.ends_with(",no_usable_change,2026-06-01:promotion_in_window")),
            "{csv}"
        );
    }
);
