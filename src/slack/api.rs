//! The Slack Web API calls the bot makes, over slack-morphism's client, with one retry policy
//! for all of them: a 429 waits for its `Retry-After`, a 5xx or a network error backs off
//! exponentially, both up to `max_attempts`; an `ok:false` answer is final. `response_url`
//! posts go through reqwest because slack-morphism's webhook request has no `response_type`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::config::SlackConfig;
use crate::charts::Chart;
use crate::render::Message;

/// A Web API failure after retries, named after the method.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("slack {method} answered {code}")]
    Api { method: &'static str, code: String },
    #[error("slack {method} failed after {attempts} attempts: {message}")]
    Exhausted {
        method: &'static str,
        attempts: u32,
        message: String,
    },
    #[error("slack {method}: {message}")]
    Other {
        method: &'static str,
        message: String,
    },
}

impl SlackError {
    /// The Slack error code (`not_in_channel`, `channel_not_found`, …) of an `ok:false` answer.
    pub fn api_code(&self) -> Option<&str> {
        match self {
            SlackError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Connector = SlackClientHyperHttpsConnector;

/// The bot's Web API client: bot token, base URL, retry policy.
#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    token: SlackApiToken,
    http: reqwest::Client,
    max_attempts: u32,
    /// The first back-off wait (tests shorten it).
    base_backoff: Duration,
}

/// Installs rustls' ring provider once: reqwest is built without a provider of its own so
/// that the bot compiles one TLS stack, the one slack-morphism already uses.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// slack-morphism's hyper connector, accepting `http://` too so that a proxy or the test
/// fake on 127.0.0.1 can stand in for slack.com.
pub fn connector(api_url: &str) -> anyhow::Result<Connector> {
    install_crypto_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    // The connector joins `{base}/{method}`: no trailing slash here.
    let base = api_url.trim_end_matches('/');
    Ok(SlackClientHyperConnector::from(https).with_slack_api_url(base))
}

impl SlackApi {
    pub fn new(config: &SlackConfig) -> anyhow::Result<SlackApi> {
        let bot_token = config.bot_token.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "no Slack bot token: set SLACK_BOT_TOKEN (xoxb-…, from the app's OAuth & Permissions page)"
            )
        })?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(SlackApi {
            client: Arc::new(SlackClient::new(connector(&config.api_url)?)),
            token: SlackApiToken::new(bot_token.expose().to_string().into()),
            http,
            max_attempts: config.max_attempts.max(1),
            base_backoff: Duration::from_millis(250),
        })
    }

    /// Shortens the back-off (tests).
    pub fn with_base_backoff(mut self, wait: Duration) -> SlackApi {
        self.base_backoff = wait;
        self
    }

    pub fn client(&self) -> Arc<SlackClient<Connector>> {
        self.client.clone()
    }

    /// `auth.test`: checks the bot token at start; returns the bot's user id and team.
    pub async fn auth_test(&self) -> Result<(String, String), SlackError> {
        let r = self
            .retrying("auth.test", || async {
                self.client.open_session(&self.token).auth_test().await
            })
            .await?;
        Ok((r.user_id.0, r.team.clone()))
    }

    /// `chat.postMessage`; returns the message's `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        message: &Message,
        thread_ts: Option<&str>,
    ) -> Result<String, SlackError> {
        self.post_tagged(channel, message, thread_ts, None).await
    }

    /// `chat.postMessage` carrying `tag` as Slack message metadata (`event_type` =
    /// [`RUN_EVENT_TYPE`], payload `run_id`), so that a retry can find it with
    /// [`SlackApi::find_tagged`] instead of posting twice.
    pub async fn post_tagged(
        &self,
        channel: &str,
        message: &Message,
        thread_ts: Option<&str>,
        tag: Option<&str>,
    ) -> Result<String, SlackError> {
        let mut content = message_content(message)?;
        content.metadata = tag.map(|run_id| SlackMessageMetadata {
            event_type: RUN_EVENT_TYPE.into(),
            event_payload: Some([("run_id".to_string(), run_id.to_string())].into()),
        });
        let mut req = SlackApiChatPostMessageRequest::new(channel.into(), content);
        req.thread_ts = thread_ts.map(|t| SlackTs(t.to_string()));
        let r = self
            .retrying("chat.postMessage", || async {
                self.client
                    .open_session(&self.token)
                    .chat_post_message(&req)
                    .await
            })
            .await?;
        Ok(r.ts.0)
    }

    /// The `ts` of a message in `channel`, posted since `oldest`, whose metadata carries
    /// `tag` (`conversations.history` with `include_all_metadata`, newest first, up to
    /// 1 000 messages). Needs the `channels:history` / `groups:history` scopes.
    pub async fn find_tagged(
        &self,
        channel: &str,
        tag: &str,
        oldest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, SlackError> {
        let mut cursor: Option<SlackCursorId> = None;
        for _page in 0..5 {
            let req = SlackApiConversationsHistoryRequest {
                channel: Some(channel.into()),
                cursor: cursor.clone(),
                latest: None,
                limit: Some(200),
                oldest: Some(SlackTs(format!("{}.000000", oldest.timestamp()))),
                inclusive: Some(true),
                include_all_metadata: Some(true),
            };
            let page = self
                .retrying("conversations.history", || async {
                    self.client
                        .open_session(&self.token)
                        .conversations_history(&req)
                        .await
                })
                .await?;
            let found = page.messages.iter().find(|m| {
                m.content.metadata.as_ref().is_some_and(|meta| {
                    meta.event_type == RUN_EVENT_TYPE
                        && meta
                            .event_payload
                            .as_ref()
                            .and_then(|p| p.get("run_id"))
                            .is_some_and(|id| id == tag)
                })
            });
            if let Some(m) = found {
                return Ok(Some(m.origin.ts.0.clone()));
            }
            cursor = page
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.0.is_empty());
            if cursor.is_none() || page.has_more != Some(true) {
                break;
            }
        }
        Ok(None)
    }

    /// `chat.postEphemeral`: only `user` sees it.
    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        message: &Message,
    ) -> Result<(), SlackError> {
        let req = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.into(),
            message_content(message)?,
        );
        self.retrying("chat.postEphemeral", || async {
            self.client
                .open_session(&self.token)
                .chat_post_ephemeral(&req)
                .await
        })
        .await
        .map(|_| ())
    }

    /// Steps 1 and 2 of the upload flow: `files.getUploadURLExternal`, then the bytes to the
    /// URL it gave. Returns the file id to complete.
    pub async fn upload_file(&self, chart: &Chart) -> Result<String, SlackError> {
        let filename = format!("{}.png", chart.name);
        let req = SlackApiFilesGetUploadUrlExternalRequest::new(filename, chart.png.len())
            .with_alt_txt(chart.alt_text.clone());
        let target = self
            .retrying("files.getUploadURLExternal", || async {
                self.client
                    .open_session(&self.token)
                    .get_upload_url_external(&req)
                    .await
            })
            .await?;
        let upload = SlackApiFilesUploadViaUrlRequest::new(
            target.upload_url,
            chart.png.clone(),
            "image/png".into(),
        );
        self.retrying("files.upload (bytes)", || async {
            self.client
                .open_session(&self.token)
                .files_upload_via_url(&upload)
                .await
        })
        .await?;
        Ok(target.file_id.0)
    }

    /// Step 3: `files.completeUploadExternal`, sharing the files into `channel` (in the thread
    /// of `thread_ts` when given).
    pub async fn complete_uploads(
        &self,
        files: &[(String, String)],
        channel: &str,
        thread_ts: Option<&str>,
    ) -> Result<(), SlackError> {
        let files = files
            .iter()
            .map(|(id, title)| {
                SlackApiFilesComplete::new(SlackFileId(id.clone())).with_title(title.clone())
            })
            .collect();
        let mut req =
            SlackApiFilesCompleteUploadExternalRequest::new(files).with_channel_id(channel.into());
        req.thread_ts = thread_ts.map(|t| SlackTs(t.to_string()));
        self.retrying("files.completeUploadExternal", || async {
            self.client
                .open_session(&self.token)
                .files_complete_upload_external(&req)
                .await
        })
        .await
        .map(|_| ())
    }

    /// Posts to a command's `response_url` (valid 30 minutes, 5 times): `in_channel` or
    /// `ephemeral`. Retried like the Web API calls.
    pub async fn respond(
        &self,
        response_url: &str,
        message: &Message,
        in_channel: bool,
    ) -> Result<(), SlackError> {
        let mut body = message.to_json();
        body["response_type"] = if in_channel {
            "in_channel"
        } else {
            "ephemeral"
        }
        .into();
        body["replace_original"] = false.into();
        let method = "response_url";
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.http.post(response_url).json(&body).send().await;
            let wait = match outcome {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => r
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or(Duration::from_secs(1)),
                Ok(r) if r.status().is_server_error() => self.backoff(attempt),
                Ok(r) => {
                    return Err(SlackError::Api {
                        method,
                        code: format!("HTTP {}", r.status()),
                    })
                }
                Err(_) => self.backoff(attempt),
            };
            if attempt >= self.max_attempts {
                return Err(SlackError::Exhausted {
                    method,
                    attempts: attempt,
                    message: "no successful answer".into(),
                });
            }
            tokio::time::sleep(wait.min(MAX_WAIT)).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        (self.base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1))).min(MAX_WAIT)
    }

    /// Runs `call` until it succeeds, answers `ok:false`, or runs out of attempts.
    async fn retrying<T, F, Fut>(&self, method: &'static str, call: F) -> Result<T, SlackError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let err = match call().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let wait = match &err {
                SlackClientError::RateLimitError(e) => {
                    e.retry_after.unwrap_or(Duration::from_secs(1))
                }
                SlackClientError::HttpError(e) if e.status_code.is_server_error() => {
                    self.backoff(attempt)
                }
                SlackClientError::HttpProtocolError(_) | SlackClientError::SystemError(_) => {
                    self.backoff(attempt)
                }
                SlackClientError::ApiError(e) => {
                    return Err(SlackError::Api {
                        method,
                        code: e.code.clone(),
                    })
                }
                other => {
                    return Err(SlackError::Other {
                        method,
                        message: other.to_string(),
                    })
                }
            };
            if attempt >= self.max_attempts {
                return Err(SlackError::Exhausted {
                    method,
                    attempts: attempt,
                    message: err.to_string(),
                });
            }
            tracing::warn!(method, attempt, wait_ms = wait.as_millis() as u64, error = %err, "slack call failed, retrying");
            tokio::time::sleep(wait.min(MAX_WAIT)).await;
        }
    }
}

/// The metadata `event_type` of the messages the scheduler and the alerts post.
pub const RUN_EVENT_TYPE: &str = "insight_desk_run";

/// Waits are capped so a wild `Retry-After` cannot park a command for an hour.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Our rendered message as slack-morphism's content: same JSON, so the blocks Slack receives
/// are exactly the ones `report cockpit --format blocks` prints.
fn message_content(message: &Message) -> Result<SlackMessageContent, SlackError> {
    serde_json::from_value(message.to_json()).map_err(|e| SlackError::Other {
        method: "chat.postMessage",
        message: format!("rendered blocks do not match Slack's block model: {e}"),
    })
}
