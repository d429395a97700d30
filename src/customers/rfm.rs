//! RFM scoring, pure: recency, frequency and monetary scores 1–5 by quintile among the buying
//! customers, the segment each score falls in, and the Pareto line.
//!
//! **Quintiles with ties.** A customer's score is `1 + ⌊5 × below ÷ n⌋`, where `below` is the
//! number of buying customers with a strictly lower value and `n` all buying customers. Equal
//! values therefore always get equal scores, whatever their order in the store: when 70 % of
//! customers have one order, they all get F = 1 (the playbook's New Customers are R ≥ 4 and
//! F = 1, so this matters), two orders gives F = 4 (70 % of customers are below) and so on. A
//! random split of the one-order customers over F = 1 and F = 2 would move customers between
//! segments from one day to the next for no reason. Recency scores the last order's day (the
//! most recent day scores 5), frequency the number of counted orders, monetary the net sales
//! (after refunds) up to the as-of day.
//!
//! **Segments.** A list of rules on R, F, M and FM = (F + M) ÷ 2, first match wins, anything
//! unmatched is Lost. The default list is SPEC §6's, which maps the playbook's examples 555,
//! 444, 323, 244, 155, 511, 122 and 111 to their named segments (tested below); a shop can
//! replace it under `[rfm]` in the configuration.

use serde::{Deserialize, Serialize};

use super::segment::RfmSegment;

/// One buying customer's history up to the as-of day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerHistory {
    pub customer_id: i64,
    /// Counted orders (not cancelled, not test) up to the as-of day.
    pub orders: i64,
    /// Net sales of those orders minus their refunds made up to the as-of day, in cents.
    pub value_cents: i64,
    pub first_day_no: i64,
    pub last_day_no: i64,
}

/// R, F, M scores (1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Scores {
    pub r: u8,
    pub f: u8,
    pub m: u8,
}

impl Scores {
    /// `(F + M) / 2`.
    pub fn fm(self) -> f64 {
        (self.f as f64 + self.m as f64) / 2.0
    }

    /// "544".
    pub fn code(self) -> String {
        format!("{}{}{}", self.r, self.f, self.m)
    }
}

/// One rule of the segment mapping: every bound inclusive; absent bounds are 1 and 5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmRule {
    pub segment: RfmSegment,
    #[serde(default = "one")]
    pub r_min: u8,
    #[serde(default = "five")]
    pub r_max: u8,
    #[serde(default = "one")]
    pub f_min: u8,
    #[serde(default = "five")]
    pub f_max: u8,
    #[serde(default = "one")]
    pub m_min: u8,
    #[serde(default = "five")]
    pub m_max: u8,
    #[serde(default = "one_f")]
    pub fm_min: f64,
    #[serde(default = "five_f")]
    pub fm_max: f64,
}

fn one() -> u8 {
    1
}
fn five() -> u8 {
    5
}
fn one_f() -> f64 {
    1.0
}
fn five_f() -> f64 {
    5.0
}

impl RfmRule {
    fn new(segment: RfmSegment) -> RfmRule {
        RfmRule {
            segment,
            r_min: 1,
            r_max: 5,
            f_min: 1,
            f_max: 5,
            m_min: 1,
            m_max: 5,
            fm_min: 1.0,
            fm_max: 5.0,
        }
    }

    fn r(mut self, min: u8, max: u8) -> RfmRule {
        (self.r_min, self.r_max) = (min, max);
        self
    }

    fn f(mut self, min: u8, max: u8) -> RfmRule {
        (self.f_min, self.f_max) = (min, max);
        self
    }

    fn fm_at_least(mut self, min: f64) -> RfmRule {
        self.fm_min = min;
        self
    }

    pub fn matches(&self, s: Scores) -> bool {
        let fm = s.fm();
        (self.r_min..=self.r_max).contains(&s.r)
            && (self.f_min..=self.f_max).contains(&s.f)
            && (self.m_min..=self.m_max).contains(&s.m)
            && fm >= self.fm_min
            && fm <= self.fm_max
    }
}

/// SPEC §6's mapping, first match wins: Champions R≥4 & FM≥4.5 · Can't Lose Them R=1 &
/// FM≥4.5 · At Risk R≤2 & FM≥3.5 · Loyal Customers R≥3 & FM≥3.5 · New Customers R≥4 & F=1 ·
/// Potential Loyalists R≥3 · Hibernating R=2, or R=1 & FM≥2 · Lost (the rest).
pub fn default_rules() -> Vec<RfmRule> {
    use RfmSegment::*;
    vec![
        RfmRule::new(Champions).r(4, 5).fm_at_least(4.5),
        RfmRule::new(CantLoseThem).r(1, 1).fm_at_least(4.5),
        RfmRule::new(AtRisk).r(1, 2).fm_at_least(3.5),
        RfmRule::new(LoyalCustomers).r(3, 5).fm_at_least(3.5),
        RfmRule::new(NewCustomers).r(4, 5).f(1, 1),
        RfmRule::new(PotentialLoyalists).r(3, 5),
        RfmRule::new(Hibernating).r(2, 2),
        RfmRule::new(Hibernating).r(1, 1).fm_at_least(2.0),
    ]
}

/// Checks a configured mapping: scores within 1–5, bounds in order.
pub fn validate_rules(rules: &[RfmRule]) -> Result<(), String> {
    if rules.is_empty() {
        return Err("rfm.rules is empty: remove it to use the default mapping".into());
    }
    for (i, rule) in rules.iter().enumerate() {
        let n = i + 1;
        for (name, lo, hi) in [
            ("r", rule.r_min, rule.r_max),
            ("f", rule.f_min, rule.f_max),
            ("m", rule.m_min, rule.m_max),
        ] {
            if !(1..=5).contains(&lo) || !(1..=5).contains(&hi) || lo > hi {
                return Err(format!(
                    "rfm rule {n} ({}): {name}_min = {lo}, {name}_max = {hi}: scores are 1 to 5, min ≤ max",
                    rule.segment.key()
                ));
            }
        }
        let in_range = |x: f64| (1.0..=5.0).contains(&x);
        if !in_range(rule.fm_min) || !in_range(rule.fm_max) || rule.fm_min > rule.fm_max {
            return Err(format!(
                "rfm rule {n} ({}): fm_min = {}, fm_max = {}: FM is 1 to 5, min ≤ max",
                rule.segment.key(),
                rule.fm_min,
                rule.fm_max
            ));
        }
    }
    Ok(())
}

/// The segment of `scores` under `rules`: the first rule that matches, else Lost.
pub fn segment_of(scores: Scores, rules: &[RfmRule]) -> RfmSegment {
    rules
        .iter()
        .find(|rule| rule.matches(scores))
        .map_or(RfmSegment::Lost, |rule| rule.segment)
}

/// Quintile scores of `values`: `1 + ⌊5 × (values strictly lower) ÷ n⌋`, so equal values get
/// equal scores and the lowest value always scores 1. Returns the scores in input order and,
/// for each score 1–5, the lowest value that reaches it (`None` when no value does).
pub fn quintile_scores(values: &[i64]) -> (Vec<u8>, [Option<i64>; 5]) {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| values[i]);
    let mut scores = vec![0u8; n];
    let mut lowest: [Option<i64>; 5] = [None; 5];
    let mut start = 0;
    while start < n {
        let v = values[order[start]];
        let mut end = start;
        while end < n && values[order[end]] == v {
            end += 1;
        }
        // `start` values are strictly lower than v.
        let score = (1 + (5 * start) / n).min(5) as u8;
        for &i in &order[start..end] {
            scores[i] = score;
        }
        let slot = &mut lowest[score as usize - 1];
        if slot.is_none() {
            *slot = Some(v);
        }
        start = end;
    }
    (scores, lowest)
}

/// The lowest value reaching each score, per dimension: how to read a score ("F = 4 from 2
/// orders"). Recency is in days since the last order, so its bounds are the *highest*
/// recency reaching each score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreBounds {
    /// Most days since the last order that still scores R = 1…5.
    pub recency_days_at_most: [Option<i64>; 5],
    /// Fewest orders that score F = 1…5.
    pub orders_at_least: [Option<i64>; 5],
    /// Least value (cents) that scores M = 1…5.
    pub value_cents_at_least: [Option<i64>; 5],
}

/// Scores every customer as of the day numbered `as_of_day_no`.
pub fn score_all(customers: &[CustomerHistory], as_of_day_no: i64) -> (Vec<Scores>, ScoreBounds) {
    let last: Vec<i64> = customers.iter().map(|c| c.last_day_no).collect();
    let orders: Vec<i64> = customers.iter().map(|c| c.orders).collect();
    let value: Vec<i64> = customers.iter().map(|c| c.value_cents).collect();
    let (r, r_low) = quintile_scores(&last);
    let (f, f_low) = quintile_scores(&orders);
    let (m, m_low) = quintile_scores(&value);
    let scores = (0..customers.len())
        .map(|i| Scores {
            r: r[i],
            f: f[i],
            m: m[i],
        })
        .collect();
    let bounds = ScoreBounds {
        recency_days_at_most: r_low.map(|d| d.map(|d| as_of_day_no - d)),
        orders_at_least: f_low,
        value_cents_at_least: m_low,
    };
    (scores, bounds)
}

/// How many customers, taking the most valuable first, make `pct` % of the value, and the
/// share of all customers that is. `None` when the total value is not positive.
pub fn pareto(values: &[i64], pct: u32) -> Option<(usize, f64)> {
    let total: i128 = values.iter().map(|&v| v as i128).sum();
    if total <= 0 || values.is_empty() {
        return None;
    }
    let mut sorted: Vec<i64> = values.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut cum: i128 = 0;
    for (i, v) in sorted.iter().enumerate() {
        cum += *v as i128;
        if cum * 100 >= total * pct as i128 {
            let k = i + 1;
            return Some((k, k as f64 * 100.0 / values.len() as f64));
        }
    }
    Some((values.len(), 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(code: &str) -> Scores {
        let d: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
        Scores {
            r: d[0],
            f: d[1],
            m: d[2],
        }
    }

    #[test]
    fn the_playbooks_examples_fall_in_their_named_segments() {
        use RfmSegment::*;
        let rules = default_rules();
        for (code, want) in [
            ("555", Champions),
            ("444", LoyalCustomers),
            ("323", PotentialLoyalists),
            ("244", AtRisk),
            ("155", CantLoseThem),
            ("511", NewCustomers),
            ("122", Hibernating),
            ("111", Lost),
        ] {
            assert_eq!(segment_of(s(code), &rules), want, "{code}");
        }
        // The second Hibernating rule: R = 1 & FM ≥ 2; below that, Lost.
        assert_eq!(segment_of(s("113"), &rules), Hibernating);
        assert_eq!(segment_of(s("112"), &rules), Lost);
        assert_eq!(segment_of(s("211"), &rules), Hibernating);
        assert!(validate_rules(&rules).is_ok());
    }

    #[test]
    fn equal_values_always_get_equal_scores() {
        // 7 one-order customers, 2 with two orders, 1 with five: F = 1, 4 (7 of 10 below), 5.
        let values = [1, 1, 2, 1, 1, 5, 1, 1, 2, 1];
        let (scores, lowest) = quintile_scores(&values);
        assert_eq!(scores, vec![1, 1, 4, 1, 1, 5, 1, 1, 4, 1]);
        assert_eq!(lowest, [Some(1), None, None, Some(2), Some(5)]);
        // Order in the input does not matter.
        let mut rev = values;
        rev.reverse();
        let (scores_rev, _) = quintile_scores(&rev);
        let mut back = scores_rev;
        back.reverse();
        assert_eq!(back, scores);
        // All distinct: plain quintiles.
        let (scores, _) = quintile_scores(&[50, 10, 40, 20, 30, 60, 70, 80, 90, 100]);
        assert_eq!(scores, vec![3, 1, 2, 1, 2, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn pareto_counts_the_fewest_customers_making_the_share() {
        assert_eq!(pareto(&[10, 70, 10, 10], 80), Some((2, 50.0)));
        assert_eq!(pareto(&[100], 80), Some((1, 100.0)));
        assert_eq!(pareto(&[0, 0], 80), None);
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut rules = default_rules();
        rules[0].r_min = 6;
        assert!(validate_rules(&rules).unwrap_err().contains("rule 1"));
        assert!(validate_rules(&[]).is_err());
    }
}
