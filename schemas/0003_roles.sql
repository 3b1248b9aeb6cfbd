-- 0003_roles: least privilege. Three group roles, none superuser, none
-- able to log in; grant them to login roles:
--   CREATE ROLE nightly LOGIN IN ROLE engine_loader;
--   CREATE ROLE monthly LOGIN IN ROLE engine_settlement;
--   CREATE ROLE analyst LOGIN IN ROLE engine_reporting;
-- Roles are cluster-wide: created once, granted per database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engine_loader') THEN
        CREATE ROLE engine_loader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engine_settlement') THEN
        CREATE ROLE engine_settlement NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engine_reporting') THEN
        CREATE ROLE engine_reporting NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO engine_loader, engine_settlement', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO engine_reporting', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO engine_loader, engine_settlement, engine_reporting;

-- the loader: creditor master data, batches, cases, transactions, rejects
GRANT SELECT, INSERT, UPDATE ON creditors TO engine_loader;
GRANT SELECT, INSERT, UPDATE ON batches TO engine_loader;
GRANT SELECT, INSERT ON cases TO engine_loader;
GRANT UPDATE (status, closed_date) ON cases TO engine_loader;
GRANT SELECT, INSERT ON transactions TO engine_loader;
GRANT SELECT, INSERT, DELETE ON rejects TO engine_loader;
GRANT SELECT ON schema_migrations TO engine_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO engine_loader;

-- the settlement: reads everything, keeps case balances, settles
-- transactions, issues statements (tables of 0002)
GRANT SELECT ON ALL TABLES IN SCHEMA public TO engine_settlement;
GRANT UPDATE ON cases TO engine_settlement;
GRANT UPDATE (statement_number) ON transactions TO engine_settlement;
GRANT INSERT ON statements, statement_lines TO engine_settlement;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO engine_settlement;

-- reporting: read only
GRANT SELECT ON ALL TABLES IN SCHEMA public TO engine_reporting;
