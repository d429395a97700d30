//! The playbook's eight RFM segments (chapter 4), what each one is called in French and
//! English, the action the playbook recommends for it, and how a user types one
//! (`at-risk`, `"à risque"`, `cant_lose_them`).

use serde::{Deserialize, Serialize};

use crate::domain::Lang;

/// One of the playbook's eight segments, in the order reports list them (best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    Champions,
    LoyalCustomers,
    PotentialLoyalists,
    NewCustomers,
    AtRisk,
    CantLoseThem,
    Hibernating,
    Lost,
}

impl RfmSegment {
    pub const ALL: [RfmSegment; 8] = [
        RfmSegment::Champions,
        RfmSegment::LoyalCustomers,
        RfmSegment::PotentialLoyalists,
        RfmSegment::NewCustomers,
        RfmSegment::AtRisk,
        RfmSegment::CantLoseThem,
        RfmSegment::Hibernating,
        RfmSegment::Lost,
    ];

    /// The stable key used in JSON, CSV, the configuration and the snapshot table.
    pub fn key(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::LoyalCustomers => "loyal_customers",
            RfmSegment::PotentialLoyalists => "potential_loyalists",
            RfmSegment::NewCustomers => "new_customers",
            RfmSegment::AtRisk => "at_risk",
            RfmSegment::CantLoseThem => "cant_lose_them",
            RfmSegment::Hibernating => "hibernating",
            RfmSegment::Lost => "lost",
        }
    }

    /// A small stable number, for the compact snapshot encoding.
    pub fn code(self) -> u8 {
        RfmSegment::ALL.iter().position(|s| *s == self).unwrap_or(7) as u8
    }

    pub fn from_code(code: u8) -> Option<RfmSegment> {
        RfmSegment::ALL.get(code as usize).copied()
    }

    /// The playbook's name; the English names are the playbook's own, kept in French output
    /// as French marketers use them, with a French gloss.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RfmSegment::Champions, _) => "Champions",
            (RfmSegment::LoyalCustomers, Lang::Fr) => "Clients fidèles",
            (RfmSegment::LoyalCustomers, Lang::En) => "Loyal Customers",
            (RfmSegment::PotentialLoyalists, Lang::Fr) => "Fidèles potentiels",
            (RfmSegment::PotentialLoyalists, Lang::En) => "Potential Loyalists",
            (RfmSegment::NewCustomers, Lang::Fr) => "Nouveaux clients",
            (RfmSegment::NewCustomers, Lang::En) => "New Customers",
            (RfmSegment::AtRisk, Lang::Fr) => "À risque",
            (RfmSegment::AtRisk, Lang::En) => "At Risk",
            (RfmSegment::CantLoseThem, Lang::Fr) => "À ne pas perdre",
            (RfmSegment::CantLoseThem, Lang::En) => "Can't Lose Them",
            (RfmSegment::Hibernating, Lang::Fr) => "En hibernation",
            (RfmSegment::Hibernating, Lang::En) => "Hibernating",
            (RfmSegment::Lost, Lang::Fr) => "Perdus",
            (RfmSegment::Lost, Lang::En) => "Lost",
        }
    }

    /// The playbook's action for the segment (chapter 4, "Les 8 segments critiques").
    pub fn action(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RfmSegment::Champions, Lang::Fr) => {
                "Programme VIP, accès exclusif, support prioritaire"
            }
            (RfmSegment::Champions, Lang::En) => {
                "VIP programme, exclusive access, priority support"
            }
            (RfmSegment::LoyalCustomers, Lang::Fr) => {
                "Programme de fidélité, cross-sell intelligent"
            }
            (RfmSegment::LoyalCustomers, Lang::En) => "Loyalty programme, smart cross-sell",
            (RfmSegment::PotentialLoyalists, Lang::Fr) => "Onboarding renforcé, éducation produit",
            (RfmSegment::PotentialLoyalists, Lang::En) => "Stronger onboarding, product education",
            (RfmSegment::NewCustomers, Lang::Fr) => "Séquence d'activation optimisée",
            (RfmSegment::NewCustomers, Lang::En) => "Optimised activation sequence",
            (RfmSegment::AtRisk, Lang::Fr) => "Campagne de réengagement urgente",
            (RfmSegment::AtRisk, Lang::En) => "Urgent re-engagement campaign",
            (RfmSegment::CantLoseThem, Lang::Fr) => {
                "Alerte rouge : intervention personnalisée, offre exceptionnelle"
            }
            (RfmSegment::CantLoseThem, Lang::En) => {
                "Red alert: personal outreach, exceptional offer"
            }
            (RfmSegment::Hibernating, Lang::Fr) => "Campagne de réveil avec incentive",
            (RfmSegment::Hibernating, Lang::En) => "Wake-up campaign with an incentive",
            (RfmSegment::Lost, Lang::Fr) => "Campagne de reconquête ou suppression",
            (RfmSegment::Lost, Lang::En) => "Win-back campaign, or remove from lists",
        }
    }

    /// Parses what a user types: the key with `-`, `_` or spaces, the English or French
    /// name, case and accents ignored (`at-risk`, `At Risk`, `à risque`, `cant-lose-them`).
    pub fn parse(text: &str) -> Option<RfmSegment> {
        let folded: String = text
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'à' | 'â' => 'a',
                'é' | 'è' | 'ê' => 'e',
                'î' | 'ï' => 'i',
                'ô' => 'o',
                'û' | 'ù' => 'u',
                '-' | '_' | ' ' | '\'' | '’' => ' ',
                c => c,
            })
            .collect();
        let words: Vec<&str> = folded.split_whitespace().collect();
        let joined = words.join(" ");
        let segment = match joined.as_str() {
            "champions" | "champion" => RfmSegment::Champions,
            "loyal customers" | "loyal" | "loyal customer" | "clients fideles" | "fideles"
            | "fidele" => RfmSegment::LoyalCustomers,
            "potential loyalists" | "potential loyalist" | "fideles potentiels" => {
                RfmSegment::PotentialLoyalists
            }
            "new customers" | "new" | "new customer" | "nouveaux clients" | "nouveaux" => {
                RfmSegment::NewCustomers
            }
            "at risk" | "a risque" | "risque" => RfmSegment::AtRisk,
            "cant lose them" | "can t lose them" | "cannot lose them" | "a ne pas perdre" => {
                RfmSegment::CantLoseThem
            }
            "hibernating" | "en hibernation" | "hibernation" | "hibernants" => {
                RfmSegment::Hibernating
            }
            "lost" | "perdus" | "perdu" => RfmSegment::Lost,
            _ => return None,
        };
        Some(segment)
    }

    /// The keys a user can type, for error messages.
    pub fn keys_hint() -> String {
        RfmSegment::ALL
            .iter()
            .map(|s| s.key().replace('_', "-"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::str::FromStr for RfmSegment {
    type Err = String;
    fn from_str(s: &str) -> Result<RfmSegment, String> {
        RfmSegment::parse(s).ok_or_else(|| {
            format!(
                "unknown segment {:?}: expected one of {}",
                s.chars().take(40).collect::<String>(),
                RfmSegment::keys_hint()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_parse_from_keys_and_both_languages() {
        for s in RfmSegment::ALL {
            assert_eq!(RfmSegment::parse(s.key()), Some(s));
            assert_eq!(RfmSegment::parse(&s.key().replace('_', "-")), Some(s));
            assert_eq!(RfmSegment::parse(s.label(Lang::En)), Some(s), "{s:?}");
            assert_eq!(RfmSegment::parse(s.label(Lang::Fr)), Some(s), "{s:?}");
            assert_eq!(RfmSegment::from_code(s.code()), Some(s));
        }
        assert_eq!(RfmSegment::parse("À RISQUE"), Some(RfmSegment::AtRisk));
        assert_eq!(RfmSegment::parse("nope"), None);
    }
}
