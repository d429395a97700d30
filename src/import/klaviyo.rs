//! `klaviyo`: Klaviyo's campaign and flow performance exports into `ad_spend`, channel
//! `email` (SPEC: the e-mail channel is Klaviyo), through the ad-report pipeline
//! (`ad_reports`): summed per campaign and day, spread over `--period` when there is no day,
//! re-imports replacing each (day, campaign) they cover.
//!
//! `ad_spend` is the schema's home for a channel's daily performance, and its columns take
//! Klaviyo's figures as the demo shop's e-mail rows do: `impressions` are the recipients
//! (`Total Recipients`, else the deliveries), `clicks` the unique clicks, `conversions` the
//! unique placed orders and `conversion_value_cents` the attributed revenue. `spend_cents` is
//! 0: the exports carry no cost (Klaviyo is a subscription), so e-mail has no ROAS or CAC from
//! them rather than an invented one. Opens are not stored: the table has no column for them,
//! and Apple's Mail Privacy Protection makes them unreliable anyway.
//!
//! A campaign export has one row per campaign with its `Send Time`: the campaign's totals
//! since it was sent, dated on its send day, as Klaviyo reports them (a later export with
//! more attributed revenue updates that day). A flow export has `Flow Name` and, by day, a
//! `Day` column; its rows (one per flow message) are summed per flow and day and stored as
//! campaign `Flow: <name>`, so that a flow never merges with a campaign of the same name.
//! A message report with both name columns takes the campaign name, else the flow's. A row
//! with neither a send day nor recipients (a draft or scheduled campaign) is skipped.

use chrono::NaiveDate;

use super::ad_reports::{AdRow, Figures, Platform, DAY};
use super::error::{CellError, ImportError};
use super::parse::{cents, count, day};
use super::reader::{opt, req, Field, Row};

const NAME: usize = 1;
const CAMPAIGN: usize = 2;
const FLOW: usize = 3;
const RECIPIENTS: usize = 4;
const DELIVERED: usize = 5;
const UNIQUE_CLICKS: usize = 6;
const CLICKS: usize = 7;
const UNIQUE_ORDERS: usize = 8;
const ORDERS: usize = 9;
const REVENUE: usize = 10;
const CURRENCY: usize = 11;

const CAMPAIGN_NAMES: &[&str] = &[
    "Campaign Name",
    "Campaign",
    "Nom de la campagne",
    "Campagne",
];
const FLOW_NAMES: &[&str] = &["Flow Name", "Flow", "Nom du flux", "Flux"];

static FIELDS: [Field; 12] = [
    opt(&[
        "Day",
        "Send Time",
        "Send Date",
        "Date",
        "Jour",
        "Heure d'envoi",
        "Date d'envoi",
    ]),
    // Either name finds the header (and the separator); which one a row has is read below.
    req(&[
        "Campaign Name",
        "Flow Name",
        "Campaign",
        "Flow",
        "Nom de la campagne",
        "Nom du flux",
        "Campagne",
        "Flux",
    ]),
    opt(CAMPAIGN_NAMES),
    opt(FLOW_NAMES),
    opt(&[
        "Total Recipients",
        "Recipients",
        "Total des destinataires",
        "Destinataires",
    ]),
    opt(&[
        "Successful Deliveries",
        "Delivered",
        "Received Email",
        "Livraisons réussies",
        "Délivrés",
        "Distribués",
    ]),
    opt(&["Unique Clicks", "Clicks Unique", "Clics uniques"]),
    opt(&[
        "Total Clicks",
        "Clicks",
        "Clicked Email",
        "Clics",
        "Total des clics",
    ]),
    opt(&[
        "Unique Placed Order",
        "Unique Placed Orders",
        "Commandes passées uniques",
        "Commandes uniques",
    ]),
    opt(&[
        "Placed Order",
        "Placed Orders",
        "Total Placed Orders",
        "Conversions",
        "Commandes passées",
        "Commandes",
    ]),
    opt(&[
        "Revenue",
        "Placed Order Value",
        "Total Placed Order Value",
        "Conversion Value",
        "Revenu",
        "Revenus",
        "Chiffre d'affaires",
        "Valeur des commandes passées",
    ]),
    opt(&["Currency", "Devise"]),
];

pub static KLAVIYO: Platform = Platform {
    kind: "klaviyo",
    channel: "email",
    source: "klaviyo",
    fields: &FIELDS,
    parse: klaviyo_row,
};

const SEND_DAY: &str = "a send day such as 2026-11-20, 2026-11-20 10:00:00 or 20/11/2026 10:00";

/// A `Day` or a `Send Time`: a day, or a timestamp whose day is taken as written (Klaviyo
/// writes them in the account's time zone).
fn send_day(text: &str) -> Result<Option<NaiveDate>, CellError> {
    if let Ok(d) = day(text) {
        return Ok(d);
    }
    let t = text.trim();
    let date_part = t.split([' ', 'T']).next().unwrap_or(t);
    match day(date_part) {
        Ok(Some(d)) => Ok(Some(d)),
        _ => Err(CellError::expected(SEND_DAY)),
    }
}

fn klaviyo_row(row: &Row<'_>) -> Result<Option<AdRow>, ImportError> {
    let style = row.style();
    let first = |a: usize, b: usize| -> Result<Option<i64>, ImportError> {
        match row.parse(a, |t| count(t, style))? {
            Some(v) => Ok(Some(v)),
            None => row.parse(b, |t| count(t, style)),
        }
    };
    let recipients = first(RECIPIENTS, DELIVERED)?;
    let days = if row.has(DAY) {
        // A draft or scheduled campaign: no send time, nobody reached.
        if row.parse(DAY, send_day)?.is_none() && recipients.unwrap_or(0) == 0 {
            return Ok(None);
        }
        let d = row.require(DAY, send_day)?;
        Some((d, d))
    } else {
        None
    };
    let campaign = row.get(CAMPAIGN).trim().to_string();
    let flow = row.get(FLOW).trim().to_string();
    let campaign = if !campaign.is_empty() {
        campaign
    } else if !flow.is_empty() {
        format!("Flow: {flow}")
    } else {
        return Err(ImportError::cell(
            row.file(),
            &row.place(NAME),
            &row.get(NAME),
            CellError::expected("a campaign or flow name"),
        ));
    };
    Ok(Some(AdRow {
        days,
        campaign,
        currency: Some(row.get(CURRENCY).trim().to_ascii_uppercase()).filter(|c| c.len() == 3),
        figures: Figures {
            spend: 0,
            impressions: recipients.unwrap_or(0),
            clicks: first(UNIQUE_CLICKS, CLICKS)?.unwrap_or(0),
            conversions: first(UNIQUE_ORDERS, ORDERS)?.unwrap_or(0),
            value: row.parse(REVENUE, |t| cents(t, style))?,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_times_give_their_day() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        for t in [
            "2026-11-03",
            "2026-11-03 10:00:00",
            "2026-11-03T10:00:00",
            "03/11/2026 10:00",
        ] {
            assert_eq!(send_day(t), Ok(Some(d)), "{t}");
        }
        assert_eq!(send_day(""), Ok(None));
        assert!(send_day("next tuesday").is_err());
    }
}
