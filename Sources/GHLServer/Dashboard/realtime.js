// A small Supabase Realtime client: Phoenix channels (vsn 1.0.0, JSON objects)
// over one WebSocket, broadcast on private channels, with the supabase-js shape
//   socket.channel('ghl:<source>').on('broadcast', { event: 'UPDATE' }, fn).subscribe(fn)
// It sends a heartbeat every 25 s, reconnects with backoff, and on rejoin asks
// the server to replay from the last sequence number it saw
// (`config.ghlsync.since_seq`); when the server cannot (the reply's
// `response.ghlsync.resumed` is false, or a `resync`/`refetch` broadcast
// arrives) the channel's `resync` handlers run so the page refetches.

const HEARTBEAT_MS = 25_000;
const BACKOFF_MS = [500, 1000, 2000, 5000, 10000];
const JOIN_TIMEOUT_MS = 10_000;

export class RealtimeSocket {
  /// `token` returns (a promise of) the current access token.
  constructor(url, { token, onState = () => {} }) {
    this.url = url;
    this.token = token;
    this.onState = onState;
    this.channels = new Set();
    this.ref = 0;
    this.attempt = 0;
    this.ws = null;
    this.timers = {};
    this.closed = false;
    this.lastToken = null;
  }

  channel(topic) {
    const channel = new Channel(this, `realtime:${topic}`);
    this.channels.add(channel);
    return channel;
  }

  removeChannel(channel) {
    channel.leave();
    this.channels.delete(channel);
  }

  connect() {
    if (this.ws || this.closed) return;
    this.#setState('connecting');
    const ws = new WebSocket(`${this.url}?vsn=1.0.0`);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.#setState('connected');
      this.timers.heartbeat = setInterval(() => this.#heartbeat(), HEARTBEAT_MS);
      for (const channel of this.channels) channel.rejoin();
    };
    ws.onmessage = (message) => this.#receive(JSON.parse(message.data));
    ws.onclose = () => this.#dropped();
    ws.onerror = () => ws.close();
  }

  disconnect() {
    this.closed = true;
    clearTimeout(this.timers.reconnect);
    this.#teardown();
    this.#setState('offline');
  }

  /// Pushes a new access token to every joined channel (Supabase's `access_token` event).
  async updateToken() {
    const token = await this.token();
    if (token === this.lastToken) return;
    this.lastToken = token;
    for (const channel of this.channels) {
      if (channel.state === 'joined') this.push(channel.topic, 'access_token', { access_token: token }, channel.joinRef);
    }
  }

  push(topic, event, payload, joinRef = null) {
    const ref = String(++this.ref);
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ topic, event, payload, ref, join_ref: joinRef }));
    }
    return ref;
  }

  #heartbeat() {
    if (this.pendingHeartbeat) { this.ws?.close(); return; } // no answer to the last one: the link is dead
    this.pendingHeartbeat = this.push('phoenix', 'heartbeat', {});
    this.updateToken().catch(() => {});
  }

  #receive(message) {
    if (message.topic === 'phoenix') {
      if (message.ref === this.pendingHeartbeat) this.pendingHeartbeat = null;
      return;
    }
    for (const channel of this.channels) {
      if (channel.topic === message.topic) channel.receive(message);
    }
  }

  #dropped() {
    this.#teardown();
    if (this.closed) return;
    for (const channel of this.channels) channel.socketDropped();
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.#setState('reconnecting');
    this.timers.reconnect = setTimeout(() => this.connect(), delay * (0.75 + Math.random() / 2));
  }

  #teardown() {
    clearInterval(this.timers.heartbeat);
    this.pendingHeartbeat = null;
    if (this.ws) {
      this.ws.onclose = this.ws.onmessage = this.ws.onerror = null;
      this.ws.close();
      this.ws = null;
    }
  }

  #setState(state) {
    this.state = state;
    this.onState(state);
  }
}

class Channel {
  constructor(socket, topic) {
    this.socket = socket;
    this.topic = topic;
    this.state = 'closed';
    this.bindings = [];
    this.lastSeq = null;
    this.joinedOnce = false;
    this.onStatus = () => {};
  }

  /// `on('broadcast', { event: 'UPDATE' | '*' }, fn)`, or `on('resync', {}, fn)`
  /// for "what you show may be stale: refetch".
  on(type, filter, callback) {
    this.bindings.push({ type, event: filter?.event ?? '*', callback });
    return this;
  }

  subscribe(onStatus = () => {}) {
    this.onStatus = onStatus;
    if (this.socket.ws?.readyState === WebSocket.OPEN) this.rejoin();
    else this.socket.connect();
    return this;
  }

  async rejoin() {
    if (this.state === 'joining' || this.state === 'joined' || this.state === 'left') return;
    this.state = 'joining';
    const accessToken = await this.socket.token();
    this.socket.lastToken = accessToken;
    const config = { broadcast: { ack: false, self: false }, presence: { key: '' }, postgres_changes: [], private: true };
    // ghlsync's resume extension: replay what this channel missed since its last seq.
    if (this.lastSeq !== null) config.ghlsync = { since_seq: this.lastSeq };
    this.joinRef = this.socket.push(this.topic, 'phx_join', { config, access_token: accessToken });
    clearTimeout(this.joinTimer);
    this.joinTimer = setTimeout(() => {
      if (this.state !== 'joining') return;
      this.state = 'errored';
      this.onStatus('TIMED_OUT');
      this.socket.ws?.close();
    }, JOIN_TIMEOUT_MS);
  }

  leave() {
    if (this.state === 'joined') this.socket.push(this.topic, 'phx_leave', {}, this.joinRef);
    this.state = 'left';
    clearTimeout(this.joinTimer);
  }

  socketDropped() {
    if (this.state !== 'left') this.state = 'errored';
  }

  receive({ event, payload, ref }) {
    switch (event) {
      case 'phx_reply':
        if (ref !== this.joinRef || this.state !== 'joining') return;
        clearTimeout(this.joinTimer);
        if (payload?.status === 'ok') {
          this.state = 'joined';
          const info = payload.response?.ghlsync ?? {};
          const resumed = this.joinedOnce && this.lastSeq !== null && info.resumed === true;
          if (typeof info.seq === 'number' && this.lastSeq === null) this.lastSeq = info.seq;
          this.joinedOnce = true;
          this.onStatus('SUBSCRIBED');
          if (!resumed) this.#emit('resync', '*', { reason: 'joined' });
        } else {
          this.state = 'errored';
          this.onStatus('CHANNEL_ERROR', new Error(payload?.response?.reason || 'join refused'));
        }
        return;
      case 'broadcast': {
        const inner = payload?.payload ?? {};
        // ghlsync's signals: this channel missed events (queue overflow, or past the change log).
        if (payload?.event === 'resync' || payload?.event === 'refetch') { this.#emit('resync', '*', inner); return; }
        if (typeof inner.seq === 'number') this.lastSeq = Math.max(this.lastSeq ?? 0, inner.seq);
        this.#emit('broadcast', payload?.event, inner);
        return;
      }
      case 'system':
        // The server says this channel fell behind (overflow, past the replay horizon).
        if (payload?.status && payload.status !== 'ok') this.#emit('resync', '*', payload);
        else if (/resync|refetch/i.test(payload?.message || '')) this.#emit('resync', '*', payload);
        return;
      case 'phx_error':
      case 'phx_close':
        if (this.state === 'left') return;
        this.state = 'errored';
        this.onStatus(event === 'phx_close' ? 'CLOSED' : 'CHANNEL_ERROR');
        setTimeout(() => this.rejoin(), 1000);
        return;
      default:
    }
  }

  #emit(type, event, payload) {
    for (const binding of this.bindings) {
      if (binding.type === type && (binding.event === '*' || binding.event === event)) binding.callback(payload);
    }
  }
}
