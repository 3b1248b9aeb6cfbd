-- 0004_fast_case_load: the loader COPYs accepted cases straight into
-- `cases` (loader/case_copy.h). Every index on `cases` costs time on each
-- of millions of rows; `cases_batch` was never read (the loader finds a
-- batch's cases through their case numbers), so it goes.
DROP INDEX IF EXISTS cases_batch;
