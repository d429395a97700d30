//! Which marketing channel brought an imported order, from what the export says about it.
//!
//! Shopify's order export has no "channel" column, only hints: UTM parameters that checkout
//! apps copy into `Note Attributes` (`UTM source: facebook`), the landing and referring sites
//! when the export has them, the discount code, and `Source` (the sales channel: `web`, `pos`,
//! `shopify_draft_order`, `tiktok`, or a checkout app's numeric id). The strongest hint wins,
//! in that order; README.md ("Shopify orders") lists the mapping.

use crate::domain::Channel;

/// A UTM source / referrer / code word → channel, if it names one.
fn word_channel(text: &str) -> Option<Channel> {
    let t = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&[
        "facebook",
        "instagram",
        "fbclid",
        "meta",
        "fb.",
        "l.fb",
        "ig_",
    ]) || t == "fb"
        || t == "ig"
    {
        Some(Channel::Meta)
    } else if has(&["gclid", "google", "adwords", "gbraid", "wbraid"]) {
        Some(Channel::Google)
    } else if has(&[
        "klaviyo",
        "newsletter",
        "email",
        "e-mail",
        "mailchimp",
        "brevo",
        "sendinblue",
    ]) {
        Some(Channel::Email)
    } else {
        None
    }
}

/// `UTM source: x` (checkout apps) or `utm_source=x` (URLs) in `text`.
fn utm_source(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    for marker in ["utm source:", "utm_source:", "utm_source="] {
        if let Some(at) = lower.find(marker) {
            let rest = text[at + marker.len()..].trim_start();
            let end = rest.find(['&', '\n', '\r', ',']).unwrap_or(rest.len());
            return Some(rest[..end].trim());
        }
    }
    None
}

/// The hints an export gives about one order.
#[derive(Debug, Default)]
pub struct Hints<'a> {
    pub note_attributes: &'a str,
    pub landing_site: &'a str,
    pub referring_site: &'a str,
    pub discount_code: &'a str,
    pub source: &'a str,
}

/// The order's last-click channel (see the module comment for the precedence).
pub fn order_channel(h: &Hints<'_>) -> Channel {
    for text in [h.note_attributes, h.landing_site] {
        if let Some(source) = utm_source(text) {
            return word_channel(source).unwrap_or(Channel::Other);
        }
    }
    if let Some(c) = word_channel(h.landing_site) {
        return c;
    }
    let referrer = h.referring_site.trim();
    if !referrer.is_empty() {
        return match word_channel(referrer) {
            // A click from google.com without an ad click id is a search result.
            Some(Channel::Google) => Channel::Organic,
            Some(c) => c,
            None if ["bing.", "duckduckgo", "ecosia", "qwant", "yahoo."]
                .iter()
                .any(|s| referrer.to_ascii_lowercase().contains(s)) =>
            {
                Channel::Organic
            }
            None => Channel::Other,
        };
    }
    let code = h.discount_code.to_ascii_lowercase();
    let code_channel = if ["fb", "meta", "insta", "ig"]
        .iter()
        .any(|w| code.starts_with(w))
    {
        Some(Channel::Meta)
    } else if code.starts_with("google") || code.starts_with("gads") {
        Some(Channel::Google)
    } else if ["email", "newsletter", "klaviyo", "nl"]
        .iter()
        .any(|w| code.starts_with(w))
    {
        Some(Channel::Email)
    } else {
        None
    };
    if let Some(c) = code_channel {
        return c;
    }
    let source = h.source.trim().to_ascii_lowercase();
    match source.as_str() {
        // The online store, or a checkout app on it (numeric app id), with no other hint.
        "web" | "" => Channel::Direct,
        s if s.chars().all(|c| c.is_ascii_digit()) => Channel::Direct,
        s => word_channel(s).unwrap_or(Channel::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_map_to_channels_strongest_first() {
        let utm = Hints {
            note_attributes: "City: X\nUTM source: facebook\nUTM medium: paid",
            source: "5690175",
            ..Hints::default()
        };
        assert_eq!(order_channel(&utm), Channel::Meta);
        let landing = Hints {
            landing_site: "/products/x?gclid=abc",
            source: "web",
            ..Hints::default()
        };
        assert_eq!(order_channel(&landing), Channel::Google);
        let referrer = Hints {
            referring_site: "https://www.google.com/",
            source: "web",
            ..Hints::default()
        };
        assert_eq!(order_channel(&referrer), Channel::Organic);
        let code = Hints {
            discount_code: "NEWSLETTER10",
            source: "web",
            ..Hints::default()
        };
        assert_eq!(order_channel(&code), Channel::Email);
        let app = Hints {
            source: "5690175",
            ..Hints::default()
        };
        assert_eq!(order_channel(&app), Channel::Direct);
        for other in ["tiktok", "pos", "shopify_draft_order"] {
            let h = Hints {
                source: other,
                ..Hints::default()
            };
            assert_eq!(order_channel(&h), Channel::Other, "{other}");
        }
    }
}
