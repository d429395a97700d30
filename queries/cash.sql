-- name: cash
-- label.fr: Trésorerie
-- label.en: Cash
-- synonyms: trésorerie, tresorerie, cash, solde, solde bancaire, position de trésorerie, cash position, bank balance, balance
-- description.fr: Solde de trésorerie au dernier relevé au plus tard à la fin de la période, tous comptes confondus.
-- description.en: Cash balance at the latest statement no later than the period's end, all accounts together.
-- unit: money
-- value: sum
-- empty: missing
-- chart: none
SELECT cb.balance_cents AS num
FROM cash_balances cb
WHERE cb.date = (
    SELECT MAX(x.date) FROM cash_balances x
    WHERE x.account = cb.account AND x.date <= :to
)
