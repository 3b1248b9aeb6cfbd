-- 0006_operations: what operators need from batches and reports (SPEC 7 v2).
--
-- rerun_of: `loader rerun` of a loaded batch loads its file again as a new
-- batch; only the first load of a file counts for "already loaded".
-- creditor_ids: the creditors with a record in the batch (status --creditor).
-- file_path_raw: the path as given, byte for byte, for rerun; file_name and
-- file_path hold it escaped for display (control characters, invalid UTF-8).
-- loader_pid: the backend of the loader while the batch is loading, so that
-- a loader that waits for another one's lock can say which batch it waits for.
-- rejects.value: the rejected field's value as read (7.1 v2).
ALTER TABLE batches
    ADD COLUMN rerun_of bigint REFERENCES batches,
    ADD COLUMN creditor_ids text[] NOT NULL DEFAULT '{}',
    ADD COLUMN file_path_raw bytea,
    ADD COLUMN loader_pid integer;
DROP INDEX batches_loaded_sha256;
CREATE UNIQUE INDEX batches_loaded_sha256 ON batches (sha256) WHERE status = 'loaded' AND rerun_of IS NULL;
ALTER TABLE rejects ADD COLUMN value text;
-- rejects: no per-row foreign key check on a bulk table (as cases and
-- transactions, 0001): a file with 500,000 rejected records spent a second
-- in the trigger. The loader writes only its own batch's id.
ALTER TABLE rejects DROP CONSTRAINT IF EXISTS rejects_batch_id_fkey;
