// "All my sources": one row per location with its headline figures and the
// health of its last sync, sortable by any column.

import { escapeHTML, formatMoney, formatNumber, relativeTime } from './widgets.js';

/// A sync older than this reads as stale.
const STALE_SECONDS = 24 * 3600;
/// Health, worst first: the default sort puts what needs attention on top.
const HEALTH_ORDER = ['failing', 'stale', 'never', 'syncing', 'ok'];

const COLUMNS = [
  { key: 'name', label: 'Location', value: (r) => r.name.toLocaleLowerCase() },
  { key: 'contacts', label: 'Contacts', numeric: true, value: (r) => r.contacts },
  { key: 'pipeline', label: 'Open pipeline', numeric: true, value: (r) => r.pipeline },
  { key: 'revenue', label: 'Won revenue', numeric: true, value: (r) => r.revenue },
  { key: 'rating', label: 'Rating', numeric: true, value: (r) => r.rating ?? -1 },
  { key: 'lastSync', label: 'Last sync', value: (r) => r.lastSync ?? '' },
  { key: 'health', label: 'Health', value: (r) => HEALTH_ORDER.indexOf(r.health) },
];

/// The health of one source from the latest job of each of its entities.
export function sourceHealth(jobs) {
  if (jobs.length === 0) return { health: 'never', detail: 'no sync has run' };
  const failed = jobs.find((j) => j.status === 'failed');
  if (failed) return { health: 'failing', detail: `${failed.entity}: ${failed.error ?? 'failed'}` };
  if (jobs.some((j) => j.status === 'running')) return { health: 'syncing', detail: 'a sync is running' };
  const stalest = Math.max(...jobs.map((j) => (j.staleness_seconds == null ? Infinity : Number(j.staleness_seconds))));
  if (stalest > STALE_SECONDS) return { health: 'stale', detail: 'last success over a day ago' };
  return { health: 'ok', detail: 'every entity synced' };
}

export class SourcesTable {
  #element;
  #onOpen;
  #rows = [];
  #drawn = '';
  #sort = { key: 'health', ascending: true };

  /// `onOpen(sourceId)` runs when a location's name is clicked.
  constructor(element, onOpen) {
    this.#element = element;
    this.#onOpen = onOpen;
    element.addEventListener('click', (event) => {
      const header = event.target.closest('button[data-sort]');
      if (header) {
        const key = header.dataset.sort;
        this.#sort = { key, ascending: this.#sort.key === key ? !this.#sort.ascending : !COLUMNS.find((c) => c.key === key).numeric };
        this.#render();
        return;
      }
      const open = event.target.closest('button[data-source]');
      if (open) this.#onOpen(open.dataset.source);
    });
  }

  /// Redraws from the rows of `v_ghl_dashboard_summary` and `v_ghl_sync_status`.
  update(summaryRows, syncRows) {
    const jobsBySource = new Map();
    for (const job of syncRows) {
      if (!jobsBySource.has(job.source_id)) jobsBySource.set(job.source_id, []);
      jobsBySource.get(job.source_id).push(job);
    }
    this.#rows = summaryRows.map((s) => ({
      id: s.source_id,
      name: s.source_name ?? s.source_id,
      currency: s.currency,
      contacts: Number(s.contacts_count) || 0,
      pipeline: Number(s.open_pipeline_value) || 0,
      revenue: Number(s.won_revenue) || 0,
      rating: s.average_rating == null ? null : Number(s.average_rating),
      reviews: Number(s.reviews_count) || 0,
      lastSync: s.last_sync_at,
      ...sourceHealth(jobsBySource.get(s.source_id) ?? []),
    }));
    // Refetches after change bursts often bring the same figures: keep the DOM (and focus) as it is then.
    const drawn = JSON.stringify(this.#rows);
    if (drawn === this.#drawn) return;
    this.#drawn = drawn;
    this.#render();
  }

  #render() {
    const column = COLUMNS.find((c) => c.key === this.#sort.key);
    const direction = this.#sort.ascending ? 1 : -1;
    const rows = [...this.#rows].sort((a, b) => {
      const x = column.value(a), y = column.value(b);
      return (x < y ? -direction : x > y ? direction : a.name.localeCompare(b.name));
    });
    const head = COLUMNS.map((c) => {
      const sorted = c.key === this.#sort.key ? (this.#sort.ascending ? 'ascending' : 'descending') : 'none';
      return `<th aria-sort="${sorted}" class="${c.numeric ? 'num' : ''}"><button type="button" class="sort" data-sort="${c.key}">${c.label}</button></th>`;
    }).join('');
    const body = rows.length === 0
      ? `<tr><td colspan="${COLUMNS.length}" class="empty">No sources.</td></tr>`
      : rows.map((r) => `<tr data-source-row="${escapeHTML(r.id)}">
          <td><button type="button" class="link" data-source="${escapeHTML(r.id)}">${escapeHTML(r.name)}</button></td>
          <td class="num" data-col="contacts">${formatNumber(r.contacts)}</td>
          <td class="num" data-col="pipeline">${formatMoney(r.pipeline, r.currency)}</td>
          <td class="num" data-col="revenue">${formatMoney(r.revenue, r.currency)}</td>
          <td class="num" data-col="rating">${r.rating == null ? '–' : `${r.rating.toFixed(2)} ★ <span class="muted small">(${formatNumber(r.reviews)})</span>`}</td>
          <td class="nowrap" data-col="lastSync" title="${escapeHTML(r.lastSync ?? '')}">${relativeTime(r.lastSync)}</td>
          <td data-col="health"><span class="pill health-${r.health}" title="${escapeHTML(r.detail)}">${r.health}</span></td>
        </tr>`).join('');
    this.#element.innerHTML = `<table class="sources-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }
}
