-- What the local stack adds to the PostgreSQL database FerretDB 1.24 stores its collections in.
-- Applied (idempotently) before FerretDB starts; event triggers reach every table and index
-- FerretDB creates afterwards. FerretDB keeps one table per collection, one `_jsonb` column per
-- document, and a `_ferretdb_database_metadata` table per database, left alone here.
--
-- 1. A revision guard. FerretDB applies an update by reading the document, computing the new one
--    and writing it back by `_id` in a separate statement, so two concurrent updates of one
--    document could both succeed and one be lost. Every update the platform sends increments the
--    document's `_rev` (mentorship_runtime.mongo), so a write is current only when the new `_rev`
--    is the stored one plus one; any other write is refused with `write conflict: stale _rev`
--    (SQLSTATE 40001), which FerretDB returns as a command error and the platform retries.
--    PostgreSQL runs the trigger once it holds the row's lock, on the row's latest version.
--
-- 2. Indexes FerretDB's filter pushdown can use. FerretDB turns an equality on a top-level field
--    into `_jsonb -> 'field' @> value` (jsonb containment), which the btree indexes it creates
--    cannot serve (FerretDB issues 4209 and 4646). Each table gets a GIN index (`jsonb_path_ops`)
--    on `_id`, and each index a collection declares gets a GIN counterpart over the same top-level
--    fields, which serves that containment; `fastupdate = off`, so a lookup never reads a pending
--    list.

CREATE OR REPLACE FUNCTION mentorship_rev_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW._jsonb -> '_rev') IS NULL
       OR jsonb_typeof(NEW._jsonb -> '_rev') <> 'number'
       OR (NEW._jsonb ->> '_rev')::numeric
          IS DISTINCT FROM coalesce((OLD._jsonb ->> '_rev')::numeric, 0) + 1 THEN
        RAISE EXCEPTION 'write conflict: stale _rev' USING ERRCODE = '40001';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION mentorship_on_create_table() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT objid, object_identity FROM pg_event_trigger_ddl_commands()
        WHERE command_tag = 'CREATE TABLE' AND object_type = 'table'
    LOOP
        CONTINUE WHEN (SELECT relname FROM pg_class WHERE oid = created.objid) LIKE '\_ferretdb\_%';
        EXECUTE format(
            'CREATE TRIGGER mentorship_rev_guard BEFORE UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION mentorship_rev_guard()', created.object_identity);
        EXECUTE format(
            'CREATE INDEX ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
            created.object_identity, '_id');
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION mentorship_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    created record;
    table_name text;
    expressions text[];
    expression text;
    position int;
BEGIN
    FOR created IN
        SELECT c.objid FROM pg_event_trigger_ddl_commands() c
        WHERE c.command_tag = 'CREATE INDEX' AND c.object_type = 'index'
    LOOP
        -- only FerretDB's own (btree) indexes of collection tables; not the GIN ones made here
        CONTINUE WHEN (SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam
                       WHERE i.oid = created.objid) <> 'btree';
        SELECT x.indrelid::regclass::text INTO table_name FROM pg_index x
        WHERE x.indexrelid = created.objid;
        CONTINUE WHEN (SELECT relname FROM pg_class c JOIN pg_index x ON x.indrelid = c.oid
                       WHERE x.indexrelid = created.objid) LIKE '\_ferretdb\_%';
        expressions := ARRAY[]::text[];
        FOR position IN 1 .. (SELECT indnatts FROM pg_index WHERE indexrelid = created.objid) LOOP
            expression := pg_get_indexdef(created.objid, position, true);
            -- a top-level field, `_jsonb -> 'name'::text` (FerretDB pushes down no dotted path)
            CONTINUE WHEN expression !~ '^\(?_jsonb -> ''([^'']|'''')*''::text\)?$';
            CONTINUE WHEN expression ~ '^\(?_jsonb -> ''_id''::text\)?$';
            expressions := expressions || format('(%s) jsonb_path_ops', expression);
        END LOOP;
        CONTINUE WHEN cardinality(expressions) = 0;
        EXECUTE format('CREATE INDEX ON %s USING gin (%s) WITH (fastupdate = off)',
            table_name, array_to_string(expressions, ', '));
    END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS mentorship_on_create_table;
CREATE EVENT TRIGGER mentorship_on_create_table ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
    EXECUTE FUNCTION mentorship_on_create_table();

DROP EVENT TRIGGER IF EXISTS mentorship_on_create_index;
CREATE EVENT TRIGGER mentorship_on_create_index ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
    EXECUTE FUNCTION mentorship_on_create_index();
