//! `report cohorts --by behaviour`: the behavioural cohorts of document 001 as of a day
//! (`behaviour.rs` defines them), as text, JSON, or a CSV of their members for an e-mail tool.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use super::behaviour::{behaviour_cohorts, BehaviourCohort};
use super::churn::churn_scores_all;
use super::churn_report::purchase_model;
use super::load::{contacts, order_facts};
use crate::domain::{day_no, format_count, format_money, format_pct, Cents, Lang};
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;
use crate::with_pool;

/// A cohort of document 001 the store's data does not allow, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotInData {
    pub cohort: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviourReport {
    pub as_of: NaiveDate,
    pub currency: String,
    /// Buying customers as of D.
    pub customers: i64,
    pub cohorts: Vec<BehaviourCohort>,
    pub not_in_data: Vec<NotInData>,
}

fn not_in_data(lang: Lang) -> Vec<NotInData> {
    vec![
        NotInData {
            cohort: "recent_visitors_without_purchase",
            reason: lang
                .pick(
                    "visiteurs récents sans achat : la base a les sessions par jour, pas par visiteur, et les points de contact seulement avant une commande",
                    "recent visitors without a purchase: the store has sessions per day, not per visitor, and touches only before an order",
                )
                .to_string(),
        },
        NotInData {
            cohort: "onboarding_steps",
            reason: lang
                .pick(
                    "étapes d'onboarding : aucun événement d'onboarding dans la base (« bloqués après la 1re commande » en tient lieu)",
                    "onboarding steps: no onboarding events in the store (\"stalled after the first order\" stands in for them)",
                )
                .to_string(),
        },
    ]
}

const OPTED_IN: &str = "SELECT id FROM customers WHERE accepts_marketing";

/// The behavioural cohorts as of `as_of`, from the orders up to D and ChurnGuard's scores of
/// the same day (with its purchase model when the shop is large enough). Marketing consent
/// is the customers' current one (the store keeps no history of it).
pub async fn behaviour_report(
    store: &Store,
    as_of: NaiveDate,
    currency: &str,
    lang: Lang,
) -> anyhow::Result<BehaviourReport> {
    let facts = order_facts(store, as_of).await?;
    // The same score as `report churn`: with the silence on e-mails when the store has it.
    let email = super::load::email_data(store, as_of).await?.activity;
    let opted_in: Vec<i64> = with_pool!(store, pool => {
        sqlx::query_scalar(OPTED_IN).fetch_all(pool).await
    })
    .context("failed to read customers' marketing consent")?;
    let opted_in: HashSet<i64> = opted_in.into_iter().collect();
    let as_of_no = day_no(as_of);
    let (customers, cohorts) = spawn_blocking_in_span(move || {
        let model = purchase_model(&facts, as_of_no);
        let scores = churn_scores_all(&facts, as_of_no, model.as_ref(), email.as_ref());
        let cohorts = behaviour_cohorts(&facts, &scores, &opted_in, as_of_no, lang);
        (scores.len() as i64, cohorts)
    })
    .await?;
    Ok(BehaviourReport {
        as_of,
        currency: currency.to_string(),
        customers,
        cohorts,
        not_in_data: not_in_data(lang),
    })
}

/// The report for a terminal: one line per cohort, then what each means and what to do.
pub fn behaviour_text(r: &BehaviourReport, lang: Lang) -> String {
    let money = |c: Cents| format_money(c, &r.currency, lang, true);
    let mut rows: Vec<[String; 4]> = vec![[
        lang.pick("Cohorte", "Cohort").into(),
        lang.pick("Clients", "Customers").into(),
        lang.pick("Part", "Share").into(),
        lang.pick("CA 12 mois", "12-mo revenue").into(),
    ]];
    for c in &r.cohorts {
        rows.push([
            c.label.clone(),
            format_count(c.customers, lang),
            c.share_pct.map_or("—".into(), |p| format_pct(p, 1, lang)),
            money(c.value_12m),
        ]);
    }
    let mut out = format!(
        "{} · {} · {} {}\n\n{}\n\n",
        lang.pick("Cohortes comportementales", "Behavioural cohorts"),
        r.as_of,
        format_count(r.customers, lang),
        lang.pick("clients acheteurs", "buying customers"),
        super::aligned(&rows, 1)
    );
    for c in &r.cohorts {
        out.push_str(&format!("• {} ({}): {}\n", c.label, c.definition, c.action));
    }
    out.push_str(&format!(
        "\n{}\n",
        lang.pick("Hors des données :", "Not in the data:")
    ));
    for n in &r.not_in_data {
        out.push_str(&format!("• {}\n", n.reason));
    }
    out
}

/// Every member of every cohort (a customer in two cohorts has two rows), most valuable
/// first within a cohort: `cohort, email, customer_key`.
pub async fn behaviour_csv(store: &Store, r: &BehaviourReport) -> anyhow::Result<String> {
    let contacts: HashMap<i64, super::load::Contact> = contacts(store).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["cohort", "email", "customer_key"])?;
    for c in &r.cohorts {
        for id in &c.members {
            let contact = contacts.get(id);
            w.write_record([
                c.cohort.key().to_string(),
                contact.and_then(|c| c.email.clone()).unwrap_or_default(),
                contact.map(|c| c.key.clone()).unwrap_or_default(),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
