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
//! | silence on e-mails (customers who ever opened or clicked, below) | 10 of the overdue's | opened or clicked lately | silent, see [`is_silent`] |
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
//! **Silence on e-mails.** When the store holds e-mail engagement (the days each customer
//! opened or clicked an e-mail: `email_engagement_days`, migration 0014, from the Klaviyo sync)
//! and the shop's e-mail campaign sends (`ad_spend`, channel `email`, flows excluded) up to the
//! as-of day, a customer is **silent** when they have opened or clicked at least once, and
//! since their last open or click the shop has sent at least [`SILENCE_MIN_SENDS`] campaigns
//! and at least [`SILENCE_MIN_DAYS`] days have passed ([`is_silent`], the one definition).
//! A customer whose e-mail behaviour the store can see (at least one open or click up to the
//! as-of day) has [`WEIGHT_SILENCE`] of the overdue ratio's points moved to this signal (the
//! way the model's are, so the scale stays 0–100): all of them when silent, none otherwise.
//! A customer without any open or click, while the shop has data, is scored as before the
//! signal existed (the overdue ratio keeps its points): the store cannot tell "never opens"
//! from "not subscribed" or "in Klaviyo under another e-mail", and the seed's signal is a
//! silence *after* engagement; giving them the points would call every non-subscriber silent,
//! taking them away would make lateness count less for exactly the customers we know least.
//! Without engagement data or campaign sends up to the as-of day the signal is absent for
//! everyone ([`EmailActivity`] is `None`), and the report says it is not available.

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
/// Silence on e-mails: its share of the overdue weight when the store has engagement data.
pub const WEIGHT_SILENCE: f64 = 10.0;
/// Silent: at least this many e-mail campaigns sent since the customer's last open or click…
pub const SILENCE_MIN_SENDS: i64 = 3;
/// …and at least this many days since it (a shop sending daily is not answered in 3 days).
pub const SILENCE_MIN_DAYS: i64 = 30;
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
    /// Day of the customer's last e-mail open or click up to the as-of day (`None`: none, or
    /// no engagement data in the store).
    pub last_email_engagement_day_no: Option<i64>,
    /// E-mail campaigns the shop sent after that day, up to the as-of day.
    pub email_sends_since: Option<i64>,
    /// Whether the customer is silent on e-mails ([`is_silent`]); `None`: not scored for this
    /// customer (no engagement data in the store, or the customer never opened or clicked).
    pub silent: Option<bool>,
    /// Each signal's points, in the table's order: overdue, no repeat, basket, promo, returns,
    /// then the purchase model's (0 without a model), then silence on e-mails (0 without
    /// engagement data).
    pub points: [f64; 7],
}

/// What the store knows of e-mail engagement as of the day scored: each customer's last open
/// or click (by customer id, matched on the normalised e-mail) and the shop's campaign sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailActivity {
    /// Customer id → day number of their last open or click, up to the as-of day.
    pub last_engaged: std::collections::HashMap<i64, i64>,
    /// Day number of every e-mail campaign sent up to the as-of day (one entry per campaign;
    /// sorted).
    pub send_days: Vec<i64>,
}

impl EmailActivity {
    /// Campaigns sent after `day_no` and up to `as_of`.
    pub fn sends_between(&self, day_no: i64, as_of: i64) -> i64 {
        let from = self.send_days.partition_point(|&d| d <= day_no);
        let to = self.send_days.partition_point(|&d| d <= as_of);
        to.saturating_sub(from) as i64
    }
}

/// Silence on e-mails, the one definition: a customer who opened or clicked on `last_engaged`
/// is silent as of `as_of` when the shop has sent at least [`SILENCE_MIN_SENDS`] campaigns
/// since and at least [`SILENCE_MIN_DAYS`] days have passed.
pub fn is_silent(last_engaged: i64, sends_since: i64, as_of: i64) -> bool {
    sends_since >= SILENCE_MIN_SENDS && as_of - last_engaged >= SILENCE_MIN_DAYS
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
    churn_scores_all(orders, as_of_day_no, model, None)
}

/// [`churn_scores_with`] and the silence on e-mails when `email` is given (the store has
/// engagement data and campaign sends up to the as-of day); `None`: the signal is absent.
pub fn churn_scores_all(
    orders: &[OrderFact],
    as_of_day_no: i64,
    model: Option<&BgNbd>,
    email: Option<&EmailActivity>,
) -> Vec<ChurnScore> {
    let shop = shop_rhythm(orders);
    let mut gaps = Vec::new();
    by_customer(orders)
        .map(|group| score_one(group, as_of_day_no, shop, model, email, &mut gaps))
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
    email: Option<&EmailActivity>,
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
    let engaged = email.and_then(|e| e.last_engaged.get(&last.customer_id).copied());
    let sends_since = email
        .zip(engaged)
        .map(|(e, day)| e.sends_between(day, as_of));
    // Only a customer whose e-mail behaviour the store can see is scored on it.
    let silent = engaged
        .zip(sends_since)
        .map(|(day, sends)| is_silent(day, sends, as_of));
    let (overdue_weight, silence_points) = match silent {
        Some(s) => (
            overdue_weight - WEIGHT_SILENCE,
            if s { WEIGHT_SILENCE } else { 0.0 },
        ),
        None => (overdue_weight, 0.0),
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
        silence_points,
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
        last_email_engagement_day_no: engaged,
        email_sends_since: sends_since,
        silent,
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
    fn silence_needs_both_the_sends_and_the_days() {
        // Last open on day 100, as of day 130: 30 days.
        assert!(is_silent(100, SILENCE_MIN_SENDS, 100 + SILENCE_MIN_DAYS));
        assert!(!is_silent(
            100,
            SILENCE_MIN_SENDS - 1,
            100 + SILENCE_MIN_DAYS
        ));
        assert!(!is_silent(
            100,
            SILENCE_MIN_SENDS,
            100 + SILENCE_MIN_DAYS - 1
        ));
        assert!(is_silent(100, 50, 400));
        // Sends after the engagement day, up to the as-of day: the send on the day of the
        // open does not count (the open may answer it), the one on the as-of day does.
        let e = EmailActivity {
            last_engaged: Default::default(),
            send_days: vec![90, 100, 110, 110, 120, 130, 131],
        };
        assert_eq!(e.sends_between(100, 130), 4);
        assert_eq!(e.sends_between(100, 129), 3);
        assert_eq!(e.sends_between(131, 140), 0);
        assert_eq!(e.sends_between(0, 89), 0);
    }

    #[test]
    fn silent_customers_take_the_silence_points_from_lateness() {
        // Four customers with the same history: one order every 30 days, the last on day 60,
        // scored on day 150 (ratio 3 → lateness (3 − 1) / 3 = 2/3).
        let mut orders = Vec::new();
        for c in 1..=4 {
            for day in [0, 30, 60] {
                orders.push(o(c, day, 10_000, 0, 0));
            }
        }
        sort_orders(&mut orders);
        // Campaigns every 10 days from day 10 to day 150.
        let send_days: Vec<i64> = (1..=15).map(|i| i * 10).collect();
        // 1 last opened on day 60: 9 campaigns and 90 days since → silent.
        // 2 clicked on day 145: not silent. 3 never opened: scored without the signal.
        // 4 opened on day 121: 3 campaigns (130, 140, 150) but 29 days → not silent.
        let email = EmailActivity {
            last_engaged: [(1, 60), (2, 145), (4, 121)].into(),
            send_days,
        };
        let with = churn_scores_all(&orders, 150, None, Some(&email));
        let plain = churn_scores(&orders, 150);
        let late = 2.0 / 3.0;
        let pts = |s: &ChurnScore| (s.points[0], s.points[6]);
        assert_eq!(with[0].silent, Some(true));
        assert_eq!(with[0].email_sends_since, Some(9));
        assert!((pts(&with[0]).0 - 55.0 * late).abs() < 1e-9);
        assert_eq!(pts(&with[0]).1, WEIGHT_SILENCE);
        // 36.7 + 10 = 46.7 → 47, against 43.3 → 43 without e-mail data.
        assert_eq!((with[0].score, plain[0].score), (47, 43));
        assert_eq!(with[1].silent, Some(false));
        assert_eq!(pts(&with[1]), (55.0 * late, 0.0));
        assert_eq!(with[1].score, 37);
        // Never opened: as without the signal, every point on lateness.
        assert_eq!(
            (with[2].silent, with[2].last_email_engagement_day_no),
            (None, None)
        );
        assert_eq!(with[2].points, plain[2].points);
        assert_eq!(with[3].silent, Some(false));
        assert_eq!(with[3].email_sends_since, Some(3));
        // One day later customer 4 is silent.
        let next = churn_scores_all(&orders, 151, None, Some(&email));
        assert_eq!(next[3].silent, Some(true));
        // No e-mail data: nobody is silent or not, and the scores are the signals' alone.
        assert!(plain
            .iter()
            .all(|s| s.silent.is_none() && s.points[6] == 0.0));
        // With a model too: lateness keeps 65 − 35 − 10 = 20 points.
        let m = BgNbd {
            r: 0.5,
            alpha: 3.0,
            a: 0.8,
            b: 2.5,
        };
        let both = churn_scores_all(&orders, 150, Some(&m), Some(&email));
        assert!((both[0].points[0] - 20.0 * late).abs() < 1e-9);
        assert!((both[2].points[0] - 30.0 * late).abs() < 1e-9);
        for s in &both {
            let total: f64 = s.points.iter().sum();
            assert!(total <= 100.0 + 1e-9);
        }
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
