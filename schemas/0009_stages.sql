-- 0009_stages: case stages, collection notices and case events (SPEC 16,
-- the v2 fields of 5.1).
--
-- cases.notice_date: the date of the collection notice (inkassovarsel),
-- required where the country has notice_required = yes (NO_NOTICE).
-- cases.request_notice: the creditor asked the agency to send the reminder
-- and the collection notice itself; the case starts in stage `notice`
-- instead of `collection`. Neither is needed by the settlement except for
-- the stage.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS notice_date date;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS request_notice boolean NOT NULL DEFAULT false;

-- One row per stage change the agency's workflow reported in an event
-- file (SPEC 16). event_seq is the load order (a batch's records in file
-- order): of two events of a case on one date, the later loaded one
-- decides the stage. event_id is unique per creditor, as transaction_id
-- is; like transactions (0001) the table has no foreign keys: the loader
-- joins the case by its key set-wise.
CREATE TABLE IF NOT EXISTS case_events (
    event_seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- load order
    creditor_id         text NOT NULL,
    creditor_reference  text NOT NULL,
    case_id             bigint NOT NULL,
    event_id            text NOT NULL,
    stage               text NOT NULL CHECK (stage IN ('notice', 'collection', 'legal', 'surveillance')),
    event_date          date NOT NULL,
    batch_id            bigint NOT NULL,
    record              bigint NOT NULL,
    UNIQUE (creditor_id, event_id)
);
CREATE INDEX IF NOT EXISTS case_events_case ON case_events (case_id, event_date, event_seq);

-- The stage of a case on a date (SPEC 16): that of its latest event on or
-- before the date (ties: load order), else its registration stage. The
-- one definition the settlement (the withdrawal fee of 9.1), the case list
-- (9.3) and the case overview use.
CREATE OR REPLACE FUNCTION case_stage_on(p_case_id bigint, p_request_notice boolean, p_date date)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT e.stage FROM case_events e
          WHERE e.case_id = p_case_id AND e.event_date <= p_date
          ORDER BY e.event_date DESC, e.event_seq DESC LIMIT 1),
        CASE WHEN p_request_notice THEN 'notice' ELSE 'collection' END)
$$;

-- least privilege (0003): the loader stores events, the others read them
GRANT SELECT, INSERT ON case_events TO engine_loader;
GRANT SELECT ON case_events TO engine_settlement, engine_reporting;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO engine_loader;
GRANT EXECUTE ON FUNCTION case_stage_on(bigint, boolean, date)
    TO engine_loader, engine_settlement, engine_reporting;
