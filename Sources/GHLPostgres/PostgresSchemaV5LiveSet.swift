/// `pg_v5_live_set`, frozen: `rt_broadcast_ghl_changes()` reports an UPDATE
/// as what it does to the live set (`deleted_at IS NULL`, what the views
/// show), as the file's change log does: a row leaving it (GHL deleted it, a
/// filter excludes it) is a DELETE with the row before, a row coming back an
/// INSERT with the row after, a change to a row outside it nothing. INSERTs
/// and DELETEs stay as they are (the file logs them all). A record's UPDATE
/// that brings no newer GHL version and changes nothing but `raw` (the sync
/// storing the full copy of what a webhook already applied) is nothing either,
/// by the file's predicate (see `Schema.createChangeLog`): one change in GHL
/// is one event on both engines. Each change now carries its own operation,
/// on the Supabase path too.
enum PostgresSchemaV5LiveSet {
    static let statements: [String] = [
        """
        CREATE OR REPLACE FUNCTION rt_broadcast_ghl_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            v_changes JSONB[];   -- [old, new, operation] per change, JSON null for no row
        BEGIN
            IF TG_OP = 'INSERT' THEN
                SELECT array_agg(jsonb_build_array(NULL, to_jsonb(n), 'INSERT'::text)) INTO v_changes FROM new_rows n;
            ELSIF TG_OP = 'DELETE' THEN
                SELECT array_agg(jsonb_build_array(to_jsonb(o), NULL, 'DELETE'::text)) INTO v_changes FROM old_rows o;
            ELSE
                SELECT array_agg(CASE
                        WHEN o.row ->> 'deleted_at' IS NULL AND n.row ->> 'deleted_at' IS NULL THEN jsonb_build_array(o.row, n.row, 'UPDATE'::text)
                        WHEN o.row ->> 'deleted_at' IS NULL THEN jsonb_build_array(o.row, NULL, 'DELETE'::text)
                        ELSE jsonb_build_array(NULL, n.row, 'INSERT'::text) END) INTO v_changes
                FROM (SELECT to_jsonb(x) AS row FROM old_rows x) o
                JOIN (SELECT to_jsonb(y) AS row FROM new_rows y) n ON n.row -> 'id' = o.row -> 'id'
                WHERE (o.row ->> 'deleted_at' IS NULL OR n.row ->> 'deleted_at' IS NULL)
                  -- The file's predicate (`v6_changelog_log`): a record's UPDATE that brings no newer GHL
                  -- version (its times at most 5 s ahead) and changes no column but raw is no change.
                  AND NOT (o.row ? 'raw'
                      AND o.row - ARRAY['raw', 'updated_at', 'synced_at', 'ghl_updated_at', 'last_status_change_at', 'last_stage_change_at']
                          = n.row - ARRAY['raw', 'updated_at', 'synced_at', 'ghl_updated_at', 'last_status_change_at', 'last_stage_change_at']
                      AND coalesce((n.row ->> 'ghl_updated_at')::timestamptz <= (o.row ->> 'ghl_updated_at')::timestamptz + interval '5 seconds', false)
                      AND (o.row -> 'last_status_change_at' IS NOT DISTINCT FROM n.row -> 'last_status_change_at'
                          OR (n.row ->> 'last_status_change_at')::timestamptz <= (o.row ->> 'last_status_change_at')::timestamptz + interval '5 seconds')
                      AND (o.row -> 'last_stage_change_at' IS NOT DISTINCT FROM n.row -> 'last_stage_change_at'
                          OR (n.row ->> 'last_stage_change_at')::timestamptz <= (o.row ->> 'last_stage_change_at')::timestamptz + interval '5 seconds'));
            END IF;
            IF v_changes IS NULL THEN
                RETURN NULL;
            END IF;
            IF to_regprocedure('realtime.broadcast_changes(text,text,text,text,text,record,record,text)') IS NOT NULL THEN
                EXECUTE format(
                    'SELECT realtime.broadcast_changes(''ghl:'' || (coalesce(nullif(c -> 1, ''null''), c -> 0) ->> %L), c ->> 2, c ->> 2, $1, $2, '
                    || 'jsonb_populate_record(NULL::%I.%I, nullif(c -> 1, ''null'')), '
                    || 'jsonb_populate_record(NULL::%I.%I, nullif(c -> 0, ''null'')), ''ROW'') FROM unnest($3) AS c',
                    TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME)
                USING TG_TABLE_NAME, TG_TABLE_SCHEMA, v_changes;
                RETURN NULL;
            END IF;
            WITH c AS (
                SELECT nullif(p -> 0, 'null') AS old_row, nullif(p -> 1, 'null') AS new_row, p ->> 2 AS operation, ord
                FROM unnest(v_changes) WITH ORDINALITY AS u (p, ord)
            ), k AS (
                SELECT coalesce(new_row, old_row) ->> TG_ARGV[0] AS source_id, old_row, new_row, operation,
                       row_number() OVER (PARTITION BY coalesce(new_row, old_row) ->> TG_ARGV[0] ORDER BY ord) AS k,
                       count(*) OVER (PARTITION BY coalesce(new_row, old_row) ->> TG_ARGV[0]) AS n
                FROM c
            ), topics AS (
                -- Sorted, so that two statements lock the topics they share in one order.
                INSERT INTO ghlsync_change_topics AS t (source_id, last_seq)
                SELECT source_id, count(*) FROM k GROUP BY source_id ORDER BY source_id
                ON CONFLICT (source_id) DO UPDATE SET last_seq = t.last_seq + excluded.last_seq
                RETURNING t.source_id, t.last_seq
            )
            INSERT INTO ghlsync_changes (source_id, seq, table_name, operation, old, new)
            SELECT k.source_id, topics.last_seq - k.n + k.k, TG_TABLE_NAME, k.operation, k.old_row, k.new_row
            FROM k JOIN topics USING (source_id);
            -- One notice per transaction: the flag is local to it.
            IF current_setting('ghlsync.changes_notified', true) IS DISTINCT FROM 'on' THEN
                PERFORM pg_notify('ghlsync_changes', '');
                PERFORM set_config('ghlsync.changes_notified', 'on', true);
            END IF;
            RETURN NULL;
        END
        $$
        """,
    ]
}
