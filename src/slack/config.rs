//! The `[slack]` part of the configuration: tokens, mode, HTTP endpoints, and who may run
//! each command. Tokens come from the environment (`SLACK_BOT_TOKEN`, `SLACK_APP_TOKEN`,
//! `SLACK_SIGNING_SECRET`) or the config file, are held in [`Secret`] so that no Debug output or
//! log line can show them, and are never serialised back out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::reply::Visibility;

/// Slack's public Web API; `SLACK_API_URL` points the bot at a proxy or a test fake instead.
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

/// A token or signing secret. Debug prints `Secret(***)`; only [`Secret::expose`] reads it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How Slack reaches the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SlackMode {
    /// Outbound WebSocket with the app-level token: no public URL needed (the default).
    Socket,
    /// Slack POSTs to this server's endpoints, signed with the signing secret.
    Http,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    pub mode: SlackMode,
    /// Bot token (`xoxb-…`), for the Web API. Env: `SLACK_BOT_TOKEN`.
    #[serde(skip_serializing)]
    pub bot_token: Option<Secret>,
    /// App-level token (`xapp-…`, scope `connections:write`), Socket Mode. Env: `SLACK_APP_TOKEN`.
    #[serde(skip_serializing)]
    pub app_token: Option<Secret>,
    /// Signing secret, HTTP mode. Env: `SLACK_SIGNING_SECRET`.
    #[serde(skip_serializing)]
    pub signing_secret: Option<Secret>,
    /// Web API base URL. Env: `SLACK_API_URL`.
    pub api_url: String,
    /// HTTP mode: address and port to listen on.
    pub listen: String,
    pub port: u16,
    pub commands_path: String,
    pub events_path: String,
    pub interactions_path: String,
    /// HTTP mode: larger request bodies are refused (413) before anything reads them.
    pub max_body_bytes: usize,
    /// Attempts per Web API call (429 waits for `Retry-After`; 5xx and network errors back off).
    pub max_attempts: u32,
    /// Per command (`cockpit`, `insight`, `rfm`, `churn`, `attribution`): who may run it and where the answer goes.
    pub commands: BTreeMap<String, CommandPolicy>,
}

/// Who may run a command and how it answers. Empty lists mean "everyone / everywhere"
/// (`serve` warns at start when a command has no allow-list at all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommandPolicy {
    /// User ids (`U…`) allowed; empty: any member.
    pub users: Vec<String>,
    /// Channel ids (`C…`, `G…`, `D…`) where the command may be used; empty: anywhere.
    pub channels: Vec<String>,
    /// `in_channel` (everyone sees the answer) or `ephemeral` (only the asker).
    pub reply: Option<Visibility>,
}

impl CommandPolicy {
    pub fn is_open(&self) -> bool {
        self.users.is_empty() && self.channels.is_empty()
    }

    /// Whether `user` may run the command in `channel`.
    pub fn allows(&self, user: &str, channel: &str) -> bool {
        (self.users.is_empty() || self.users.iter().any(|u| u == user))
            && (self.channels.is_empty() || self.channels.iter().any(|c| c == channel))
    }
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            mode: SlackMode::Socket,
            bot_token: None,
            app_token: None,
            signing_secret: None,
            api_url: DEFAULT_SLACK_API_URL.into(),
            listen: "0.0.0.0".into(),
            port: 3000,
            commands_path: "/slack/commands".into(),
            events_path: "/slack/events".into(),
            interactions_path: "/slack/interactions".into(),
            max_body_bytes: 64 * 1024,
            max_attempts: 5,
            commands: BTreeMap::new(),
        }
    }
}

impl SlackConfig {
    /// The policy of `command` (name without the slash); the default one when not configured.
    pub fn policy(&self, command: &str) -> CommandPolicy {
        self.commands.get(command).cloned().unwrap_or_default()
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        for (name, path) in [
            ("commands_path", &self.commands_path),
            ("events_path", &self.events_path),
            ("interactions_path", &self.interactions_path),
        ] {
            anyhow::ensure!(
                path.starts_with('/'),
                "invalid configuration: slack.{name} = {path:?} must start with /"
            );
        }
        anyhow::ensure!(
            self.api_url.starts_with("http://") || self.api_url.starts_with("https://"),
            "invalid configuration: slack.api_url {:?} must be an http(s) URL",
            self.api_url
        );
        for name in self.commands.keys() {
            anyhow::ensure!(
                crate::slack::KNOWN_COMMANDS.contains(&name.as_str()),
                "invalid configuration: [slack.commands.{name}] is not a command; expected one of {}",
                crate::slack::KNOWN_COMMANDS.join(", ")
            );
        }
        Ok(())
    }
}
