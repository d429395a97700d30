//! The demo shop's catalogue: ~150 skin-care and cosmetics products in 8 categories, ~250
//! SKUs (most products in two sizes), with prices, cost components and their history.
//!
//! Popularity follows a Zipf-like long tail so a handful of SKUs are clear best-sellers; the
//! number-one SKU is always a face serum (the "hero product", which the planted stock-out
//! situation uses). Each SKU has a price elasticity, so price changes and Black Friday
//! promotions move its share of demand, which the elasticity analysis can recover. A few
//! products launch during the history and a few SKUs fade into dormant stock. About 10 % of
//! SKUs have no cost components besides the supplier price: the shop "has not given" them.
//! One best-seller priced under 25 € is bulky, fragile and often returned (pick & pack
//! 4,80 €, 22 % returns, packaging and inbound logistics 22 % of its price): it sells in
//! volume and loses money on every unit, the playbook's "best-seller déficitaire" that
//! `report profit` must call out. Its components are written, never simulated, so planting
//! it changes no order.

use chrono::{DateTime, Datelike, Days, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::assortment::CATEGORIES;
use super::calendar::{black_friday, local_instant, Calendar};
use super::rows::{Rows, Table, Val};

pub const VENDOR: &str = "Maison Lumière";

/// A price (VAT excluded), the supplier cost and whether it is a promotion, from `day` on.
#[derive(Debug, Clone, Copy)]
pub struct PricePoint {
    pub day: usize,
    pub price: i64,
    pub cost: i64,
    pub promo: bool,
}

/// Cost components besides the supplier price (all per unit, cents or basis points).
#[derive(Debug, Clone, Copy)]
pub struct Components {
    packaging: i64,
    inbound: i64,
    fulfilment: i64,
    storage_bp: i64,
    return_bp: i64,
    overhead: i64,
}

pub struct Product {
    pub handle: String,
    pub title: String,
    pub category: usize,
    pub created_at: DateTime<Utc>,
}

pub struct Sku {
    pub code: String,
    pub product: usize,
    pub size: Option<&'static str>,
    /// "Product - size", as an order line shows it.
    pub line_title: String,
    pub popularity: f64,
    pub elasticity: f64,
    pub launch_day: usize,
    /// Demand fades from this day on (dormant stock).
    pub fade_from: Option<usize>,
    pub plan: Vec<PricePoint>,
    /// Supplier lead time the simulation uses; stored only when `components` is known.
    pub lead_time: usize,
    pub components: Option<Components>,
}

pub struct Catalog {
    pub products: Vec<Product>,
    pub skus: Vec<Sku>,
    /// The hero serum: the most popular SKU, used by the planted stock-out.
    pub hero: usize,
}

impl Catalog {
    pub fn generate(rng: &mut ChaCha8Rng, cal: &Calendar) -> Catalog {
        let mut products = Vec::new();
        let mut skus: Vec<Sku> = Vec::new();
        for (c, def) in CATEGORIES.iter().enumerate() {
            let mut titles: Vec<String> = def
                .kinds
                .iter()
                .flat_map(|k| def.names.iter().map(move |n| format!("{k} {n}")))
                .collect();
            titles.shuffle(rng);
            for (n, title) in titles.into_iter().take(def.products).enumerate() {
                let launch_day = if rng.gen_bool(0.08) {
                    rng.gen_range(60..cal.days - 90)
                } else {
                    0
                };
                let created_at = if launch_day > 0 {
                    cal.instant(launch_day, 8 * 3600)
                } else {
                    let date = cal.first_day - Days::new(rng.gen_range(30..700));
                    local_instant(cal.tz, date, 10 * 3600)
                };
                let p = products.len();
                products.push(Product {
                    handle: slug(&title),
                    title: title.clone(),
                    category: c,
                    created_at,
                });
                let base_ttc = rng.gen_range(def.ttc.0..def.ttc.1);
                let sizes: Vec<Option<&'static str>> = match def.sizes {
                    [] => vec![None],
                    [small, large] if rng.gen_bool(0.75) => vec![Some(*small), Some(*large)],
                    [small, ..] => vec![Some(*small)],
                };
                for (v, size) in sizes.iter().enumerate() {
                    let ttc = if v == 0 { base_ttc } else { base_ttc * 1.5 };
                    let price = ht_cents(ttc.min(113.9));
                    let code = match size {
                        Some(s) => {
                            format!("ML-{}-{:03}-{}", def.code, n + 1, s.trim_end_matches(" ml"))
                        }
                        None => format!("ML-{}-{:03}", def.code, n + 1),
                    };
                    let line_title = match size {
                        Some(s) => format!("{title} - {s}"),
                        None => title.clone(),
                    };
                    let cost = (price as f64 * rng.gen_range(0.20..0.40)).round() as i64;
                    let components = rng.gen_bool(0.9).then(|| Components {
                        packaging: rng.gen_range(30..120),
                        inbound: rng.gen_range(15..90),
                        fulfilment: rng.gen_range(120..260),
                        storage_bp: rng.gen_range(1200..2500),
                        return_bp: if c == 6 {
                            rng.gen_range(400..900)
                        } else {
                            rng.gen_range(150..600)
                        },
                        overhead: rng.gen_range(80..350),
                    });
                    skus.push(Sku {
                        code,
                        product: p,
                        size: *size,
                        line_title,
                        popularity: 0.0,
                        elasticity: rng.gen_range(0.6..2.4),
                        launch_day,
                        fade_from: None,
                        plan: vec![PricePoint {
                            day: launch_day,
                            price,
                            cost,
                            promo: false,
                        }],
                        lead_time: rng.gen_range(7..=45),
                        components,
                    });
                }
            }
        }
        let hero = assign_popularity(rng, &products, &mut skus);
        plant_dormant(rng, cal, hero, &mut skus);
        plant_losing_best_seller(hero, &mut skus);
        for sku in &mut skus {
            plan_prices(rng, cal, sku);
        }
        Catalog {
            products,
            skus,
            hero,
        }
    }

    /// Relative demand for `sku` on day `d` at `price` (0 before launch).
    pub fn weight(&self, sku: usize, d: usize, month0: usize, price: i64) -> f64 {
        let s = &self.skus[sku];
        if d < s.launch_day {
            return 0.0;
        }
        let category = &CATEGORIES[self.products[s.product].category];
        let fade = match s.fade_from {
            Some(f) if d > f => (1.0 - (d - f) as f64 / 60.0).max(0.03),
            _ => 1.0,
        };
        let reference = s.plan[0].price as f64;
        let price_effect = (price as f64 / reference).powf(-s.elasticity);
        s.popularity * category.tilt * category.season[month0] * fade * price_effect
    }

    /// Products, variants (priced as on the last day) and every price change.
    pub fn write(&self, cal: &Calendar, rows: &mut Rows) {
        for (p, product) in self.products.iter().enumerate() {
            rows.push(
                Table::Products,
                [
                    Val::Int(p as i64 + 1),
                    Val::Text(product.handle.clone()),
                    Val::Text(product.title.clone()),
                    Val::Str(CATEGORIES[product.category].name),
                    Val::Str(VENDOR),
                    Val::Ts(product.created_at),
                ],
            );
        }
        for sku in &self.skus {
            let last = sku.plan.last().expect("a price from launch");
            let c = sku.components;
            let opt =
                |f: fn(&Components) -> i64| c.as_ref().map_or(Val::NullInt, |c| Val::Int(f(c)));
            rows.push(
                Table::Variants,
                [
                    Val::Text(sku.code.clone()),
                    Val::Int(sku.product as i64 + 1),
                    Val::Str(sku.size.unwrap_or("Standard")),
                    Val::Int(last.price),
                    Val::Str("EUR"),
                    Val::Int(last.cost),
                    opt(|c| c.packaging),
                    opt(|c| c.inbound),
                    opt(|c| c.fulfilment),
                    opt(|c| c.storage_bp),
                    opt(|c| c.return_bp),
                    opt(|c| c.overhead),
                    if c.is_some() {
                        Val::Int(sku.lead_time as i64)
                    } else {
                        Val::NullInt
                    },
                    Val::Bool(true),
                ],
            );
            for point in &sku.plan {
                rows.push(
                    Table::PriceHistory,
                    [
                        Val::Text(sku.code.clone()),
                        Val::Date(cal.date(point.day)),
                        Val::Int(point.price),
                        Val::Bool(point.promo),
                    ],
                );
            }
        }
    }
}

/// Zipf-like popularity over a random order of SKUs, the first place going to a serum.
fn assign_popularity(rng: &mut ChaCha8Rng, products: &[Product], skus: &mut [Sku]) -> usize {
    let mut order: Vec<usize> = (0..skus.len()).collect();
    order.shuffle(rng);
    let hero_at = order
        .iter()
        .position(|&i| products[skus[i].product].category == 0 && skus[i].launch_day == 0)
        .expect("a serum sold from the first day");
    order.swap(0, hero_at);
    for (rank, &i) in order.iter().enumerate() {
        skus[i].popularity = (rank as f64 + 1.0).powf(-0.9);
    }
    // Launches start mid-ranked rather than as instant best-sellers.
    for sku in skus.iter_mut().filter(|s| s.launch_day > 0) {
        sku.popularity = sku.popularity.min(0.08);
    }
    order[0]
}

/// A few mid-ranked SKUs whose demand fades away in the second year, leaving stock behind.
fn plant_dormant(rng: &mut ChaCha8Rng, cal: &Calendar, hero: usize, skus: &mut [Sku]) {
    let candidates: Vec<usize> = (0..skus.len())
        .filter(|&i| {
            i != hero && skus[i].launch_day == 0 && (0.008..0.05).contains(&skus[i].popularity)
        })
        .collect();
    for &i in candidates.choose_multiple(rng, 4) {
        skus[i].fade_from = Some(rng.gen_range(cal.days / 2..cal.days - 150));
    }
}

/// The most popular SKU after the hero that costs under 25 € (VAT excluded), sold from the
/// first day and not fading, gets the costs of a bulky, fragile, often returned product. No
/// randomness: the rest of the shop is unchanged.
fn plant_losing_best_seller(hero: usize, skus: &mut [Sku]) {
    let candidate = (0..skus.len())
        .filter(|&i| {
            let s = &skus[i];
            i != hero && s.launch_day == 0 && s.fade_from.is_none() && s.plan[0].price < 2500
        })
        .max_by(|&a, &b| skus[a].popularity.total_cmp(&skus[b].popularity));
    if let Some(i) = candidate {
        let price = skus[i].plan[0].price;
        skus[i].components = Some(Components {
            packaging: price * 12 / 100,
            inbound: price * 10 / 100,
            fulfilment: 480,
            storage_bp: 2500,
            return_bp: 2200,
            overhead: price * 10 / 100,
        });
    }
}

/// One to three regular price changes, and −20 % during Black Friday week for a third of the
/// SKUs. Supplier costs rise with half of each price rise.
fn plan_prices(rng: &mut ChaCha8Rng, cal: &Calendar, sku: &mut Sku) {
    let start = sku.plan[0].day;
    let mut promo_windows = Vec::new();
    for year in cal.first_day.year()..=cal.date(cal.days - 1).year() {
        let bf = (black_friday(year) - cal.first_day).num_days();
        if bf - 4 > start as i64 + 10 && bf + 4 < cal.days as i64 {
            promo_windows.push((bf - 4) as usize);
        }
    }
    let near_promo = |d: usize| promo_windows.iter().any(|&w| d + 10 >= w && d <= w + 14);
    let changes = [1, 1, 2, 2, 2, 3][rng.gen_range(0..6)];
    let mut days: Vec<usize> = (0..changes)
        .map(|_| rng.gen_range(start + 30..cal.days - 10))
        .filter(|&d| !near_promo(d))
        .collect();
    days.sort_unstable();
    days.dedup();
    let (mut price, mut cost) = (sku.plan[0].price, sku.plan[0].cost);
    let mut regular: Vec<PricePoint> = Vec::new();
    for day in days {
        let factor: f64 = if rng.gen_bool(0.7) {
            rng.gen_range(1.03..1.08)
        } else {
            rng.gen_range(0.88..0.95)
        };
        price = ht_cents(price as f64 * factor * 1.2 / 100.0);
        if factor > 1.0 {
            cost = (cost as f64 * (1.0 + (factor - 1.0) / 2.0)).round() as i64;
        }
        regular.push(PricePoint {
            day,
            price,
            cost,
            promo: false,
        });
    }
    if rng.gen_bool(0.35) {
        for &w in &promo_windows {
            let before = regular
                .iter()
                .rev()
                .find(|p| p.day < w)
                .copied()
                .unwrap_or(sku.plan[0]);
            let promo_price = (before.price as f64 * 0.8).round() as i64;
            regular.push(PricePoint {
                day: w,
                price: promo_price,
                cost: before.cost,
                promo: true,
            });
            regular.push(PricePoint {
                day: w + 8,
                promo: false,
                ..before
            });
        }
    }
    regular.sort_by_key(|p| p.day);
    sku.plan.extend(regular);
}

/// Cents excluding 20 % VAT of a shelf price ending in ,90 near `ttc` euros.
fn ht_cents(ttc: f64) -> i64 {
    let shelf = ttc.floor() + 0.9;
    (shelf * 100.0 / 1.2).round() as i64
}

/// "Sérum à l'Acide Hyaluronique" → "serum-a-l-acide-hyaluronique".
fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for ch in title.chars().flat_map(char::to_lowercase) {
        let c = match ch {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !out.ends_with('-') {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_ascii_slugs() {
        assert_eq!(
            slug("Sérum à l'Acide Hyaluronique"),
            "serum-a-l-acide-hyaluronique"
        );
        assert_eq!(
            slug("Crème Solaire SPF50 Visage"),
            "creme-solaire-spf50-visage"
        );
    }

    #[test]
    fn shelf_prices_end_in_ninety_cents_with_vat() {
        assert_eq!(ht_cents(34.2), 2908); // 34,90 € TTC
    }
}
