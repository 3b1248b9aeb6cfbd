-- 0002_settlement: statements and their lines (SPEC 9, 10).
-- Money columns are bigint minor units. Every table carries creditor_id
-- (the distribution key on Citus), and every key includes it.
--
-- A statement is immutable once issued: triggers refuse UPDATE and DELETE
-- of statements and statement_lines, and refuse changing a transaction's
-- statement_number once set. A transaction is settled at most once:
-- UNIQUE (creditor_id, tx_id) in statement_lines, behind bin/settlement's
-- advisory lock and its "statement_number IS NULL" guard.
--
-- Like cases and transactions (0001), statement_lines and the settled
-- transactions have no foreign keys: a foreign key is checked row by row by
-- a trigger, and a month of a large portfolio is a million lines (the four
-- checks took a fifth of the settlement of 1,000,000 transactions).
-- bin/settlement guarantees the references set-wise, in the transaction
-- that issues the statements: each line is built from the transaction and
-- case rows it read, one statement row is inserted per statement (the
-- count checked), and the transactions marked settled are exactly the ones
-- read, in the same snapshot (the count checked against the lines). The
-- unique keys stay as the last line of defence.

CREATE TABLE IF NOT EXISTS statements (
    creditor_id          text NOT NULL REFERENCES creditors,
    statement_number     text NOT NULL,
    period               text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period_start         date NOT NULL,
    period_end           date NOT NULL,
    issued               date NOT NULL,            -- as-of date of the issuing run
    issued_at            timestamptz NOT NULL DEFAULT now(),
    -- the terms the statement was computed with
    commission_pct       numeric(5,2) NOT NULL,
    interest_to          text NOT NULL CHECK (interest_to IN ('creditor', 'agency')),
    interest_rate_pct    numeric(5,2) NOT NULL,
    interest_days_per_year integer NOT NULL CHECK (interest_days_per_year IN (360, 365)),
    vat_pct              numeric(5,2) NOT NULL,
    withdrawal_fee       bigint NOT NULL,
    -- portfolio (SPEC 9.2), as of the issue
    registered_cases     bigint NOT NULL,
    registered_principal bigint NOT NULL,
    open_cases           bigint NOT NULL,
    open_principal       bigint NOT NULL,
    withdrawn_cases      bigint NOT NULL,
    paid_cases           bigint NOT NULL,
    -- totals (SPEC 9.1)
    lines                bigint NOT NULL CHECK (lines > 0),
    payments             bigint NOT NULL,
    direct_payments      bigint NOT NULL,
    credit_notes         bigint NOT NULL,
    withdrawal_fees      bigint NOT NULL,
    creditor_share       bigint NOT NULL,
    commission           bigint NOT NULL,
    payout_effect        bigint NOT NULL,
    vat                  bigint NOT NULL,
    net_payout           bigint NOT NULL CHECK (net_payout = payout_effect - vat),
    PRIMARY KEY (creditor_id, statement_number),
    UNIQUE (creditor_id, period, currency),
    CHECK (statement_number = period || '-' || creditor_id || '-' || currency),
    CHECK (period_end >= period_start AND issued > period_end)
);

CREATE TABLE IF NOT EXISTS statement_lines (
    creditor_id          text NOT NULL,
    statement_number     text NOT NULL,
    line_no              integer NOT NULL CHECK (line_no > 0), -- order of the files
    tx_id                bigint NOT NULL,              -- transactions.tx_id
    case_id              bigint NOT NULL,              -- cases.case_id
    -- copied at issue so the statement never changes
    creditor_reference   text NOT NULL,
    debtor_name          text NOT NULL,
    transaction_id       text NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('payment', 'direct_payment', 'credit_note', 'withdrawal')),
    booking_date         date NOT NULL,
    amount               bigint NOT NULL CHECK (amount >= 0),
    to_fees              bigint NOT NULL CHECK (to_fees >= 0),
    to_interest          bigint NOT NULL CHECK (to_interest >= 0),
    to_principal         bigint NOT NULL CHECK (to_principal >= 0),
    overpaid             bigint NOT NULL CHECK (overpaid >= 0),
    creditor_share       bigint NOT NULL,
    commission           bigint NOT NULL,
    payout_effect        bigint NOT NULL,
    -- audit trail, not in the files
    interest_accrued     bigint NOT NULL,          -- before this transaction
    written_off          bigint NOT NULL,          -- withdrawal: balances written off
    withdrawal_fee       bigint NOT NULL,          -- withdrawal: fee charged
    principal_after      bigint NOT NULL,          -- case balances after this line
    fees_after           bigint NOT NULL,
    interest_after       bigint NOT NULL,
    -- (creditor_id, statement_number) is a statement of the statements table
    PRIMARY KEY (creditor_id, statement_number, line_no),
    UNIQUE (creditor_id, tx_id)
);
CREATE INDEX IF NOT EXISTS statement_lines_case ON statement_lines (case_id);

-- A settled transaction points at its statement (transactions.creditor_id,
-- transactions.statement_number; no foreign key, see above). There is no
-- index on it: settling writes that column on every transaction, and each
-- index is one more entry per transaction to write; statement_lines finds
-- the transactions of a statement (its primary key, then tx_id).

CREATE OR REPLACE FUNCTION statement_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'statement % is issued and cannot change', OLD.statement_number
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

DROP TRIGGER IF EXISTS statements_immutable ON statements;
CREATE TRIGGER statements_immutable BEFORE UPDATE OR DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION statement_immutable();
DROP TRIGGER IF EXISTS statement_lines_immutable ON statement_lines;
CREATE TRIGGER statement_lines_immutable BEFORE UPDATE OR DELETE ON statement_lines
    FOR EACH ROW EXECUTE FUNCTION statement_immutable();
DROP TRIGGER IF EXISTS transactions_settled_immutable ON transactions;
CREATE TRIGGER transactions_settled_immutable BEFORE UPDATE OR DELETE ON transactions
    FOR EACH ROW WHEN (OLD.statement_number IS NOT NULL)
    EXECUTE FUNCTION statement_immutable();
