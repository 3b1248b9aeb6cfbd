-- 0008_payouts: payout files (SPEC 14) and the paid date a bank debit
-- sets (13).
--
-- payout_files: one row per pain.001 document `bin/settlement payout`
-- wrote, MsgId <period>-<currency>-<n> (n counted per period and currency,
-- one more for each run that found new statements of that currency), with
-- the values its header was written with (the agency's name, account and
-- BIC as configured then, the as-of date of the run, NbOfTxs, CtrlSum).
-- payout_transfers: one row per transfer, i.e. per statement paid, in the
-- order of the file, with the creditor's name and IBAN as written. The
-- file's bytes are made from these rows alone, so a re-run writes a
-- deleted or changed file again byte for byte, whatever the configuration
-- and the creditors table say by then.
--
-- A statement is in at most one payout file: the primary key of
-- payout_transfers, behind the settlement's per-period advisory lock.
-- Both tables are immutable once written, except that a transfer's paid
-- date is set once: by the bank debit (camt.054/053) whose EndToEndId is
-- the statement number and whose amount is the transfer's (SPEC 13), on
-- that debit's booking date.
CREATE TABLE IF NOT EXISTS payout_files (
    msgid           text PRIMARY KEY CHECK (length(msgid) <= 35),
    period          text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    seq             integer NOT NULL CHECK (seq > 0),
    as_of           date NOT NULL,            -- CreDtTm (at 00:00:00) and ReqdExctnDt
    created_at      timestamptz NOT NULL DEFAULT now(),
    debtor_name     text NOT NULL,            -- [agency] name, as written (Dbtr/Nm, InitgPty/Nm)
    debtor_iban     text NOT NULL,            -- [agency] account.<currency>
    debtor_bic      text NOT NULL,            -- [agency] bic
    transfers       integer NOT NULL CHECK (transfers > 0),   -- NbOfTxs
    control_sum     bigint NOT NULL CHECK (control_sum > 0),  -- CtrlSum, minor units
    UNIQUE (period, currency, seq),
    CHECK (msgid = period || '-' || currency || '-' || seq)
);

CREATE TABLE IF NOT EXISTS payout_transfers (
    creditor_id       text NOT NULL,
    statement_number  text NOT NULL,          -- EndToEndId
    msgid             text NOT NULL REFERENCES payout_files,
    line_no           integer NOT NULL CHECK (line_no > 0),   -- order in the file
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount            bigint NOT NULL CHECK (amount > 0),     -- InstdAmt: the net payout
    creditor_name     text NOT NULL,          -- Cdtr/Nm, as written
    creditor_iban     text NOT NULL,          -- CdtrAcct/Id/IBAN
    paid_date         date,                   -- the booking date of the bank's debit
    paid_bank_record  bigint,                 -- bank_records.id of that debit
    PRIMARY KEY (creditor_id, statement_number),
    UNIQUE (msgid, line_no),
    FOREIGN KEY (creditor_id, statement_number) REFERENCES statements,
    CHECK ((paid_date IS NULL) = (paid_bank_record IS NULL))
);
-- the bank loader finds a debit's statement by its EndToEndId
CREATE INDEX IF NOT EXISTS payout_transfers_number ON payout_transfers (statement_number);

CREATE OR REPLACE FUNCTION payout_file_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payout file % is written and cannot change', OLD.msgid
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

-- the one change there is: a transfer's paid date, set once
CREATE OR REPLACE FUNCTION payout_transfer_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.paid_date IS NULL
       AND (NEW.creditor_id, NEW.statement_number, NEW.msgid, NEW.line_no, NEW.currency, NEW.amount,
            NEW.creditor_name, NEW.creditor_iban)
           IS NOT DISTINCT FROM
           (OLD.creditor_id, OLD.statement_number, OLD.msgid, OLD.line_no, OLD.currency, OLD.amount,
            OLD.creditor_name, OLD.creditor_iban) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the payout of statement % is written and cannot change', OLD.statement_number
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

DROP TRIGGER IF EXISTS payout_files_immutable ON payout_files;
CREATE TRIGGER payout_files_immutable BEFORE UPDATE OR DELETE ON payout_files
    FOR EACH ROW EXECUTE FUNCTION payout_file_immutable();
DROP TRIGGER IF EXISTS payout_transfers_immutable ON payout_transfers;
CREATE TRIGGER payout_transfers_immutable BEFORE UPDATE OR DELETE ON payout_transfers
    FOR EACH ROW EXECUTE FUNCTION payout_transfer_immutable();

-- least privilege (0003): the settlement writes payouts, the loader sets
-- the paid date from a bank file, reporting reads them
GRANT SELECT, INSERT ON payout_files, payout_transfers TO engine_settlement;
GRANT SELECT ON payout_transfers TO engine_loader;
GRANT UPDATE (paid_date, paid_bank_record) ON payout_transfers TO engine_loader;
GRANT SELECT ON payout_files, payout_transfers TO engine_reporting;
