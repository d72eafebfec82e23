// The dashboard: sign-in, the source switcher, the widgets, the all-sources
// table, Pull Latest, and the realtime subscription that refreshes the widgets
// a change affects.

import { Api } from './api.js';
import { RealtimeSocket } from './realtime.js';
import { SourcesTable } from './sources-table.js';
import { SourceSwitcher } from './switcher.js';
import * as widgets from './widgets.js';

const $ = (selector) => document.querySelector(selector);
const ALL = 'all';
const PAGE_SIZE = 10;
/// How long a burst of change events is collected before the widgets refetch.
const DEBOUNCE_MS = 250;

/// Which widgets each broadcast table affects.
const AFFECTS = {
  ghl_contacts: ['summary', 'contacts'],
  ghl_opportunities: ['summary', 'pipeline', 'revenue'],
  ghl_pipelines: ['pipeline'],
  ghl_orders: ['summary', 'revenue'],
  ghl_payments: ['summary', 'revenue'],
  ghl_reviews: ['summary', 'reviews'],
  ghl_sync_jobs: ['sync', 'summary'],
  ghl_sources: ['summary'],
};
/// Enough rows for the latest job of every entity of every source a user may hold.
const SYNC_ROWS_LIMIT = 10_000;

const api = new Api(() => showSignIn());
const state = { user: null, sources: [], selected: null, search: '', offset: 0, dirty: new Set(), flushTimer: null,
  summaryRows: [], syncRows: [] };
let socket = null;
let channels = [];

const sourceNames = () => new Map(state.sources.map((s) => [s.id, s.name]));
const selectedIds = () => (state.selected === ALL ? state.sources.map((s) => s.id) : [state.selected]);
const scopeParams = () => (state.selected === ALL ? {} : { source_id: `eq.${state.selected}` });
const canSync = () => state.selected !== ALL && ['owner', 'editor'].includes(state.sources.find((s) => s.id === state.selected)?.role);
const selectedCurrency = () => {
  const currencies = new Set(state.sources.filter((s) => selectedIds().includes(s.id)).map((s) => s.currency));
  return currencies.size === 1 ? [...currencies][0] : null;
};

const loaders = {
  async summary() {
    state.summaryRows = await api.view('v_ghl_dashboard_summary', { ...scopeParams(), order: 'source_name.asc' });
    widgets.renderSummary(state.summaryRows);
    if (state.selected === ALL) sourcesTable.update(state.summaryRows, state.syncRows);
  },
  async pipeline() {
    const rows = await api.view('v_ghl_pipeline_stage_summary', { ...scopeParams(), order: 'pipeline_name.asc,stage_position.asc' });
    widgets.renderPipeline(rows, sourceNames(), state.selected === ALL, selectedCurrency());
  },
  async revenue() { widgets.renderRevenue(await api.view('v_ghl_revenue_summary', { ...scopeParams(), order: 'month.asc' })); },
  async contacts() {
    const params = { ...scopeParams(), order: 'date_updated.desc', limit: PAGE_SIZE, offset: state.offset };
    const term = state.search.replace(/[,()"\\*%]/g, ' ').trim();
    if (term) params.or = `(${['contact_name', 'email', 'company_name', 'phone'].map((c) => `${c}.ilike.*${term}*`).join(',')})`;
    const { rows, total } = await api.view('v_ghl_contacts_recent', params, { count: true });
    widgets.renderContacts(rows, total, state.offset, PAGE_SIZE);
  },
  async reviews() { widgets.renderReviews(await api.view('v_ghl_reviews_summary', scopeParams())); },
  async sync() {
    // All sources: the sources table says each one's health; the per-entity list would run to thousands of rows.
    if (state.selected === ALL) {
      state.syncRows = await api.view('v_ghl_sync_status', {
        select: 'source_id,entity,status,error,staleness_seconds', limit: SYNC_ROWS_LIMIT });
      sourcesTable.update(state.summaryRows, state.syncRows);
      return;
    }
    const rows = await api.view('v_ghl_sync_status', { ...scopeParams(), order: 'entity.asc' });
    widgets.renderSyncStatus(rows, sourceNames(), false);
  },
};

async function load(names) {
  await Promise.all(names.map((name) => loaders[name]().catch((error) => {
    console.error(`loading ${name}`, error);
    flash(`Could not load ${name}: ${error.message}`, 'error');
  })));
  document.body.dataset.loaded = String(Date.now());
}

/// Marks widgets stale; they refetch together once the burst settles.
function invalidate(names) {
  for (const name of names) state.dirty.add(name);
  clearTimeout(state.flushTimer);
  state.flushTimer = setTimeout(() => {
    const names = [...state.dirty];
    state.dirty.clear();
    load(names);
  }, DEBOUNCE_MS);
}

function flash(message, kind = 'info') {
  const el = $('#sync-message');
  el.textContent = message;
  el.dataset.kind = kind;
}

// ---- realtime ----

function subscribe() {
  if (!socket) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new RealtimeSocket(`${scheme}://${location.host}/realtime/v1/websocket`, {
      token: () => api.freshToken(),
      onState: (s) => { $('#conn-state').dataset.state = s; $('#conn-state').textContent = s === 'connected' ? 'live' : s; },
    });
  }
  for (const channel of channels) socket.removeChannel(channel);
  // INSERT: a row joined the views (new, or back after a deletion or filter
  // exclusion); UPDATE: it changed; DELETE: it left them (GHL deleted it, or the
  // filter excludes it now). Each refetches the widgets the table feeds, so a
  // deleted row disappears from the lists and totals that showed it.
  channels = selectedIds().map((id) => ['INSERT', 'UPDATE', 'DELETE']
    .reduce((channel, event) => channel.on('broadcast', { event }, (change) => invalidate(AFFECTS[change.table] ?? [])),
      socket.channel(`ghl:${id}`))
    .on('resync', {}, () => invalidate(Object.keys(loaders)))
    .subscribe((status, error) => { if (status === 'CHANNEL_ERROR') console.warn('realtime', error?.message); }));
}

// ---- user actions ----

async function pullLatest() {
  const button = $('#pull-latest');
  button.disabled = true;
  flash('Syncing…');
  try {
    const result = await api.runAll(state.selected, 'incremental');
    const succeeded = result.results.filter((r) => r.ok).length;
    const failed = result.results.length - succeeded;
    flash(`Sync completed: ${succeeded} succeeded, ${failed} failed`, failed ? 'error' : 'ok');
    await load(Object.keys(loaders));
  } catch (error) {
    flash(`Sync failed: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

const switcher = new SourceSwitcher({
  input: $('#source-find'), list: $('#source-list'), count: $('#source-count'), onPick: (id) => selectSource(id) });
const sourcesTable = new SourcesTable($('#sources-table'), (id) => selectSource(id));

function selectSource(id) {
  state.selected = id;
  state.offset = 0;
  state.summaryRows = [];
  state.syncRows = [];
  localStorage.setItem('ghlsync.source', id);
  document.body.dataset.source = id;
  switcher.select(id);
  const source = state.sources.find((s) => s.id === id);
  $('#source-title').textContent = source ? source.name : 'All my sources';
  $('#sources-panel').hidden = id !== ALL;
  $('#sync-panel').hidden = id === ALL;
  $('#pull-latest').hidden = !canSync();
  flash('');
  load(Object.keys(loaders));
  subscribe();
}

async function start() {
  try {
    state.user = await api.user();
  } catch {
    showSignIn();
    return;
  }
  state.sources = state.user.sources ?? [];
  $('#user-email').textContent = state.user.email;
  switcher.options = [
    ...(state.sources.length > 1 ? [{ value: ALL, label: 'All my sources', detail: `${state.sources.length} locations` }] : []),
    ...state.sources.map((s) => ({ value: s.id, label: s.name, detail: `${s.role} · ${s.location_id ?? s.id}` })),
  ];
  $('#switcher').hidden = state.sources.length === 0;
  $('#signin').hidden = true;
  $('#app').hidden = false;
  if (state.sources.length === 0) { flash('You have no sources yet: ask an owner to grant you one.'); return; }
  const remembered = localStorage.getItem('ghlsync.source');
  const known = remembered === ALL ? state.sources.length > 1 : state.sources.some((s) => s.id === remembered);
  selectSource(known ? remembered : state.sources[0].id);
}

function showSignIn() {
  socket?.disconnect();
  socket = null;
  channels = [];
  $('#app').hidden = true;
  $('#signin').hidden = false;
  $('#signin-email').focus();
}

$('#signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('#signin-error').textContent = '';
  $('#signin-submit').disabled = true;
  try {
    await api.signIn($('#signin-email').value, $('#signin-password').value);
    await start();
  } catch (error) {
    $('#signin-error').textContent = error.message;
  } finally {
    $('#signin-submit').disabled = false;
  }
});
$('#signout').addEventListener('click', async () => { await api.signOut(); showSignIn(); });
$('#pull-latest').addEventListener('click', pullLatest);
let searchTimer;
$('#contact-search').addEventListener('input', (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { state.search = event.target.value; state.offset = 0; load(['contacts']); }, 200);
});
$('#contacts-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); load(['contacts']); });
$('#contacts-next').addEventListener('click', () => { state.offset += PAGE_SIZE; load(['contacts']); });
// Keep "last sync 2 minutes ago" honest without refetching.
setInterval(() => {
  const at = $('#card-sync .value').dataset.at;
  if (at) $('#card-sync .value').textContent = widgets.relativeTime(at);
}, 30_000);

api.resume().then((resumed) => (resumed ? start() : showSignIn()));
