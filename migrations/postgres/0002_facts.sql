-- The facts every metric reads: one definition of "a counted order", "revenue" and
-- "margin" (docs/metrics.md), shared by the cockpit, `query` and `/insight`.
-- Identical text in migrations/sqlite/0002_facts.sql.

-- Orders that count: not cancelled, not test; with new/returning/guest.
CREATE VIEW counted_orders AS
SELECT o.id, o.customer_id, o.placed_at, o.local_date, o.day_no, o.channel, o.currency,
       o.gross_cents, o.discount_cents, o.net_cents, o.shipping_cents, o.tax_cents, o.total_cents,
       o.discount_code,
       CASE
           WHEN o.customer_id IS NULL THEN 'guest'
           WHEN c.first_order_id = o.id THEN 'new'
           ELSE 'returning'
       END AS customer_type
FROM orders o
LEFT JOIN customers c ON c.id = o.customer_id
WHERE o.cancelled_at IS NULL AND NOT o.is_test;

-- Net sales and gross margin, one row per sold line (on the order's day) and one per refund
-- (on the refund's day, negative). Revenue excludes taxes and shipping and is after
-- discounts. Margin = revenue − cost of the goods sold (line cost at sale, else the
-- variant's supplier cost, else 0); a restocked refund gives the goods' cost back.
CREATE VIEW sales_facts AS
SELECT o.local_date AS day, o.day_no AS order_day_no, o.channel, o.customer_type, o.customer_id,
       l.sku, COALESCE(p.category, 'uncategorised') AS category,
       l.quantity AS units,
       l.net_cents AS revenue_cents,
       l.net_cents - l.quantity * COALESCE(l.unit_cost_cents, v.supplier_cost_cents, 0) AS margin_cents,
       0 AS refunded_cents
FROM counted_orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN variants v ON v.sku = l.sku
LEFT JOIN products p ON p.id = v.product_id
UNION ALL
SELECT r.local_date AS day, o.day_no AS order_day_no, o.channel, o.customer_type, o.customer_id,
       r.sku, COALESCE(p.category, 'uncategorised') AS category,
       0 AS units,
       -r.amount_cents AS revenue_cents,
       -r.amount_cents
         + CASE WHEN r.restocked THEN COALESCE(r.quantity, 0) * COALESCE(v.supplier_cost_cents, 0) ELSE 0 END
         AS margin_cents,
       r.amount_cents AS refunded_cents
FROM refunds r
JOIN counted_orders o ON o.id = r.order_id
LEFT JOIN variants v ON v.sku = r.sku
LEFT JOIN products p ON p.id = v.product_id;
