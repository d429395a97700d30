//! Marketing channels as the store names them, and how people call them.
//!
//! Orders carry their last-click channel, ad spend its platform's channel, traffic its
//! GA4 source/medium mapped to a channel; all use these stable lowercase keys.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Meta,
    Google,
    Email,
    Organic,
    Direct,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Meta,
        Channel::Google,
        Channel::Email,
        Channel::Organic,
        Channel::Direct,
        Channel::Other,
    ];

    /// The key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Meta => "meta",
            Channel::Google => "google",
            Channel::Email => "email",
            Channel::Organic => "organic",
            Channel::Direct => "direct",
            Channel::Other => "other",
        }
    }

    /// What people see.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Meta => "Meta Ads",
            Channel::Google => "Google Ads",
            Channel::Email => "Email",
            Channel::Organic => "Organic",
            Channel::Direct => "Direct",
            Channel::Other => "Other",
        }
    }

    /// What people call this channel in `lang`.
    pub fn label_in(self, lang: super::Lang) -> &'static str {
        match (self, lang) {
            (Channel::Organic, super::Lang::Fr) => "Organique",
            (Channel::Other, super::Lang::Fr) => "Autre",
            (Channel::Direct, super::Lang::Fr) => "Direct",
            (c, _) => c.label(),
        }
    }

    /// The display name of a stored channel key; a key the bot does not know is shown as is
    /// rather than as "Other".
    pub fn display(key: &str, lang: super::Lang) -> String {
        let known = Channel::from_key(key);
        if known == Channel::Other && !key.trim().eq_ignore_ascii_case("other") {
            return key.to_string();
        }
        known.label_in(lang).to_string()
    }

    /// Parses a stored key or a common way to name the channel; unknown text is `Other`.
    pub fn from_key(key: &str) -> Channel {
        match key.trim().to_ascii_lowercase().as_str() {
            "meta" | "facebook" | "instagram" | "fb" | "ig" => Channel::Meta,
            "google" | "google ads" | "adwords" | "cpc" => Channel::Google,
            "email" | "e-mail" | "klaviyo" | "newsletter" => Channel::Email,
            "organic" | "seo" | "organique" => Channel::Organic,
            "direct" | "(direct)" => Channel::Direct,
            _ => Channel::Other,
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
