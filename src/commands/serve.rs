//! `serve`: the Slack bot. Checks the bot token with `auth.test` before anything else, warns
//! about commands anyone may run, then runs Socket Mode or the HTTP server until stopped.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;

use super::App;
use crate::cli::ServeArgs;
use crate::schedule::Scheduler;
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
    // Digests and alert evaluations run inside the bot; several replicas on one Postgres
    // share the ledger, so each run is delivered once whichever replica takes it.
    let scheduler = Arc::new(Scheduler::new(bot.app.clone(), bot.api.clone())?);
    let (stop_scheduler, stop) = tokio::sync::watch::channel(false);
    if scheduler.plan.jobs.is_empty() {
        tracing::info!("no [[schedules]] or [[alerts]] configured: the scheduler is idle");
    } else {
        for job in &scheduler.plan.jobs {
            tracing::info!(job = job.key, cron = job.cron.expr(), tz = %job.cron.timezone(), "scheduled");
        }
        tokio::spawn(scheduler.clone().run_forever(stop));
    }
    let outcome = run_transport(bot, &slack).await;
    let _ = stop_scheduler.send(true);
    outcome
}

async fn run_transport(bot: Arc<Bot>, slack: &crate::slack::SlackConfig) -> anyhow::Result<()> {
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
