-- 0005_settlement_v2: the settlement of SPEC version 2 (9, 9.1, 9.2, 9.3, 10).
-- Applied once by `bin/loader init-db` (schema_migrations); every step is
-- also safe to run again by hand.
--
-- settlement_runs: which (period, creditor) each `bin/settlement run`
-- covered. A run covers every creditor, or the one --creditor names, and
-- writes one row per creditor, whether it issued a statement or not. A
-- period is closed for a creditor once a run covered it or a later period:
-- a run of it or of an earlier period issues nothing new for that creditor,
-- and a transaction booked in it but loaded later goes into the next period
-- run for that creditor.
CREATE SEQUENCE IF NOT EXISTS settlement_run_seq;

CREATE TABLE IF NOT EXISTS settlement_runs (
    run_id        bigint NOT NULL,          -- settlement_run_seq; 0: covered before this table existed
    creditor_id   text NOT NULL,
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    as_of         date NOT NULL,            -- business date of the run
    ran_at        timestamptz NOT NULL DEFAULT now(),
    statements    integer NOT NULL CHECK (statements >= 0),   -- statements it issued for the creditor
    transactions  bigint NOT NULL CHECK (transactions >= 0),  -- transactions it settled for the creditor
    PRIMARY KEY (creditor_id, period, run_id)
);

CREATE OR REPLACE FUNCTION settlement_run_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'period % of creditor % is closed and cannot change', OLD.period, OLD.creditor_id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

DROP TRIGGER IF EXISTS settlement_runs_immutable ON settlement_runs;
CREATE TRIGGER settlement_runs_immutable BEFORE UPDATE OR DELETE ON settlement_runs
    FOR EACH ROW EXECUTE FUNCTION settlement_run_immutable();

-- Statements issued before this migration closed their period.
INSERT INTO settlement_runs (run_id, creditor_id, period, as_of, ran_at, statements, transactions)
SELECT 0, s.creditor_id, s.period, min(s.issued), min(s.issued_at), count(*), sum(s.lines)
  FROM statements s
 WHERE NOT EXISTS (SELECT 1 FROM settlement_runs r
                    WHERE r.creditor_id = s.creditor_id AND r.period = s.period)
 GROUP BY s.creditor_id, s.period;

-- statements.reopened_cases (SPEC 9.2 v2): paid cases that a reversal
-- settled in the statement opened again. The portfolio reconciles from one
-- statement to the next in its currency:
--   open_cases = previous open_cases + registered_cases - withdrawn_cases
--                - paid_cases + reopened_cases
ALTER TABLE statements ADD COLUMN IF NOT EXISTS reopened_cases bigint NOT NULL DEFAULT 0;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_portfolio_check;
ALTER TABLE statements ADD CONSTRAINT statements_portfolio_check
    CHECK (registered_cases >= 0 AND registered_principal >= 0 AND open_cases >= 0
           AND open_principal >= 0 AND withdrawn_cases >= 0 AND paid_cases >= 0
           AND reopened_cases >= 0);

-- cases.booked_status: the status the settled bookings gave the case, in
-- booking order (SPEC 9.1 v2). cases.status stays what the case list shows
-- (9.3): the loader marks a case withdrawn as soon as a withdrawal is
-- loaded; the settlement that books the withdrawal sets the status the
-- bookings give (closed, when the case was paid before the withdrawal's
-- booking date). cases.closed_date is the booked closing date once the
-- bookings closed the case, else the loaded withdrawal's booking date.
--
-- cases.registered_statement: the statement whose portfolio counted the
-- case as registered (registeredCases, SPEC 9.2 v2); NULL until one did.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'cases'::regclass
                   AND attname = 'booked_status' AND NOT attisdropped) THEN
        ALTER TABLE cases ADD COLUMN booked_status text NOT NULL DEFAULT 'open'
            CHECK (booked_status IN ('open', 'closed', 'withdrawn'));
        -- a case withdrawn by a withdrawal not yet settled is open as booked
        UPDATE cases c SET booked_status = c.status
         WHERE c.status = 'closed'
            OR (c.status = 'withdrawn' AND EXISTS (SELECT 1 FROM transactions w
                 WHERE w.case_id = c.case_id AND w.kind = 'withdrawal'
                   AND w.statement_number IS NOT NULL));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'cases'::regclass
                   AND attname = 'registered_statement' AND NOT attisdropped) THEN
        ALTER TABLE cases ADD COLUMN registered_statement text;
        -- counted by the first statement of the creditor and currency that
        -- ended on or after the registration, or that settled a transaction
        -- of the case (statement numbers of one creditor and currency sort
        -- by period)
        UPDATE cases c SET registered_statement = least(
                (SELECT min(s.statement_number) FROM statements s
                  WHERE s.creditor_id = c.creditor_id AND s.currency = c.currency
                    AND s.period_end >= c.registered),
                (SELECT min(l.statement_number) FROM statement_lines l
                  WHERE l.case_id = c.case_id))
         WHERE EXISTS (SELECT 1 FROM statements s
                        WHERE s.creditor_id = c.creditor_id AND s.currency = c.currency);
    END IF;
END
$$;

-- least privilege (0003): the settlement records its runs, reporting reads them
GRANT SELECT, INSERT ON settlement_runs TO engine_settlement;
GRANT USAGE ON SEQUENCE settlement_run_seq TO engine_settlement;
GRANT SELECT ON settlement_runs TO engine_reporting;
