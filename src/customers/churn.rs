//! ChurnGuard, pure: a 0–100 risk score per buying customer from the signals the playbook
//! lists (chapter 6), its band (0–25 healthy, 26–50 attention, 51–75 moderate, 76–100 high)
//! and the band's recommended actions.
//!
//! The score is a weighted sum of signals each scaled to 0–1, so every point can be explained
//! to the person who calls the customer (the CSV carries each signal):
//!
//! | signal | weight | 0 when | 1 when |
//! |---|---:|---|---|
//! | overdue: days since the last order ÷ the customer's own rhythm | 65 | on rhythm or early (ratio ≤ 1) | 4× the rhythm or more |
//! | no repeat yet: a single order | 15 | two orders or more | one order |
//! | falling basket: last order against the average of the earlier ones | 8 | not lower | half or less |
//! | rising promo use: last order discounted while earlier ones mostly were not | 5 | last order at full price | discounted, none before |
//! | returns: share of the value refunded | 7 | nothing refunded | half or more |
//!
//! The rhythm is the median gap between the customer's orders (at least 7 days); a customer
//! with one order is measured against the shop's median gap from first to second order among
//! the customers who came back (60 days when nobody has yet). Time dominates by design: every
//! study of non-contractual churn (and the BG/NBD model) finds recency against one's own
//! purchase rate to be the strongest signal; the others move a customer within or across a band.
//!
//! **With a purchase model.** When the shop has enough history for BG/NBD (`clv.rs`; the
//! report fits it on the same orders, see `churn_report`), the overdue signal's 65 points are
//! split: 30 stay with the overdue ratio and 35 go to the model's **probability of no order
//! in the next 90 days** given the customer's purchase days (x repeat days, tₓ, T):
//! 1 − P(alive) · (1 − ((α+T)/(α+T+90 days))^(r+x)) — alive, a customer buys at a rate λ
//! whose posterior is Gamma(r+x, α+T). The model adds what the ratio cannot see: how often the
//! customer has bought (frequency), and how the shop's customers as a whole drop out. On
//! CDNOW (cut-off week 39, outcome weeks 40–78) it lifts the AUC from 0.749 to 0.77.
//!
//! Silence on e-mails is not scored: the store has no e-mail engagement source yet (a
//! Klaviyo import would add one), and a signal that is always zero would only pretend. The
//! hook is [`ChurnScore::points`]: a sixth signal (e.g. days since the last e-mail opened,
//! from Klaviyo profiles) would take its weight from the overdue ratio as the model does.

use serde::Serialize;

use super::clv::{BgNbd, DAYS_PER_PERIOD};
use crate::domain::{median, Cents, Lang};

/// Weights of the signals; they sum to 100.
pub const WEIGHT_OVERDUE: f64 = 65.0;
pub const WEIGHT_NO_REPEAT: f64 = 15.0;
pub const WEIGHT_BASKET: f64 = 8.0;
pub const WEIGHT_PROMO: f64 = 5.0;
pub const WEIGHT_RETURNS: f64 = 7.0;
/// With a purchase model: the model's share of the overdue weight (the ratio keeps the rest).
pub const WEIGHT_MODEL: f64 = 35.0;
/// The model's horizon: P(no order in the next this many days), the backtest's outcome.
pub const MODEL_HORIZON_DAYS: f64 = 90.0;
/// Overdue ratio at which the overdue signal is full.
const OVERDUE_FULL: f64 = 4.0;
/// The rhythm never counts as shorter than this (two orders the same week are one visit).
const MIN_RHYTHM_DAYS: f64 = 7.0;
/// The one-order rhythm when no customer has come back yet.
const DEFAULT_RHYTHM_DAYS: f64 = 60.0;
/// Value at risk: the customer's net sales over this many days up to the as-of day.
pub const VALUE_WINDOW_DAYS: i64 = 365;

/// One counted order of a customer, up to the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFact {
    pub customer_id: i64,
    pub day_no: i64,
    pub net_cents: i64,
    pub discount_cents: i64,
    /// Refunded on this order up to the as-of day.
    pub refunded_cents: i64,
}

/// ChurnGuard's four bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChurnBand {
    Healthy,
    Attention,
    Moderate,
    High,
}

impl ChurnBand {
    pub const ALL: [ChurnBand; 4] = [
        ChurnBand::Healthy,
        ChurnBand::Attention,
        ChurnBand::Moderate,
        ChurnBand::High,
    ];

    /// 0–25, 26–50, 51–75, 76–100.
    pub fn of(score: u8) -> ChurnBand {
        match score {
            0..=25 => ChurnBand::Healthy,
            26..=50 => ChurnBand::Attention,
            51..=75 => ChurnBand::Moderate,
            _ => ChurnBand::High,
        }
    }

    pub fn range(self) -> &'static str {
        match self {
            ChurnBand::Healthy => "0–25",
            ChurnBand::Attention => "26–50",
            ChurnBand::Moderate => "51–75",
            ChurnBand::High => "76–100",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ChurnBand::Healthy => "healthy",
            ChurnBand::Attention => "attention",
            ChurnBand::Moderate => "moderate",
            ChurnBand::High => "high",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ChurnBand::Healthy, Lang::Fr) => "Client sain",
            (ChurnBand::Healthy, Lang::En) => "Healthy",
            (ChurnBand::Attention, Lang::Fr) => "Attention requise",
            (ChurnBand::Attention, Lang::En) => "Needs attention",
            (ChurnBand::Moderate, Lang::Fr) => "Risque modéré",
            (ChurnBand::Moderate, Lang::En) => "Moderate risk",
            (ChurnBand::High, Lang::Fr) => "Risque élevé",
            (ChurnBand::High, Lang::En) => "High risk",
        }
    }

    /// The playbook's interventions per score band.
    pub fn action(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ChurnBand::Healthy, Lang::Fr) => "Prévention : programme de fidélité renforcé, contenu éducatif personnalisé, accès privilégié aux nouveautés",
            (ChurnBand::Healthy, Lang::En) => "Prevention: stronger loyalty programme, personalised educational content, early access to new products",
            (ChurnBand::Attention, Lang::Fr) => "Attention : enquête de satisfaction ciblée, offre produit complémentaire, invitation à rejoindre la communauté",
            (ChurnBand::Attention, Lang::En) => "Attention: targeted satisfaction survey, complementary product offer, invitation to the community",
            (ChurnBand::Moderate, Lang::Fr) => "Réengagement : e-mail personnalisé du fondateur, remise exceptionnelle sur le produit préféré, proposition de call avec le service client",
            (ChurnBand::Moderate, Lang::En) => "Re-engagement: personal e-mail from the founder, exceptional discount on their favourite product, a call with customer service",
            (ChurnBand::High, Lang::Fr) => "Urgence : intervention humaine directe, offre de reconquête agressive, recueil des causes du départ",
            (ChurnBand::High, Lang::En) => "Emergency: direct human contact, aggressive win-back offer, find out why they are leaving",
        }
    }
}

/// One customer's score and the signals behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnScore {
    pub customer_id: i64,
    pub score: u8,
    pub band: ChurnBand,
    pub orders: i64,
    pub last_day_no: i64,
    pub recency_days: i64,
    /// The rhythm the recency is measured against, in days.
    pub rhythm_days: f64,
    /// Whether the rhythm is the customer's own (2+ orders) or the shop's.
    pub own_rhythm: bool,
    pub overdue_ratio: f64,
    /// Last order's basket against the average of the earlier ones, in % (`None`: 1 order).
    pub basket_change_pct: Option<f64>,
    pub last_order_discounted: bool,
    /// Share of the earlier orders that were discounted (`None`: 1 order).
    pub earlier_discount_share: Option<f64>,
    /// Refunded ÷ ordered, in %.
    pub refund_share_pct: f64,
    /// Net sales (after refunds) over the 365 days to the as-of day: what leaving would cost.
    pub value_at_risk: Cents,
    /// Net sales (after refunds) of all time.
    pub value: Cents,
    /// P(no order in the next 90 days) from the purchase model; `None` without a model.
    pub p_no_order_90d: Option<f64>,
    /// Each signal's points, in the table's order: overdue, no repeat, basket, promo, returns,
    /// then the purchase model's (0 without a model).
    pub points: [f64; 6],
}

fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// The shop's median days from first to second order among customers with two or more:
/// the rhythm of a customer who has ordered once.
pub fn shop_rhythm(orders: &[OrderFact]) -> f64 {
    let mut gaps = Vec::new();
    for group in by_customer(orders) {
        if group.len() >= 2 {
            gaps.push((group[1].day_no - group[0].day_no) as f64);
        }
    }
    median(&mut gaps)
        .unwrap_or(DEFAULT_RHYTHM_DAYS)
        .max(MIN_RHYTHM_DAYS)
}

/// Orders grouped per customer, each group in day order. `orders` must be sorted by
/// (customer, day).
fn by_customer(orders: &[OrderFact]) -> impl Iterator<Item = &[OrderFact]> {
    orders.chunk_by(|a, b| a.customer_id == b.customer_id)
}

/// Scores every customer with orders in `orders` (sorted by customer then day; see
/// [`sort_orders`]) as of the day numbered `as_of_day_no`, from the signals alone.
pub fn churn_scores(orders: &[OrderFact], as_of_day_no: i64) -> Vec<ChurnScore> {
    churn_scores_with(orders, as_of_day_no, None)
}

/// [`churn_scores`] with a BG/NBD model fitted on the same orders (the module's "with a
/// purchase model"); `None` scores from the signals alone.
pub fn churn_scores_with(
    orders: &[OrderFact],
    as_of_day_no: i64,
    model: Option<&BgNbd>,
) -> Vec<ChurnScore> {
    let shop = shop_rhythm(orders);
    let mut gaps = Vec::new();
    by_customer(orders)
        .map(|group| score_one(group, as_of_day_no, shop, model, &mut gaps))
        .collect()
}

/// P(no order in the next `horizon_days`) of a customer with `x` repeat purchase days, the
/// first `first` and the last `last` (day numbers), as of `as_of`, under BG/NBD.
pub fn p_no_order(
    model: &BgNbd,
    x: u32,
    first: i64,
    last: i64,
    as_of: i64,
    horizon_days: f64,
) -> f64 {
    let t_x = (last - first) as f64 / DAYS_PER_PERIOD;
    let t = (as_of - first) as f64 / DAYS_PER_PERIOD;
    let h = horizon_days / DAYS_PER_PERIOD;
    let alive = model.p_alive(x, t_x, t);
    let rate_part = ((model.alpha + t) / (model.alpha + t + h)).powf(model.r + x as f64);
    clamp01(1.0 - alive * (1.0 - rate_part))
}

/// Sorts orders as [`churn_scores`] needs them.
pub fn sort_orders(orders: &mut [OrderFact]) {
    orders.sort_unstable_by_key(|o| (o.customer_id, o.day_no, o.net_cents));
}

/// One customer's score; `gaps` is scratch space reused from one customer to the next.
fn score_one(
    group: &[OrderFact],
    as_of: i64,
    shop_rhythm: f64,
    model: Option<&BgNbd>,
    gaps: &mut Vec<f64>,
) -> ChurnScore {
    let n = group.len();
    let last = group[n - 1];
    let recency = as_of - last.day_no;
    let (rhythm, own) = if n >= 2 {
        gaps.clear();
        gaps.extend(group.windows(2).map(|w| (w[1].day_no - w[0].day_no) as f64));
        (
            median(gaps).unwrap_or(shop_rhythm).max(MIN_RHYTHM_DAYS),
            true,
        )
    } else {
        (shop_rhythm, false)
    };
    let ratio = recency as f64 / rhythm;
    let overdue = clamp01((ratio - 1.0) / (OVERDUE_FULL - 1.0));
    // The model counts purchase days (orders of one day are one purchase), as clv.rs does.
    let p_no_order_90d = model.map(|m| {
        let x = group
            .windows(2)
            .filter(|w| w[1].day_no != w[0].day_no)
            .count() as u32;
        p_no_order(
            m,
            x,
            group[0].day_no,
            last.day_no,
            as_of,
            MODEL_HORIZON_DAYS,
        )
    });
    let (overdue_weight, model_points) = match p_no_order_90d {
        Some(p) => (WEIGHT_OVERDUE - WEIGHT_MODEL, WEIGHT_MODEL * p),
        None => (WEIGHT_OVERDUE, 0.0),
    };
    let no_repeat = if n == 1 { 1.0 } else { 0.0 };

    let earlier = &group[..n - 1];
    let (basket_change, basket) = if earlier.is_empty() {
        (None, 0.0)
    } else {
        let avg = earlier.iter().map(|o| o.net_cents as f64).sum::<f64>() / earlier.len() as f64;
        if avg > 0.0 {
            let change = (last.net_cents as f64 - avg) / avg;
            (Some(change * 100.0), clamp01(-change / 0.5))
        } else {
            (None, 0.0)
        }
    };
    let discounted = last.discount_cents > 0;
    let earlier_share = (!earlier.is_empty()).then(|| {
        earlier.iter().filter(|o| o.discount_cents > 0).count() as f64 / earlier.len() as f64
    });
    let promo = match (discounted, earlier_share) {
        (true, Some(share)) => 1.0 - share,
        _ => 0.0,
    };
    let ordered: i64 = group.iter().map(|o| o.net_cents).sum();
    let refunded: i64 = group.iter().map(|o| o.refunded_cents).sum();
    let refund_share = if ordered > 0 {
        refunded as f64 / ordered as f64
    } else {
        0.0
    };
    let returns = clamp01(refund_share / 0.5);

    let points = [
        overdue_weight * overdue,
        WEIGHT_NO_REPEAT * no_repeat,
        WEIGHT_BASKET * basket,
        WEIGHT_PROMO * promo,
        WEIGHT_RETURNS * returns,
        model_points,
    ];
    let score = points.iter().sum::<f64>().round().clamp(0.0, 100.0) as u8;
    let window_start = as_of - VALUE_WINDOW_DAYS;
    let value_at_risk: i64 = group
        .iter()
        .filter(|o| o.day_no > window_start)
        .map(|o| o.net_cents - o.refunded_cents)
        .sum();
    ChurnScore {
        customer_id: last.customer_id,
        score,
        band: ChurnBand::of(score),
        orders: n as i64,
        last_day_no: last.day_no,
        recency_days: recency,
        rhythm_days: rhythm,
        own_rhythm: own,
        overdue_ratio: ratio,
        basket_change_pct: basket_change,
        last_order_discounted: discounted,
        earlier_discount_share: earlier_share,
        refund_share_pct: refund_share * 100.0,
        value_at_risk: Cents(value_at_risk),
        value: Cents(ordered - refunded),
        p_no_order_90d,
        points,
    }
}

/// Area under the ROC curve of `scores` for `churned` (true: did not order in the outcome
/// window): the probability that a churner scores above a customer who stayed, ties counting
/// half. `None` when either class is empty.
pub fn auc(scores: &[u8], churned: &[bool]) -> Option<f64> {
    // Counts per score value: 101 buckets, so this is linear.
    let mut pos = [0u64; 101];
    let mut neg = [0u64; 101];
    for (&s, &c) in scores.iter().zip(churned) {
        if c {
            pos[s as usize] += 1;
        } else {
            neg[s as usize] += 1;
        }
    }
    let (np, nn): (u64, u64) = (pos.iter().sum(), neg.iter().sum());
    if np == 0 || nn == 0 {
        return None;
    }
    let mut below = 0u64;
    let mut wins = 0.0f64;
    for s in 0..=100 {
        wins += pos[s] as f64 * (below as f64 + neg[s] as f64 / 2.0);
        below += neg[s];
    }
    Some(wins / (np as f64 * nn as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(customer_id: i64, day_no: i64, net: i64, discount: i64, refunded: i64) -> OrderFact {
        OrderFact {
            customer_id,
            day_no,
            net_cents: net,
            discount_cents: discount,
            refunded_cents: refunded,
        }
    }

    #[test]
    fn bands_follow_the_playbook() {
        assert_eq!(ChurnBand::of(0), ChurnBand::Healthy);
        assert_eq!(ChurnBand::of(25), ChurnBand::Healthy);
        assert_eq!(ChurnBand::of(26), ChurnBand::Attention);
        assert_eq!(ChurnBand::of(50), ChurnBand::Attention);
        assert_eq!(ChurnBand::of(51), ChurnBand::Moderate);
        assert_eq!(ChurnBand::of(75), ChurnBand::Moderate);
        assert_eq!(ChurnBand::of(76), ChurnBand::High);
        assert_eq!(ChurnBand::of(100), ChurnBand::High);
        let w = WEIGHT_OVERDUE + WEIGHT_NO_REPEAT + WEIGHT_BASKET + WEIGHT_PROMO + WEIGHT_RETURNS;
        assert_eq!(w, 100.0);
    }

    #[test]
    fn signals_add_up_as_documented() {
        // Customer 1 orders every 30 days and last ordered 90 days ago: ratio 3 → overdue
        // (3 − 1) / 3 → 43.3 points; the last basket is half the earlier ones → 8; it was
        // discounted, none before → 5; nothing refunded. 56.3 → 56, moderate.
        let mut orders = vec![
            o(1, 0, 10_000, 0, 0),
            o(1, 30, 10_000, 0, 0),
            o(1, 60, 5_000, 500, 0),
            // Customer 2: one order 10 days ago, half refunded; shop rhythm = 30 days
            // (customer 1's first gap), so ratio 1/3 → 0 + no repeat 15 + returns 7 = 22.
            o(2, 140, 4_000, 0, 2_000),
        ];
        sort_orders(&mut orders);
        let scores = churn_scores(&orders, 150);
        assert_eq!(scores[0].score, 56);
        assert_eq!(scores[0].band, ChurnBand::Moderate);
        assert_eq!(scores[0].rhythm_days, 30.0);
        assert_eq!(scores[0].basket_change_pct, Some(-50.0));
        assert_eq!(scores[1].score, 22);
        assert!(!scores[1].own_rhythm);
        assert_eq!(scores[1].value_at_risk, Cents(2_000));
    }

    #[test]
    fn the_model_signal_is_the_probability_of_no_order_in_90_days() {
        let m = BgNbd {
            r: 0.5,
            alpha: 3.0,
            a: 0.8,
            b: 2.5,
        };
        // Orders on days 0, 14, 28 (two on day 28: one purchase day), as of day 70:
        // x = 2, tₓ = 4 weeks, T = 10 weeks, horizon 90 days.
        let mut orders = vec![
            o(1, 0, 10_000, 0, 0),
            o(1, 14, 10_000, 0, 0),
            o(1, 28, 4_000, 0, 0),
            o(1, 28, 6_000, 0, 0),
        ];
        sort_orders(&mut orders);
        let (x, t_x, t, h) = (2.0f64, 4.0f64, 10.0f64, 90.0 / 7.0);
        // The paper's P(alive), eq. (11), and P(no purchase in h | alive) = E[e^(−λh)] over
        // the posterior Gamma(r + x, α + T), integrated numerically here.
        let alive =
            1.0 / (1.0 + m.a / (m.b + x - 1.0) * ((m.alpha + t) / (m.alpha + t_x)).powf(m.r + x));
        let (k, beta) = (m.r + x, m.alpha + t);
        let ln_norm = k * beta.ln() - special::Gamma::ln_gamma(k).0;
        let (steps, top) = (200_000, 60.0 / beta);
        let dl = top / steps as f64;
        let quiet: f64 = (1..steps)
            .map(|i| {
                let l = i as f64 * dl;
                (ln_norm + (k - 1.0) * l.ln() - (beta + h) * l).exp() * dl
            })
            .sum();
        let want = 1.0 - alive * (1.0 - quiet);
        let scores = churn_scores_with(&orders, 70, Some(&m));
        let got = scores[0].p_no_order_90d.unwrap();
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        // The points: 35 × p for the model, the ratio keeps 30 of the overdue's 65. Rhythm
        // = median gap of (14, 14, 0) = 14 days; 42 days since → ratio 3 → (3 − 1) / 3.
        assert!((scores[0].points[5] - 35.0 * want).abs() < 1e-6);
        assert!((scores[0].points[0] - 30.0 * 2.0 / 3.0).abs() < 1e-9);
        // Without a model the overdue ratio has all 65 points and the model none.
        let plain = churn_scores(&orders, 70);
        assert!((plain[0].points[0] - 65.0 * 2.0 / 3.0).abs() < 1e-9);
        assert_eq!((plain[0].points[5], plain[0].p_no_order_90d), (0.0, None));
    }

    #[test]
    fn auc_is_the_probability_a_churner_scores_higher() {
        assert_eq!(
            auc(&[90, 80, 10, 20], &[true, true, false, false]),
            Some(1.0)
        );
        assert_eq!(auc(&[10, 90], &[true, false]), Some(0.0));
        assert_eq!(auc(&[50, 50], &[true, false]), Some(0.5));
        assert_eq!(auc(&[50], &[true]), None);
    }
}
