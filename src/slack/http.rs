//! HTTP mode: Slack POSTs slash commands, events and interactions to this server. Every
//! request is checked before anything else reads it: size limit (413), then the signature
//! (`v0=` HMAC-SHA256 over `v0:timestamp:body`, 5-minute window, constant-time, via
//! slack-morphism's verifier) — missing, wrong or stale is a 401 with nothing executed.
//! A command is answered at once with the ephemeral ack from [`Bot::accept`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use slack_morphism::SlackSigningSecret;

use super::bot::{Ack, Bot};
use super::command::Invocation;
use crate::reply::Visibility;

#[derive(Clone)]
struct HttpState {
    bot: Arc<Bot>,
    verifier: SlackEventSignatureVerifier,
}

/// The router with the configured paths; `GET /healthz` answers when the store does.
pub fn router(bot: Arc<Bot>) -> anyhow::Result<Router> {
    let secret = bot.slack.signing_secret.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "HTTP mode needs SLACK_SIGNING_SECRET (the app's Basic Information page, \"Signing Secret\")"
        )
    })?;
    let verifier =
        SlackEventSignatureVerifier::new(&SlackSigningSecret::new(secret.expose().to_string()));
    let limit = bot.slack.max_body_bytes;
    let slack = bot.slack.clone();
    let state = HttpState { bot, verifier };
    Ok(Router::new()
        .route(&slack.commands_path, post(commands))
        .route(&slack.events_path, post(events))
        .route(&slack.interactions_path, post(interactions))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state))
}

/// Binds and serves until the process is stopped. Returns the bound address through `bound`
/// first (port 0 picks a free one: tests and the benchmark use that).
pub async fn serve(
    bot: Arc<Bot>,
    addr: SocketAddr,
    bound: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> anyhow::Result<()> {
    let app = router(bot)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e} (is another process using the port? set slack.port or --port)"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, "HTTP mode: listening");
    if let Some(tx) = bound {
        let _ = tx.send(local);
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Checks the signature headers against the raw body; logs and refuses otherwise.
fn verified(state: &HttpState, headers: &HeaderMap, body: &[u8]) -> Result<(), StatusCode> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
    ) else {
        tracing::warn!(target: "audit", outcome = "unsigned", "request without Slack signature headers refused");
        return Err(StatusCode::UNAUTHORIZED);
    };
    let Ok(body) = std::str::from_utf8(body) else {
        tracing::warn!(target: "audit", outcome = "bad_body", "request body is not UTF-8: refused");
        return Err(StatusCode::UNAUTHORIZED);
    };
    if let Err(e) = state.verifier.verify(signature, body, timestamp) {
        tracing::warn!(target: "audit", outcome = "bad_signature", error = %e, "request with a wrong or stale Slack signature refused");
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(())
}

async fn commands(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = verified(&state, &headers, &body) {
        return refused.into_response();
    }
    let event: slack_morphism::events::SlackCommandEvent = match serde_urlencoded::from_bytes(&body)
    {
        Ok(ev) => ev,
        Err(e) => {
            tracing::warn!(error = %e, "slash command form not understood");
            return (StatusCode::BAD_REQUEST, "malformed slash command").into_response();
        }
    };
    match state.bot.accept(Invocation::from(event)) {
        Ack::Empty => StatusCode::OK.into_response(),
        Ack::Reply(reply) => Json(ack_body(&reply)).into_response(),
    }
}

/// The immediate response body: the first message, ephemeral unless the reply says otherwise.
pub fn ack_body(reply: &crate::reply::Reply) -> serde_json::Value {
    let mut body = reply
        .messages
        .first()
        .map(|m| m.to_json())
        .unwrap_or_else(|| serde_json::json!({}));
    body["response_type"] = match reply.visibility {
        Visibility::InChannel => "in_channel",
        Visibility::Ephemeral => "ephemeral",
    }
    .into();
    body
}

/// Events API: answers the `url_verification` challenge (so Slack accepts the Request URL);
/// other events are acknowledged, the bot subscribes to none yet.
async fn events(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = verified(&state, &headers, &body) {
        return refused.into_response();
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::BAD_REQUEST, "malformed event").into_response(),
    };
    if value["type"] == "url_verification" {
        let challenge = value["challenge"].as_str().unwrap_or_default().to_string();
        return Json(serde_json::json!({ "challenge": challenge })).into_response();
    }
    tracing::debug!(kind = %value["type"], "event acknowledged");
    StatusCode::OK.into_response()
}

/// Interactions (buttons): the alerts' mute buttons.
async fn interactions(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = verified(&state, &headers, &body) {
        return refused.into_response();
    }
    // `payload=<JSON>`, form-encoded; acknowledged at once, handled in the background.
    let payload = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "payload"))
        .and_then(|(_, json)| serde_json::from_str::<serde_json::Value>(&json).ok());
    match payload {
        Some(payload) => {
            state.bot.interaction(payload);
            StatusCode::OK.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "malformed interaction").into_response(),
    }
}

async fn healthz(State(state): State<HttpState>) -> Response {
    match state.bot.app.store.count_rows("orders").await {
        Ok(orders) => Json(serde_json::json!({ "status": "ok", "orders": orders })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "store unavailable" })),
            )
                .into_response()
        }
    }
}
