//! `serve`: the Slack bot. Checks the bot token with `auth.test` before anything else, warns
//! about commands anyone may run, then runs Socket Mode or the HTTP server until stopped.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;

use super::App;
use crate::cli::ServeArgs;
use crate::slack::{http, socket::SocketMode, Bot, SlackApi, SlackMode, KNOWN_COMMANDS};

pub async fn run(mut app: App, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(mode) = args.mode {
        app.config.slack.mode = mode;
    }
    if let Some(port) = args.port {
        app.config.slack.port = port;
    }
    let slack = app.config.slack.clone();
    let api = SlackApi::new(&slack)?;
    let (bot_user, team) = api.auth_test().await.with_context(|| {
        format!(
            "the bot token was refused by {} (check SLACK_BOT_TOKEN, and that the app is installed in the workspace)",
            slack.api_url
        )
    })?;
    tracing::info!(bot_user, team, mode = ?slack.mode, "connected to Slack");
    for command in KNOWN_COMMANDS {
        if slack.policy(command).is_open() {
            tracing::warn!(
                command,
                "/{command} has no allow-list: every member of the workspace may use it (set [slack.commands.{command}] users/channels)"
            );
        }
    }
    let bot = Bot::new(Arc::new(app), api);
    match slack.mode {
        SlackMode::Socket => {
            let socket = SocketMode::start(bot).await?;
            eprintln!("insight-desk: Socket Mode connected; type /cockpit in Slack. Ctrl-C stops.");
            tokio::signal::ctrl_c().await?;
            socket.shutdown().await;
            Ok(())
        }
        SlackMode::Http => {
            let addr: SocketAddr = format!("{}:{}", slack.listen, slack.port)
                .parse()
                .with_context(|| format!("slack.listen {:?} is not an IP address", slack.listen))?;
            eprintln!(
                "insight-desk: HTTP mode on {addr}; Slack Request URL: https://<your host>{}",
                slack.commands_path
            );
            http::serve(bot, addr, None).await
        }
    }
}
