-- 0013_registered_batches: which statement counted the cases of a batch
-- as registered (registeredCases and registeredPrincipal, SPEC 9.2 v2).
--
-- A batch is atomic (SPEC 6) and gives each of its cases the same
-- registration date, its as-of date; a case's creditor and currency never
-- change. So the cases of one creditor and currency that a batch loaded
-- are counted together, by the first statement of that creditor and
-- currency that a run issues after the batch was loaded and that ends on
-- or after that date (a case with a transaction settled in a statement was
-- registered on or before the transaction's booking date, so that
-- statement, or an earlier one, counts it too). One row per creditor,
-- currency and batch records it, with the count and the principal at
-- registration it added. Until this migration the settlement wrote
-- cases.registered_statement on every case it counted: a million case
-- rows rewritten, with their indexes, to count a million new cases (issue
-- 17). That column keeps what earlier runs wrote and is no longer
-- written; a case counted by one of them is not counted again.
--
-- The statement that counted a case: coalesce(c.registered_statement,
-- (SELECT b.statement_number FROM registered_batches b WHERE b.creditor_id
-- = c.creditor_id AND b.currency = c.currency AND b.batch_id =
-- c.batch_id)). On Citus (SPEC 17) the table is distributed by
-- creditor_id beside cases (schemas/citus.sql).
CREATE TABLE IF NOT EXISTS registered_batches (
    creditor_id       text NOT NULL,
    currency          text NOT NULL,
    batch_id          bigint NOT NULL,
    statement_number  text NOT NULL,  -- the statement that counted them
    cases             bigint NOT NULL CHECK (cases > 0),
    principal         bigint NOT NULL,            -- their principal at registration
    PRIMARY KEY (creditor_id, currency, batch_id)
);

-- creditor_id compares as cases.creditor_id does: Citus colocates a table
-- only with one whose distribution column has the same collation
DO $$
DECLARE
    coll text;
BEGIN
    SELECT format('%I.%I', n.nspname, c.collname) INTO coll
      FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
      JOIN pg_namespace n ON n.oid = c.collnamespace
     WHERE a.attrelid = 'cases'::regclass AND a.attname = 'creditor_id';
    EXECUTE format('ALTER TABLE registered_batches ALTER COLUMN creditor_id TYPE text COLLATE %s', coll);
END
$$;

-- least privilege (0003): the settlement writes them, reporting reads them
GRANT SELECT, INSERT ON registered_batches TO engine_settlement;
GRANT SELECT ON registered_batches TO engine_reporting;
