//! The transport-free core of the bot: a slash command as Slack sends it ([`Invocation`]),
//! parsed once into a typed [`Command`] (src/slack/parse.rs), and [`dispatch`] that turns it
//! into a [`Reply`].
//! Socket Mode, HTTP and the tests all go through here, so a command behaves the same
//! whichever way it arrived.

use chrono::NaiveDate;

use crate::commands::App;
use crate::customers::RfmSegment;
use crate::domain::Lang;
use crate::render::{Block, Draft};
use crate::reply::{Reply, Visibility};

pub use super::parse::{parse_mute_duration, AlertsAction, Usage, MAX_MUTE_HOURS};

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
