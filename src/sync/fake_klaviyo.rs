//! A fake Klaviyo API on 127.0.0.1, for the sync stories.
//!
//! Checks `Authorization: Klaviyo-API-Key …` and the `revision` header on every call (401 /
//! 400 otherwise, in JSON:API `errors`). Lists (`GET /api/metrics/`, `/api/campaigns/`,
//! `/api/flows/`, `/api/events/`) are paged `page_size` at a time with absolute
//! `links.next` URLs on `https://a.klaviyo.com/api` (as the real API gives them), `page[cursor]`
//! being an offset. `/api/events/` reads `equals(metric_id,"…")` and
//! `greater-than(datetime,…)` from its filter and includes each event's profile.
//! `POST /api/campaign-values-reports/` answers the statistics of the campaigns sent in its
//! timeframe; `POST /api/flow-series-reports/` one row per flow message with a daily series
//! over the timeframe's days (in the account's time zone). Both check the conversion metric.
//! Queued 429s (with `Retry-After: 0`) are given first; `fail` answers 500; `hold` stops the
//! calls of a list (`GET /api/events/`) from the `n`-th until released. Calls are recorded
//! (method and path, status, body) without the key; a list's call as it arrives, before it
//! may wait on the hold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use super::fake_hold::Hold;

/// Statistics of a campaign or of one flow message's day, as the reports name them.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub recipients: i64,
    pub delivered: i64,
    pub clicks_unique: i64,
    pub conversion_uniques: i64,
    pub conversion_value: f64,
}

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// `None`: a draft.
    pub send_time: Option<DateTime<Utc>>,
    pub stats: Stats,
}

/// One flow message's day.
#[derive(Debug, Clone)]
pub struct FlowDay {
    pub flow_id: String,
    pub message_id: String,
    pub date: NaiveDate,
    pub stats: Stats,
}

/// An event of a metric ("Opened Email", "Clicked Email") by a profile.
#[derive(Debug, Clone)]
pub struct Event {
    pub metric_id: String,
    pub email: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    /// (id, name)
    pub metrics: Vec<(String, String)>,
    pub campaigns: Vec<Campaign>,
    /// (id, name)
    pub flows: Vec<(String, String)>,
    pub flow_days: Vec<FlowDay>,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub what: String,
    pub status: u16,
    pub body: Value,
}

struct Inner {
    key: String,
    tz: chrono_tz::Tz,
    account: Account,
    page_size: usize,
    throttles: u32,
    fail: bool,
    calls: Vec<Call>,
    hold: Hold,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone)]
pub struct FakeKlaviyo {
    pub addr: SocketAddr,
    inner: Shared,
    /// Holds the calls of a list by method and path (`GET /api/events/`) until released.
    pub hold: Hold,
}

impl FakeKlaviyo {
    pub async fn start(
        key: &str,
        tz: chrono_tz::Tz,
        account: Account,
    ) -> anyhow::Result<FakeKlaviyo> {
        let inner = Arc::new(Mutex::new(Inner {
            key: key.into(),
            tz,
            account,
            page_size: 2,
            throttles: 0,
            fail: false,
            calls: Vec::new(),
            hold: Hold::default(),
        }));
        let hold = lock(&inner).hold.clone();
        let app = Router::new()
            .route("/api/{list}/", get(list))
            .route("/api/campaign-values-reports/", post(campaign_report))
            .route("/api/flow-series-reports/", post(flow_report))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeKlaviyo { addr, inner, hold })
    }

    /// The `base_url` for the configuration.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner).calls.clone()
    }

    /// The next `n` calls answer 429.
    pub fn throttle(&self, n: u32) {
        lock(&self.inner).throttles += n;
    }

    pub fn fail(&self, fail: bool) {
        lock(&self.inner).fail = fail;
    }

    pub fn add_events(&self, events: Vec<Event>) {
        lock(&self.inner).account.events.extend(events);
    }
}

fn errors(status: StatusCode, detail: &str) -> Response {
    (
        status,
        Json(json!({"errors": [{"id": "fake", "status": status.as_u16(), "code": "error", "title": "error", "detail": detail}]})),
    )
        .into_response()
}

/// Records a call as it arrives, before it may wait on the hold (status 0 until the gate
/// answers, and for good if its client went away): a test that kills a sync while its call is
/// held finds that call recorded, never recorded later, when released. Its index in the calls.
fn arrive(inner: &mut Inner, what: &str, body: &Value) -> usize {
    inner.calls.push(Call {
        what: what.into(),
        status: 0,
        body: body.clone(),
    });
    inner.calls.len() - 1
}

/// Failure, throttling, key and revision; `Some`: the answer to give. The call is recorded
/// with the gate's status: in `slot` if it was recorded as it arrived, else as a new call.
fn gate(
    inner: &mut Inner,
    slot: Option<usize>,
    what: &str,
    headers: &HeaderMap,
    body: &Value,
) -> Option<Response> {
    let mut record = |status: StatusCode| match slot.and_then(|i| inner.calls.get_mut(i)) {
        Some(call) => call.status = status.as_u16(),
        None => inner.calls.push(Call {
            what: what.into(),
            status: status.as_u16(),
            body: body.clone(),
        }),
    };
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let expected = format!("Klaviyo-API-Key {}", inner.key);
    let (fail, throttled) = (inner.fail, inner.throttles > 0);
    let revision_ok = headers
        .get("revision")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|r| !r.is_empty());
    let ok_key = auth == Some(expected.as_str());
    if fail {
        record(StatusCode::INTERNAL_SERVER_ERROR);
        return Some(errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "A server error occurred.",
        ));
    }
    if throttled {
        record(StatusCode::TOO_MANY_REQUESTS);
        inner.throttles -= 1;
        let mut r = errors(
            StatusCode::TOO_MANY_REQUESTS,
            "Request was throttled. Expected available in 0 seconds.",
        );
        r.headers_mut()
            .insert("retry-after", "0".parse().expect("a header value"));
        return Some(r);
    }
    if !ok_key {
        record(StatusCode::UNAUTHORIZED);
        return Some(errors(
            StatusCode::UNAUTHORIZED,
            "Incorrect authentication credentials.",
        ));
    }
    if !revision_ok {
        record(StatusCode::BAD_REQUEST);
        return Some(errors(
            StatusCode::BAD_REQUEST,
            "The revision header is required.",
        ));
    }
    record(StatusCode::OK);
    None
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

async fn list(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(mut params): Query<HashMap<String, String>>,
) -> Response {
    let path = uri.path().to_string();
    let what = format!("{method} {path}");
    let (hold, slot) = {
        let mut inner = lock(&s);
        let slot = arrive(&mut inner, &what, &json!(params));
        (inner.hold.clone(), Some(slot))
    };
    hold.pass(&what).await;
    let mut inner = lock(&s);
    if let Some(r) = gate(&mut inner, slot, &what, &headers, &json!(params)) {
        return r;
    }
    let a = &inner.account;
    let mut included = Vec::new();
    let items: Vec<Value> = match path.as_str() {
        "/api/metrics/" => a
            .metrics
            .iter()
            .map(|(id, name)| json!({"type": "metric", "id": id, "attributes": {"name": name, "integration": {"name": "Klaviyo"}}}))
            .collect(),
        "/api/campaigns/" => {
            if params.get("filter").map(String::as_str) != Some("equals(messages.channel,'email')") {
                return errors(StatusCode::BAD_REQUEST, "A channel filter is required.");
            }
            a.campaigns
                .iter()
                .map(|c| json!({"type": "campaign", "id": c.id, "attributes": {"name": c.name,
                    "status": if c.send_time.is_some() { "Sent" } else { "Draft" },
                    "send_time": c.send_time.map(|t| t.to_rfc3339())}}))
                .collect()
        }
        "/api/flows/" => a
            .flows
            .iter()
            .map(|(id, name)| json!({"type": "flow", "id": id, "attributes": {"name": name, "status": "live"}}))
            .collect(),
        "/api/events/" => {
            let filter = params.get("filter").cloned().unwrap_or_default();
            let metric = between(&filter, "equals(metric_id,\"", "\"").unwrap_or("").to_string();
            let since: Option<DateTime<Utc>> = between(&filter, "greater-than(datetime,", ")")
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            let mut events: Vec<&Event> = a
                .events
                .iter()
                .filter(|e| e.metric_id == metric && !matches!(since, Some(s) if e.at <= s))
                .collect();
            events.sort_by_key(|e| e.at);
            events
                .iter()
                .map(|e| {
                    let profile = format!("01PROFILE{}", e.email.len() * 7 + e.email.bytes().map(usize::from).sum::<usize>());
                    included.push(json!({"type": "profile", "id": profile, "attributes": {"email": e.email}}));
                    json!({"type": "event", "id": format!("evt{}", e.at.timestamp()),
                        "attributes": {"datetime": e.at.to_rfc3339(), "timestamp": e.at.timestamp()},
                        "relationships": {"profile": {"data": {"type": "profile", "id": profile}}}})
                })
                .collect()
        }
        _ => return errors(StatusCode::NOT_FOUND, "Not found."),
    };
    let from: usize = params
        .remove("page[cursor]")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let to = (from + inner.page_size).min(items.len());
    let data = items[from.min(to)..to].to_vec();
    // The profiles of this page's events only.
    let ids: Vec<&Value> = data
        .iter()
        .map(|e| &e["relationships"]["profile"]["data"]["id"])
        .collect();
    included.retain(|p| ids.contains(&&p["id"]));
    included.dedup_by(|a, b| a["id"] == b["id"]);
    let next = (to < items.len()).then(|| {
        params.insert("page[cursor]".into(), to.to_string());
        format!(
            "https://a.klaviyo.com{path}?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    let mut body = json!({"data": data, "links": {"self": format!("https://a.klaviyo.com{path}"), "next": next, "prev": null}});
    if path == "/api/events/" {
        body["included"] = json!(included);
    }
    Json(body).into_response()
}

/// The report's timeframe and conversion metric, checked.
fn report_args(
    inner: &Inner,
    body: &Value,
    kind: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    let a = &body["data"]["attributes"];
    if body["data"]["type"] != kind {
        return Err("Wrong resource type.");
    }
    let placed = inner
        .account
        .metrics
        .iter()
        .find(|(_, n)| n == "Placed Order")
        .map(|(id, _)| id.as_str());
    if a["conversion_metric_id"].as_str() != placed || placed.is_none() {
        return Err("conversion_metric_id is not a valid metric.");
    }
    let t = |k: &str| {
        a["timeframe"][k]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    match (t("start"), t("end")) {
        (Some(s), Some(e)) if s < e && e - s <= chrono::Duration::days(366) => Ok((s, e)),
        _ => Err("The timeframe is invalid or longer than a year."),
    }
}

fn stats_json(s: &Stats) -> Value {
    json!({"recipients": s.recipients, "delivered": s.delivered, "clicks_unique": s.clicks_unique,
           "conversion_uniques": s.conversion_uniques, "conversion_value": s.conversion_value})
}

async fn campaign_report(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&s);
    if let Some(r) = gate(
        &mut inner,
        None,
        "POST /api/campaign-values-reports/",
        &headers,
        &body,
    ) {
        return r;
    }
    let (start, end) = match report_args(&inner, &body, "campaign-values-report") {
        Ok(t) => t,
        Err(detail) => return errors(StatusCode::BAD_REQUEST, detail),
    };
    let results: Vec<Value> = inner
        .account
        .campaigns
        .iter()
        .filter(|c| c.send_time.is_some_and(|t| t >= start && t < end))
        .map(|c| json!({"groupings": {"send_channel": "email", "campaign_id": c.id, "campaign_message_id": format!("{}-m", c.id)},
                        "statistics": stats_json(&c.stats)}))
        .collect();
    Json(json!({"data": {"type": "campaign-values-report", "id": "fake", "attributes": {"results": results}}})).into_response()
}

async fn flow_report(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&s);
    if let Some(r) = gate(
        &mut inner,
        None,
        "POST /api/flow-series-reports/",
        &headers,
        &body,
    ) {
        return r;
    }
    let (start, end) = match report_args(&inner, &body, "flow-series-report") {
        Ok(t) => t,
        Err(detail) => return errors(StatusCode::BAD_REQUEST, detail),
    };
    let tz = inner.tz;
    let first = start.with_timezone(&tz).date_naive();
    let last = (end - chrono::Duration::seconds(1))
        .with_timezone(&tz)
        .date_naive();
    let mut days = Vec::new();
    let mut d = first;
    while d <= last {
        days.push(d);
        d = d + Days::new(1);
    }
    let date_times: Vec<String> = days
        .iter()
        .filter_map(|d| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest())
        .map(|t| t.to_rfc3339())
        .collect();
    let mut messages: Vec<(String, String)> = inner
        .account
        .flow_days
        .iter()
        .map(|f| (f.flow_id.clone(), f.message_id.clone()))
        .collect();
    messages.sort();
    messages.dedup();
    let results: Vec<Value> = messages
        .iter()
        .map(|(flow, message)| {
            let series = |get: &dyn Fn(&Stats) -> f64| -> Vec<f64> {
                days.iter()
                    .map(|d| {
                        inner.account.flow_days.iter()
                            .filter(|f| &f.flow_id == flow && &f.message_id == message && f.date == *d)
                            .map(|f| get(&f.stats))
                            .sum()
                    })
                    .collect()
            };
            json!({"groupings": {"flow_id": flow, "flow_message_id": message, "send_channel": "email"},
                   "statistics": {"recipients": series(&|s| s.recipients as f64), "delivered": series(&|s| s.delivered as f64),
                                  "clicks_unique": series(&|s| s.clicks_unique as f64),
                                  "conversion_uniques": series(&|s| s.conversion_uniques as f64),
                                  "conversion_value": series(&|s| s.conversion_value)}})
        })
        .collect();
    Json(json!({"data": {"type": "flow-series-report", "id": "fake", "attributes": {"results": results, "date_times": date_times}}})).into_response()
}
