//! A fake Google Ads API and OAuth token endpoint on 127.0.0.1, for the sync stories.
//!
//! `POST /token` trades the refresh token it was started with for an access token
//! (`expires_in` 3600); `POST /{version}/customers/{id}/googleAds:searchStream` checks the
//! bearer token and the `developer-token` header, reads the `BETWEEN 'from' AND 'to'` of the
//! GAQL query and answers the rows of those days as a JSON array of one batch, shaped like
//! the REST API's (`segments.date`, `campaign.name`, `metrics.costMicros` as a string…).
//! Tests can expire every token issued so far after some calls (the next call gets 401
//! `UNAUTHENTICATED`) or make every search answer 500. Every call is recorded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// One row of the fake account: a campaign's day.
#[derive(Debug, Clone)]
pub struct AdDay {
    pub date: NaiveDate,
    pub campaign: String,
    pub cost_micros: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: f64,
    pub conversions_value: f64,
}

/// One recorded call: `token` or `search`, its HTTP status, and the GAQL (search).
#[derive(Debug, Clone)]
pub struct Call {
    pub kind: String,
    pub status: u16,
    pub query: String,
}

struct Inner {
    refresh_token: String,
    developer_token: String,
    rows: Vec<AdDay>,
    issued: u32,
    valid: Vec<String>,
    /// Searches answered before every token issued so far expires.
    expire_after_searches: Option<u32>,
    searches_ok: u32,
    fail_searches: bool,
    calls: Vec<Call>,
}

#[derive(Clone)]
pub struct FakeGoogleAds {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

impl FakeGoogleAds {
    pub async fn start(
        refresh_token: &str,
        developer_token: &str,
        rows: Vec<AdDay>,
    ) -> anyhow::Result<FakeGoogleAds> {
        let inner = Arc::new(Mutex::new(Inner {
            refresh_token: refresh_token.into(),
            developer_token: developer_token.into(),
            rows,
            issued: 0,
            valid: Vec::new(),
            expire_after_searches: None,
            searches_ok: 0,
            fail_searches: false,
            calls: Vec::new(),
        }));
        let app = Router::new()
            .route("/token", post(token))
            .route("/{version}/customers/{customer}/{method}", post(search))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeGoogleAds { addr, inner })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner).calls.clone()
    }

    /// After `n` more successful searches, every token issued so far stops working.
    pub fn expire_tokens_after(&self, n: u32) {
        let mut inner = lock(&self.inner);
        inner.searches_ok = 0;
        inner.expire_after_searches = Some(n);
    }

    pub fn fail_searches(&self, fail: bool) {
        lock(&self.inner).fail_searches = fail;
    }
}

async fn token(
    State(s): State<Shared>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let mut inner = lock(&s);
    let ok = form.get("grant_type").map(String::as_str) == Some("refresh_token")
        && form.get("refresh_token") == Some(&inner.refresh_token);
    inner.calls.push(Call {
        kind: "token".into(),
        status: if ok { 200 } else { 400 },
        query: String::new(),
    });
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Bad Request"})),
        )
            .into_response();
    }
    inner.issued += 1;
    let token = format!("ya29.fake-access-{}", inner.issued);
    inner.valid.push(token.clone());
    Json(json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": "https://www.googleapis.com/auth/adwords"})).into_response()
}

/// `... BETWEEN '2026-03-01' AND '2026-03-05'` → the two days.
fn range(query: &str) -> Option<(NaiveDate, NaiveDate)> {
    let mut quoted = query.split('\'').skip(1).step_by(2);
    Some((quoted.next()?.parse().ok()?, quoted.next()?.parse().ok()?))
}

async fn search(
    State(s): State<Shared>,
    Path((_v, _customer, method)): Path<(String, String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&s);
    let query = body["query"].as_str().unwrap_or("").to_string();
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let dev_ok = headers.get("developer-token").and_then(|v| v.to_str().ok())
        == Some(inner.developer_token.as_str());
    let answer = |inner: &mut Inner, status: StatusCode, body: Value| {
        inner.calls.push(Call {
            kind: "search".into(),
            status: status.as_u16(),
            query: query.clone(),
        });
        (status, Json(body)).into_response()
    };
    if method != "googleAds:searchStream" {
        return answer(
            &mut inner,
            StatusCode::NOT_FOUND,
            json!({"error": {"message": "not found"}}),
        );
    }
    if !inner.valid.contains(&bearer) {
        return answer(
            &mut inner,
            StatusCode::UNAUTHORIZED,
            json!([{"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}]),
        );
    }
    if !dev_ok {
        return answer(
            &mut inner,
            StatusCode::FORBIDDEN,
            json!([{"error": {"code": 403, "message": "The developer token is not valid.", "status": "PERMISSION_DENIED"}}]),
        );
    }
    if inner.fail_searches {
        return answer(
            &mut inner,
            StatusCode::INTERNAL_SERVER_ERROR,
            json!([{"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}]),
        );
    }
    let Some((from, to)) = range(&query) else {
        return answer(
            &mut inner,
            StatusCode::BAD_REQUEST,
            json!([{"error": {"code": 400, "message": "no date range", "status": "INVALID_ARGUMENT"}}]),
        );
    };
    let results: Vec<Value> = inner
        .rows
        .iter()
        .filter(|r| r.date >= from && r.date <= to)
        .map(|r| {
            json!({
                "campaign": {"resourceName": format!("customers/1234567890/campaigns/{}", r.campaign.len()), "id": r.campaign.len().to_string(), "name": r.campaign},
                "customer": {"resourceName": "customers/1234567890", "currencyCode": "EUR"},
                "metrics": {"costMicros": r.cost_micros.to_string(), "impressions": r.impressions.to_string(), "clicks": r.clicks.to_string(),
                            "conversions": r.conversions, "conversionsValue": r.conversions_value},
                "segments": {"date": r.date.to_string()},
            })
        })
        .collect();
    inner.searches_ok += 1;
    if inner
        .expire_after_searches
        .is_some_and(|n| inner.searches_ok >= n)
    {
        inner.valid.clear();
        inner.expire_after_searches = None;
    }
    answer(
        &mut inner,
        StatusCode::OK,
        json!([{"results": results, "fieldMask": "segments.date,campaign.id,campaign.name,customer.currencyCode,metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions,metrics.conversionsValue", "requestId": "fake"}]),
    )
}
