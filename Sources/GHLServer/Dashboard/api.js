// The HTTP side of the dashboard: the session (Supabase Auth style tokens kept
// in localStorage and refreshed before they expire) and the /rest/v1 and
// /functions/v1 calls, every one with the bearer token.

const STORAGE_KEY = 'ghlsync.session';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  constructor(onSignedOut) {
    this.onSignedOut = onSignedOut;
    this.session = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    this.refreshing = null;
  }

  get accessToken() { return this.session?.access_token; }
  get signedIn() { return !!this.session; }

  async signIn(email, password) {
    const body = await this.#send('POST', '/auth/v1/token?grant_type=password', { email, password }, false);
    this.#store(body);
  }

  signOut() {
    this.session = null;
    localStorage.removeItem(STORAGE_KEY);
  }

  /// The signed-in user with their sources and roles.
  user() { return this.#send('GET', '/auth/v1/user'); }

  /// Rows of a reporting view. `params` are PostgREST-style query parameters;
  /// with `count` the answer also carries the total from Content-Range.
  async view(name, params = {}, { count = false } = {}) {
    const query = new URLSearchParams(params).toString();
    const response = await this.#fetch('GET', `/rest/v1/${name}${query ? '?' + query : ''}`,
      undefined, true, count ? { Prefer: 'count=exact' } : {});
    const rows = await response.json();
    if (!count) return rows;
    const range = response.headers.get('Content-Range') || '';
    const total = Number(range.split('/')[1]);
    return { rows, total: Number.isFinite(total) ? total : rows.length };
  }

  runAll(sourceId, mode = 'incremental') {
    return this.#send('POST', '/functions/v1/run-ghl-all', { source_id: sourceId, mode });
  }

  /// Refreshes the access token when it has less than a minute left; the
  /// realtime client calls this before it (re)joins.
  async freshToken() {
    if (this.session && this.session.expires_at - 60 < Date.now() / 1000) await this.#refresh();
    return this.accessToken;
  }

  #store(body) {
    this.session = { ...body, expires_at: Math.floor(Date.now() / 1000) + (body.expires_in || 3600) };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.session));
  }

  #refresh() {
    this.refreshing ??= this.#send('POST', '/auth/v1/token?grant_type=refresh_token',
      { refresh_token: this.session?.refresh_token }, false)
      .then((body) => this.#store(body))
      .catch((error) => { this.signOut(); this.onSignedOut(); throw error; })
      .finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  async #send(method, path, body, authorized = true) {
    const response = await this.#fetch(method, path, body, authorized);
    return response.json();
  }

  async #fetch(method, path, body, authorized, extraHeaders = {}, retried = false) {
    if (authorized) await this.freshToken();
    const headers = { ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authorized && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.ok) return response;
    if (response.status === 401 && authorized && !retried && this.session?.refresh_token) {
      await this.#refresh();
      return this.#fetch(method, path, body, authorized, extraHeaders, true);
    }
    let message = response.statusText;
    try { message = (await response.json()).message || message; } catch { /* not JSON */ }
    if (response.status === 401 && authorized) { this.signOut(); this.onSignedOut(); }
    throw new ApiError(response.status, message);
  }
}
