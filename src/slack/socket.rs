//! Socket Mode: the bot opens WebSockets to Slack with the app-level token (no public URL),
//! through slack-morphism's listener. Slack acks are sent when the callback returns, so the
//! callback only calls [`Bot::accept`] (which spawns the work) and returns the immediate
//! ephemeral answer as the ack's payload. Delivery is at-least-once: a redelivered envelope
//! carries the same `trigger_id`, which [`Bot::accept`] executes only once.

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::api::Connector;
use super::bot::{Ack, Bot};
use super::command::Invocation;
use crate::reply::Visibility;

/// A running Socket Mode listener; [`SocketMode::shutdown`] closes its connections.
pub struct SocketMode {
    listener: SlackClientSocketModeListener<Connector>,
}

impl SocketMode {
    /// Opens the connections (`apps.connections.open`, then the WebSocket) and starts
    /// dispatching commands to `bot`.
    pub async fn start(bot: Arc<Bot>) -> anyhow::Result<SocketMode> {
        let app_token = bot.slack.app_token.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "Socket Mode needs SLACK_APP_TOKEN (xapp-…, an app-level token with connections:write, from the app's Basic Information page); or run `serve --mode http`"
            )
        })?;
        let client = bot.api.client();
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_command_events(on_command)
            .with_interaction_events(on_interaction);
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(client)
                .with_error_handler(on_error)
                .with_user_state(bot),
        );
        let listener = SlackClientSocketModeListener::new(
            &SlackClientSocketModeConfig::new(),
            environment,
            callbacks,
        );
        let token = SlackApiToken::new(app_token.expose().to_string().into());
        listener
            .listen_for(&token)
            .await
            .map_err(|e| anyhow::anyhow!("Socket Mode: apps.connections.open failed: {e} (check SLACK_APP_TOKEN and that Socket Mode is on in the app settings)"))?;
        listener.start().await;
        Ok(SocketMode { listener })
    }

    pub async fn shutdown(&self) {
        self.listener.shutdown().await;
    }
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let bot = {
        let storage = states.read().await;
        storage
            .get_user_state::<Arc<Bot>>()
            .cloned()
            .ok_or("the bot state is missing from the Socket Mode listener")?
    };
    let content = match bot.accept(Invocation::from(event)) {
        Ack::Empty => SlackMessageContent::new(),
        Ack::Reply(reply) => {
            let json = super::http::ack_body(&reply);
            let response: SlackCommandEventResponse = serde_json::from_value(json)?;
            if reply.visibility == Visibility::InChannel {
                return Ok(response.with_response_type(SlackMessageResponseType::InChannel));
            }
            return Ok(response.with_response_type(SlackMessageResponseType::Ephemeral));
        }
    };
    Ok(SlackCommandEventResponse::new(content))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let bot = {
        let storage = states.read().await;
        storage
            .get_user_state::<Arc<Bot>>()
            .cloned()
            .ok_or("the bot state is missing from the Socket Mode listener")?
    };
    // The same JSON Slack sends over HTTP: one handler for both transports.
    bot.interaction(serde_json::to_value(&event)?);
    Ok(())
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _states: SlackClientEventsUserState,
) -> axum::http::StatusCode {
    tracing::error!(error = %err, "Socket Mode: event not handled");
    // Acknowledge anyway: a redelivery would fail the same way.
    axum::http::StatusCode::OK
}
