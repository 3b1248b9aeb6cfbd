-- 0001_core: creditors, batches, cases, transactions, rejects.
-- Money columns are bigint minor units. Every table that belongs to a
-- creditor carries creditor_id (distribution key on Citus).
--
-- The bulk tables (cases, transactions) have no foreign keys: a foreign
-- key is checked row by row by a trigger, which made a bulk insert four
-- times slower. The loader guarantees the references set-wise (creditors
-- known and active, cases joined by key, batch ids from this table);
-- uniqueness and CHECK constraints stay as the last line of defence.

CREATE TABLE creditors (
    creditor_id     text PRIMARY KEY CHECK (creditor_id ~ '^[A-Z0-9]{1,16}$'),
    name            text NOT NULL,
    country         text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    commission_pct  numeric(5,2) NOT NULL CHECK (commission_pct BETWEEN 0 AND 100),
    interest_to     text NOT NULL CHECK (interest_to IN ('creditor', 'agency')),
    iban            text NOT NULL,
    active          boolean NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batches (
    batch_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text CHECK (kind IN ('cases', 'transactions')),
    file_name       text NOT NULL,
    file_path       text NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    as_of           date NOT NULL,
    creditor_filter text,
    kind_override   text CHECK (kind_override IN ('cases', 'transactions')),
    dry_run         boolean NOT NULL DEFAULT false,
    started         timestamptz NOT NULL DEFAULT now(),
    finished        timestamptz,
    status          text NOT NULL CHECK (status IN ('loading', 'loaded', 'refused', 'failed', 'dry_run')),
    records         bigint NOT NULL DEFAULT 0,
    accepted        bigint NOT NULL DEFAULT 0,
    skipped         bigint NOT NULL DEFAULT 0,
    rejected        bigint NOT NULL DEFAULT 0,
    message         text
);
-- A file is loaded at most once: the last line of defence behind the
-- loader's advisory lock.
CREATE UNIQUE INDEX batches_loaded_sha256 ON batches (sha256) WHERE status = 'loaded';
CREATE INDEX batches_sha256 ON batches (sha256);

CREATE TABLE cases (
    case_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    creditor_id         text NOT NULL,
    creditor_reference  text NOT NULL,
    debtor_type         text NOT NULL CHECK (debtor_type IN ('person', 'company')),
    debtor_name         text NOT NULL,
    debtor_national_id  text,
    debtor_birth_date   date,
    debtor_street       text NOT NULL,
    debtor_postal_code  text NOT NULL,
    debtor_city         text NOT NULL,
    debtor_country      text NOT NULL,
    debtor_email        text,
    debtor_phone        text,
    invoice_number      text NOT NULL,
    invoice_date        date NOT NULL,
    due_date            date NOT NULL,
    original_amount     bigint NOT NULL CHECK (original_amount > 0),
    currency            text NOT NULL,
    paid_amount         bigint NOT NULL DEFAULT 0 CHECK (paid_amount >= 0 AND paid_amount < original_amount),
    claim_type          text NOT NULL,
    disputed            boolean NOT NULL DEFAULT false CHECK (NOT disputed),
    reminder_date       date,
    batch_id            bigint NOT NULL,
    record              bigint NOT NULL,
    registered          date NOT NULL,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'withdrawn')),
    closed_date         date,
    -- balances as of the last settlement (settlement keeps them)
    principal           bigint NOT NULL,
    fees                bigint NOT NULL,
    interest            bigint NOT NULL DEFAULT 0,
    accrued_to          date NOT NULL,
    last_transaction_date date,
    UNIQUE (creditor_id, creditor_reference)
);
CREATE INDEX cases_batch ON cases (batch_id);

CREATE TABLE transactions (
    tx_id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- load order
    creditor_id         text NOT NULL,
    creditor_reference  text NOT NULL,
    case_id             bigint NOT NULL,
    transaction_id      text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('payment', 'direct_payment', 'credit_note', 'withdrawal')),
    booking_date        date NOT NULL,
    amount              bigint NOT NULL CHECK (amount >= 0),
    currency            text NOT NULL,
    reason              text,
    batch_id            bigint NOT NULL,
    record              bigint NOT NULL,
    statement_number    text,              -- set when settled
    UNIQUE (creditor_id, transaction_id)
);
CREATE INDEX transactions_case ON transactions (case_id);
CREATE INDEX transactions_unsettled ON transactions (creditor_id, booking_date) WHERE statement_number IS NULL;

CREATE TABLE rejects (
    batch_id            bigint NOT NULL REFERENCES batches ON DELETE CASCADE,
    record              bigint,
    line                bigint,
    creditor_id         text,
    creditor_reference  text,
    field               text,
    code                text NOT NULL,
    message             text NOT NULL,
    seq                 integer NOT NULL DEFAULT 0   -- order of the errors within a record
);
CREATE INDEX rejects_batch ON rejects (batch_id, record);
