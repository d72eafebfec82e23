/// `pg_v2_broadcast_changes`, frozen: the seed's `rt_broadcast_ghl_changes()`
/// trigger on every `ghl_*` table. On Supabase (`realtime.broadcast_changes`
/// exists) it hands each change to Supabase Realtime; elsewhere it appends the
/// change to `ghlsync_changes` under its topic's next seq and notifies
/// `ghlsync_changes` once per transaction, for `PostgresChangeFeed` to read.
enum PostgresSchemaV2Broadcast {
    static let statements: [String] = [
        // Each topic's last seq. Taking the next one locks the topic's row until
        // commit, so a topic's seqs follow commit order and have no gaps.
        """
        CREATE TABLE ghlsync_change_topics (
            source_id TEXT PRIMARY KEY,
            last_seq BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE ghlsync_changes (
            source_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            table_name TEXT NOT NULL,
            operation TEXT NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
            old JSONB,
            new JSONB,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (source_id, seq)
        )
        """,
        "CREATE INDEX idx_ghlsync_changes_created ON ghlsync_changes (created_at)",
        // No grant and no policy: users never read the log, the server does.
        "ALTER TABLE ghlsync_change_topics ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE ghlsync_changes ENABLE ROW LEVEL SECURITY",
        // TG_ARGV[0] names the row's source column (`id` on ghl_sources).
        """
        CREATE FUNCTION rt_broadcast_ghl_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            v_old JSONB := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
            v_new JSONB := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
            v_source_id TEXT := COALESCE(v_new, v_old) ->> TG_ARGV[0];
            v_topic TEXT := 'ghl:' || v_source_id;
            v_seq BIGINT;
        BEGIN
            IF to_regprocedure('realtime.broadcast_changes(text,text,text,text,text,record,record,text)') IS NOT NULL THEN
                PERFORM realtime.broadcast_changes(v_topic, TG_OP, TG_OP, TG_TABLE_NAME, TG_TABLE_SCHEMA, NEW, OLD, 'ROW');
                RETURN NULL;
            END IF;
            INSERT INTO ghlsync_change_topics AS t (source_id, last_seq) VALUES (v_source_id, 1)
                ON CONFLICT (source_id) DO UPDATE SET last_seq = t.last_seq + 1
                RETURNING last_seq INTO v_seq;
            INSERT INTO ghlsync_changes (source_id, seq, table_name, operation, old, new)
                VALUES (v_source_id, v_seq, TG_TABLE_NAME, TG_OP, v_old, v_new);
            -- One notice per transaction: the flag is local to it.
            IF current_setting('ghlsync.changes_notified', true) IS DISTINCT FROM 'on' THEN
                PERFORM pg_notify('ghlsync_changes', '');
                PERFORM set_config('ghlsync.changes_notified', 'on', true);
            END IF;
            RETURN NULL;
        END
        $$
        """,
    ] + [
        ("ghl_sources", "id"), ("ghl_contacts", "source_id"), ("ghl_opportunities", "source_id"),
        ("ghl_pipelines", "source_id"), ("ghl_orders", "source_id"), ("ghl_payments", "source_id"),
        ("ghl_reviews", "source_id"), ("ghl_sync_jobs", "source_id"),
    ].map { table, sourceColumn in
        """
        CREATE TRIGGER rt_broadcast_ghl_changes AFTER INSERT OR UPDATE OR DELETE ON \(table)
            FOR EACH ROW EXECUTE FUNCTION rt_broadcast_ghl_changes('\(sourceColumn)')
        """
    }
}
