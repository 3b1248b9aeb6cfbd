-- 0011: identifiers compare byte by byte (COLLATE "C").
--
-- A creditor's id, a case's creditor_reference, a transaction's or an
-- event's id, a payment reference, a statement number, a bank record's
-- references: none is a word of a language. SPEC 4 compares them exactly
-- and the statements already order them bytewise; under the database's
-- locale each comparison in their unique indexes went through strcoll(),
-- about a fifth of the server's time when a case file is loaded (issue
-- 17: the backend's CPU for 1,000,000 cases fell from 8.8 s to 7.1 s).
-- Under a UTF-8 "C.UTF-8" locale the order is the same; under another
-- locale, orders that are not already COLLATE "C" become bytewise.
--
-- On a Citus coordinator whose tables are already distributed (a cluster
-- made before this migration) the distributed and reference tables keep
-- their collation: Citus does not change the type of a distribution
-- column, and the collation of the others alone gains nothing there. A
-- new cluster gets it, since init-db distributes after the migrations.
--
-- transactions.statement_number keeps the database's collation: the
-- trigger that keeps a settled transaction immutable names it (PostgreSQL
-- changes no column a trigger names), and it is in no index there.
DO $$
DECLARE
    idents CONSTANT text[] := ARRAY[
        'creditor_id', 'creditor_reference', 'transaction_id', 'event_id',
        'payment_reference', 'statement_number', 'msgid', 'account',
        'bank_reference', 'reference', 'end_to_end_id', 'uetr',
        'acct_svcr_ref', 'entry_acct_svcr_ref'];
    citus boolean := to_regclass('pg_dist_partition') IS NOT NULL;
    c record;
BEGIN
    FOR c IN
        SELECT a.attrelid::regclass AS tbl, a.attname AS col
          FROM pg_attribute a
          JOIN pg_class t ON t.oid = a.attrelid AND t.relkind = 'r'
          JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
         WHERE a.attname = ANY (idents) AND a.attnum > 0 AND NOT a.attisdropped
           AND a.atttypid = 'text'::regtype
           AND (a.attrelid, a.attname) <> ('transactions'::regclass, 'statement_number')
           AND a.attcollation <> (SELECT oid FROM pg_collation WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace)
         ORDER BY 1, 2
    LOOP
        IF citus THEN
            CONTINUE WHEN EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = c.tbl);
        END IF;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE text COLLATE "C"', c.tbl, c.col);
    END LOOP;
END
$$;
