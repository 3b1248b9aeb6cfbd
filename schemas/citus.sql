-- citus.sql: the schema distributed on a Citus cluster (SPEC 17).
-- `bin/loader init-db` applies it after the migrations when the database
-- has the citus extension (a Citus coordinator), on every run: each step
-- is skipped when it is done, so an existing single-server database that
-- gets the extension later is distributed by the next init-db, and a
-- migration that adds a table to a distributed schema is followed by its
-- distribution. On a plain server it never runs.
--
--  - reference tables (a copy on every node): creditors, batches (both
--    small, read by every node's joins), and payout_files (one row per
--    period and currency, no creditor);
--  - distributed by batch_id, colocated: rejects, bank_records, suspense
--    (they belong to a batch, not always to a creditor);
--  - distributed by creditor_id, colocated with cases: every other table
--    that has a creditor_id column (cases, transactions, case_events,
--    statements, statement_lines, settlement_runs, payout_transfers, and
--    any later one), so that one creditor's data lives on one node;
--  - schema_migrations stays a table of the coordinator.
--
-- Citus refuses a primary or unique key without the distribution column,
-- so those keys get it in front, before the table is distributed. What
-- a key of the single server said that the new one no longer checks is
-- guaranteed elsewhere:
--  - cases.case_id, transactions.tx_id and case_events.event_seq (and
--    bank_records.id, suspense.id) come from one sequence each, drawn on
--    the coordinator;
--  - bank_records (account, bank_reference): the bank loader judges the
--    records of an account under that account's advisory lock
--    (loader/classify_bank.c), so a record already there is skipped;
--  - payout_transfers (msgid, line_no): written by the payout run under
--    the period's advisory lock, each file's lines numbered once.
-- The immutability triggers run on the shards: init-db sets
-- citus.enable_unsafe_triggers for its session (they only refuse an
-- UPDATE or DELETE of the row they fire on and touch no other table).

DO $$
DECLARE
    -- table, the key it has on one server, the key it gets here
    keys CONSTANT text[][] := ARRAY[
        ['cases', 'cases_pkey', 'PRIMARY KEY (creditor_id, case_id)'],
        ['transactions', 'transactions_pkey', 'PRIMARY KEY (creditor_id, tx_id)'],
        ['case_events', 'case_events_pkey', 'PRIMARY KEY (creditor_id, event_seq)'],
        ['payout_transfers', 'payout_transfers_msgid_line_no_key', 'UNIQUE (creditor_id, msgid, line_no)'],
        ['bank_records', 'bank_records_pkey', 'PRIMARY KEY (batch_id, id)'],
        ['bank_records', 'bank_records_account_bank_reference_key', 'UNIQUE (batch_id, account, bank_reference)'],
        ['suspense', 'suspense_pkey', 'PRIMARY KEY (batch_id, id)'],
        ['suspense', 'suspense_bank_record_id_key', 'UNIQUE (batch_id, bank_record_id)']];
    reference CONSTANT text[] := ARRAY['creditors', 'batches', 'payout_files'];
    by_batch CONSTANT text[] := ARRAY['rejects', 'bank_records', 'suspense'];
    t text;
    i int;
    r regclass;
    f record;
    tables text[];
    fkeys text[] := '{}';
BEGIN
    FOR i IN 1 .. array_length(keys, 1) LOOP
        -- a primary key keeps its name: done when it has the new columns
        IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = keys[i][2]
                    AND conrelid = keys[i][1]::regclass AND pg_get_constraintdef(oid) <> keys[i][3]) THEN
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', keys[i][1], keys[i][2]);
            EXECUTE format('ALTER TABLE %I ADD %s', keys[i][1], keys[i][3]);
        END IF;
    END LOOP;

    -- Creditor tables, by name (Citus may make a table again under a new
    -- oid when it moves it). The foreign keys between them
    -- (payout_transfers and statement_documents to statements) are taken
    -- off first, before creditors becomes a reference table and Citus
    -- carries the tables that refer to it along, and put back at the end,
    -- where they are checked again: Citus refuses one between a local and
    -- a distributed table.
    SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname <> 'cases', c.relname), '{}') INTO tables
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                    AND a.attname = 'creditor_id' AND NOT a.attisdropped)
       AND c.relname <> ALL (reference || by_batch)
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid AND p.partmethod = 'h');
    FOR f IN SELECT conrelid::regclass AS tab, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
              WHERE contype = 'f' AND (conrelid::regclass::text = ANY (tables) OR confrelid::regclass::text = ANY (tables))
                AND confrelid::regclass::text <> ALL (reference) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', f.tab, f.conname);
        fkeys := fkeys || format('ALTER TABLE %s ADD CONSTRAINT %I %s', f.tab, f.conname, f.def);
    END LOOP;

    FOREACH t IN ARRAY reference LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass
                        AND repmodel = 't') THEN
            PERFORM create_reference_table(t);
        END IF;
    END LOOP;
    FOREACH t IN ARRAY by_batch LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass
                        AND partmethod = 'h') THEN
            PERFORM create_distributed_table(t, 'batch_id',
                colocate_with => CASE WHEN t = by_batch[1] THEN 'default' ELSE by_batch[1] END);
        END IF;
    END LOOP;
    -- cases first, the others colocated with it
    FOREACH t IN ARRAY tables LOOP
        PERFORM create_distributed_table(t, 'creditor_id',
            colocate_with => CASE WHEN t = 'cases' THEN 'default' ELSE 'cases' END);
    END LOOP;
    FOREACH t IN ARRAY fkeys LOOP
        EXECUTE t;
    END LOOP;
    -- the rows of a database distributed after it was loaded on one
    -- server are in the shards now; the coordinator's own copy goes
    FOR r IN SELECT logicalrelid FROM pg_dist_partition ORDER BY 1 LOOP
        IF pg_relation_size(r) > 0 THEN
            PERFORM truncate_local_data_after_distributing_table(r);
        END IF;
    END LOOP;
    -- a table with a creditor_id left on the coordinator would be read
    -- there alone: an error of the schema, never a choice
    SELECT string_agg(c.relname, ', ') INTO t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                    AND a.attname = 'creditor_id' AND NOT a.attisdropped)
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid
                        AND (p.partmethod = 'h' OR p.repmodel = 't'));
    IF t IS NOT NULL THEN
        RAISE EXCEPTION 'table % has a creditor_id but is neither distributed nor a reference table', t;
    END IF;
END
$$;
