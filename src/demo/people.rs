//! The demo shop's customers: how each acquisition channel brings them and how they come
//! back, who they are (fake French identities at example domains) and the marketing touches
//! before their orders.
//!
//! The acquisition channel drives everything after the first order, as in the playbook's
//! Marketing Profit Matrix: customers found on Meta/Instagram cost ~50 € and keep buying
//! (≈ 250 € of net sales over two years); Google customers cost ~25 € and mostly buy once
//! (≈ 80 €); e-mail, organic and direct customers cost nothing or almost and are the most
//! loyal. Repeat orders come back mostly through e-mail, direct and organic visits.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use crate::domain::Channel;

pub const META: usize = 0;
pub const GOOGLE: usize = 1;
pub const EMAIL: usize = 2;
pub const ORGANIC: usize = 3;
pub const DIRECT: usize = 4;
pub const CHANNELS: [Channel; 5] = [
    Channel::Meta,
    Channel::Google,
    Channel::Email,
    Channel::Organic,
    Channel::Direct,
];

pub struct Behaviour {
    /// Share of the day's new customers acquired through this channel.
    pub new_share: f64,
    /// Chance that a customer acquired here orders again after each order.
    pub repeat_prob: f64,
    /// Mean days between two orders.
    pub gap_days: f64,
    /// Channel of their repeat orders, by weight (meta, google, email, organic, direct).
    pub repeat_channels: [f64; 5],
}

pub const BEHAVIOUR: [Behaviour; 5] = [
    Behaviour {
        new_share: 0.40,
        repeat_prob: 0.78,
        gap_days: 70.0,
        repeat_channels: [0.15, 0.05, 0.40, 0.15, 0.25],
    },
    Behaviour {
        new_share: 0.18,
        repeat_prob: 0.20,
        gap_days: 80.0,
        repeat_channels: [0.05, 0.25, 0.30, 0.20, 0.20],
    },
    Behaviour {
        new_share: 0.12,
        repeat_prob: 0.85,
        gap_days: 50.0,
        repeat_channels: [0.03, 0.02, 0.50, 0.15, 0.30],
    },
    Behaviour {
        new_share: 0.16,
        repeat_prob: 0.82,
        gap_days: 55.0,
        repeat_channels: [0.03, 0.04, 0.40, 0.25, 0.28],
    },
    Behaviour {
        new_share: 0.14,
        repeat_prob: 0.85,
        gap_days: 50.0,
        repeat_channels: [0.03, 0.02, 0.42, 0.18, 0.35],
    },
];

/// Cost per acquired customer the ad platforms are paid for, in cents.
pub const CAC_CENTS: [f64; 2] = [5000.0, 2500.0];

pub const META_CAMPAIGNS: [(&str, f64); 3] = [
    ("FR_Prospection_Broad", 0.5),
    ("FR_Retargeting_DPA", 0.2),
    ("FR_Advantage+_Shopping", 0.3),
];
pub const GOOGLE_CAMPAIGNS: [(&str, f64); 3] = [
    ("Search_Marque", 0.25),
    ("Search_Generique", 0.35),
    ("PMax_Catalogue", 0.4),
];
const EMAIL_FLOWS: [&str; 5] = [
    "Welcome flow",
    "Newsletter",
    "Panier abandonné",
    "Post-achat",
    "Win-back",
];

/// What the simulation remembers per customer (customer id = index + 1).
#[derive(Clone, Copy)]
pub struct Customer {
    pub acquisition: u8,
    /// The SKU of their first order, which they tend to buy again.
    pub favourite: u16,
    /// First name, last name and domain of their e-mail ([`email_of`]), for the engagement
    /// rows keyed by it.
    pub name: [u8; 3],
    /// Subscribed and opens e-mails at all (see `sim::OPENER_SHARE`).
    pub opener: bool,
}

const FIRST_NAMES: [&str; 48] = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Marie",
    "Laura",
    "Pauline",
    "Clara",
    "Louise",
    "Anaïs",
    "Mathilde",
    "Lucie",
    "Élodie",
    "Sophie",
    "Margaux",
    "Juliette",
    "Charlotte",
    "Océane",
    "Amandine",
    "Hélène",
    "Nathalie",
    "Isabelle",
    "Sandrine",
    "Céline",
    "Aurélie",
    "Audrey",
    "Émilie",
    "Claire",
    "Alice",
    "Jeanne",
    "Zoé",
    "Lina",
    "Agathe",
    "Romane",
    "Valentine",
    "Maëlle",
    "Thomas",
    "Nicolas",
    "Julien",
    "Lucas",
    "Hugo",
    "Antoine",
    "Maxime",
    "Karim",
];

const LAST_NAMES: [&str; 40] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Perrin",
    "Chevalier",
    "Benali",
    "Nguyen",
];

const COUNTRIES: [(&str, f64); 5] = [
    ("FR", 0.86),
    ("BE", 0.06),
    ("CH", 0.04),
    ("LU", 0.02),
    ("DE", 0.02),
];

pub struct Identity {
    pub email: String,
    /// The indices the e-mail is made of ([`email_of`]).
    pub name: [u8; 3],
    pub first_name: &'static str,
    pub phone: Option<String>,
    pub country: &'static str,
    pub accepts_marketing: bool,
}

const DOMAINS: [&str; 5] = [
    "example.com",
    "example.com",
    "example.com",
    "example.fr",
    "example.net",
];

/// The e-mail of customer `id` from its name indices: `camille.martin123@example.com`.
pub fn email_of(id: i64, name: [u8; 3]) -> String {
    format!(
        "{}.{}{id}@{}",
        ascii_lower(FIRST_NAMES[name[0] as usize]),
        ascii_lower(LAST_NAMES[name[1] as usize]),
        DOMAINS[name[2] as usize]
    )
}

/// A fake, unique identity for customer `id`: `camille.martin123@example.com`.
pub fn identity<R: Rng>(rng: &mut R, id: i64, acquisition: usize) -> Identity {
    let first = rng.gen_range(0..FIRST_NAMES.len());
    let last = rng.gen_range(0..LAST_NAMES.len());
    let domain = rng.gen_range(0..DOMAINS.len());
    let name = [first as u8, last as u8, domain as u8];
    let first_name = FIRST_NAMES[first];
    let email = email_of(id, name);
    let phone = rng.gen_bool(0.4).then(|| {
        format!(
            "+33 6 {:02} {:02} {:02} {:02}",
            rng.gen_range(0..100),
            rng.gen_range(0..100),
            rng.gen_range(0..100),
            rng.gen_range(0..100)
        )
    });
    Identity {
        email,
        name,
        first_name,
        phone,
        country: pick(rng, &COUNTRIES),
        accepts_marketing: acquisition == EMAIL || rng.gen_bool(0.62),
    }
}

/// The touches before an order, oldest first: the last one is the order's channel, a few
/// minutes before it; earlier ones are spread over the 30 days before.
pub fn journey<R: Rng>(
    rng: &mut R,
    placed_at: DateTime<Utc>,
    channel: usize,
    first_order: bool,
) -> Vec<(DateTime<Utc>, usize, Option<&'static str>)> {
    let n = if first_order {
        pick(rng, &[(1, 0.35), (2, 0.30), (3, 0.22), (4, 0.13)])
    } else {
        pick(rng, &[(1, 0.7), (2, 0.3)])
    };
    let mut earlier: Vec<i64> = (1..n).map(|_| rng.gen_range(3_600..30 * 86_400)).collect();
    earlier.sort_unstable_by(|a, b| b.cmp(a));
    let mut touches: Vec<_> = earlier
        .into_iter()
        .map(|secs| {
            let ch = pick(
                rng,
                &[
                    (META, 0.32),
                    (GOOGLE, 0.18),
                    (EMAIL, 0.22),
                    (ORGANIC, 0.16),
                    (DIRECT, 0.12),
                ],
            );
            (placed_at - Duration::seconds(secs), ch, campaign(rng, ch))
        })
        .collect();
    let last = placed_at - Duration::seconds(rng.gen_range(60..2_700));
    touches.push((last, channel, campaign(rng, channel)));
    touches
}

fn campaign<R: Rng>(rng: &mut R, channel: usize) -> Option<&'static str> {
    match channel {
        META => Some(pick(rng, &META_CAMPAIGNS)),
        GOOGLE => Some(pick(rng, &GOOGLE_CAMPAIGNS)),
        EMAIL => Some(EMAIL_FLOWS[rng.gen_range(0..EMAIL_FLOWS.len())]),
        _ => None,
    }
}

/// A weighted pick (weights need not sum to 1).
pub fn pick<R: Rng, T: Copy>(rng: &mut R, choices: &[(T, f64)]) -> T {
    let total: f64 = choices.iter().map(|c| c.1).sum();
    let mut u = rng.gen::<f64>() * total;
    for &(value, weight) in choices {
        if u < weight {
            return value;
        }
        u -= weight;
    }
    choices[choices.len() - 1].0
}

/// "Hélène" → "helene": e-mail local parts are plain ASCII.
fn ascii_lower(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'à' | 'â' | 'ä' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'î' | 'ï' => Some('i'),
            'ô' | 'ö' => Some('o'),
            'ù' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn emails_are_lowercase_ascii_and_unique_per_id() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let a = identity(&mut rng, 123, META).email;
        let b = identity(&mut rng, 124, META).email;
        assert!(
            a.ends_with("123@example.com") || a.contains("123@example."),
            "{a}"
        );
        assert_ne!(a, b);
        assert!(
            a.chars().all(|c| c.is_ascii() && !c.is_ascii_uppercase()),
            "{a}"
        );
        assert_eq!(ascii_lower("Maëlle"), "maelle");
    }

    #[test]
    fn journeys_end_on_the_order_channel_before_the_order() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let at = chrono::Utc::now();
        for _ in 0..100 {
            let j = journey(&mut rng, at, GOOGLE, true);
            assert!((1..=4).contains(&j.len()));
            assert_eq!(j.last().unwrap().1, GOOGLE);
            assert!(j.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(j.iter().all(|t| t.0 < at && t.0 > at - Duration::days(30)));
        }
    }
}
