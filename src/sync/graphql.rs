//! A GraphQL client for the Shopify Admin API that respects its cost-based rate limit.
//!
//! Shopify gives each app a bucket of query points per shop (`maximumAvailable`), refilled at
//! `restoreRate` points a second; every response says what the query cost and how full the
//! bucket is (`extensions.cost.throttleStatus`). Before each call the client estimates the
//! bucket from the last status and the time since, and sleeps until the call's expected cost
//! fits, so a long sync drains the bucket at the restore rate instead of hammering into
//! `THROTTLED` errors. A `THROTTLED` error (first call, or another app sharing the bucket) is
//! waited out the same way and retried; HTTP 429 waits for `Retry-After`; 5xx and network
//! errors back off exponentially. The token goes in one header and appears in no error or log.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::SyncError;
use crate::slack::Secret;

/// Longest single wait, whatever a server says.
const MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    available: f64,
    maximum: f64,
    restore_rate: f64,
    at: Instant,
}

impl Bucket {
    fn available_now(&self) -> f64 {
        (self.available + self.at.elapsed().as_secs_f64() * self.restore_rate).min(self.maximum)
    }

    /// How long until `cost` points are available.
    fn wait_for(&self, cost: f64) -> Duration {
        let missing = cost.min(self.maximum) - self.available_now();
        if missing <= 0.0 || self.restore_rate <= 0.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(missing / self.restore_rate).min(MAX_WAIT)
    }
}

/// What the client did about rate limits, for the run's record and the tests.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ThrottleStats {
    /// Calls made (every attempt).
    pub calls: u64,
    /// Responses that said THROTTLED or 429.
    pub throttled: u64,
    /// Time spent waiting for the bucket or a `Retry-After`.
    pub waited: Duration,
}

pub struct GraphqlClient {
    http: reqwest::Client,
    endpoint: String,
    token: Secret,
    max_attempts: u32,
    base_backoff: Duration,
    bucket: Option<Bucket>,
    /// The last requested cost of each query, by its first characters: the next call of the
    /// same query is expected to cost about as much.
    costs: std::collections::HashMap<String, f64>,
    pub stats: ThrottleStats,
}

impl GraphqlClient {
    pub fn new(
        endpoint: String,
        token: Secret,
        max_attempts: u32,
    ) -> Result<GraphqlClient, SyncError> {
        let http = crate::sync::api_client()?;
        Ok(GraphqlClient {
            http,
            endpoint,
            token,
            max_attempts,
            base_backoff: Duration::from_millis(500),
            bucket: None,
            costs: Default::default(),
            stats: ThrottleStats::default(),
        })
    }

    /// First back-off after a 5xx or network error (doubles each attempt).
    pub fn with_base_backoff(mut self, wait: Duration) -> GraphqlClient {
        self.base_backoff = wait;
        self
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    async fn sleep(&mut self, wait: Duration) {
        if wait > Duration::ZERO {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "waiting for the Shopify rate limit"
            );
            self.stats.waited += wait;
            tokio::time::sleep(wait).await;
        }
    }

    /// Runs `query` with `variables`; returns `data`. `what` names the call in errors.
    pub async fn query(
        &mut self,
        what: &str,
        query: &str,
        variables: Value,
    ) -> Result<Value, SyncError> {
        let key: String = query.chars().take(80).collect();
        let body = json!({ "query": query, "variables": variables });
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A query not made yet is expected to cost as much as the dearest one made so
            // far: better a short wait than a THROTTLED answer.
            let cost = self
                .costs
                .get(&key)
                .copied()
                .or_else(|| self.costs.values().copied().reduce(f64::max));
            if let (Some(bucket), Some(cost)) = (self.bucket, cost) {
                self.sleep(bucket.wait_for(cost)).await;
            }
            self.stats.calls += 1;
            let sent = self
                .http
                .post(&self.endpoint)
                .header("X-Shopify-Access-Token", self.token.expose())
                .json(&body)
                .send()
                .await;
            let retry_wait = match sent {
                Err(e) => {
                    let e = SyncError::Http(format!("{what}: {}", without_url(&e)));
                    self.retry_or(attempt, e, self.backoff(attempt))?
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                        self.stats.throttled += 1;
                        let wait = retry_after(&resp).unwrap_or(Duration::from_secs(1));
                        self.retry_or(attempt, SyncError::Throttled(what.into()), wait)?
                    } else if status == reqwest::StatusCode::UNAUTHORIZED
                        || status == reqwest::StatusCode::FORBIDDEN
                    {
                        return Err(SyncError::Unauthorized(format!(
                            "{what}: Shopify refused the access token ({status}): check SHOPIFY_ACCESS_TOKEN and the app's scopes (read_orders, read_all_orders for the whole history, read_products, read_inventory)"
                        )));
                    } else if status.is_server_error() {
                        let e = SyncError::Http(format!("{what}: Shopify answered {status}"));
                        self.retry_or(attempt, e, self.backoff(attempt))?
                    } else if !status.is_success() {
                        return Err(SyncError::Http(format!(
                            "{what}: Shopify answered {status}"
                        )));
                    } else {
                        let value: Value = match resp.json().await {
                            Ok(v) => v,
                            Err(e) => {
                                let e = SyncError::Http(format!(
                                    "{what}: unreadable answer: {}",
                                    without_url(&e)
                                ));
                                let wait = self.retry_or(attempt, e, self.backoff(attempt))?;
                                self.sleep(wait).await;
                                continue;
                            }
                        };
                        self.note_cost(&key, &value);
                        match graphql_errors(&value) {
                            None => {
                                return Ok(value.get("data").cloned().unwrap_or(Value::Null));
                            }
                            Some((true, _)) => {
                                self.stats.throttled += 1;
                                let cost = self.costs.get(&key).copied().unwrap_or(50.0);
                                let wait = self.bucket.map_or(Duration::from_secs(1), |b| {
                                    b.wait_for(cost).max(Duration::from_millis(50))
                                });
                                self.retry_or(attempt, SyncError::Throttled(what.into()), wait)?
                            }
                            Some((false, message)) => {
                                return Err(SyncError::Api(format!("{what}: {message}")));
                            }
                        }
                    }
                }
            };
            self.sleep(retry_wait).await;
        }
    }

    /// The wait before the next attempt, or the error when attempts are used up.
    fn retry_or(
        &self,
        attempt: u32,
        error: SyncError,
        wait: Duration,
    ) -> Result<Duration, SyncError> {
        if attempt >= self.max_attempts {
            return Err(error.after_attempts(attempt));
        }
        tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "shopify call failed, retrying");
        Ok(wait.min(MAX_WAIT))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        (self.base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1))).min(MAX_WAIT)
    }

    fn note_cost(&mut self, key: &str, value: &Value) {
        let cost = &value["extensions"]["cost"];
        if let Some(requested) = cost["requestedQueryCost"].as_f64() {
            self.costs.insert(key.to_string(), requested);
        }
        let t = &cost["throttleStatus"];
        if let (Some(available), Some(maximum), Some(restore_rate)) = (
            t["currentlyAvailable"].as_f64(),
            t["maximumAvailable"].as_f64(),
            t["restoreRate"].as_f64(),
        ) {
            self.bucket = Some(Bucket {
                available,
                maximum,
                restore_rate,
                at: Instant::now(),
            });
        }
    }
}

/// `Some((throttled, message))` when the response carries top-level errors.
fn graphql_errors(value: &Value) -> Option<(bool, String)> {
    let errors = value.get("errors")?;
    let list = errors
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![errors.clone()]);
    if list.is_empty() {
        return None;
    }
    let throttled = list
        .iter()
        .any(|e| e["extensions"]["code"].as_str() == Some("THROTTLED"));
    let message = list
        .iter()
        .map(|e| {
            e["message"]
                .as_str()
                .map_or_else(|| e.to_string(), str::to_string)
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some((throttled, message))
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let text = resp.headers().get("retry-after")?.to_str().ok()?;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// reqwest's errors name the URL; a bulk download URL is signed (its query string is a
/// credential), so errors say what failed without it.
pub fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_decode() {
        "could not decode the answer"
    } else if e.is_body() {
        "the answer's body broke off"
    } else {
        "request failed"
    };
    match e.status() {
        Some(s) => format!("{kind} ({s})"),
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refills_at_the_restore_rate() {
        let b = Bucket {
            available: 100.0,
            maximum: 2000.0,
            restore_rate: 100.0,
            at: Instant::now(),
        };
        let wait = b.wait_for(352.0).as_secs_f64();
        assert!((2.4..=2.53).contains(&wait), "{wait}");
        assert_eq!(b.wait_for(50.0), Duration::ZERO);
        assert!(
            b.wait_for(1e9).as_secs_f64() <= 19.0 + 0.01,
            "capped at the bucket size"
        );
    }

    #[test]
    fn throttled_errors_are_told_from_others() {
        let v = json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]});
        assert_eq!(graphql_errors(&v), Some((true, "Throttled".into())));
        let v = json!({"errors": [{"message": "Field 'x' doesn't exist"}]});
        assert_eq!(graphql_errors(&v).map(|e| e.0), Some(false));
        assert_eq!(graphql_errors(&json!({"data": {}})), None);
    }
}
