//! The bot between a transport and the core: every slash command, however it arrived, goes
//! through [`Bot::accept`], which answers at once (the 3-second rule) and runs the real work
//! in the background. Here live the rules that must hold for every command: at-most-once
//! execution of a redelivered command, the allow-lists, the audit log, and errors that reach
//! people as a short sentence with a reference, never as SQL or a stack trace.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::api::SlackApi;
use super::command::{dispatch, notice, usage_reply, Command, Invocation};
use super::config::SlackConfig;
use super::deliver::{deliver, Target};
use crate::commands::App;
use crate::reply::{Reply, Visibility};

/// How many recent trigger ids are remembered for deduplication. Slack redelivers within
/// seconds to minutes; a few thousand commands is far more than a shop types in that time.
const DEDUP_CAPACITY: usize = 4096;

/// What the transport sends back at once.
#[derive(Debug, Clone)]
pub enum Ack {
    /// The immediate ephemeral answer ("working on it", a refusal, the usage).
    Reply(Reply),
    /// An empty acknowledgement (a redelivery that is already being handled).
    Empty,
}

pub struct Bot {
    pub app: Arc<App>,
    pub api: SlackApi,
    pub slack: SlackConfig,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    /// Records `id`; false when it was already there.
    fn first_time(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= DEDUP_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        self.ids.insert(id.to_string());
        self.order.push_back(id.to_string());
        true
    }
}

impl Bot {
    pub fn new(app: Arc<App>, api: SlackApi) -> Arc<Bot> {
        let slack = app.config.slack.clone();
        Arc::new(Bot {
            app,
            api,
            slack,
            seen: Mutex::new(Seen::default()),
        })
    }

    /// Takes a command in: decides the immediate answer and, when there is work, spawns it.
    /// Never waits on the store or Slack, so the transport acks within milliseconds.
    pub fn accept(self: &Arc<Self>, inv: Invocation) -> Ack {
        let lang = self.app.lang;
        let fresh = inv.trigger_id.is_empty()
            || self
                .seen
                .lock()
                .map(|mut s| s.first_time(&inv.trigger_id))
                .unwrap_or(true);
        if !fresh {
            tracing::info!(target: "audit", command = inv.command, user = inv.user_id, channel = inv.channel_id, trigger_id = inv.trigger_id, outcome = "duplicate", "redelivered command ignored");
            return Ack::Empty;
        }
        let policy = self.slack.policy(&inv.command);
        if !policy.allows(&inv.user_id, &inv.channel_id) {
            tracing::warn!(target: "audit", command = inv.command, user = inv.user_id, channel = inv.channel_id, outcome = "refused", "command refused by the allow-list");
            return Ack::Reply(notice(
                lang,
                lang.pick(
                    "Désolé, cette commande est réservée : demandez à un administrateur de vous ajouter à sa liste d'accès (ou utilisez-la dans un canal autorisé).",
                    "Sorry, this command is restricted: ask an admin to add you to its allow-list (or use it in an allowed channel).",
                ),
            ));
        }
        let command = match Command::parse(&inv, self.app.today()) {
            Ok(c) => c,
            Err(usage) => {
                tracing::info!(target: "audit", command = inv.command, user = inv.user_id, channel = inv.channel_id, outcome = "usage", problem = usage.problem, "command not understood");
                return Ack::Reply(usage_reply(&usage, lang));
            }
        };
        let visibility = policy.reply.unwrap_or(Visibility::InChannel);
        let bot = self.clone();
        tokio::spawn(async move { bot.run(inv, command, visibility).await });
        Ack::Reply(notice(
            lang,
            lang.pick("⏳ Je prépare la réponse…", "⏳ Working on it…"),
        ))
    }

    /// A button press (`block_actions` payload, as JSON, from either transport). The only
    /// buttons are the alerts' mute buttons: value `<alert id>:<hours>`. The press is checked
    /// against the `/alerts` allow-list, the mute is confirmed privately to the presser and
    /// noted in the alert's thread for the team.
    pub fn interaction(self: &Arc<Self>, payload: serde_json::Value) {
        let Some(action) = payload["actions"].get(0) else {
            return;
        };
        let action_id = action["action_id"].as_str().unwrap_or_default();
        if !action_id.starts_with(crate::alerts::render::MUTE_ACTION) {
            tracing::debug!(action_id, "interaction ignored");
            return;
        }
        let user = payload["user"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let channel = payload["channel"]["id"]
            .as_str()
            .or(payload["container"]["channel_id"].as_str())
            .unwrap_or_default()
            .to_string();
        let thread = payload["message"]["ts"]
            .as_str()
            .or(payload["container"]["message_ts"].as_str())
            .map(str::to_string);
        let response_url = payload["response_url"].as_str().map(str::to_string);
        let parsed = action["value"].as_str().and_then(|v| {
            let (id, hours) = v.split_once(':')?;
            let hours: i64 = hours.parse().ok()?;
            (id.chars().all(|c| c.is_ascii_alphanumeric())
                && (1..=super::command::MAX_MUTE_HOURS).contains(&hours))
            .then(|| (id.to_string(), hours))
        });
        let Some((id, hours)) = parsed else {
            tracing::warn!(action_id, "mute button with a malformed value ignored");
            return;
        };
        let lang = self.app.lang;
        let target = Target {
            channel_id: channel.clone(),
            user_id: user.clone(),
            response_url,
            tag: None,
        };
        let bot = self.clone();
        tokio::spawn(async move {
            let policy = bot.slack.policy("alerts");
            let reply = if !policy.allows(&user, &channel) {
                tracing::warn!(target: "audit", command = "alerts", user, channel, outcome = "refused", "mute button refused by the allow-list");
                notice(lang, lang.pick("Désolé, seules les personnes autorisées à `/alerts` peuvent mettre une alerte en sourdine.", "Sorry, only people allowed to use `/alerts` can mute an alert."))
            } else {
                let action = super::command::AlertsAction::Mute {
                    id: id.clone(),
                    hours,
                };
                match super::command::alerts_reply(&bot.app, action, chrono::Utc::now()).await {
                    Ok(mut reply) => {
                        tracing::info!(target: "audit", command = "alerts", action = "mute", alert = id, hours, user, channel, outcome = "ok");
                        if reply.visibility == Visibility::InChannel {
                            // Tell the team in the alert's thread, and the presser privately.
                            if let Some(first) = reply.messages.first() {
                                let note = first.with_note(&format!("<@{user}>"));
                                if let Err(e) = bot
                                    .api
                                    .post_message(&channel, &note, thread.as_deref())
                                    .await
                                {
                                    tracing::warn!(error = %e, "mute note not posted in the alert's thread");
                                }
                            }
                            reply.visibility = Visibility::Ephemeral;
                        }
                        reply
                    }
                    Err(e) => {
                        let reference = super::new_reference();
                        tracing::error!(reference, error = format!("{e:#}"), "mute failed");
                        notice(
                            lang,
                            format!(
                                "{} (ref `{reference}`)",
                                lang.pick(
                                    "Désolé, la mise en sourdine a échoué",
                                    "Sorry, muting failed"
                                )
                            ),
                        )
                    }
                }
            };
            if let Err(e) = deliver(&bot.api, &reply, &target, lang).await {
                tracing::error!(error = %e, "could not answer a button press");
            }
        });
    }

    /// The background half: dispatch, deliver, audit. Failures are told to the asker.
    async fn run(self: Arc<Self>, inv: Invocation, command: Command, visibility: Visibility) {
        let started = Instant::now();
        let lang = self.app.lang;
        let target = Target {
            channel_id: inv.channel_id.clone(),
            user_id: inv.user_id.clone(),
            response_url: inv.response_url.clone(),
            tag: None,
        };
        let outcome = match dispatch(&self.app, command, visibility).await {
            Ok(reply) => deliver(&self.api, &reply, &target, lang)
                .await
                .map(|d| {
                    format!(
                        "delivered {} message(s), {} file(s), {} chart failure(s)",
                        d.message_ts.len().max(reply.messages.len()),
                        d.files,
                        d.failed_charts
                    )
                })
                .map_err(anyhow::Error::from),
            Err(e) => Err(e),
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(summary) => {
                tracing::info!(target: "audit", command = inv.command, text = %clip(&inv.text), user = inv.user_id, channel = inv.channel_id, elapsed_ms, outcome = "ok", summary);
            }
            Err(e) => {
                let reference = super::new_reference();
                tracing::error!(target: "audit", reference, command = inv.command, text = %clip(&inv.text), user = inv.user_id, channel = inv.channel_id, elapsed_ms, outcome = "failed", error = format!("{e:#}"));
                let apology = notice(
                    lang,
                    format!(
                        "{} (ref `{reference}`)",
                        lang.pick(
                            "Désolé, la réponse n'a pas pu être produite. L'équipe technique retrouvera l'erreur dans les journaux",
                            "Sorry, the answer could not be produced. The tech team can find the error in the logs"
                        )
                    ),
                );
                if let Err(e2) = deliver(&self.api, &apology, &target, lang).await {
                    tracing::error!(reference, error = %e2, "could not tell the user about the failure");
                }
            }
        }
    }
}

/// The question as logged: at most 200 characters.
fn clip(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
