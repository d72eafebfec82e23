// The source switcher: a combobox that finds a source by typing any part of
// its name or location id (every typed word must match), so an owner of hundreds of sources picks one in a
// few keystrokes. Arrow keys move, Enter picks, Escape puts the choice back.

import { escapeHTML } from './widgets.js';

const normalize = (text) => String(text ?? '').toLocaleLowerCase();

export class SourceSwitcher {
  #input;
  #list;
  #count;
  #onPick;
  #options = [];
  #shown = [];
  #active = -1;
  #value = null;

  /// `options` are `{ value, label, detail }`; `onPick(value)` runs when the user picks one.
  constructor({ input, list, count, onPick }) {
    this.#input = input;
    this.#list = list;
    this.#count = count;
    this.#onPick = onPick;
    input.addEventListener('focus', () => { input.select(); this.#open(''); });
    input.addEventListener('input', () => this.#open(input.value));
    input.addEventListener('keydown', (event) => this.#key(event));
    input.addEventListener('blur', () => this.#close());
    // mousedown, not click: it lands before the input's blur closes the list.
    list.addEventListener('mousedown', (event) => {
      const option = event.target.closest('[role="option"]');
      if (!option) return;
      event.preventDefault();
      this.#pick(this.#shown[Number(option.dataset.index)]);
    });
  }

  get value() { return this.#value; }

  set options(options) {
    this.#options = options.map((o) => ({ ...o, haystack: normalize(`${o.label} ${o.detail ?? ''}`) }));
  }

  /// Shows `value` as the current choice without calling `onPick`.
  select(value) {
    this.#value = value;
    this.#input.value = this.#options.find((o) => o.value === value)?.label ?? '';
  }

  #open(text) {
    const words = normalize(text).split(/\s+/).filter(Boolean);
    this.#shown = this.#options.filter((o) => words.every((w) => o.haystack.includes(w)));
    this.#active = this.#shown.length ? 0 : -1;
    this.#render();
    this.#list.hidden = false;
    this.#input.setAttribute('aria-expanded', 'true');
    this.#count.textContent = `${this.#shown.length} of ${this.#options.length}`;
  }

  #close() {
    this.#list.hidden = true;
    this.#input.setAttribute('aria-expanded', 'false');
    this.#input.removeAttribute('aria-activedescendant');
    this.#count.textContent = '';
    this.select(this.#value);
  }

  #render() {
    this.#list.innerHTML = this.#shown.length === 0
      ? '<li class="empty" role="presentation">No source matches.</li>'
      : this.#shown.map((o, i) => `<li role="option" id="source-option-${i}" data-index="${i}" data-value="${escapeHTML(o.value)}"
          aria-selected="${i === this.#active}">${escapeHTML(o.label)}${o.detail ? ` <span class="muted">${escapeHTML(o.detail)}</span>` : ''}</li>`).join('');
    if (this.#active >= 0) {
      this.#input.setAttribute('aria-activedescendant', `source-option-${this.#active}`);
      this.#list.children[this.#active]?.scrollIntoView({ block: 'nearest' });
    }
  }

  #key(event) {
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves && this.#shown.length) {
      event.preventDefault();
      if (this.#list.hidden) this.#open(this.#input.value);
      this.#active = (this.#active + moves[event.key] + this.#shown.length) % this.#shown.length;
      this.#render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (this.#active >= 0) this.#pick(this.#shown[this.#active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.#input.blur();
    }
  }

  #pick(option) {
    this.#value = option.value;
    this.#input.blur();
    this.#onPick(option.value);
  }
}
