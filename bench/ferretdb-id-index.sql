-- FerretDB 1.24 on PostgreSQL filters `_id` (and every other field) with jsonb containment,
-- `_jsonb->'_id' @> value`, which the btree index it creates on `_jsonb->'_id'` cannot serve:
-- every lookup or update by `_id` reads the whole table (FerretDB issues 4209 and 4646). This
-- event trigger gives each table FerretDB creates a GIN index (`jsonb_path_ops`) on `_jsonb->'_id'`, which the
-- containment operator can use (without a pending list, which lookups would scan). Applied by `bench/ferretdb-postgresql.sh start` when
-- BENCH_PG_ID_INDEX=gin; a server-side setting, the same for the platform and the limit.
CREATE OR REPLACE FUNCTION ferretdb_id_gin() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT object_identity FROM pg_event_trigger_ddl_commands()
        WHERE command_tag = 'CREATE TABLE' AND object_type = 'table'
          AND object_identity NOT LIKE '%._ferretdb_%'
    LOOP
        EXECUTE format('CREATE INDEX ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
            created.object_identity, '_id');
    END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS ferretdb_id_gin;
CREATE EVENT TRIGGER ferretdb_id_gin ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
    EXECUTE FUNCTION ferretdb_id_gin();
