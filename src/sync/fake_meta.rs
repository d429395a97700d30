//! A fake Meta Marketing API on 127.0.0.1, for the sync stories.
//!
//! `GET /{version}/act_{id}/insights` answers the campaign-days of its `time_range`, shaped
//! like the Graph API's (`spend` and counts as strings, purchases in `actions` /
//! `action_values`, `paging.cursors.after` and `paging.next` while rows remain, `limit` rows
//! a page). `POST` on the same edge starts an async report job (`report_run_id`) that answers
//! `Job Running` to its first `polls_before_done` status polls (`GET /{version}/{run}`), then
//! `Job Completed` at 100 %; its rows are paged at `GET /{version}/{run}/insights`. The
//! `access_token` must be the one it was started with (else error 190, as an expired token
//! gets); queued throttle answers (error code 17/4/613, or 0 for HTTP 429) are given first;
//! `fail` makes every call answer 500. Queued usage headers (`x-business-use-case-usage`,
//! `x-app-usage`, as Meta sends them) go on the next answers, one set each; `hold` stops a
//! call kind until released. Every call is recorded without its token, with its time; a held
//! call as it arrives, before it waits.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::fake_hold::Hold;

/// One campaign's day in the fake account. Money in cents.
#[derive(Debug, Clone)]
pub struct MetaDay {
    pub date: NaiveDate,
    pub campaign: String,
    pub spend_cents: i64,
    pub impressions: i64,
    /// All clicks (`clicks`); the link clicks are an action.
    pub clicks: i64,
    pub link_clicks: i64,
    pub purchases: i64,
    pub purchase_value_cents: i64,
}

/// One recorded call: `insights`, `async-start`, `async-status` or `report-insights`; its
/// HTTP status (0 while held, and for good if its client went away before the answer) and
/// its parameters (never the token).
#[derive(Debug, Clone)]
pub struct Call {
    pub kind: String,
    pub status: u16,
    pub params: HashMap<String, String>,
    pub at: Instant,
}

/// The usage headers of one answer (each a JSON text; `None`: header absent).
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub business_use_case: Option<String>,
    pub app: Option<String>,
}

struct Job {
    rows: Vec<MetaDay>,
    polls: u32,
}

struct Inner {
    token: String,
    rows: Vec<MetaDay>,
    jobs: HashMap<String, Job>,
    polls_before_done: u32,
    throttles: Vec<i64>,
    fail: bool,
    calls: Vec<Call>,
    usage: Vec<Usage>,
    hold: Hold,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone)]
pub struct FakeMeta {
    pub addr: SocketAddr,
    inner: Shared,
    /// Holds calls by kind (`insights`, `report-insights`, …) until released.
    pub hold: Hold,
}

impl FakeMeta {
    pub async fn start(token: &str, rows: Vec<MetaDay>) -> anyhow::Result<FakeMeta> {
        let inner = Arc::new(Mutex::new(Inner {
            token: token.into(),
            rows,
            jobs: HashMap::new(),
            polls_before_done: 2,
            throttles: Vec::new(),
            fail: false,
            calls: Vec::new(),
            usage: Vec::new(),
            hold: Hold::default(),
        }));
        let hold = lock(&inner).hold.clone();
        let app = Router::new()
            .route("/{version}/{node}", get(status))
            .route("/{version}/{node}/insights", get(insights).post(start_job))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeMeta { addr, inner, hold })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner).calls.clone()
    }

    /// The next calls answer these throttling errors, one each (0: HTTP 429).
    pub fn throttle(&self, codes: &[i64]) {
        lock(&self.inner).throttles.extend_from_slice(codes);
    }

    /// From now on the token is refused with error 190.
    pub fn expire_token(&self) {
        lock(&self.inner).token = "a token nobody has".into();
    }

    pub fn fail(&self, fail: bool) {
        lock(&self.inner).fail = fail;
    }

    /// The next answers carry these usage headers, one set each.
    pub fn usage(&self, usage: &[Usage]) {
        lock(&self.inner).usage.extend_from_slice(usage);
    }

    pub fn set_polls_before_done(&self, n: u32) {
        lock(&self.inner).polls_before_done = n;
    }
}

fn error(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Afake"}})
}

/// The common checks: failure, throttling, the token. `Some`: the answer to give.
/// `slot`: the call's record, made as it arrived (see [`arrive`]).
fn gate(
    inner: &mut Inner,
    slot: Option<usize>,
    kind: &str,
    params: &HashMap<String, String>,
) -> Option<Response> {
    let answer = |inner: &mut Inner, status: StatusCode, body: Value| {
        record(inner, slot, kind, status, params);
        Some((status, Json(body)).into_response())
    };
    if inner.fail {
        return answer(
            inner,
            StatusCode::INTERNAL_SERVER_ERROR,
            error(
                2,
                "An unexpected error has occurred. Please retry your request later.",
            ),
        );
    }
    if !inner.throttles.is_empty() {
        let code = inner.throttles.remove(0);
        if code == 0 {
            return answer(
                inner,
                StatusCode::TOO_MANY_REQUESTS,
                error(4, "Application request limit reached"),
            );
        }
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            error(code, "User request limit reached"),
        );
    }
    if params.get("access_token") != Some(&inner.token) {
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            json!({"error": {"message": "Error validating access token: Session has expired on Friday, 04-Dec-26 10:00:00 PST.",
                "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "Afake"}}),
        );
    }
    None
}

/// Records a call as it arrives, before it may wait on the hold (status 0 until answered, and
/// for good if its client went away): a test that kills a sync while its call is held finds
/// that call recorded, never recorded later, when released. Its index in the calls.
fn arrive(inner: &mut Inner, kind: &str, params: &HashMap<String, String>) -> usize {
    let mut params = params.clone();
    params.remove("access_token");
    inner.calls.push(Call {
        kind: kind.into(),
        status: 0,
        params,
        at: Instant::now(),
    });
    inner.calls.len() - 1
}

/// Records a call's answer: in its `slot` if it was recorded as it arrived, else as a new call.
fn record(
    inner: &mut Inner,
    slot: Option<usize>,
    kind: &str,
    status: StatusCode,
    params: &HashMap<String, String>,
) {
    if let Some(call) = slot.and_then(|i| inner.calls.get_mut(i)) {
        call.status = status.as_u16();
        return;
    }
    let mut params = params.clone();
    params.remove("access_token");
    inner.calls.push(Call {
        kind: kind.into(),
        status: status.as_u16(),
        params,
        at: Instant::now(),
    });
}

fn rows_in(inner: &Inner, params: &HashMap<String, String>) -> Option<Vec<MetaDay>> {
    let range: Value = serde_json::from_str(params.get("time_range")?).ok()?;
    let since: NaiveDate = range["since"].as_str()?.parse().ok()?;
    let until: NaiveDate = range["until"].as_str()?.parse().ok()?;
    Some(
        inner
            .rows
            .iter()
            .filter(|r| r.date >= since && r.date <= until)
            .cloned()
            .collect(),
    )
}

fn money(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

fn row_json(r: &MetaDay) -> Value {
    let mut actions =
        vec![json!({"action_type": "link_click", "value": r.link_clicks.to_string()})];
    let mut values = Vec::new();
    if r.purchases > 0 {
        // Meta lists the pixel's purchases and the aggregate both.
        for t in ["offsite_conversion.fb_pixel_purchase", "purchase"] {
            actions.push(json!({"action_type": t, "value": r.purchases.to_string()}));
            values.push(json!({"action_type": t, "value": money(r.purchase_value_cents)}));
        }
    }
    json!({
        "campaign_id": format!("2385{:08}", r.campaign.len()), "campaign_name": r.campaign,
        "spend": money(r.spend_cents), "impressions": r.impressions.to_string(),
        "clicks": r.clicks.to_string(), "actions": actions, "action_values": values,
        "account_currency": "EUR",
        "date_start": r.date.to_string(), "date_stop": r.date.to_string(),
    })
}

/// One page of `rows` from `after` (an offset), `limit` a page.
fn page(rows: &[MetaDay], params: &HashMap<String, String>, here: &str) -> Value {
    let limit: usize = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25)
        .max(1);
    let from: usize = params
        .get("after")
        .and_then(|a| a.strip_prefix("cursor-"))
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let to = (from + limit).min(rows.len());
    let data: Vec<Value> = rows[from.min(to)..to].iter().map(row_json).collect();
    let mut paging =
        json!({"cursors": {"before": format!("cursor-{from}"), "after": format!("cursor-{to}")}});
    if to < rows.len() {
        // The real `next` carries the token too; the connector does not follow it as is.
        paging["next"] = json!(format!(
            "{here}?after=cursor-{to}&limit={limit}&access_token=…"
        ));
    }
    json!({"data": data, "paging": paging})
}

async fn insights(
    State(s): State<Shared>,
    Path((version, node)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let kind = if node.starts_with("act_") {
        "insights"
    } else {
        "report-insights"
    };
    let (hold, slot) = {
        let mut inner = lock(&s);
        let slot = arrive(&mut inner, kind, &params);
        (inner.hold.clone(), Some(slot))
    };
    hold.pass(kind).await;
    let mut inner = lock(&s);
    if let Some(r) = gate(&mut inner, slot, kind, &params) {
        return r;
    }
    let here = format!("https://graph.facebook.com/{version}/{node}/insights");
    let usage = if inner.usage.is_empty() {
        Usage::default()
    } else {
        inner.usage.remove(0)
    };
    let rows = if kind == "insights" {
        rows_in(&inner, &params)
    } else {
        inner.jobs.get(&node).map(|j| j.rows.clone())
    };
    let Some(rows) = rows else {
        record(&mut inner, slot, kind, StatusCode::BAD_REQUEST, &params);
        return (
            StatusCode::BAD_REQUEST,
            Json(error(100, "Invalid parameter")),
        )
            .into_response();
    };
    record(&mut inner, slot, kind, StatusCode::OK, &params);
    let mut response = Json(page(&rows, &params, &here)).into_response();
    for (name, value) in [
        ("x-business-use-case-usage", usage.business_use_case),
        ("x-app-usage", usage.app),
    ] {
        if let Some(v) = value.and_then(|v| v.parse().ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

async fn start_job(
    State(s): State<Shared>,
    Path((_version, _node)): Path<(String, String)>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = lock(&s);
    if let Some(r) = gate(&mut inner, None, "async-start", &params) {
        return r;
    }
    let Some(rows) = rows_in(&inner, &params) else {
        record(
            &mut inner,
            None,
            "async-start",
            StatusCode::BAD_REQUEST,
            &params,
        );
        return (
            StatusCode::BAD_REQUEST,
            Json(error(100, "Invalid parameter")),
        )
            .into_response();
    };
    let id = format!("{}", 6_100_000 + inner.jobs.len());
    inner.jobs.insert(id.clone(), Job { rows, polls: 0 });
    record(&mut inner, None, "async-start", StatusCode::OK, &params);
    Json(json!({"report_run_id": id})).into_response()
}

async fn status(
    State(s): State<Shared>,
    Path((_version, node)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = lock(&s);
    if let Some(r) = gate(&mut inner, None, "async-status", &params) {
        return r;
    }
    let before = inner.polls_before_done;
    let Some(job) = inner.jobs.get_mut(&node) else {
        record(
            &mut inner,
            None,
            "async-status",
            StatusCode::NOT_FOUND,
            &params,
        );
        return (
            StatusCode::NOT_FOUND,
            Json(error(100, "Unsupported get request")),
        )
            .into_response();
    };
    job.polls += 1;
    let body = if job.polls > before {
        json!({"id": node, "async_status": "Job Completed", "async_percent_completion": 100})
    } else {
        json!({"id": node, "async_status": "Job Running", "async_percent_completion": 100 * job.polls / (before + 1)})
    };
    record(&mut inner, None, "async-status", StatusCode::OK, &params);
    Json(body).into_response()
}
