//! The words of a question, as the parser sees them: lowercase, accents folded (`é` → `e`,
//! `œ` → `oe`), apostrophes and punctuation turned into separators, control characters and
//! emoji dropped, so that "Chiffre d’Affaires", "chiffre d'affaires" and "CHIFFRE D AFFAIRES"
//! are the same three tokens. Metric synonyms from `queries/` go through the same
//! normalisation, so a synonym matches however it is typed.
//!
//! Tokens that start with a digit keep their `-` and `/` (`2026-10-01`, `1-15`, `20/11`),
//! others are split on them (`mois-ci` → `mois ci`, `e-mail` → `e mail`).
//!
//! Also here: the fixed vocabulary that is not a metric — breakdowns, small words to skip,
//! the `list` and `help` keywords, month names and small numbers written as words.

use crate::metrics::Dimension;

/// The longest question read, in characters; Slack's slash-command text is at most a few
/// thousand, and no real question needs more than a line.
pub const MAX_QUESTION_CHARS: usize = 300;

/// Folds one lowercase character to ASCII where French (and a few neighbours) accent it.
fn fold(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'œ' => "oe",
        'æ' => "ae",
        'ß' => "ss",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// `text` without Slack's markup: `<@U123>` mentions, `<#C123|general>` channel links and
/// `<https://…|label>` links are dropped, and the `&amp;`, `&lt;`, `&gt;` escapes Slack puts
/// in slash-command text are undone (then treated as any punctuation).
fn without_slack_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                out.push(' ');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", " ")
        .replace("&lt;", " ")
        .replace("&gt;", " ")
}

/// Normalised tokens of `text` (see the module notes). Never fails; may be empty.
pub fn tokens(text: &str) -> Vec<String> {
    let text = without_slack_markup(text);
    let mut clean = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            fold(c, &mut clean);
        } else if c == '-' || c == '/' {
            clean.push(c);
        } else {
            clean.push(' ');
        }
    }
    let mut out = Vec::new();
    for raw in clean.split_whitespace() {
        let token = raw.trim_matches(['-', '/']);
        if token.is_empty() {
            continue;
        }
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(token.to_string());
        } else {
            out.extend(
                token
                    .split(['-', '/'])
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
            );
        }
    }
    out
}

/// Small words that carry no meaning for the parser: articles, prepositions, politeness,
/// "show me", "what was". Skipped silently; any other unknown word is reported back.
pub const FILLERS: &[&str] = &[
    // French
    "le",
    "la",
    "les",
    "l",
    "de",
    "des",
    "d",
    "du",
    "un",
    "une",
    "et",
    "en",
    "sur",
    "pour",
    "par",
    "au",
    "aux",
    "a",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "est",
    "etait",
    "sont",
    "c",
    "ce",
    "cet",
    "cette",
    "ces",
    "qu",
    "que",
    "quoi",
    "combien",
    "montre",
    "montrer",
    "moi",
    "donne",
    "donner",
    "affiche",
    "afficher",
    "voir",
    "mon",
    "ma",
    "mes",
    "notre",
    "nos",
    "svp",
    "stp",
    "merci",
    "bonjour",
    "salut",
    "avons",
    "fait",
    "on",
    "nous",
    "j",
    "je",
    "veux",
    "voudrais",
    "derniers",
    "dernieres",
    "dernier",
    "derniere",
    "glissants",
    "glissant",
    "total",
    "global",
    "globale",
    "vs",
    "versus",
    "compare",
    "comparaison",
    "detail",
    "detaille",
    "repartition",
    "selon",
    "depuis",
    // English
    "the",
    "of",
    "by",
    "per",
    "in",
    "on",
    "over",
    "for",
    "and",
    "an",
    "to",
    "what",
    "whats",
    "s",
    "is",
    "was",
    "were",
    "are",
    "how",
    "much",
    "many",
    "show",
    "me",
    "give",
    "get",
    "please",
    "thanks",
    "hi",
    "hello",
    "hey",
    "my",
    "our",
    "we",
    "did",
    "do",
    "last",
    "past",
    "previous",
    "rolling",
    "trailing",
    "split",
    "broken",
    "down",
    "breakdown",
    "overall",
    "compared",
    "insight",
];

/// What a fixed phrase means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    By(Dimension),
    List,
    Help,
}

/// Breakdown and command phrases, normalised. A breakdown is usually preceded by "par",
/// "by" or "per", which are fillers, so the nouns alone are listed.
pub const KEYWORDS: &[(&str, Keyword)] = &[
    ("canal", Keyword::By(Dimension::Channel)),
    ("canaux", Keyword::By(Dimension::Channel)),
    ("channel", Keyword::By(Dimension::Channel)),
    ("channels", Keyword::By(Dimension::Channel)),
    ("canal d acquisition", Keyword::By(Dimension::Channel)),
    ("acquisition channel", Keyword::By(Dimension::Channel)),
    ("sku", Keyword::By(Dimension::Sku)),
    ("skus", Keyword::By(Dimension::Sku)),
    ("produit", Keyword::By(Dimension::Sku)),
    ("produits", Keyword::By(Dimension::Sku)),
    ("product", Keyword::By(Dimension::Sku)),
    ("products", Keyword::By(Dimension::Sku)),
    ("article", Keyword::By(Dimension::Sku)),
    ("articles", Keyword::By(Dimension::Sku)),
    ("reference", Keyword::By(Dimension::Sku)),
    ("references", Keyword::By(Dimension::Sku)),
    ("categorie", Keyword::By(Dimension::Category)),
    ("categories", Keyword::By(Dimension::Category)),
    ("category", Keyword::By(Dimension::Category)),
    ("famille", Keyword::By(Dimension::Category)),
    ("familles", Keyword::By(Dimension::Category)),
    ("gamme", Keyword::By(Dimension::Category)),
    ("segment", Keyword::By(Dimension::CustomerType)),
    ("segments", Keyword::By(Dimension::CustomerType)),
    ("type de client", Keyword::By(Dimension::CustomerType)),
    ("types de clients", Keyword::By(Dimension::CustomerType)),
    ("customer type", Keyword::By(Dimension::CustomerType)),
    ("customer types", Keyword::By(Dimension::CustomerType)),
    (
        "nouveaux vs recurrents",
        Keyword::By(Dimension::CustomerType),
    ),
    (
        "nouveaux et recurrents",
        Keyword::By(Dimension::CustomerType),
    ),
    ("nouveaux vs anciens", Keyword::By(Dimension::CustomerType)),
    ("nouveaux vs fideles", Keyword::By(Dimension::CustomerType)),
    ("new vs returning", Keyword::By(Dimension::CustomerType)),
    ("new and returning", Keyword::By(Dimension::CustomerType)),
    ("new vs repeat", Keyword::By(Dimension::CustomerType)),
    ("jour", Keyword::By(Dimension::Day)),
    ("jours", Keyword::By(Dimension::Day)),
    ("day", Keyword::By(Dimension::Day)),
    ("days", Keyword::By(Dimension::Day)),
    ("daily", Keyword::By(Dimension::Day)),
    ("quotidien", Keyword::By(Dimension::Day)),
    ("journalier", Keyword::By(Dimension::Day)),
    ("jour par jour", Keyword::By(Dimension::Day)),
    ("day by day", Keyword::By(Dimension::Day)),
    ("evolution", Keyword::By(Dimension::Day)),
    ("tendance", Keyword::By(Dimension::Day)),
    ("trend", Keyword::By(Dimension::Day)),
    ("source", Keyword::By(Dimension::Source)),
    ("sources", Keyword::By(Dimension::Source)),
    ("campagne", Keyword::By(Dimension::Campaign)),
    ("campagnes", Keyword::By(Dimension::Campaign)),
    ("campaign", Keyword::By(Dimension::Campaign)),
    ("campaigns", Keyword::By(Dimension::Campaign)),
    ("list", Keyword::List),
    ("liste", Keyword::List),
    ("lister", Keyword::List),
    ("metrics", Keyword::List),
    ("metriques", Keyword::List),
    ("indicateurs", Keyword::List),
    ("catalogue", Keyword::List),
    ("catalog", Keyword::List),
    ("kpi", Keyword::List),
    ("kpis", Keyword::List),
    ("help", Keyword::Help),
    ("aide", Keyword::Help),
    ("usage", Keyword::Help),
    ("exemples", Keyword::Help),
    ("examples", Keyword::Help),
];

/// Month names and abbreviations, French and English, folded (1 = January).
pub const MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("janv", 1),
    ("jan", 1),
    ("january", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("avril", 4),
    ("avr", 4),
    ("april", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("jun", 6),
    ("juillet", 7),
    ("juil", 7),
    ("july", 7),
    ("jul", 7),
    ("aout", 8),
    ("august", 8),
    ("aug", 8),
    ("septembre", 9),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("octobre", 10),
    ("october", 10),
    ("oct", 10),
    ("novembre", 11),
    ("november", 11),
    ("nov", 11),
    ("decembre", 12),
    ("december", 12),
    ("dec", 12),
];

/// Small numbers people write as words in "sept derniers jours", "two weeks".
pub const NUMBER_WORDS: &[(&str, u32)] = &[
    ("un", 1),
    ("une", 1),
    ("one", 1),
    ("deux", 2),
    ("two", 2),
    ("trois", 3),
    ("three", 3),
    ("quatre", 4),
    ("four", 4),
    ("cinq", 5),
    ("five", 5),
    ("six", 6),
    ("sept", 7),
    ("seven", 7),
    ("huit", 8),
    ("eight", 8),
    ("dix", 10),
    ("ten", 10),
    ("douze", 12),
    ("twelve", 12),
    ("quinze", 15),
    ("fifteen", 15),
    ("trente", 30),
    ("thirty", 30),
];

pub fn month(token: &str) -> Option<u32> {
    MONTHS.iter().find(|(m, _)| *m == token).map(|(_, n)| *n)
}

pub fn is_filler(token: &str) -> bool {
    FILLERS.contains(&token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_apostrophes_and_emoji_are_folded_away() {
        assert_eq!(
            tokens("Chiffre d’Affaires 🚀 PAR Catégorie!"),
            ["chiffre", "d", "affaires", "par", "categorie"]
        );
        assert_eq!(tokens("ce mois-ci"), ["ce", "mois", "ci"]);
        assert_eq!(
            tokens("du 2026-10-01 au 15/10/2026, 1-15 oct."),
            ["du", "2026-10-01", "au", "15/10/2026", "1-15", "oct"]
        );
        assert_eq!(tokens("\u{0}\u{7}'; DROP--"), ["drop"]);
        assert!(tokens("  -- // ").is_empty());
        assert_eq!(
            tokens("<@U123|ceo> marge &amp; ca <#C9|general> <https://x.io/?q=1|lien>"),
            ["marge", "ca"]
        );
        assert_eq!(tokens("a < b"), ["a", "b"]);
    }
}
