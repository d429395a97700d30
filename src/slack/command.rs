//! The transport-free core of the bot: a slash command as Slack sends it ([`Invocation`]),
//! parsed once into a typed [`Command`], and [`dispatch`] that turns it into a [`Reply`].
//! Socket Mode, HTTP and the tests all go through here, so a command behaves the same
//! whichever way it arrived.

use chrono::{Datelike, Days, NaiveDate};

use crate::commands::App;
use crate::customers::RfmSegment;
use crate::domain::Lang;
use crate::render::{Block, Draft};
use crate::reply::{Reply, Visibility};

/// The commands the bot knows, by name without the slash (also the `[slack.commands.*]` keys).
pub const KNOWN_COMMANDS: [&str; 11] = [
    "cockpit",
    "insight",
    "alerts",
    "rfm",
    "churn",
    "attribution",
    "ltv",
    "cohorts",
    "stock",
    "sku",
    "profit",
];

/// The cockpit chart attached in Slack.
pub const COCKPIT_SLACK_CHART: &str = "revenue_vs_target";

/// A slash command as received: who, where, what, and where to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Name without the slash: `cockpit`.
    pub command: String,
    pub text: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub response_url: Option<String>,
    /// Unique per invocation and identical in a redelivered envelope: the dedup key.
    pub trigger_id: String,
}

impl From<slack_morphism::events::SlackCommandEvent> for Invocation {
    fn from(ev: slack_morphism::events::SlackCommandEvent) -> Invocation {
        Invocation {
            command: ev.command.0.trim_start_matches('/').to_string(),
            text: ev.text.unwrap_or_default(),
            user_id: ev.user_id.0,
            channel_id: ev.channel_id.0,
            team_id: ev.team_id.0,
            response_url: Some(ev.response_url.0.to_string()),
            trigger_id: ev.trigger_id.0,
        }
    }
}

/// Which day `/cockpit` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CockpitDay {
    /// The last complete day in the shop's time zone (the default).
    Yesterday,
    Date(NaiveDate),
}

/// A command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Cockpit(CockpitDay),
    /// The question as typed; `/insight` parses it against the catalogue.
    Insight(String),
    /// RFM segments as of a day (default: yesterday), optionally listing one segment.
    Rfm {
        as_of: CockpitDay,
        segment: Option<RfmSegment>,
    },
    /// ChurnGuard as of a day (default: yesterday).
    Churn(CockpitDay),
    /// Attribution over the N days ending yesterday (default 30).
    Attribution(u32),
    /// The Marketing Profit Matrix as of a day (default: yesterday).
    Ltv(CockpitDay),
    /// Monthly acquisition cohorts as of a day (default: yesterday), with the heat-map.
    Cohorts(CockpitDay),
    /// SKU profitability over the 365 days to a day (default: yesterday), with the scatter.
    Profit(CockpitDay),
    Alerts(AlertsAction),
    /// Stock cover, reorders and dormant stock as of a day (default: yesterday).
    Stock(CockpitDay),
    /// One SKU's card: its code or part of its name, and the day (default: yesterday).
    Sku {
        query: String,
        as_of: CockpitDay,
    },
}

/// `/alerts`, `/alerts mute <id> 24h`, `/alerts unmute <id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertsAction {
    List,
    Mute { id: String, hours: i64 },
    Unmute { id: String },
}

/// The longest mute: a forgotten mute must not hide a problem for months.
pub const MAX_MUTE_HOURS: i64 = 24 * 30;

fn parse_alerts(text: &str) -> Result<AlertsAction, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let id_ok = |id: &str| id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric());
    match words.as_slice() {
        [] | ["list" | "liste" | "ls"] => Ok(AlertsAction::List),
        ["mute" | "sourdine", id, rest @ ..] if id_ok(id) => {
            let hours = match rest {
                [] => 24,
                [d] => parse_mute_duration(d)?,
                _ => return Err("expected `/alerts mute <id> 24h`".into()),
            };
            Ok(AlertsAction::Mute {
                id: id.to_string(),
                hours,
            })
        }
        ["unmute" | "réactiver" | "reactiver", id] if id_ok(id) => Ok(AlertsAction::Unmute {
            id: id.to_string(),
        }),
        _ => Err(format!(
            "{:?} is not an /alerts action: expected nothing (the open alerts), `mute <id> 24h` or `unmute <id>`",
            truncate_chars(text.trim(), 40)
        )),
    }
}

/// `24h`, `2d`/`2j`, `90m` (rounded up to whole hours), at most [`MAX_MUTE_HOURS`].
pub fn parse_mute_duration(text: &str) -> Result<i64, String> {
    let t = text.trim().to_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: expected 24h, 3d or 90m"))?;
    let hours = match unit {
        "h" | "" => n,
        "d" | "j" => n * 24,
        "m" | "min" => (n + 59) / 60,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: expected 24h, 3d or 90m"
            ))
        }
    };
    if !(1..=MAX_MUTE_HOURS).contains(&hours) {
        return Err(format!("a mute lasts from 1 hour to 30 days, not {text}"));
    }
    Ok(hours)
}

/// Why a command could not be parsed: shown to the asker with the usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub command: String,
    pub problem: String,
}

impl Command {
    /// Parses `inv`. `today` is the shop's current local date (for "hier", day-month dates).
    pub fn parse(inv: &Invocation, today: NaiveDate) -> Result<Command, Usage> {
        match inv.command.as_str() {
            "cockpit" => parse_cockpit_day(&inv.text, today)
                .map(Command::Cockpit)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "insight" => Ok(Command::Insight(inv.text.clone())),
            "attribution" => parse_days(&inv.text)
                .map(Command::Attribution)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "ltv" => parse_cockpit_day(&inv.text, today)
                .map(Command::Ltv)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "profit" => parse_cockpit_day(&inv.text, today)
                .map(Command::Profit)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "cohorts" => parse_cockpit_day(&inv.text, today)
                .map(Command::Cohorts)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "churn" => parse_cockpit_day(&inv.text, today)
                .map(Command::Churn)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "rfm" => parse_rfm(&inv.text, today)
                .map(|(as_of, segment)| Command::Rfm { as_of, segment })
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "stock" => parse_cockpit_day(&inv.text, today)
                .map(Command::Stock)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "sku" => parse_sku(&inv.text, today)
                .map(|(query, as_of)| Command::Sku { query, as_of })
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "alerts" => parse_alerts(&inv.text)
                .map(Command::Alerts)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            other => Err(Usage {
                command: other.to_string(),
                problem: format!("/{other} is not a command of this bot"),
            }),
        }
    }
}

/// `/attribution`, `/attribution 90`, `/attribution 7j`, `/attribution 14 days`.
fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return Ok(30);
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = t[digits.len()..].trim();
    let unit_ok = ["", "j", "d", "jours", "days", "jour", "day"].contains(&rest);
    match digits.parse::<u32>() {
        Ok(n) if unit_ok && (1..=730).contains(&n) => Ok(n),
        _ => Err(format!(
            "{:?} is not a number of days: expected nothing (30 days), 7j, 90 or 14 days (1 to 730)",
            truncate_chars(text.trim(), 40)
        )),
    }
}

/// `/rfm [day] [segment]` in any order: `""`, `at-risk`, `à risque 2026-11-20`, `hier`.
fn parse_rfm(text: &str, today: NaiveDate) -> Result<(CockpitDay, Option<RfmSegment>), String> {
    if text.chars().count() > 200 {
        return Err("the text is too long: expected a day and/or a segment".into());
    }
    let mut day = CockpitDay::Yesterday;
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        let is_day = lower.chars().next().is_some_and(|c| c.is_ascii_digit())
            || ["hier", "yesterday", "avant-hier", "today", "aujourd'hui"]
                .contains(&lower.as_str());
        if is_day {
            day = parse_cockpit_day(word, today)?;
        } else {
            rest.push(word);
        }
    }
    let segment = match rest.join(" ") {
        words if words.is_empty() => None,
        words => Some(words.parse::<RfmSegment>()?),
    };
    Ok((day, segment))
}

/// `/sku ML-SER-01`, `/sku sérum vitamine C`, `/sku ML-SER-01 2026-11-20`: the SKU code or
/// part of the name, then optionally a day.
fn parse_sku(text: &str, today: NaiveDate) -> Result<(String, CockpitDay), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if text.chars().count() > 200 {
        return Err("the text is too long: expected a SKU code or part of a product name".into());
    }
    let (query, day) = match words.split_last() {
        Some((last, rest))
            if !rest.is_empty()
                && last.starts_with(|c: char| c.is_ascii_digit())
                && last.contains(['-', '/']) =>
        {
            (rest.join(" "), parse_cockpit_day(last, today)?)
        }
        _ => (words.join(" "), CockpitDay::Yesterday),
    };
    if query.is_empty() {
        return Err("which SKU? give its code or part of the product name".into());
    }
    Ok((query, day))
}

/// `""`, `hier`, `yesterday`, `avant-hier`, `2026-11-20`, `20/11/2026`, `20/11`.
fn parse_cockpit_day(text: &str, today: NaiveDate) -> Result<CockpitDay, String> {
    let t = text.trim().to_lowercase();
    let yesterday = today - Days::new(1);
    let day = match t.as_str() {
        "" | "hier" | "yesterday" => return Ok(CockpitDay::Yesterday),
        "avant-hier" | "avant hier" => yesterday - Days::new(1),
        "aujourd'hui" | "aujourd’hui" | "today" => {
            return Err("today is not over yet: the cockpit shows complete days".into())
        }
        _ => parse_day(&t, today).ok_or_else(|| {
            format!(
                "{:?} is not a day: expected nothing (yesterday), hier, 2026-11-20 or 20/11",
                truncate_chars(text.trim(), 40)
            )
        })?,
    };
    if day > yesterday {
        return Err(format!(
            "{day} is not over yet: the last complete day is {yesterday}"
        ));
    }
    Ok(if day == yesterday {
        CockpitDay::Yesterday
    } else {
        CockpitDay::Date(day)
    })
}

fn parse_day(t: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%d/%m/%Y") {
        return Some(d);
    }
    let (day, month) = t.split_once('/')?;
    let (day, month) = (day.parse().ok()?, month.parse().ok()?);
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    // "20/11" typed in early January means last November.
    Some(if this_year >= today {
        NaiveDate::from_ymd_opt(today.year() - 1, month, day)?
    } else {
        this_year
    })
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Runs a parsed command and builds its answer. `visibility` is the command's configured one.
pub async fn dispatch(
    app: &App,
    command: Command,
    visibility: Visibility,
) -> anyhow::Result<Reply> {
    let mut reply = match command {
        Command::Cockpit(day) => {
            let date = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_cockpit(app, date).await?;
            // The 1-slide carries one picture, revenue against target over 30 days (SPEC §5):
            // three images would push the figures off the screen. The others stay in `report`.
            let charts = rendered
                .charts
                .into_iter()
                .filter(|c| c.name == COCKPIT_SLACK_CHART)
                .collect();
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts,
            }
        }
        Command::Insight(text) => {
            let question = crate::insight::parse_question(&text, &app.registry, app.today());
            crate::insight::answer(app, &question).await?
        }
        Command::Alerts(action) => alerts_reply(app, action, chrono::Utc::now()).await?,
        Command::Rfm { as_of, segment } => {
            let as_of = match as_of {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_rfm(app, as_of, segment).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: rendered.chart.into_iter().collect(),
            }
        }
        Command::Attribution(days) => {
            let period = crate::domain::Period::trailing(app.yesterday(), u64::from(days));
            let rendered = crate::commands::render_attribution(app, period).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: Vec::new(),
            }
        }
        Command::Ltv(day) => {
            let as_of = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let predicted = crate::commands::predicted_ltv(app, as_of).await;
            let rendered =
                crate::commands::render_ltv(app, as_of, None, predicted.as_ref()).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: Vec::new(),
            }
        }
        Command::Profit(day) => {
            let as_of = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_profit(app, as_of, None).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: rendered.chart.into_iter().collect(),
            }
        }
        Command::Cohorts(day) => {
            let as_of = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_cohorts(
                app,
                as_of,
                crate::customers::DEFAULT_COHORT_MONTHS,
            )
            .await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: rendered.chart.into_iter().collect(),
            }
        }
        Command::Stock(day) => {
            let as_of = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_stock(app, as_of).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: Vec::new(),
            }
        }
        Command::Sku { query, as_of } => {
            let as_of = match as_of {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            match crate::commands::render_sku(app, as_of, &query).await {
                Ok(rendered) => Reply {
                    visibility: Visibility::InChannel,
                    messages: rendered.messages,
                    charts: rendered.chart.into_iter().collect(),
                },
                Err(e) => match e.downcast_ref::<crate::forecast::run::SkuLookupError>() {
                    // Not found or ambiguous: the asker's to fix, privately.
                    Some(lookup) => notice(app.lang, lookup.to_string()),
                    None => return Err(e),
                },
            }
        }
        Command::Churn(day) => {
            let as_of = match day {
                CockpitDay::Yesterday => app.yesterday(),
                CockpitDay::Date(d) => d,
            };
            let rendered = crate::commands::render_churn(app, as_of).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: rendered.messages,
                charts: Vec::new(),
            }
        }
    };
    // Help, lists and "not understood" stay private whatever the command's setting.
    if reply.visibility == Visibility::InChannel {
        reply.visibility = visibility;
    }
    Ok(reply)
}

/// `/alerts`: the open list, or a mute / unmute and its confirmation.
pub async fn alerts_reply(
    app: &App,
    action: AlertsAction,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Reply> {
    use crate::alerts::{render, state};
    let lang = app.lang;
    let tz = app.shop.timezone;
    Ok(match action {
        AlertsAction::List => {
            let open = state::open_alerts(&app.store).await?;
            Reply {
                visibility: Visibility::InChannel,
                messages: render::open_list(&open, now, tz, lang),
                charts: Vec::new(),
            }
        }
        AlertsAction::Mute { id, hours } => {
            let until = now + chrono::Duration::hours(hours);
            if state::mute(&app.store, &id, Some(until)).await? {
                let mut reply = notice(
                    lang,
                    format!(
                        "🔕 {} `{id}` {} {}",
                        lang.pick("Alerte", "Alert"),
                        lang.pick("en sourdine jusqu'au", "muted until"),
                        until.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
                    ),
                );
                reply.visibility = Visibility::InChannel;
                reply
            } else {
                no_such_alert(lang, &id)
            }
        }
        AlertsAction::Unmute { id } => {
            if state::mute(&app.store, &id, None).await? {
                let mut reply = notice(
                    lang,
                    format!(
                        "🔔 {} `{id}` {}",
                        lang.pick("Alerte", "Alert"),
                        lang.pick("réactivée", "unmuted")
                    ),
                );
                reply.visibility = Visibility::InChannel;
                reply
            } else {
                no_such_alert(lang, &id)
            }
        }
    })
}

fn no_such_alert(lang: Lang, id: &str) -> Reply {
    notice(
        lang,
        match lang {
            Lang::Fr => format!("Aucune alerte ouverte n'a l'identifiant `{id}` : `/alerts` liste les alertes ouvertes."),
            Lang::En => format!("No open alert has the id `{id}`: `/alerts` lists the open ones."),
        },
    )
}

/// The private answer to a command that could not be parsed.
pub fn usage_reply(usage: &Usage, lang: Lang) -> Reply {
    let how = match usage.command.as_str() {
        "cockpit" => lang.pick(
            "`/cockpit` (hier), `/cockpit 2026-11-20`, `/cockpit 20/11`, `/cockpit avant-hier`",
            "`/cockpit` (yesterday), `/cockpit 2026-11-20`, `/cockpit 20/11`",
        ),
        "alerts" => lang.pick(
            "`/alerts` (alertes ouvertes), `/alerts mute <id> 24h`, `/alerts unmute <id>`",
            "`/alerts` (open alerts), `/alerts mute <id> 24h`, `/alerts unmute <id>`",
        ),
        "rfm" => lang.pick(
            "`/rfm` (hier), `/rfm at-risk`, `/rfm champions 2026-11-20`",
            "`/rfm` (yesterday), `/rfm at-risk`, `/rfm champions 2026-11-20`",
        ),
        "attribution" => lang.pick(
            "`/attribution` (30 jours), `/attribution 7j`, `/attribution 90`",
            "`/attribution` (30 days), `/attribution 7d`, `/attribution 90`",
        ),
        "churn" => lang.pick(
            "`/churn` (hier), `/churn 2026-11-20`",
            "`/churn` (yesterday), `/churn 2026-11-20`",
        ),
        "ltv" => lang.pick(
            "`/ltv` (hier), `/ltv 2026-11-20`",
            "`/ltv` (yesterday), `/ltv 2026-11-20`",
        ),
        "cohorts" => lang.pick(
            "`/cohorts` (hier), `/cohorts 2026-11-20`",
            "`/cohorts` (yesterday), `/cohorts 2026-11-20`",
        ),
        "stock" => lang.pick(
            "`/stock` (hier), `/stock 2026-11-20`",
            "`/stock` (yesterday), `/stock 2026-11-20`",
        ),
        "sku" => lang.pick(
            "`/sku ML-SER-01`, `/sku sérum`, `/sku ML-SER-01 2026-11-20`",
            "`/sku ML-SER-01`, `/sku serum`, `/sku ML-SER-01 2026-11-20`",
        ),
        "profit" => lang.pick(
            "`/profit` (hier), `/profit 2026-11-20`",
            "`/profit` (yesterday), `/profit 2026-11-20`",
        ),
        _ => lang.pick(
            "`/cockpit`, `/rfm` ou `/insight help`",
            "`/cockpit`, `/rfm` or `/insight help`",
        ),
    };
    let mut draft = Draft::new(lang, usage.problem.clone());
    draft.push(Block::section(format!(
        "{}\n{} {how}",
        crate::render::escape_mrkdwn(&usage.problem),
        lang.pick("Essayez :", "Try:")
    )));
    Reply::ephemeral(draft.finalize())
}

/// A one-sentence private message (acks, refusals, apologies).
pub fn notice(lang: Lang, text: impl Into<String>) -> Reply {
    let text = text.into();
    let mut draft = Draft::new(lang, text.clone());
    draft.push(Block::section(text));
    Reply::ephemeral(draft.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn cockpit_days_in_french_and_english() {
        let today = d("2026-11-21");
        let ok = |t: &str| parse_cockpit_day(t, today).unwrap();
        assert_eq!(ok(""), CockpitDay::Yesterday);
        assert_eq!(ok(" Hier "), CockpitDay::Yesterday);
        assert_eq!(ok("yesterday"), CockpitDay::Yesterday);
        assert_eq!(ok("2026-11-20"), CockpitDay::Yesterday);
        assert_eq!(ok("avant-hier"), CockpitDay::Date(d("2026-11-19")));
        assert_eq!(ok("2026-10-03"), CockpitDay::Date(d("2026-10-03")));
        assert_eq!(ok("03/10/2026"), CockpitDay::Date(d("2026-10-03")));
        assert_eq!(ok("3/10"), CockpitDay::Date(d("2026-10-03")));
        // Early January: "20/12" is last December.
        assert_eq!(
            parse_cockpit_day("20/12", d("2027-01-05")).unwrap(),
            CockpitDay::Date(d("2026-12-20"))
        );
    }

    #[test]
    fn alerts_actions_and_mute_durations() {
        assert_eq!(parse_alerts(""), Ok(AlertsAction::List));
        assert_eq!(
            parse_alerts("mute ab12cd34 3d"),
            Ok(AlertsAction::Mute {
                id: "ab12cd34".into(),
                hours: 72
            })
        );
        assert_eq!(
            parse_alerts("sourdine ab12cd34"),
            Ok(AlertsAction::Mute {
                id: "ab12cd34".into(),
                hours: 24
            })
        );
        assert_eq!(
            parse_alerts("unmute ab12cd34"),
            Ok(AlertsAction::Unmute {
                id: "ab12cd34".into()
            })
        );
        assert_eq!(parse_mute_duration("90m"), Ok(2));
        assert!(parse_mute_duration("400d").unwrap_err().contains("30 days"));
        assert!(parse_mute_duration("soon").is_err());
        assert!(parse_alerts("mute x'; DROP 24h").is_err());
        assert!(parse_alerts("delete all")
            .unwrap_err()
            .contains("not an /alerts action"));
    }

    #[test]
    fn attribution_takes_a_number_of_days() {
        assert_eq!(parse_days(""), Ok(30));
        assert_eq!(parse_days("7j"), Ok(7));
        assert_eq!(parse_days(" 90 "), Ok(90));
        assert_eq!(parse_days("14 days"), Ok(14));
        assert!(parse_days("0").is_err());
        assert!(parse_days("hier").is_err());
        assert!(parse_days("99999999999").is_err());
    }

    #[test]
    fn rfm_takes_a_day_and_a_segment_in_any_order() {
        let today = d("2026-11-21");
        assert_eq!(parse_rfm("", today).unwrap(), (CockpitDay::Yesterday, None));
        assert_eq!(
            parse_rfm("à risque 2026-11-01", today).unwrap(),
            (CockpitDay::Date(d("2026-11-01")), Some(RfmSegment::AtRisk))
        );
        assert_eq!(
            parse_rfm("20/11 champions", today).unwrap(),
            (CockpitDay::Yesterday, Some(RfmSegment::Champions))
        );
        assert!(parse_rfm("vip", today)
            .unwrap_err()
            .contains("unknown segment"));
        assert!(parse_rfm("2026-11-21", today)
            .unwrap_err()
            .contains("not over"));
        assert!(parse_rfm(&"x ".repeat(500), today).is_err());
    }

    #[test]
    fn cockpit_refuses_days_that_are_not_over_or_not_days() {
        let today = d("2026-11-21");
        assert!(parse_cockpit_day("today", today)
            .unwrap_err()
            .contains("not over"));
        assert!(parse_cockpit_day("2026-11-21", today)
            .unwrap_err()
            .contains("not over"));
        let err = parse_cockpit_day("; DROP TABLE orders", today).unwrap_err();
        assert!(err.contains("is not a day"), "{err}");
        let long = "x".repeat(10_000);
        assert!(parse_cockpit_day(&long, today).unwrap_err().len() < 200);
    }
}
