//! The bulk operation's JSONL file, read as whole orders while it downloads.
//!
//! A bulk query's result flattens each nested connection: an order is one line, and each of
//! its line items a later line carrying `__parentId` (the order's id). The query asks Shopify
//! to group objects (`groupObjects: true`), so an order's children follow it before the next
//! order; a child of any other order means the file is not grouped and the backfill stops
//! with a clear error rather than writing orders without some of their lines.
//!
//! Three stages overlap: the download (async, chunks of bytes), the parsing (a blocking
//! thread: JSON into [`OrderIn`]s, batched) and the writer (the caller). Short channels
//! between them keep memory flat whatever the file's size.

// `bytes::Bytes`, as reqwest's `chunk()` returns it (axum re-exports the crate).
use axum::body::Bytes;
use tokio::sync::mpsc;

use super::order_map::{LineItem, OrderNode};
use crate::import::order::OrderIn;
use crate::sync::SyncError;

/// Orders per batch handed to the writer.
pub const BATCH: usize = 1024;

/// What the parser hands the writer.
pub enum Parsed {
    /// A batch of orders, and how many orders of the file have now been read in all.
    Batch {
        orders: Vec<OrderIn>,
        read: u64,
    },
    Failed(SyncError),
}

fn is_child(line: &[u8]) -> bool {
    const KEY: &[u8] = b"\"__parentId\"";
    line.windows(KEY.len()).any(|w| w == KEY)
}

struct Assembler {
    pending: Option<(OrderNode, Vec<LineItem>)>,
    batch: Vec<OrderIn>,
    /// Orders completed so far (including the skipped ones).
    read: u64,
    /// Orders already stored by an interrupted run: read, not handed on.
    skip: u64,
    line_no: u64,
}

impl Assembler {
    fn line(&mut self, line: &[u8]) -> Result<(), SyncError> {
        self.line_no += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let bad = |e: serde_json::Error, n: u64| {
            SyncError::Data(format!("shopify bulk file, line {n}: {e}"))
        };
        if is_child(line) {
            let child: LineItem = serde_json::from_slice(line).map_err(|e| bad(e, self.line_no))?;
            let parent = child.parent_id.as_deref().unwrap_or("");
            match &mut self.pending {
                Some((order, lines)) if order.id == parent => lines.push(child),
                _ => {
                    return Err(SyncError::Data(format!(
                        "shopify bulk file, line {}: a line item of {parent} does not follow its order (the file is not grouped by order)",
                        self.line_no
                    )))
                }
            }
            return Ok(());
        }
        let node: OrderNode = serde_json::from_slice(line).map_err(|e| bad(e, self.line_no))?;
        if let Some(done) = self.pending.replace((node, Vec::new())) {
            self.finish(done)?;
        }
        Ok(())
    }

    fn finish(&mut self, (order, lines): (OrderNode, Vec<LineItem>)) -> Result<(), SyncError> {
        self.read += 1;
        if self.read > self.skip {
            let order = order.into_order(lines).map_err(SyncError::Data)?;
            self.batch.push(order);
        }
        Ok(())
    }
}

/// Parses the chunks of the JSONL file into batches of orders, skipping the first `skip`
/// orders (stored by an interrupted run). Runs on a blocking thread.
pub fn parse(
    mut chunks: mpsc::Receiver<Result<Bytes, SyncError>>,
    batches: mpsc::Sender<Parsed>,
    skip: u64,
) {
    let mut a = Assembler {
        pending: None,
        batch: Vec::with_capacity(BATCH),
        read: 0,
        skip,
        line_no: 0,
    };
    let mut carry: Vec<u8> = Vec::new();
    let fail = |e: SyncError| {
        let _ = batches.blocking_send(Parsed::Failed(e));
    };
    while let Some(chunk) = chunks.blocking_recv() {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        let mut rest: &[u8] = &chunk;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            let outcome = if carry.is_empty() {
                a.line(&rest[..at])
            } else {
                carry.extend_from_slice(&rest[..at]);
                let line = std::mem::take(&mut carry);
                a.line(&line)
            };
            if let Err(e) = outcome {
                return fail(e);
            }
            rest = &rest[at + 1..];
            if a.batch.len() >= BATCH {
                let orders = std::mem::replace(&mut a.batch, Vec::with_capacity(BATCH));
                // Read counts orders completed; the pending one is not in the batch yet.
                if batches
                    .blocking_send(Parsed::Batch {
                        orders,
                        read: a.read,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
        carry.extend_from_slice(rest);
    }
    if !carry.is_empty() {
        let line = std::mem::take(&mut carry);
        if let Err(e) = a.line(&line) {
            return fail(e);
        }
    }
    if let Some(done) = a.pending.take() {
        if let Err(e) = a.finish(done) {
            return fail(e);
        }
    }
    let _ = batches.blocking_send(Parsed::Batch {
        orders: std::mem::take(&mut a.batch),
        read: a.read,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, chunk: usize, skip: u64) -> Result<Vec<OrderIn>, String> {
        let (ctx, crx) = mpsc::channel(1024);
        let (btx, mut brx) = mpsc::channel(1024);
        for piece in text.as_bytes().chunks(chunk) {
            ctx.try_send(Ok(Bytes::copy_from_slice(piece))).unwrap();
        }
        drop(ctx);
        parse(crx, btx, skip);
        let mut out = Vec::new();
        while let Ok(p) = brx.try_recv() {
            match p {
                Parsed::Batch { orders, .. } => out.extend(orders),
                Parsed::Failed(e) => return Err(e.to_string()),
            }
        }
        Ok(out)
    }

    const ORDER: &str = r#""createdAt":"2026-01-02T10:00:00Z","currencyCode":"EUR","subtotalPriceSet":{"shopMoney":{"amount":"30.00"}},"totalPriceSet":{"shopMoney":{"amount":"30.00"}}"#;

    #[test]
    fn children_join_their_order_across_chunk_boundaries() {
        let text = format!(
            "{{\"id\":\"gid://shopify/Order/1\",\"name\":\"#1\",{ORDER}}}\n\
             {{\"sku\":\"A\",\"name\":\"Mug\",\"quantity\":1,\"originalUnitPriceSet\":{{\"shopMoney\":{{\"amount\":\"10.00\"}}}},\"__parentId\":\"gid://shopify/Order/1\"}}\n\
             {{\"sku\":\"B\",\"name\":\"Tee\",\"quantity\":1,\"originalUnitPriceSet\":{{\"shopMoney\":{{\"amount\":\"20.00\"}}}},\"__parentId\":\"gid://shopify/Order/1\"}}\n\
             {{\"id\":\"gid://shopify/Order/2\",\"name\":\"#2\",{ORDER}}}\n"
        );
        for chunk in [1, 7, 64, 10_000] {
            let orders = run(&text, chunk, 0).unwrap();
            assert_eq!(orders.len(), 2, "chunk {chunk}");
            assert_eq!(orders[0].lines.len(), 2);
            assert_eq!(orders[0].lines[1].net_cents, 2000);
            assert_eq!(orders[1].lines.len(), 0);
        }
        let resumed = run(&text, 5, 1).unwrap();
        assert_eq!(resumed.len(), 1);
        assert_eq!(resumed[0].external_id, "#2");
    }

    #[test]
    fn an_ungrouped_file_is_refused() {
        let text = format!(
            "{{\"id\":\"gid://shopify/Order/1\",\"name\":\"#1\",{ORDER}}}\n\
             {{\"id\":\"gid://shopify/Order/2\",\"name\":\"#2\",{ORDER}}}\n\
             {{\"name\":\"Mug\",\"quantity\":1,\"__parentId\":\"gid://shopify/Order/1\"}}\n"
        );
        let err = run(&text, 100, 0).unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("not grouped"),
            "{err}"
        );
    }
}
