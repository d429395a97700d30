//! The playbook's full cost per SKU (ch. 5, "Template de calcul par SKU") and the four
//! volume × unit-margin quadrants, as pure functions over per-SKU sums.
//!
//! Every figure is defined here once; `report.rs` only loads the sums and `render.rs` only
//! lays the result out. All amounts are per unit sold, in cents, over the report's period P:
//!
//! | line | definition |
//! |---|---|
//! | net price | sold revenue ÷ units (after discounts, before refunds) |
//! | supplier price | cost at the time of sale ÷ units (order line cost, else the variant's supplier cost); default: `supplier_cost_pct` of the net price |
//! | packaging & inbound logistics | the variant's `packaging_cents` + `inbound_logistics_cents`; each part defaults on its own |
//! | storage | yearly storage rate × supplier price × average days in stock ÷ 365; days in stock = average stock on hand over P ÷ units sold per day over P (capped at [`MAX_DAYS_IN_STOCK`]) |
//! | acquisition | ad spend of P × the SKU's share of sold revenue ÷ its units = (ad spend ÷ sold revenue) × net price |
//! | fulfilment | the variant's pick & pack cost per unit |
//! | returns & after-sales | return rate × net price; rate: the variant's, else the SKU's refunded ÷ sold revenue over P, else the default |
//! | overheads | the variant's `overhead_cents`, else `overhead_pct` of the net price |
//!
//! Unit margin = net price − full cost. Each line is rounded to the cent, the full cost is
//! the sum of the rounded lines. A line that fell back to a configured default is listed in
//! the SKU's `defaults`, and the report names those SKUs.
//!
//! Quadrants (SKUs with units sold in P only): volume is high at or above the median units
//! sold, unit margin is high at or above the median unit margin.

use serde::Serialize;

pub use crate::domain::median;
use crate::domain::{Cents, Lang};

/// Days in stock are capped here: a SKU that sells one unit a year over a full shelf would
/// otherwise carry centuries of storage.
pub const MAX_DAYS_IN_STOCK: f64 = 730.0;

/// The documented defaults (`[profit]` in the configuration) for the components a shop has
/// not given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfitOptions {
    /// Supplier price as a share of the net price when neither the order lines nor the
    /// variant carry one.
    pub supplier_cost_pct: f64,
    pub packaging: Cents,
    pub inbound_logistics: Cents,
    /// Pick & pack per unit (playbook: 0,50 € to 3 € per order).
    pub fulfilment: Cents,
    /// Yearly storage cost as a share of stock value (playbook: 3–8 % a year).
    pub storage_rate_pct: f64,
    /// Average days in stock when the store has no stock levels for the SKU.
    pub days_in_stock: f64,
    /// Returns & after-sales as a share of the net price, when neither given nor measurable
    /// (playbook: 2–15 % depending on the sector).
    pub return_rate_pct: f64,
    /// Overheads as a share of the net price.
    pub overhead_pct: f64,
}

impl Default for ProfitOptions {
    fn default() -> Self {
        ProfitOptions {
            supplier_cost_pct: 40.0,
            packaging: Cents(60),
            inbound_logistics: Cents(40),
            fulfilment: Cents(150),
            storage_rate_pct: 5.0,
            days_in_stock: 60.0,
            return_rate_pct: 5.0,
            overhead_pct: 8.0,
        }
    }
}

/// A cost input that can fall back to a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    SupplierPrice,
    Packaging,
    InboundLogistics,
    StorageRate,
    DaysInStock,
    Fulfilment,
    ReturnRate,
    Overheads,
}

impl Component {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Component::SupplierPrice => lang.pick("prix fournisseur", "supplier price"),
            Component::Packaging => lang.pick("packaging", "packaging"),
            Component::InboundLogistics => lang.pick("logistique amont", "inbound logistics"),
            Component::StorageRate => lang.pick("taux de stockage", "storage rate"),
            Component::DaysInStock => lang.pick("jours en stock", "days in stock"),
            Component::Fulfilment => lang.pick("pick & pack", "pick & pack"),
            Component::ReturnRate => lang.pick("taux de retour", "return rate"),
            Component::Overheads => lang.pick("frais généraux", "overheads"),
        }
    }
}

/// What the store holds about one SKU over the period: the input of [`unit_economics`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkuSums {
    pub sku: String,
    pub title: String,
    pub category: String,
    /// Units sold in P, their sold revenue (after discounts) and their cost at sale.
    pub units: i64,
    pub sold_revenue_cents: i64,
    pub sold_cost_cents: i64,
    /// Refunds of the SKU made in P.
    pub refunded_cents: i64,
    /// The variant's components (`None`: not given).
    pub supplier_cost_cents: Option<i64>,
    pub packaging_cents: Option<i64>,
    pub inbound_logistics_cents: Option<i64>,
    pub fulfilment_cents: Option<i64>,
    pub storage_rate_bp: Option<i64>,
    pub return_rate_bp: Option<i64>,
    pub overhead_cents: Option<i64>,
    /// Average stock on hand over the days of P with a stock level (`None`: no level).
    pub average_on_hand: Option<f64>,
}

/// What the shop as a whole contributes to every SKU's cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShopSums {
    /// Days in P.
    pub days: i64,
    pub ad_spend_cents: i64,
    /// Sold revenue of every SKU in P.
    pub sold_revenue_cents: i64,
}

impl ShopSums {
    /// Ad spend ÷ sold revenue: the acquisition cost allocated to each euro sold.
    pub fn acquisition_share(&self) -> f64 {
        if self.sold_revenue_cents > 0 {
            self.ad_spend_cents as f64 / self.sold_revenue_cents as f64
        } else {
            0.0
        }
    }
}

/// The template's lines, per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FullCost {
    pub supplier: Cents,
    pub packaging_inbound: Cents,
    pub storage: Cents,
    pub acquisition: Cents,
    pub fulfilment: Cents,
    pub returns: Cents,
    pub overheads: Cents,
    pub total: Cents,
}

/// One SKU's unit economics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitEconomics {
    pub net_price: Cents,
    pub cost: FullCost,
    pub unit_margin: Cents,
    /// Unit margin ÷ net price, in %.
    pub margin_pct: f64,
    /// Unit margin × units.
    pub total_margin: Cents,
    pub days_in_stock: f64,
    pub return_rate_pct: f64,
    /// The components that fell back to a default, in template order.
    pub defaults: Vec<Component>,
}

fn round(x: f64) -> Cents {
    Cents(x.round() as i64)
}

/// The full cost and unit margin of a SKU that sold in P (`None` without units).
pub fn unit_economics(s: &SkuSums, shop: &ShopSums, o: &ProfitOptions) -> Option<UnitEconomics> {
    if s.units <= 0 {
        return None;
    }
    let units = s.units as f64;
    let price = s.sold_revenue_cents as f64 / units;
    let mut defaults = Vec::new();
    let mut given = |v: Option<i64>, c: Component, fallback: f64| match v {
        Some(v) => v as f64,
        None => {
            defaults.push(c);
            fallback
        }
    };
    // Cost at sale is known when the variant has a supplier price (the summary falls back to
    // it) or when the lines carried one (a positive sum); a zero sum without either is "not
    // given", not free goods.
    let supplier = if s.supplier_cost_cents.is_some() || s.sold_cost_cents > 0 {
        s.sold_cost_cents as f64 / units
    } else {
        given(
            None,
            Component::SupplierPrice,
            price * o.supplier_cost_pct / 100.0,
        )
    };
    let packaging = given(
        s.packaging_cents,
        Component::Packaging,
        o.packaging.0 as f64,
    );
    let inbound = given(
        s.inbound_logistics_cents,
        Component::InboundLogistics,
        o.inbound_logistics.0 as f64,
    );
    let storage_rate = given(
        s.storage_rate_bp,
        Component::StorageRate,
        o.storage_rate_pct * 100.0,
    ) / 10_000.0;
    let days_in_stock = match s.average_on_hand {
        Some(on_hand) if shop.days > 0 => {
            (on_hand / (units / shop.days as f64)).min(MAX_DAYS_IN_STOCK)
        }
        _ => given(None, Component::DaysInStock, o.days_in_stock),
    };
    let fulfilment = given(
        s.fulfilment_cents,
        Component::Fulfilment,
        o.fulfilment.0 as f64,
    );
    let return_rate = match s.return_rate_bp {
        Some(bp) => bp as f64 / 10_000.0,
        None if s.sold_revenue_cents > 0 && s.refunded_cents > 0 => {
            s.refunded_cents as f64 / s.sold_revenue_cents as f64
        }
        None => given(None, Component::ReturnRate, o.return_rate_pct) / 100.0,
    };
    let overheads = given(
        s.overhead_cents,
        Component::Overheads,
        price * o.overhead_pct / 100.0,
    );

    let supplier_c = round(supplier);
    let mut cost = FullCost {
        supplier: supplier_c,
        packaging_inbound: round(packaging + inbound),
        storage: round(storage_rate * supplier * days_in_stock / 365.0),
        acquisition: round(shop.acquisition_share() * price),
        fulfilment: round(fulfilment),
        returns: round(return_rate * price),
        overheads: round(overheads),
        total: Cents(0),
    };
    cost.total = Cents(
        cost.supplier.0
            + cost.packaging_inbound.0
            + cost.storage.0
            + cost.acquisition.0
            + cost.fulfilment.0
            + cost.returns.0
            + cost.overheads.0,
    );
    let net_price = round(price);
    let unit_margin = Cents(net_price.0 - cost.total.0);
    defaults.sort();
    Some(UnitEconomics {
        net_price,
        cost,
        unit_margin,
        margin_pct: if net_price.0 != 0 {
            unit_margin.0 as f64 * 100.0 / net_price.0 as f64
        } else {
            0.0
        },
        total_margin: Cents(unit_margin.0 * s.units),
        days_in_stock,
        return_rate_pct: return_rate * 100.0,
        defaults,
    })
}

/// The playbook's decision matrix (volume × unit margin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High volume, high margin.
    CashCow,
    /// High volume, low margin.
    UrgentOptimisation,
    /// Low volume, high margin.
    NichePremium,
    /// Low volume, low margin.
    StopOrPivot,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [
        Quadrant::CashCow,
        Quadrant::UrgentOptimisation,
        Quadrant::NichePremium,
        Quadrant::StopOrPivot,
    ];

    pub fn of(high_volume: bool, high_margin: bool) -> Quadrant {
        match (high_volume, high_margin) {
            (true, true) => Quadrant::CashCow,
            (true, false) => Quadrant::UrgentOptimisation,
            (false, true) => Quadrant::NichePremium,
            (false, false) => Quadrant::StopOrPivot,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Quadrant::CashCow => "cash_cow",
            Quadrant::UrgentOptimisation => "urgent_optimisation",
            Quadrant::NichePremium => "niche_premium",
            Quadrant::StopOrPivot => "stop_or_pivot",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Quadrant::CashCow => "Cash Cows",
            Quadrant::UrgentOptimisation => {
                lang.pick("Optimisation urgente", "Urgent optimisation")
            }
            Quadrant::NichePremium => lang.pick("Niche Premium", "Premium niche"),
            Quadrant::StopOrPivot => lang.pick("Stop ou Pivot", "Stop or pivot"),
        }
    }

    /// The playbook's action for the quadrant.
    pub fn action(self, lang: Lang) -> &'static str {
        match self {
            Quadrant::CashCow => lang.pick(
                "Protéger et développer ; investissement marketing prioritaire.",
                "Protect and grow; first call on the marketing budget.",
            ),
            Quadrant::UrgentOptimisation => lang.pick(
                "Tester une hausse de prix ou réduire les coûts : ces produits tuent la marge.",
                "Test a price rise or cut costs: these products kill the margin.",
            ),
            Quadrant::NichePremium => lang.pick(
                "Développer la visibilité : potentiel de scaling élevé.",
                "Raise their visibility: high scaling potential.",
            ),
            Quadrant::StopOrPivot => lang.pick(
                "Arrêt ou repositionnement radical : libérer du cash et de l'attention.",
                "Stop or reposition radically: free up cash and attention.",
            ),
        }
    }
}
