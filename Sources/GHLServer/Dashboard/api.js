// The HTTP side of the dashboard: the session (Supabase Auth style tokens,
// refreshed before they expire) and the /rest/v1 and /functions/v1 calls,
// every one with the bearer token.
//
// The access token lives only in memory; the refresh token never reaches this
// script: the server keeps it in an HttpOnly, SameSite=Strict cookie (asked
// for with `X-Refresh-Cookie: 1`), so a reload signs in again through it.

const COOKIE_HEADERS = { 'X-Refresh-Cookie': '1' };

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  constructor(onSignedOut) {
    this.onSignedOut = onSignedOut;
    this.session = null;
    this.refreshing = null;
  }

  get accessToken() { return this.session?.access_token; }

  async signIn(email, password) {
    const body = await this.#send('POST', '/auth/v1/token?grant_type=password', { email, password }, false, COOKIE_HEADERS);
    this.#store(body);
  }

  /// Resumes the session the refresh cookie holds (after a reload); false without one.
  async resume() {
    try {
      await this.#refresh();
      return true;
    } catch {
      return false;
    }
  }

  /// Ends this session on the server (which also clears the cookie), then here.
  async signOut() {
    if (this.session) {
      await this.#fetch('POST', '/auth/v1/logout?scope=local', undefined, true, COOKIE_HEADERS, true).catch(() => {});
    }
    this.forget();
  }

  forget() { this.session = null; }

  /// The signed-in user with their sources and roles (GoTrue's User; the
  /// sources are in `app_metadata`).
  async user() {
    const user = await this.#send('GET', '/auth/v1/user');
    return { ...user, sources: user.app_metadata?.sources ?? [] };
  }

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
    this.session = { access_token: body.access_token, expires_at: Math.floor(Date.now() / 1000) + (body.expires_in || 3600) };
  }

  #refresh() {
    this.refreshing ??= this.#send('POST', '/auth/v1/token?grant_type=refresh_token', {}, false, COOKIE_HEADERS)
      .then((body) => this.#store(body))
      .catch((error) => { if (this.session) { this.forget(); this.onSignedOut(); } throw error; })
      .finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  async #send(method, path, body, authorized = true, extraHeaders = {}) {
    const response = await this.#fetch(method, path, body, authorized, extraHeaders);
    return response.json();
  }

  async #fetch(method, path, body, authorized, extraHeaders = {}, retried = false) {
    if (authorized) await this.freshToken();
    const headers = { ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authorized && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.ok) return response;
    if (response.status === 401 && authorized && !retried && this.session) {
      await this.#refresh();
      return this.#fetch(method, path, body, authorized, extraHeaders, true);
    }
    let message = response.statusText;
    try { const error = await response.json(); message = error.message || error.msg || message; } catch { /* not JSON */ }
    if (response.status === 401 && authorized) { this.forget(); this.onSignedOut(); }
    throw new ApiError(response.status, message);
  }
}
