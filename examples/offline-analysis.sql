-- Offline analysis of a synced ghlsync file, with the sqlite3 CLI:
--   sqlite3 -header -column agency.sqlite < examples/offline-analysis.sql

-- The dashboard cards, per location.
SELECT source_name, contacts_count, open_pipeline_value, won_revenue, average_rating, last_sync_at
FROM v_ghl_dashboard_summary ORDER BY source_name;

-- Won revenue and net payments by month, per currency.
SELECT month, currency, SUM(won_value) AS won, SUM(payments_total) AS net_payments
FROM v_ghl_revenue_summary GROUP BY month, currency ORDER BY month, currency;

-- Pipeline funnel: open value per stage, in stage order.
SELECT pipeline_name, stage_position, stage_name, open_count, open_value
FROM v_ghl_pipeline_stage_summary ORDER BY pipeline_name, stage_position;

-- Contacts tagged "customer" (tags are kept as a JSON array).
SELECT c.contact_name, c.email
FROM v_ghl_contacts_recent c, json_each(c.tags) t
WHERE t.value = 'customer' LIMIT 20;

-- Sync health: the latest job per entity and how stale each entity is.
SELECT entity, status, records_processed, duration_seconds, staleness_seconds, error
FROM v_ghl_sync_status ORDER BY source_id, entity;

-- The seed's monitoring query: average duration and failures by job type over 7 days.
SELECT job_type,
       ROUND(AVG((julianday(completed_at) - julianday(started_at)) * 86400.0), 3) AS avg_duration_seconds,
       COUNT(*) AS total_runs,
       SUM(status = 'failed') AS failure_count
FROM ghl_sync_jobs
WHERE created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
GROUP BY job_type;
