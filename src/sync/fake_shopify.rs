//! A fake Shopify Admin GraphQL API on 127.0.0.1, for the sync stories and `bench-sync`.
//!
//! It answers the calls the connector makes with JSON shaped like Shopify's documented
//! examples: `orders(first, after, query: "updated_at:>='…'", sortKey: UPDATED_AT)` with
//! `pageInfo`, `productVariants(first, after)` (each variant with its `product` and its
//! `inventoryItem`'s `unitCost` and `inventoryLevels`, from products given as the `products`
//! query shows them), `bulkOperationRunQuery` then `node(id:)` polls (`RUNNING` a few times, then
//! `COMPLETED` with a `url`), and the JSONL file at that URL (an order per line, its line
//! items on the following lines with `__parentId`). Every response carries
//! `extensions.cost.throttleStatus` from a simulated leaky bucket, which answers `THROTTLED`
//! when a query does not fit. Tests can make it answer 429 or 500, break the JSONL download
//! after some orders, or refuse the token, or hold a call (a page, a chunk of the download:
//! `hold`) until told; every call is recorded as it arrives (before any hold), with its time.
//! It lives in the library because the benchmark drives the real binary against it; nothing
//! in `sync` uses it.
//!
//! The orders are either a list of order nodes (tests) or generated on the fly from their
//! index (the benchmark's million orders, never held in memory).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use serde_json::{json, Value};

use super::fake_hold::Hold;

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `orders`, `variants`, `bulk_run`, `bulk_poll`, `download`.
    pub kind: String,
    pub variables: Value,
    /// The HTTP status answered (200 also for THROTTLED, as Shopify does); 0 while the call
    /// is held, and for good when its client went away before it was answered.
    pub status: u16,
    pub throttled: bool,
    /// When the call arrived.
    pub at: Instant,
}

/// A leaky bucket of query points, as Shopify's cost-based limit.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    pub maximum: f64,
    pub restore_rate: f64,
    pub available: f64,
    /// What each orders or variants page costs.
    pub query_cost: f64,
}

enum Orders {
    List(Vec<Value>),
    Generated {
        count: u64,
        changed: BTreeMap<u64, Value>,
    },
}

struct Inner {
    token: String,
    orders: Orders,
    /// Product nodes with nested `variants.nodes`.
    products: Vec<Value>,
    hold: Hold,
    calls: Vec<Call>,
    bucket: Option<(Bucket, Instant)>,
    /// Polls answered RUNNING before COMPLETED.
    running_polls: u32,
    bulk: Vec<(String, u32)>,
    /// Orders pages served; pages from this index on answer 500.
    orders_served: usize,
    fail_orders_from: Option<usize>,
    /// The next N GraphQL calls answer 429.
    too_many: u32,
    /// The JSONL download breaks off after this many orders.
    break_download_after: Option<u64>,
}

#[derive(Clone)]
pub struct FakeShopify {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    /// Holds GraphQL calls by kind (`orders`, `variants`, …) or the download's 64 KiB chunks
    /// (`download-chunk`) until released.
    pub hold: Hold,
}

impl FakeShopify {
    /// Starts a fake shop holding `orders` (order nodes with nested `lineItems.nodes`),
    /// accepting `token`.
    pub async fn start(token: &str, orders: Vec<Value>) -> anyhow::Result<FakeShopify> {
        Self::start_with(token, Orders::List(orders)).await
    }

    /// Starts a fake shop of `count` generated orders (see [`generated_order_lines`]).
    pub async fn start_generated(token: &str, count: u64) -> anyhow::Result<FakeShopify> {
        Self::start_with(
            token,
            Orders::Generated {
                count,
                changed: BTreeMap::new(),
            },
        )
        .await
    }

    async fn start_with(token: &str, orders: Orders) -> anyhow::Result<FakeShopify> {
        let hold = Hold::default();
        let inner = Arc::new(Mutex::new(Inner {
            token: token.to_string(),
            orders,
            products: Vec::new(),
            hold: hold.clone(),
            calls: Vec::new(),
            bucket: None,
            running_polls: 1,
            bulk: Vec::new(),
            orders_served: 0,
            fail_orders_from: None,
            too_many: 0,
            break_download_after: None,
        }));
        let app = Router::new()
            .route("/admin/api/{version}/graphql.json", post(graphql))
            .route("/bulk/{file}", get(download))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeShopify { addr, inner, hold })
    }

    /// `http://127.0.0.1:port`, for `sync.shopify.base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Simulates Shopify's cost-based limit from now on.
    pub fn set_bucket(&self, bucket: Bucket) {
        self.lock().bucket = Some((bucket, Instant::now()));
    }

    pub fn set_running_polls(&self, n: u32) {
        self.lock().running_polls = n;
    }

    /// Orders pages from the `n`-th (0-based, counted over the fake's life) answer 500.
    pub fn fail_orders_pages_from(&self, n: Option<usize>) {
        self.lock().fail_orders_from = n;
    }

    /// The shop's catalogue: product nodes as the `products` query answers them (`handle`,
    /// `title`, `vendor`, `productType`, `category`, `variants.nodes` with `sku`, `price` and
    /// `inventoryItem`).
    pub fn set_products(&self, products: Vec<Value>) {
        self.lock().products = products;
    }

    pub fn answer_too_many_requests(&self, times: u32) {
        self.lock().too_many = times;
    }

    pub fn break_download_after(&self, orders: Option<u64>) {
        self.lock().break_download_after = orders;
    }

    /// Replaces (or adds) an order of the list by its `id`.
    pub fn upsert_order(&self, order: Value) {
        let mut inner = self.lock();
        match &mut inner.orders {
            Orders::List(list) => match list.iter_mut().find(|o| o["id"] == order["id"]) {
                Some(slot) => *slot = order,
                None => list.push(order),
            },
            Orders::Generated { changed, .. } => {
                let i = order["id"]
                    .as_str()
                    .and_then(|s| s.rsplit('/').next()?.parse::<u64>().ok())
                    .unwrap_or(0);
                changed.insert(i, order);
            }
        }
    }
}

type Shared = Arc<Mutex<Inner>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

fn throttle_status(b: &Bucket) -> Value {
    json!({
        "maximumAvailable": b.maximum,
        "currentlyAvailable": b.available.floor(),
        "restoreRate": b.restore_rate,
    })
}

async fn graphql(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let query = body["query"].as_str().unwrap_or("").to_string();
    let variables = body["variables"].clone();
    let kind = if query.contains("bulkOperationRunQuery") {
        "bulk_run"
    } else if query.contains("node(id") {
        "bulk_poll"
    } else if query.contains("orders(") {
        "orders"
    } else if query.contains("productVariants(") {
        "variants"
    } else {
        "unknown"
    };
    // The call is recorded as it arrives, before it may wait on the hold: a test that kills a
    // sync while its call is held finds that call recorded, never recorded later (when released).
    let (hold, slot) = {
        let mut inner = lock(&s);
        inner.calls.push(Call {
            kind: kind.to_string(),
            variables: variables.clone(),
            status: 0,
            throttled: false,
            at: Instant::now(),
        });
        (inner.hold.clone(), inner.calls.len() - 1)
    };
    hold.pass(kind).await;
    let mut inner = lock(&s);
    let record = |inner: &mut Inner, status: u16, throttled: bool| {
        let call = &mut inner.calls[slot];
        call.status = status;
        call.throttled = throttled;
    };
    let token = headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if token != inner.token {
        record(&mut inner, 401, false);
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})),
        )
            .into_response();
    }
    if inner.too_many > 0 {
        inner.too_many -= 1;
        record(&mut inner, 429, true);
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "").into_response();
    }
    let cost = inner.bucket.map_or(10.0, |(b, _)| {
        if kind == "orders" || kind == "variants" {
            b.query_cost
        } else {
            10.0
        }
    });
    // The bucket: refill since the last call, then charge or refuse.
    let mut cost_ext = Value::Null;
    if let Some((mut b, at)) = inner.bucket {
        b.available = (b.available + at.elapsed().as_secs_f64() * b.restore_rate).min(b.maximum);
        if b.available < cost {
            inner.bucket = Some((b, Instant::now()));
            record(&mut inner, 200, true);
            return Json(json!({
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {"requestedQueryCost": cost, "actualQueryCost": null, "throttleStatus": throttle_status(&b)}}
            }))
            .into_response();
        }
        b.available -= cost;
        inner.bucket = Some((b, Instant::now()));
        cost_ext = json!({"requestedQueryCost": cost, "actualQueryCost": cost, "throttleStatus": throttle_status(&b)});
    }
    if kind == "orders" {
        if inner
            .fail_orders_from
            .is_some_and(|n| inner.orders_served >= n)
        {
            record(&mut inner, 500, false);
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        inner.orders_served += 1;
    }
    let data = match kind {
        "orders" => orders_page(&inner, &variables),
        "variants" => variants_page(&inner, &variables),
        "bulk_run" => {
            let id = format!("gid://shopify/BulkOperation/{}", inner.bulk.len() + 1);
            let polls = inner.running_polls;
            inner.bulk.push((id.clone(), polls));
            json!({"bulkOperationRunQuery": {"bulkOperation": {"id": id, "status": "CREATED"}, "userErrors": []}})
        }
        "bulk_poll" => {
            let id = variables["id"].as_str().unwrap_or("").to_string();
            let count = match &inner.orders {
                Orders::List(l) => l.len() as u64,
                Orders::Generated { count, .. } => *count,
            };
            let addr_file = id.rsplit('/').next().unwrap_or("0").to_string();
            match inner.bulk.iter_mut().find(|(b, _)| *b == id) {
                None => json!({"node": null}),
                Some((_, left)) if *left > 0 => {
                    *left -= 1;
                    json!({"node": {"id": id, "status": "RUNNING", "errorCode": null, "objectCount": "0", "url": null}})
                }
                Some(_) => json!({"node": {"id": id, "status": "COMPLETED", "errorCode": null,
                    "objectCount": count.to_string(), "url": format!("/bulk/{addr_file}.jsonl")}}),
            }
        }
        _ => {
            record(&mut inner, 200, false);
            return Json(json!({"errors": [{"message": "the fake does not know this query"}]}))
                .into_response();
        }
    };
    record(&mut inner, 200, false);
    let mut data = data;
    // The file's URL is absolute on Shopify's side.
    if let Some(url) = data["node"]["url"].as_str().map(str::to_string) {
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        data["node"]["url"] = json!(format!(
            "http://{host}{url}?signature=fake-secret-signature"
        ));
    }
    Json(json!({"data": data, "extensions": {"cost": cost_ext}})).into_response()
}

fn updated_at(order: &Value) -> DateTime<Utc> {
    order["updatedAt"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

/// `updated_at:>='2026-01-02T03:04:05Z'` → that instant.
fn since_of(filter: &str) -> DateTime<Utc> {
    filter
        .split('\'')
        .nth(1)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

fn orders_page(inner: &Inner, variables: &Value) -> Value {
    let since = since_of(variables["query"].as_str().unwrap_or(""));
    let first = variables["first"].as_u64().unwrap_or(50).clamp(1, 250) as usize;
    let offset: usize = variables["after"]
        .as_str()
        .and_then(|c| c.strip_prefix("cursor:")?.parse().ok())
        .unwrap_or(0);
    let mut matching: Vec<Value> = match &inner.orders {
        Orders::List(list) => list
            .iter()
            .filter(|o| updated_at(o) >= since)
            .cloned()
            .collect(),
        // Generated orders are all older than any cursor a sync stores: only changed ones.
        Orders::Generated { changed, .. } => changed
            .values()
            .filter(|o| updated_at(o) >= since)
            .cloned()
            .collect(),
    };
    matching.sort_by(|a, b| {
        updated_at(a)
            .cmp(&updated_at(b))
            .then_with(|| a["id"].as_str().cmp(&b["id"].as_str()))
    });
    let page: Vec<Value> = matching.iter().skip(offset).take(first).cloned().collect();
    let end = offset + page.len();
    json!({"orders": {
        "pageInfo": {"hasNextPage": end < matching.len(), "endCursor": if page.is_empty() { Value::Null } else { json!(format!("cursor:{end}")) }},
        "nodes": page,
    }})
}

/// A page of `productVariants`: every variant of every product, in order, each with its
/// product's fields (not its other variants); `after` is an offset as `cursor:N`.
fn variants_page(inner: &Inner, variables: &Value) -> Value {
    let first = variables["first"].as_u64().unwrap_or(50).clamp(1, 250) as usize;
    let offset: usize = variables["after"]
        .as_str()
        .and_then(|c| c.strip_prefix("cursor:")?.parse().ok())
        .unwrap_or(0);
    let all: Vec<Value> = inner
        .products
        .iter()
        .flat_map(|p| {
            let mut product = p.clone();
            let variants = product
                .as_object_mut()
                .and_then(|o| o.remove("variants"))
                .and_then(|v| v["nodes"].as_array().cloned())
                .unwrap_or_default();
            variants.into_iter().map(move |mut v| {
                v["product"] = product.clone();
                v
            })
        })
        .collect();
    let page: Vec<Value> = all.iter().skip(offset).take(first).cloned().collect();
    let end = offset + page.len();
    json!({"productVariants": {
        "pageInfo": {"hasNextPage": end < all.len(), "endCursor": if page.is_empty() { Value::Null } else { json!(format!("cursor:{end}")) }},
        "nodes": page,
    }})
}

/// The JSONL lines of one listed order: the order, then its line items with `__parentId`.
fn jsonl_of(order: &Value, out: &mut Vec<u8>) {
    let mut head = order.clone();
    let lines = head
        .as_object_mut()
        .and_then(|o| o.remove("lineItems"))
        .and_then(|l| l["nodes"].as_array().cloned())
        .unwrap_or_default();
    out.extend_from_slice(head.to_string().as_bytes());
    out.push(b'\n');
    for mut line in lines {
        line["__parentId"] = order["id"].clone();
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
}

/// The first generated order's creation time; order `i` is `i × 30 s` later.
pub fn generated_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

/// Generated order `i` as JSONL lines (an order and 1–3 line items), written straight into
/// `out`: the benchmark's shop, realistic in shape (customers who come back, discounts,
/// refunds, UTM sources), deterministic, and never held in memory whole.
pub fn generated_order_lines(i: u64, out: &mut Vec<u8>) {
    use std::io::Write;
    let at = generated_epoch() + ChronoDuration::seconds(i as i64 * 30);
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let n_lines = 1 + i % 3;
    let prices: Vec<u64> = (0..n_lines)
        .map(|k| 1000 + ((i * 7 + k * 13) % 50) * 100)
        .collect();
    let qty: Vec<u64> = (0..n_lines).map(|k| 1 + (i + k) % 2).collect();
    let gross: u64 = prices.iter().zip(&qty).map(|(p, q)| p * q).sum();
    let discount = if i % 5 == 0 { gross / 10 } else { 0 };
    let subtotal = gross - discount;
    let shipping = if subtotal >= 5000 { 0 } else { 490 };
    let tax = subtotal / 6;
    let total = subtotal + shipping;
    let refunded = if i % 20 == 0 { subtotal / 2 } else { 0 };
    let source = ["facebook", "google", "klaviyo", ""][(i % 4) as usize];
    let m = |c: u64| format!("{}.{:02}", c / 100, c % 100);
    let _ = write!(
        out,
        r##"{{"id":"gid://shopify/Order/{i}","name":"#{n}","createdAt":"{at}","updatedAt":"{at}","cancelledAt":null,"test":false,"tags":[],"email":"customer{c}@example.com","phone":null,"currencyCode":"EUR","taxesIncluded":true,"sourceName":"web","displayFinancialStatus":"PAID","discountCodes":[{code}],"customAttributes":[],"customerJourneySummary":{{"lastVisit":{{"landingPage":"/?utm_source={source}","referrerUrl":null,"utmParameters":null}},"firstVisit":null}},"customer":{{"email":"customer{c}@example.com","phone":null,"firstName":"Client","emailMarketingConsent":{{"marketingState":"SUBSCRIBED"}}}},"billingAddress":{{"firstName":"Client","countryCodeV2":"FR","phone":null}},"shippingAddress":{{"countryCodeV2":"FR","phone":null}},"subtotalPriceSet":{{"shopMoney":{{"amount":"{sub}","currencyCode":"EUR"}}}},"totalShippingPriceSet":{{"shopMoney":{{"amount":"{ship}"}}}},"totalTaxSet":{{"shopMoney":{{"amount":"{tax}"}}}},"totalPriceSet":{{"shopMoney":{{"amount":"{tot}"}}}},"totalDiscountsSet":{{"shopMoney":{{"amount":"{disc}"}}}},"totalRefundedSet":{{"shopMoney":{{"amount":"{refd}"}}}},"refunds":[{refunds}]}}"##,
        n = 1000 + i,
        c = (i * 7919) % (i / 3 + 1000),
        code = if discount > 0 { "\"WELCOME10\"" } else { "" },
        sub = m(subtotal),
        ship = m(shipping),
        tax = m(tax),
        tot = m(total),
        disc = m(discount),
        refd = m(refunded),
        refunds = if refunded > 0 {
            format!("{{\"createdAt\":\"{at}\"}}")
        } else {
            String::new()
        },
    );
    out.push(b'\n');
    for k in 0..n_lines as usize {
        let _ = write!(
            out,
            r#"{{"sku":"SKU-{sku}","name":"Produit {sku}","quantity":{q},"originalUnitPriceSet":{{"shopMoney":{{"amount":"{p}"}}}},"__parentId":"gid://shopify/Order/{i}"}}"#,
            sku = (i * 31 + k as u64 * 17) % 500,
            q = qty[k],
            p = m(prices[k]),
        );
        out.push(b'\n');
    }
}

/// Generated order `i` as an order node (nested line items), as the orders query answers.
pub fn generated_order_node(i: u64) -> Value {
    let mut buf = Vec::new();
    generated_order_lines(i, &mut buf);
    let mut lines = buf.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let mut order: Value =
        serde_json::from_slice(lines.next().unwrap_or(b"{}")).unwrap_or_default();
    let items: Vec<Value> = lines
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .map(|mut v| {
            v.as_object_mut().map(|o| o.remove("__parentId"));
            v
        })
        .collect();
    order["lineItems"] = json!({ "nodes": items });
    order
}

async fn download(State(s): State<Shared>, Path(_file): Path<String>) -> Response {
    let (snapshot, count, break_after, hold) = {
        let mut inner = lock(&s);
        let hold = inner.hold.clone();
        inner.calls.push(Call {
            kind: "download".into(),
            variables: Value::Null,
            status: 200,
            throttled: false,
            at: Instant::now(),
        });
        let break_after = inner.break_download_after;
        match &inner.orders {
            Orders::List(list) => (
                Some(Arc::new(list.clone())),
                list.len() as u64,
                break_after,
                hold,
            ),
            Orders::Generated { count, .. } => (None, *count, break_after, hold),
        }
    };
    // Chunks of ~64 KiB, generated as the client reads them.
    let stream = futures::stream::unfold(0u64, move |next| {
        let snapshot = snapshot.clone();
        let hold = hold.clone();
        async move {
            if next >= count {
                return None;
            }
            hold.pass("download-chunk").await;
            if break_after.is_some_and(|b| next >= b) {
                return Some((
                    Err(std::io::Error::other("the fake broke the download off")),
                    count,
                ));
            }
            let mut buf = Vec::with_capacity(70_000);
            let mut i = next;
            while i < count && buf.len() < 64 * 1024 && !break_after.is_some_and(|b| i >= b) {
                match &snapshot {
                    Some(list) => jsonl_of(&list[i as usize], &mut buf),
                    None => generated_order_lines(i, &mut buf),
                }
                i += 1;
            }
            Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), i))
        }
    });
    Response::builder()
        .header("content-type", "application/jsonl")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
