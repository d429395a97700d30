//! A fake Slack on 127.0.0.1, for the story tests and `bench slack`: the Web API methods the
//! bot calls (JSON as Slack documents it), the file upload target, a `response_url` target,
//! and the Socket Mode WebSocket (`hello`, then the envelopes a test pushes; acks are
//! recorded). Every call is recorded, and any method can be told to answer 429 (with
//! `Retry-After`) or 500 the next N times. It lives in the library, not in `tests/`, because
//! the benchmark drives the real binary against it; nothing in `serve` uses it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Call {
    /// `chat.postMessage`, `upload`, `response_url`, …
    pub method: String,
    /// The JSON body, or the form / query fields as a JSON object.
    pub body: Value,
    /// Raw bytes (uploads).
    pub bytes: usize,
    pub at: Instant,
}

#[derive(Debug, Clone, Copy)]
pub enum Failure {
    RateLimited { retry_after_secs: u64 },
    ServerError,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    acks: Vec<Value>,
    next_id: u64,
    /// Messages `chat.postMessage` accepted, as `conversations.history` returns them.
    posted: Vec<(String, Value)>,
    /// Channels where every `chat.postMessage` answers 500.
    broken_channels: Vec<String>,
}

#[derive(Clone)]
pub struct FakeSlack {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    envelopes: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Value>>>,
    push: mpsc::UnboundedSender<Value>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let (push, rx) = mpsc::unbounded_channel();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for the fake Slack");
        let addr = listener.local_addr().expect("local address");
        let fake = FakeSlack {
            addr,
            inner: Arc::default(),
            envelopes: Arc::new(tokio::sync::Mutex::new(rx)),
            push,
        };
        let app = Router::new()
            .route("/api/{method}", any(api))
            .route("/upload/{id}", post(upload))
            .route("/response/{id}", post(response_url))
            .route("/socket", get(socket))
            .with_state(fake.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "fake Slack stopped");
            }
        });
        fake
    }

    /// The `SLACK_API_URL` to give the bot.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// A `response_url` on the fake.
    pub fn response_url(&self, id: &str) -> String {
        format!("http://{}/response/{id}", self.addr)
    }

    pub fn fail_next(&self, method: &str, failure: Failure, times: usize) {
        let mut inner = self.inner.lock().unwrap();
        let queue = inner.failures.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat(failure).take(times));
    }

    /// Every `chat.postMessage` into `channel` answers 500 from now on.
    pub fn break_channel(&self, channel: &str) {
        self.inner
            .lock()
            .unwrap()
            .broken_channels
            .push(channel.to_string());
    }

    /// The messages accepted in `channel` (top level and threads), oldest first.
    pub fn posted_in(&self, channel: &str) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .posted
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, m)| m.clone())
            .collect()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    pub fn acks(&self) -> Vec<Value> {
        self.inner.lock().unwrap().acks.clone()
    }

    /// Queues a Socket Mode envelope for the next connected WebSocket.
    pub fn push_envelope(&self, envelope: Value) {
        self.push.send(envelope).unwrap();
    }

    /// Waits until `done(calls)` holds, or panics after `timeout` with what was recorded.
    pub async fn wait_for(&self, timeout: Duration, what: &str, done: impl Fn(&[Call]) -> bool) {
        let start = Instant::now();
        loop {
            if done(&self.calls()) {
                return;
            }
            if start.elapsed() > timeout {
                let seen: Vec<_> = self
                    .calls()
                    .iter()
                    .map(|c| format!("{} {}", c.method, c.body))
                    .collect();
                panic!("timed out after {timeout:?} waiting for {what}; calls: {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn record(&self, method: &str, body: Value, bytes: usize) -> Option<Failure> {
        let mut inner = self.inner.lock().unwrap();
        inner.calls.push(Call {
            method: method.to_string(),
            body,
            bytes,
            at: Instant::now(),
        });
        inner.failures.get_mut(method).and_then(|q| q.pop_front())
    }

    fn next_id(&self) -> u64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_id += 1;
        inner.next_id
    }
}

fn failure_response(failure: Failure) -> Response {
    match failure {
        Failure::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after_secs.to_string())],
            Json(json!({"ok": false, "error": "ratelimited"})),
        )
            .into_response(),
        Failure::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"ok": false, "error": "internal_error"})),
        )
            .into_response(),
    }
}

/// The body as JSON whatever its encoding (JSON, form) plus the query string's fields.
fn parse_body(headers: &HeaderMap, query: Option<String>, body: &[u8]) -> Value {
    let mut value = if headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"))
    {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    };
    if let Some(q) = query {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q).unwrap_or_default();
        if !value.is_object() {
            value = json!({});
        }
        for (k, v) in pairs {
            value[k] = Value::String(v);
        }
    }
    value
}

async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = parse_body(&headers, query, &body);
    if headers.get("authorization").is_none() {
        fake.record(&method, parsed, body.len());
        return Json(json!({"ok": false, "error": "not_authed"})).into_response();
    }
    if let Some(failure) = fake.record(&method, parsed.clone(), body.len()) {
        return failure_response(failure);
    }
    let id = fake.next_id();
    let answer = match method.as_str() {
        "auth.test" => {
            json!({"ok": true, "url": "https://fake.slack.com/", "team": "Fake Shop", "user": "insight", "team_id": "T0FAKE", "user_id": "UBOT", "bot_id": "BBOT"})
        }
        "chat.postMessage" => {
            let channel = parsed["channel"].as_str().unwrap_or_default().to_string();
            if fake
                .inner
                .lock()
                .unwrap()
                .broken_channels
                .contains(&channel)
            {
                return failure_response(Failure::ServerError);
            }
            let ts = format!("1700000000.{id:06}");
            let mut message = json!({"type": "message", "ts": ts, "text": parsed["text"], "user": "UBOT", "bot_id": "BBOT"});
            for key in ["metadata", "thread_ts", "blocks"] {
                if !parsed[key].is_null() {
                    message[key] = parsed[key].clone();
                }
            }
            fake.inner
                .lock()
                .unwrap()
                .posted
                .push((channel, message.clone()));
            json!({"ok": true, "channel": parsed["channel"], "ts": ts, "message": message})
        }
        "conversations.history" => {
            // Newest first, top-level messages only, metadata only when asked for.
            let channel = parsed["channel"].as_str().unwrap_or_default();
            let with_metadata = parsed["include_all_metadata"] == "true";
            let mut messages: Vec<Value> = fake
                .posted_in(channel)
                .into_iter()
                .filter(|m| m["thread_ts"].is_null())
                .map(|mut m| {
                    if !with_metadata {
                        m.as_object_mut().map(|o| o.remove("metadata"));
                    }
                    m
                })
                .collect();
            messages.reverse();
            json!({"ok": true, "messages": messages, "has_more": false})
        }
        "chat.postEphemeral" => json!({"ok": true, "message_ts": format!("1700000000.{id:06}")}),
        "files.getUploadURLExternal" => json!({"ok": true,
            "upload_url": format!("http://{}/upload/F{id:04}", fake.addr), "file_id": format!("F{id:04}")}),
        "files.completeUploadExternal" => {
            let files = parsed["files"].clone();
            let files: Value = match files {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
                other => other,
            };
            json!({"ok": true, "files": files})
        }
        "apps.connections.open" => json!({"ok": true, "url": format!("ws://{}/socket", fake.addr)}),
        other => json!({"ok": false, "error": format!("unknown_method {other}")}),
    };
    Json(answer).into_response()
}

async fn upload(State(fake): State<FakeSlack>, Path(id): Path<String>, body: Bytes) -> Response {
    if let Some(failure) = fake.record("upload", json!({ "file_id": id }), body.len()) {
        return failure_response(failure);
    }
    (StatusCode::OK, format!("OK - {}", body.len())).into_response()
}

async fn response_url(
    State(fake): State<FakeSlack>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut parsed = parse_body(&headers, None, &body);
    parsed["_response_id"] = Value::String(id);
    if let Some(failure) = fake.record("response_url", parsed, body.len()) {
        return failure_response(failure);
    }
    (StatusCode::OK, "ok").into_response()
}

async fn socket(State(fake): State<FakeSlack>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve_socket(fake, socket))
}

async fn serve_socket(fake: FakeSlack, mut socket: WebSocket) {
    let hello = json!({"type": "hello", "num_connections": 1,
        "debug_info": {"host": "fake", "approximate_connection_time": 3600},
        "connection_info": {"app_id": "AFAKE"}});
    if socket
        .send(WsMessage::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        let next = async {
            let mut rx = fake.envelopes.lock().await;
            rx.recv().await
        };
        tokio::select! {
            envelope = next => {
                let Some(envelope) = envelope else { return };
                if socket.send(WsMessage::Text(envelope.to_string().into())).await.is_err() {
                    // Not delivered on this connection: give it back for another one.
                    fake.push_envelope(envelope);
                    return;
                }
            }
            incoming = socket.recv() => {
                match incoming {
                    Some(Ok(WsMessage::Text(text))) => {
                        if let Ok(ack) = serde_json::from_str::<Value>(&text) {
                            fake.inner.lock().unwrap().acks.push(ack);
                        }
                    }
                    Some(Ok(WsMessage::Ping(p))) => { let _ = socket.send(WsMessage::Pong(p)).await; }
                    Some(Ok(_)) => {}
                    _ => return,
                }
            }
        }
    }
}
