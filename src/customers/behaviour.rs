//! The behavioural cohorts of document 001 ("6 cohortes dynamiques business-centric: nouveaux
//! inscrits, onboarding bloqué, récurrents à risque, VIP, visiteurs récents sans achat,
//! ré-engageables"), where the store's data allows them (SPEC §6 Cohorts): groups defined by
//! what customers did, recomputed as of a day, each with the action that goes with it.
//! `report cohorts --by behaviour` prints them.
//!
//! Definitions, as of D, over buying customers (a counted order up to D; the store learns of
//! a customer with their first order) and the ChurnGuard scores of the same day:
//!
//! | cohort | members |
//! |---|---|
//! | new customers (*nouveaux inscrits*) | first counted order in the 30 days to D |
//! | stalled after the first order (*onboarding bloqué*, read for a shop: the step that matters is the second order) | one order only, placed 31–90 days before D |
//! | repeat customers at risk (*récurrents à risque*) | 2 orders or more, ChurnGuard band moderate or high (score ≥ 51) |
//! | VIP | the top 5 % by net sales over the 365 days to D (ties at the threshold included; value > 0) |
//! | re-engageable (*ré-engageables*) | ChurnGuard band high (score ≥ 76) and accepting marketing e-mails |
//!
//! The cohorts overlap where behaviours do (a VIP can be at risk): they are target lists,
//! not a partition. **Not in the data**, so not computed: *visiteurs récents sans achat*
//! (the store has sessions per day in `traffic`, not per visitor, and `touches` only records
//! the touches that led to an order), and onboarding steps proper (no onboarding events: the
//! stalled-after-first-order reading stands in for them).

use std::collections::HashSet;

use serde::Serialize;

use super::churn::{ChurnBand, ChurnScore, OrderFact};
use crate::domain::{Cents, Lang};

/// "Recent": the last 30 days.
pub const NEW_DAYS: i64 = 30;
/// A one-order customer stalls after this many days, and leaves the cohort after [`STALL_UNTIL`].
pub const STALL_FROM: i64 = 31;
pub const STALL_UNTIL: i64 = 90;
/// The share of customers (by 12-month value) who are VIPs.
pub const VIP_PCT: f64 = 5.0;

/// The cohorts the data allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    New,
    StalledAfterFirst,
    RepeatAtRisk,
    Vip,
    Reengageable,
}

impl Behaviour {
    pub const ALL: [Behaviour; 5] = [
        Behaviour::New,
        Behaviour::StalledAfterFirst,
        Behaviour::RepeatAtRisk,
        Behaviour::Vip,
        Behaviour::Reengageable,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Behaviour::New => "new",
            Behaviour::StalledAfterFirst => "stalled_after_first",
            Behaviour::RepeatAtRisk => "repeat_at_risk",
            Behaviour::Vip => "vip",
            Behaviour::Reengageable => "reengageable",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Behaviour::New => lang.pick("Nouveaux clients", "New customers"),
            Behaviour::StalledAfterFirst => lang.pick(
                "Bloqués après la 1re commande",
                "Stalled after the first order",
            ),
            Behaviour::RepeatAtRisk => lang.pick("Récurrents à risque", "Repeat customers at risk"),
            Behaviour::Vip => "VIP",
            Behaviour::Reengageable => lang.pick("Ré-engageables", "Re-engageable"),
        }
    }

    pub fn definition(self, lang: Lang) -> &'static str {
        match self {
            Behaviour::New => lang.pick(
                "1re commande dans les 30 derniers jours",
                "first order in the last 30 days",
            ),
            Behaviour::StalledAfterFirst => lang.pick(
                "une seule commande, passée il y a 31 à 90 jours",
                "a single order, placed 31–90 days ago",
            ),
            Behaviour::RepeatAtRisk => lang.pick(
                "2 commandes ou plus, ChurnGuard ≥ 51",
                "2+ orders, ChurnGuard score ≥ 51",
            ),
            Behaviour::Vip => lang.pick(
                "top 5 % du CA net sur 12 mois",
                "top 5 % by net sales over 12 months",
            ),
            Behaviour::Reengageable => lang.pick(
                "ChurnGuard ≥ 76 et opt-in e-mail",
                "ChurnGuard score ≥ 76, opted in to e-mails",
            ),
        }
    }

    pub fn action(self, lang: Lang) -> &'static str {
        match self {
            Behaviour::New => lang.pick(
                "Message de bienvenue axé valeur immédiate (usage, conseils), pas de remise",
                "Welcome message on immediate value (how to use, tips), no discount",
            ),
            Behaviour::StalledAfterFirst => lang.pick(
                "Relance 2e commande : produit complémentaire du premier achat, avis demandé",
                "Second-order nudge: a product that goes with the first one, ask for a review",
            ),
            Behaviour::RepeatAtRisk => lang.pick(
                "Réengagement personnel (e-mail du fondateur, appel), remise sur le produit préféré",
                "Personal re-engagement (founder's e-mail, a call), discount on their favourite product",
            ),
            Behaviour::Vip => lang.pick(
                "Accès anticipé aux nouveautés, attention personnelle, pas de remise automatique",
                "Early access to new products, personal attention, no blanket discounts",
            ),
            Behaviour::Reengageable => lang.pick(
                "Campagne de reconquête par e-mail, et demander pourquoi ils sont partis",
                "E-mail win-back campaign, and ask why they left",
            ),
        }
    }
}

/// One cohort's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviourCohort {
    pub cohort: Behaviour,
    pub label: String,
    pub definition: String,
    pub customers: i64,
    /// Share of buying customers, in %.
    pub share_pct: Option<f64>,
    /// Σ net sales over the 365 days to D of the members.
    pub value_12m: Cents,
    pub action: String,
    /// The members' ids, most valuable first (not in the JSON: the CSV lists them).
    #[serde(skip)]
    pub members: Vec<i64>,
}

/// Which cohorts each customer is in: `orders` sorted by (customer, day) as for
/// [`super::churn_scores`], `scores` the scores of the same orders (one per customer, in the
/// same order), `opted_in` the customers accepting marketing e-mails.
pub fn behaviour_cohorts(
    orders: &[OrderFact],
    scores: &[ChurnScore],
    opted_in: &HashSet<i64>,
    as_of_day_no: i64,
    lang: Lang,
) -> Vec<BehaviourCohort> {
    let firsts: Vec<i64> = orders
        .chunk_by(|a, b| a.customer_id == b.customer_id)
        .map(|g| g[0].day_no)
        .collect();
    debug_assert_eq!(firsts.len(), scores.len());
    // VIP threshold: the value of the customer at the top 5 % (rounded up to one customer).
    let mut values: Vec<i64> = scores.iter().map(|s| s.value_at_risk.0).collect();
    values.sort_unstable_by(|a, b| b.cmp(a));
    let top = ((values.len() as f64 * VIP_PCT / 100.0).ceil() as usize).max(1);
    let vip_floor = values.get(top - 1).copied().unwrap_or(i64::MAX).max(1);
    let member = |cohort: Behaviour, s: &ChurnScore, first: i64| -> bool {
        let first_age = as_of_day_no - first;
        let last_age = as_of_day_no - s.last_day_no;
        match cohort {
            Behaviour::New => first_age < NEW_DAYS,
            Behaviour::StalledAfterFirst => {
                s.orders == 1 && (STALL_FROM..=STALL_UNTIL).contains(&last_age)
            }
            Behaviour::RepeatAtRisk => s.orders >= 2 && s.band >= ChurnBand::Moderate,
            Behaviour::Vip => s.value_at_risk.0 >= vip_floor,
            Behaviour::Reengageable => {
                s.band == ChurnBand::High && opted_in.contains(&s.customer_id)
            }
        }
    };
    let total = scores.len() as i64;
    Behaviour::ALL
        .iter()
        .map(|&cohort| {
            let mut in_it: Vec<&ChurnScore> = scores
                .iter()
                .zip(&firsts)
                .filter(|(s, &first)| member(cohort, s, first))
                .map(|(s, _)| s)
                .collect();
            in_it.sort_by(|a, b| {
                b.value_at_risk
                    .cmp(&a.value_at_risk)
                    .then(a.customer_id.cmp(&b.customer_id))
            });
            let customers = in_it.len() as i64;
            BehaviourCohort {
                cohort,
                label: cohort.label(lang).to_string(),
                definition: cohort.definition(lang).to_string(),
                customers,
                share_pct: (total > 0).then(|| customers as f64 * 100.0 / total as f64),
                value_12m: Cents(in_it.iter().map(|s| s.value_at_risk.0).sum()),
                action: cohort.action(lang).to_string(),
                members: in_it.iter().map(|s| s.customer_id).collect(),
            }
        })
        .collect()
}
