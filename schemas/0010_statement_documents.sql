-- 0010_statement_documents: what a statement's PDF (SPEC 15) shows beyond
-- the statement row and its lines, fixed when its PDF is first written
-- (by the run that issues it, or for a statement issued before this
-- migration by the first run that writes its files again): the agency's
-- name and address and the creditor's name and IBAN as configured and
-- stored then, the account the creditor is asked to pay a negative net
-- payout to (the agency's account of the statement's currency; NULL when
-- the net payout is not negative, or for a currency without a QR-bill
-- whose account is not configured), and the statement's numeric id, from
-- which the QR-bill's reference is made (SPEC 12, 15). The PDF is made
-- from these rows alone, so a re-run writes a deleted or changed PDF
-- again byte for byte, whatever the configuration and the creditors table
-- say by then.
--
-- The numeric ids come from a sequence of their own that starts at
-- 1,000,000,000,001, far above any case_id, so that the reference a
-- creditor pays a statement with is never the reference of a case: a
-- bank file (SPEC 13) never books a creditor's payment onto a debtor's
-- case.
CREATE SEQUENCE IF NOT EXISTS statement_id_seq START WITH 1000000000001;

CREATE TABLE IF NOT EXISTS statement_documents (
    creditor_id       text NOT NULL,
    statement_number  text NOT NULL,
    statement_id      bigint NOT NULL DEFAULT nextval('statement_id_seq') CHECK (statement_id > 0),
    agency_name       text NOT NULL,             -- [agency] name
    agency_address    text NOT NULL,             -- [agency] address
    creditor_name     text NOT NULL,             -- creditors.name
    creditor_iban     text NOT NULL,             -- creditors.iban
    pay_account       text,                      -- [agency] account.<currency>, when the creditor owes
    made_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (creditor_id, statement_number),
    FOREIGN KEY (creditor_id, statement_number) REFERENCES statements
);

CREATE OR REPLACE FUNCTION statement_document_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the document of statement % is written and cannot change', OLD.statement_number
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

DROP TRIGGER IF EXISTS statement_documents_immutable ON statement_documents;
CREATE TRIGGER statement_documents_immutable BEFORE UPDATE OR DELETE ON statement_documents
    FOR EACH ROW EXECUTE FUNCTION statement_document_immutable();

-- least privilege (0003): the settlement writes them, reporting reads them
GRANT SELECT, INSERT ON statement_documents TO engine_settlement;
GRANT USAGE ON SEQUENCE statement_id_seq TO engine_settlement;
GRANT SELECT ON statement_documents TO engine_reporting;
