//! Puts a [`Reply`] in front of people: in the channel with `chat.postMessage` and the charts
//! through the three-step upload, or privately through the command's `response_url`.
//!
//! The answer matters more than the picture: the charts' bytes are uploaded *before* the
//! message is posted, so that when an upload fails the message itself says so (a context
//! line with a reference that is in the logs); the files are then completed into the same
//! channel right after the message.

use super::api::{SlackApi, SlackError};
use crate::domain::Lang;
use crate::render::Message;
use crate::reply::{Reply, Visibility};

/// Where an answer goes.
#[derive(Debug, Clone)]
pub struct Target {
    pub channel_id: String,
    pub user_id: String,
    /// The command's `response_url`, when there is one (not for scheduled posts).
    pub response_url: Option<String>,
    /// A scheduled run's id, carried in each message's metadata (see
    /// [`SlackApi::find_tagged`]). `None` for commands.
    pub tag: Option<String>,
}

/// What was delivered, for the audit log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// `ts` of the messages posted with `chat.postMessage` (empty for response_url).
    pub message_ts: Vec<String>,
    pub files: usize,
    pub failed_charts: usize,
}

pub async fn deliver(
    api: &SlackApi,
    reply: &Reply,
    target: &Target,
    lang: Lang,
) -> Result<Delivered, SlackError> {
    match reply.visibility {
        Visibility::Ephemeral => {
            deliver_ephemeral(api, reply, target, lang).await?;
            Ok(Delivered::default())
        }
        Visibility::InChannel => deliver_in_channel(api, reply, target, lang).await,
    }
}

async fn deliver_ephemeral(
    api: &SlackApi,
    reply: &Reply,
    target: &Target,
    lang: Lang,
) -> Result<(), SlackError> {
    let mut messages = reply.messages.clone();
    if !reply.charts.is_empty() {
        // Files cannot be private: say where the chart would be instead of dropping it silently.
        if let Some(last) = messages.last_mut() {
            *last = last.with_note(lang.pick(
                "Graphique non joint : la réponse est privée (réglage `reply = \"ephemeral\"`).",
                "Chart not attached: this answer is private (setting `reply = \"ephemeral\"`).",
            ));
        }
    }
    for message in &messages {
        match &target.response_url {
            Some(url) => api.respond(url, message, false).await?,
            None => {
                api.post_ephemeral(&target.channel_id, &target.user_id, message)
                    .await?
            }
        }
    }
    Ok(())
}

async fn deliver_in_channel(
    api: &SlackApi,
    reply: &Reply,
    target: &Target,
    lang: Lang,
) -> Result<Delivered, SlackError> {
    let mut uploaded = Vec::new();
    let mut failed = Vec::new();
    for chart in &reply.charts {
        match api.upload_file(chart).await {
            Ok(id) => uploaded.push((id, chart.title.clone())),
            Err(e) => {
                let reference = super::new_reference();
                tracing::error!(reference, chart = chart.name, error = %e, "chart upload failed");
                failed.push(reference);
            }
        }
    }
    let mut messages: Vec<Message> = reply.messages.clone();
    if !failed.is_empty() {
        if let Some(last) = messages.last_mut() {
            *last = last.with_note(&format!(
                "{} (ref {})",
                lang.pick(
                    "Graphique indisponible : l'envoi a échoué",
                    "Chart unavailable: the upload failed"
                ),
                failed.join(", ")
            ));
        }
    }
    let mut delivered = Delivered {
        failed_charts: failed.len(),
        ..Delivered::default()
    };
    for message in &messages {
        match api
            .post_tagged(&target.channel_id, message, None, target.tag.as_deref())
            .await
        {
            Ok(ts) => delivered.message_ts.push(ts),
            // The bot is not in that channel (or it is a DM): the command's response_url
            // still reaches it, in channel.
            Err(e)
                if matches!(e.api_code(), Some("not_in_channel" | "channel_not_found"))
                    && target.response_url.is_some() =>
            {
                tracing::warn!(channel = target.channel_id, error = %e, "posting through response_url instead; invite the bot to the channel for charts");
                let url = target.response_url.as_deref().unwrap_or_default();
                api.respond(url, message, true).await?;
            }
            Err(e) => return Err(e),
        }
    }
    if !uploaded.is_empty() && !delivered.message_ts.is_empty() {
        match api
            .complete_uploads(&uploaded, &target.channel_id, None)
            .await
        {
            Ok(()) => delivered.files = uploaded.len(),
            Err(e) => {
                let reference = super::new_reference();
                tracing::error!(reference, error = %e, "completing the chart upload failed");
                delivered.failed_charts += uploaded.len();
                let note = Message::plain(format!(
                    "{} (ref {reference})",
                    lang.pick(
                        "Graphique indisponible : l'envoi a échoué",
                        "Chart unavailable: the upload failed"
                    )
                ));
                let thread = delivered.message_ts.first().cloned();
                api.post_message(&target.channel_id, &note, thread.as_deref())
                    .await?;
            }
        }
    }
    Ok(delivered)
}
