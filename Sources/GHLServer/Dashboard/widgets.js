// Rendering of each dashboard widget from reporting-view rows. Every function
// takes the rows of one view (one source, or all of the user's sources) and
// redraws its part of the page; none of them fetches anything.

const $ = (selector) => document.querySelector(selector);

/// Sets `html` into `selector`, then sizes its bars from `data-width` through
/// the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
function setHTML(selector, html) {
  const element = $(selector);
  element.innerHTML = html;
  for (const bar of element.querySelectorAll('[data-width]')) bar.style.width = `${bar.dataset.width}%`;
}

export function escapeHTML(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const numberFormat = new Intl.NumberFormat(undefined);
export const formatNumber = (n) => numberFormat.format(Number(n) || 0);

/// Money in `currency`, or as a plain number when the rows mix currencies.
export function formatMoney(amount, currency, { compact = false } = {}) {
  const options = { maximumFractionDigits: compact ? 1 : 0, notation: compact ? 'compact' : 'standard' };
  if (currency) {
    try { return new Intl.NumberFormat(undefined, { ...options, style: 'currency', currency }).format(amount || 0); } catch { /* unknown code */ }
  }
  return new Intl.NumberFormat(undefined, options).format(amount || 0);
}

export function relativeTime(iso) {
  if (!iso) return 'never';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60]];
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' }).format(-Math.round(seconds / size), unit);
}

/// The one currency shared by `rows`, or null when they mix currencies.
function sharedCurrency(rows) {
  const currencies = new Set(rows.map((r) => r.currency).filter(Boolean));
  return currencies.size === 1 ? [...currencies][0] : null;
}

const sum = (rows, key) => rows.reduce((total, row) => total + (Number(row[key]) || 0), 0);

function setCard(id, value, sub) {
  $(`#${id} .value`).textContent = value;
  $(`#${id} .sub`).textContent = sub;
}

export function renderSummary(rows) {
  const currency = sharedCurrency(rows);
  const reviews = sum(rows, 'reviews_count');
  const rated = rows.reduce((t, r) => t + (Number(r.average_rating) || 0) * (Number(r.reviews_count) || 0), 0);
  const lastSync = rows.map((r) => r.last_sync_at).filter(Boolean).sort().pop();
  setCard('card-contacts', formatNumber(sum(rows, 'contacts_count')), `${formatNumber(sum(rows, 'opportunities_count'))} opportunities`);
  setCard('card-pipeline', formatMoney(sum(rows, 'open_pipeline_value'), currency), `${formatNumber(sum(rows, 'open_opportunities_count'))} open deals`);
  setCard('card-revenue', formatMoney(sum(rows, 'won_revenue'), currency), `${formatNumber(sum(rows, 'won_count'))} won · ${formatMoney(sum(rows, 'payments_total'), currency)} collected`);
  setCard('card-rating', reviews ? (rated / reviews).toFixed(2) + ' ★' : '–', `${formatNumber(reviews)} reviews`);
  setCard('card-sync', relativeTime(lastSync), lastSync ? new Date(lastSync).toLocaleString() : 'no completed sync yet');
  $('#card-sync .value').dataset.at = lastSync || '';
}

/// One block per pipeline (per source when several are shown), one bar per stage.
export function renderPipeline(rows, sourceNames, showSource, currency) {
  const pipelines = new Map();
  for (const row of rows) {
    const key = `${row.source_id}/${row.pipeline_id}`;
    if (!pipelines.has(key)) pipelines.set(key, { name: row.pipeline_name, source: sourceNames.get(row.source_id), stages: [] });
    pipelines.get(key).stages.push(row);
  }
  const max = Math.max(1, ...rows.map((r) => Number(r.opportunity_count) || 0));
  setHTML('#pipeline', pipelines.size === 0 ? '<p class="empty">No pipelines synced yet.</p>' : [...pipelines.values()].map((p) => `
    <div class="pipeline-block">
      <h4>${escapeHTML(p.name)}${showSource ? ` <span class="muted">· ${escapeHTML(p.source)}</span>` : ''}</h4>
      ${p.stages.sort((a, b) => a.stage_position - b.stage_position).map((s) => `
        <div class="stage" data-stage="${escapeHTML(s.stage_id)}">
          <span class="stage-name">${escapeHTML(s.stage_name)}</span>
          <span class="bar"><span data-width="${(100 * (Number(s.opportunity_count) || 0) / max).toFixed(1)}"></span></span>
          <span class="stage-count">${formatNumber(s.opportunity_count)}</span>
          <span class="stage-value">${formatMoney(s.total_value, currency, { compact: true })}</span>
        </div>`).join('')}
    </div>`).join(''));
}

/// Won deals and collected payments per month, the last 12 months with data, as an inline SVG.
let revenueRows = null;
// The chart is drawn at the panel's width, so its labels keep their size; redraw when that changes.
window.addEventListener('resize', () => {
  clearTimeout(renderRevenue.timer);
  renderRevenue.timer = setTimeout(() => { if (revenueRows) renderRevenue(revenueRows); }, 150);
});

export function renderRevenue(rows) {
  revenueRows = rows;
  const currency = sharedCurrency(rows);
  const months = new Map();
  for (const row of rows) {
    if (!row.month) continue;
    const m = months.get(row.month) ?? { won: 0, paid: 0 };
    m.won += Number(row.won_value) || 0;
    m.paid += Number(row.payments_total) || 0;
    months.set(row.month, m);
  }
  const data = [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(-12);
  $('#revenue-legend').innerHTML = '<i class="key won"></i>won <i class="key paid"></i>payments';
  if (data.length === 0) { $('#revenue-chart').innerHTML = '<p class="empty">No revenue yet.</p>'; return; }
  const width = Math.max(280, Math.round($('#revenue-chart').clientWidth) || 640), height = 220, left = 52, bottom = 24, top = 10;
  const max = Math.max(1, ...data.map(([, m]) => Math.max(m.won, m.paid)));
  const slot = (width - left) / data.length;
  const bar = Math.max(3, slot * 0.34);
  const y = (v) => top + (height - bottom - top) * (1 - v / max);
  const ticks = [0, 0.5, 1].map((f) => max * f);
  // On a narrow chart every other month is named, always the latest.
  const labelled = (i) => slot >= 30 || (data.length - 1 - i) % 2 === 0;
  const label = (month) => new Date(`${month}-01T00:00:00Z`).toLocaleString(undefined, { month: 'short', timeZone: 'UTC' });
  $('#revenue-chart').innerHTML = `
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Revenue by month">
      ${ticks.map((t) => `<line class="grid" x1="${left}" x2="${width}" y1="${y(t)}" y2="${y(t)}"/>
        <text class="axis" x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${formatMoney(t, currency, { compact: true })}</text>`).join('')}
      ${data.map(([month, m], i) => {
        const x = left + i * slot + slot / 2;
        return `<g><title>${month}: won ${formatMoney(m.won, currency)}, payments ${formatMoney(m.paid, currency)}</title>
          <rect class="won" x="${x - bar - 1}" y="${y(m.won)}" width="${bar}" height="${Math.max(0, height - bottom - y(m.won))}" rx="2"/>
          <rect class="paid" x="${x + 1}" y="${y(m.paid)}" width="${bar}" height="${Math.max(0, height - bottom - y(m.paid))}" rx="2"/>
          ${labelled(i) ? `<text class="axis" x="${x}" y="${height - 6}" text-anchor="middle">${label(month)}</text>` : ''}</g>`;
      }).join('')}
    </svg>`;
}

export function renderContacts(rows, total, offset, pageSize) {
  $('#contacts-table tbody').innerHTML = rows.length === 0
    ? '<tr><td colspan="5" class="empty">No contacts match.</td></tr>'
    : rows.map((c) => `<tr data-id="${escapeHTML(c.ghl_contact_id)}">
        <td>${escapeHTML(c.contact_name || '(no name)')}</td>
        <td class="ellipsis">${escapeHTML(c.email || '')}</td>
        <td class="hide-sm">${escapeHTML(c.phone || '')}</td>
        <td class="hide-sm ellipsis">${escapeHTML(c.company_name || '')}</td>
        <td class="muted nowrap">${relativeTime(c.date_updated || c.synced_at)}</td></tr>`).join('');
  $('#contacts-range').textContent = total === 0 ? '0 contacts' : `${formatNumber(offset + 1)}–${formatNumber(offset + rows.length)} of ${formatNumber(total)}`;
  $('#contacts-prev').disabled = offset === 0;
  $('#contacts-next').disabled = offset + pageSize >= total;
}

export function renderReviews(rows) {
  const count = sum(rows, 'review_count');
  const rated = rows.reduce((t, r) => t + (Number(r.average_rating) || 0) * (Number(r.review_count) || 0), 0);
  const stars = [5, 4, 3, 2, 1].map((n) => ({ n, count: sum(rows, `rating_${n}`) }));
  const max = Math.max(1, ...stars.map((s) => s.count));
  setHTML('#reviews', `
    <div class="rating-head"><span class="big" id="reviews-average">${count ? (rated / count).toFixed(2) : '–'}</span>
      <span class="stars">${'★'.repeat(Math.round(count ? rated / count : 0)).padEnd(5, '☆')}</span>
      <span class="muted">${formatNumber(count)} reviews</span></div>
    ${stars.map((s) => `<div class="rating-row"><span>${s.n} ★</span>
      <span class="bar"><span data-width="${(100 * s.count / max).toFixed(1)}"></span></span>
      <span class="muted">${formatNumber(s.count)}</span></div>`).join('')}`);
}

/// The latest job per entity: status, live progress while running, last success.
export function renderSyncStatus(rows, sourceNames, showSource) {
  if (rows.length === 0) { $('#sync-status').innerHTML = '<p class="empty">No sync has run yet.</p>'; return; }
  setHTML('#sync-status', `<table class="sync-table"><tbody>${rows.map((j) => {
    const total = Number(j.records_total) || 0;
    const done = Number(j.records_processed) || 0;
    const percent = j.status === 'completed' ? 100 : total ? Math.min(100, (100 * done) / total) : 0;
    return `<tr data-entity="${escapeHTML(j.entity)}" class="status-${escapeHTML(j.status)}">
      <td><strong>${escapeHTML(j.entity)}</strong>${showSource ? `<br><span class="muted small">${escapeHTML(sourceNames.get(j.source_id))}</span>` : ''}</td>
      <td><span class="pill ${escapeHTML(j.status)}">${escapeHTML(j.status)}</span></td>
      <td class="progress-cell"><span class="bar ${j.status === 'running' ? 'live' : ''}"><span data-width="${percent.toFixed(0)}"></span></span>
        <span class="muted small">${j.mode ? `${escapeHTML(j.mode)} · ` : ''}${formatNumber(done)}${total ? ` / ${formatNumber(total)}` : ''} records</span></td>
      <td class="muted small nowrap hide-sm" title="${escapeHTML(j.error || '')}">${j.error ? escapeHTML(j.error).slice(0, 60) : `ok ${relativeTime(j.last_success_at)}`}</td>
    </tr>`;
  }).join('')}</tbody></table>`);
}
