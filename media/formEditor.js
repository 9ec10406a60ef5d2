// MCP Host form editor page. Builds the form from the `init` message with DOM nodes and text only (no
// innerHTML anywhere), keeps the values as one object, and talks to the extension with four messages:
// check (answered with problems), submit, save (when offered; answered with problems, then a status) and cancel.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  let spec;
  let value = {};
  let title = '';
  /** What the asking server said (elicitation): text, lines kept. */
  let message = '';
  /** The tool's description (server text, hidden characters already shown): text in a box that scrolls when long. */
  let description = '';
  let submitLabel = 'Submit';
  let canSave = false;
  let tab = 'form';
  let problems = [];
  /** Values the user changed: their problems show as they type; all show once a submit was tried. */
  const touched = new Set();
  let submitted = false;
  /** Chosen branch of each `choice`, by pointer. */
  const branches = new Map();
  /** Keys the form filled in itself, by object: a required property that allows one value only (a union's tag). */
  const filled = new WeakMap();
  const onlyValue = (node, required) => required && node.kind === 'enum' && node.options.length === 1;

  /**
   * Fills every required property that allows one value only (a discriminated union's `type: "circle"`) in the
   * objects the values hold: there is nothing to choose, and the user could not send the form without it.
   */
  function fillOnlyValues(node, pointer) {
    const v = get(pointer);
    if (node.kind === 'object') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      for (const p of node.properties) {
        if (onlyValue(p.node, p.required)) {
          if (v[p.name] === undefined) {
            v[p.name] = p.node.options[0].value;
            if (!filled.has(v)) filled.set(v, new Set());
            filled.get(v).add(p.name);
          }
        } else fillOnlyValues(p.node, `${pointer}/${seg(p.name)}`);
      }
    } else if (node.kind === 'array') {
      if (Array.isArray(v)) v.forEach((_, i) => fillOnlyValues(node.items, `${pointer}/${i}`));
    } else if (node.kind === 'choice' && branches.has(pointer)) {
      fillOnlyValues(node.branches[branches.get(pointer)], pointer);
    }
  }
  /** Each shown value's error element, by pointer. */
  let errorSlots = new Map();
  let ids = 0;
  let checkTimer;
  /**
   * Values changed since the last check was sent, and those sent but not yet answered: the problems last
   * answered for them are stale ("Is required." under a field just filled), so they are hidden until the answer.
   */
  let changedSinceCheck = new Set();
  /** Pointers sent for a check (or submit, save) and not yet answered, each with the number of the last message that sent it. */
  const awaitingCheck = new Map();
  /** Messages sent so far, and the number of the latest one answered: an answer covers the changes sent with it and before. */
  let sent = 0;
  let answered = 0;
  const checking = () => changedSinceCheck.size > 0 || awaitingCheck.size > 0;
  const stale = p => [...changedSinceCheck, ...awaitingCheck.keys()].some(t => t === '' || p.pointer === t || p.pointer.startsWith(`${t}/`) || t.startsWith(`${p.pointer}/`));
  /** Sends the values for a check, submit or save, numbered; what changed since the last one now awaits this answer. */
  function sendValues(type) {
    const seq = ++sent;
    for (const t of changedSinceCheck) awaitingCheck.set(t, seq);
    changedSinceCheck = new Set();
    vscode.postMessage({ type, seq, value });
  }
  /** Name/value rows of maps not yet named, by the map's pointer; and every map's pointer (an entry emptied keeps its name). */
  const unnamed = new Map();
  let mapPointers = new Set();
  const parentOf = pointer => pointer.slice(0, pointer.lastIndexOf('/'));
  /** A list item or a map entry: emptied, it stays (as "" or null), it is not left out as an optional field is. */
  const isEntry = pointer => /\/\d+$/.test(pointer) || mapPointers.has(parentOf(pointer));

  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== undefined && c !== null) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  };
  const seg = s => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
  const parts = pointer => (pointer ? pointer.slice(1).split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~')) : []);

  function get(pointer) {
    let v = value;
    for (const p of parts(pointer)) {
      if (v === null || typeof v !== 'object') return undefined;
      v = v[p];
    }
    return v;
  }

  /** Sets (or, with undefined, removes) the value at `pointer`, creating objects on the way; an emptied optional object goes too. */
  function set(pointer, v) {
    const path = parts(pointer);
    if (path.length === 0) {
      value = v && typeof v === 'object' ? v : {};
      return;
    }
    let o = value;
    const chain = [];
    for (const p of path.slice(0, -1)) {
      if (o[p] === null || typeof o[p] !== 'object' || !Object.hasOwn(o, p)) put(o, p, {});
      chain.push([o, p]);
      o = o[p];
    }
    const last = path[path.length - 1];
    if (v === undefined) {
      if (Array.isArray(o) || mapPointers.has(parentOf(pointer))) o[Array.isArray(o) ? Number(last) : last] = null;
      else delete o[last];
      for (let i = chain.length - 1; i >= 0; i--) {
        const [parent, key] = chain[i];
        const child = parent[key];
        // An object holding only the values the form filled in itself (a tag) is empty too.
        if (Array.isArray(parent) || Array.isArray(child) || Object.keys(child).some(k => !(filled.get(child) || new Set()).has(k))) break;
        delete parent[key];
      }
    } else {
      put(o, last, v);
    }
  }

  /** Sets an own property, also one named `__proto__` (a map's name is the user's): never the object's prototype. */
  function put(o, k, v) {
    if (Array.isArray(o)) o[Number(k)] = v;
    else Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  }

  function changed(structural, pointer) {
    if (pointer !== undefined) touched.add(pointer);
    // A list or a choice changed shape: every value's last answer is stale.
    changedSinceCheck.add(structural || pointer === undefined ? '' : pointer);
    if (structural) render();
    fillOnlyValues(spec, '');
    if (!structural) showProblems();
    const json = document.getElementById('json-text');
    if (json && document.activeElement !== json) json.value = JSON.stringify(value, null, 2);
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => sendValues('check'), 200);
  }

  const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  const two = n => String(n).padStart(2, '0');
  /** The user's UTC offset at a moment, as RFC 3339 writes it ("Z", "+01:00"). */
  const offsetAt = date => {
    const minutes = -date.getTimezoneOffset();
    return minutes === 0 ? 'Z' : `${minutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
  };
  const zoneName = () => {
    const offset = offsetAt(new Date());
    return offset === 'Z' ? 'UTC' : `UTC${offset}`;
  };
  /**
   * The browser's pickers, and the exact form of each format: what a value looks like in the picker (undefined: the
   * picker cannot show it, so the field is plain text and keeps it as it is) and what the picker's text is sent as.
   * A time picked as 09:30 is 09:30:00 (JSON Schema's time has seconds); a date and time is picked in the user's
   * time zone and sent with that zone's offset, so the moment meant is the moment sent.
   */
  const PICKERS = {
    date: { show: v => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined), value: t => t },
    time: { show: v => (typeof v === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v) ? v : undefined), value: t => (/^\d{2}:\d{2}$/.test(t) ? `${t}:00` : t) },
    'datetime-local': {
      show: v => {
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(v)) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) return undefined;
        return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
      },
      value: t => {
        const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(t) ? `${t}:00` : t;
        const d = new Date(full);
        return Number.isNaN(d.getTime()) ? full : `${full}${offsetAt(d)}`;
      },
    },
  };

  /** Hints that add nothing to what the control already shows. */
  const QUIET_HINTS = new Set(['text', 'an object', 'a list', 'true or false']);
  const helpText = node => [node.description, QUIET_HINTS.has(node.hint) ? '' : node.hint].filter(Boolean).join(' — ');

  function describedBy(id, node) {
    return [helpText(node) ? `help-${id}` : undefined, `err-${id}`].filter(Boolean).join(' ');
  }

  function helpAndError(id, node, pointer) {
    const text = helpText(node);
    const help = text ? el('div', { id: `help-${id}`, class: 'help' }, text) : undefined;
    const err = el('div', { id: `err-${id}`, class: 'error', role: 'alert' });
    errorSlots.set(pointer, err);
    return help ? [help, err] : [err];
  }

  function labelFor(id, node, required) {
    return el('label', { for: id }, node.label, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : undefined);
  }

  /** One value of the form at `pointer`, as the node describes it. */
  function field(node, pointer, required, name) {
    const id = `f${++ids}`;
    const current = get(pointer);
    const common = { id, 'data-pointer': pointer, 'aria-required': required ? 'true' : undefined, 'aria-describedby': describedBy(id, node) };
    const placeholder = node.defaultText !== undefined ? `default: ${node.defaultText}` : node.exampleText !== undefined ? `e.g. ${node.exampleText}` : undefined;
    switch (node.kind) {
      case 'object': {
        const box = el('fieldset', { class: 'group', 'data-pointer': pointer }, el('legend', {}, node.label, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : undefined));
        box.append(...helpAndError(id, node, pointer));
        for (const p of node.properties) box.append(field(p.node, `${pointer}/${seg(p.name)}`, p.required, p.name));
        return box;
      }
      case 'array': {
        const items = Array.isArray(current) ? current : [];
        const box = el('fieldset', { class: 'group list', 'data-pointer': pointer }, el('legend', {}, `${node.label} (${items.length} ${items.length === 1 ? 'item' : 'items'})`, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : undefined));
        box.append(...helpAndError(id, node, pointer));
        items.forEach((_, i) => box.append(listItem(node, pointer, i, items.length, required)));
        box.append(el('button', { type: 'button', class: 'secondary add', 'data-pointer': pointer, onclick: () => {
          const list = Array.isArray(get(pointer)) ? get(pointer).slice() : [];
          list.push(blank(node.items));
          set(pointer, list);
          changed(true);
          focusPointer(`${pointer}/${list.length - 1}`);
        } }, `Add ${node.label === 'Item' ? 'item' : `to ${node.label}`}`));
        return box;
      }
      case 'choice': {
        let chosen = branches.get(pointer);
        if (chosen === undefined) chosen = guessBranch(node, current);
        branches.set(pointer, chosen);
        const ofType = node.of === 'type';
        const select = el('select', { ...common, onchange: () => {
          const branch = node.branches[Number(select.value)];
          branches.set(pointer, Number(select.value));
          // A newly chosen type starts empty: text as '', true/false and numbers not set (not null, which no control shows).
          const start = blank(branch);
          set(pointer, ofType && start === null && branch.kind !== 'json' ? undefined : start);
          changed(true);
          focusPointer(pointer);
        } }, ...node.branches.map((b, i) => el('option', { value: String(i), selected: i === chosen }, b.label)));
        const legend = el('legend', {}, node.label, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : undefined);
        // A list of types (["boolean", "string"]): which type, then that type's control, named for the field.
        const box = el('fieldset', { class: 'group' }, legend, labelFor(id, { label: ofType ? 'Type' : 'Form' }, false), select, ...helpAndError(id, node, pointer));
        box.append(field({ ...node.branches[chosen], label: ofType ? 'Value' : node.branches[chosen].label, ...(ofType ? { defaultText: node.defaultText } : {}) }, pointer, required, name));
        return box;
      }
      case 'enum':
        if (onlyValue(node, required)) {
          // Nothing to choose: the one value allowed, shown, and filled in with the object that holds it.
          const fixed = el('input', { ...common, type: 'text', readonly: true, class: 'fixed' });
          fixed.value = node.options[0].label;
          return el('div', { class: 'field' }, labelFor(id, node, required), fixed, ...helpAndError(id, { ...node, hint: 'text' }, pointer));
        }
      // falls through
      case 'boolean': {
        const options = node.kind === 'boolean' ? [{ label: 'true', value: true }, { label: 'false', value: false }] : node.options;
        const currentText = current === undefined ? '' : JSON.stringify(current);
        const select = el('select', { ...common, onchange: () => {
          set(pointer, select.value === '' ? undefined : JSON.parse(select.value));
          changed(false, pointer);
        } },
          el('option', { value: '' }, node.defaultText !== undefined ? `(not set: the server's default is ${node.defaultText})` : '(not set)'),
          ...options.map(o => el('option', { value: JSON.stringify(o.value), selected: JSON.stringify(o.value) === currentText }, o.label)));
        return el('div', { class: 'field' }, labelFor(id, node, required), select, ...helpAndError(id, node, pointer));
      }
      case 'json': {
        const area = el('textarea', { ...common, rows: 3, spellcheck: 'false', placeholder, oninput: () => {
          if (area.value.trim() === '') {
            set(pointer, undefined);
            return changed(false, pointer);
          }
          try {
            set(pointer, JSON.parse(area.value));
            changed(false, pointer);
          } catch {
            showProblem(pointer, 'This is not valid JSON yet.');
          }
        } });
        area.value = current === undefined ? '' : JSON.stringify(current);
        return el('div', { class: 'field' }, labelFor(id, node, required), area, ...helpAndError(id, node, pointer));
      }
      case 'map':
        return mapField(node, pointer, required, id);
      default: {
        const numeric = node.kind === 'number' || node.kind === 'integer';
        // A date, time or date and time has the browser's picker when the value (if any) is one it can show.
        const picker = PICKERS[node.inputType];
        const shown = current === undefined || current === null ? '' : picker ? picker.show(current) : String(current);
        const type = numeric ? 'text' : picker && shown === undefined ? 'text' : node.inputType;
        const input = el('input', { ...common, type, step: PICKERS[type] && type !== 'date' ? '1' : undefined, inputmode: numeric ? 'decimal' : undefined, placeholder, spellcheck: 'false', oninput: () => {
          const t = input.value;
          // An empty optional value is left out; inside a list or a map an entry stays, as an empty string.
          if (t === '' && !isEntry(pointer)) set(pointer, undefined);
          else set(pointer, numeric && numberText.test(t.trim()) ? Number(t.trim()) : PICKERS[type] && t !== '' ? PICKERS[type].value(t) : t);
          changed(false, pointer);
        } });
        input.value = shown === undefined ? String(current) : shown;
        const zone = type === 'datetime-local' ? { ...node, hint: `${node.hint}, in your time zone (${zoneName()})` } : node;
        return el('div', { class: 'field' }, labelFor(id, node, required), input, ...helpAndError(id, zone, pointer));
      }
    }
  }

  /** What commits a name box's text (a map entry's name), by the box: on leaving it, on Enter, and before a submit. */
  const keyCommits = new WeakMap();

  function commitKeys() {
    const a = document.activeElement;
    if (a && keyCommits.has(a)) keyCommits.get(a)();
  }

  /**
   * A map (`additionalProperties`: any names, each value of one shape) as rows of a name and its value, with Remove;
   * "Add entry" makes a row whose name is asked first (a value is kept under its name). A name is taken when its box
   * is left, on Enter or on submit; an empty name or one already used is refused there, the entry keeping its old one.
   * Taking a name builds this map's rows again, not the whole page, so a click elsewhere is not lost.
   */
  function mapField(node, pointer, required, id) {
    mapPointers.add(pointer);
    const current = get(pointer);
    const keys = current && typeof current === 'object' && !Array.isArray(current) ? Object.keys(current) : [];
    const pending = unnamed.get(pointer) || 0;
    const box = el('fieldset', { class: 'group map', 'data-pointer': pointer }, el('legend', {}, `${node.label} (${keys.length} ${keys.length === 1 ? 'entry' : 'entries'})`, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : undefined));
    /**
     * This map's rows built again once the event that changed them is over (a name box left by Tab or a click: the
     * focus has moved by then). The focus still on what did it (`trigger`: Enter in a name box, a button) goes where
     * `focus` says; one that moved elsewhere in the map goes to the same value (`renamed` maps an entry's old pointer
     * to its new one) or the same name box or button in the new rows; one that left the map stays where it went.
     */
    const rebuild = (trigger, focus, renamed) =>
      setTimeout(() => {
        if (!box.isConnected) return;
        // The old rows are done: a name box taken off the page with the focus reports a change as it goes, which takes nothing.
        rows.alive = false;
        const moved = document.activeElement;
        const inside = moved && moved !== trigger && box.contains(moved);
        const movedTo = inside ? moved.getAttribute('data-pointer') : undefined;
        const sameControl = inside ? moved.getAttribute('data-focus-id') : undefined;
        for (const p of [...errorSlots.keys()]) if (p === pointer || p.startsWith(`${pointer}/`)) errorSlots.delete(p);
        const again = mapField(node, pointer, required, id);
        box.replaceWith(again);
        showProblems();
        if (movedTo) focusPointer(renamed && (movedTo === renamed[0] || movedTo.startsWith(`${renamed[0]}/`)) ? renamed[1] + movedTo.slice(renamed[0].length) : movedTo, again);
        else if (sameControl) {
          const control = [...again.querySelectorAll('[data-focus-id]')].find(e => e.getAttribute('data-focus-id') === sameControl);
          if (control) control.focus();
          else focus(again);
        } else if (!moved || moved === document.body || moved === trigger) focus(again);
      }, 0);
    const rows = { alive: true };
    box.append(...helpAndError(id, node, pointer));
    keys.forEach((k, i) => box.append(mapRow(node, pointer, k, i, required, rebuild, rows)));
    for (let j = 0; j < pending; j++) box.append(mapRow(node, pointer, undefined, keys.length + j, required, rebuild, rows));
    const add = el('button', { type: 'button', class: 'secondary add', 'data-focus-id': 'add', onclick: () => {
      unnamed.set(pointer, pending + 1);
      rebuild(add, again => again.querySelectorAll('input.map-key')[keys.length + pending].focus());
    } }, `Add entry to ${node.label}`);
    box.append(add);
    return box;
  }

  /** One entry of a map: its name box, its value (beside it when a plain value), Remove. */
  function mapRow(node, pointer, key, i, required, rebuild, rows) {
    const name = `${node.label} entry ${i + 1}`;
    const keyError = el('div', { id: `k${++ids}`, class: 'error', role: 'alert' });
    const keyInput = el('input', { type: 'text', class: 'map-key', 'data-focus-id': `key:${i}`, 'aria-label': `Name of ${name}`, 'aria-describedby': keyError.id, placeholder: 'name', spellcheck: 'false' });
    keyInput.value = key === undefined ? '' : key;
    const entryFocus = k => again => focusPointer(`${pointer}/${seg(k)}`, again);
    // Enter and leaving the box may both commit one name: the first does, the rows are then built again.
    let committed = false;
    const commit = () => {
      const next = keyInput.value;
      if (committed || !rows.alive || next === (key === undefined ? '' : key)) return;
      const o = get(pointer);
      const entries = o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o) : [];
      if (next === '') return void (keyError.textContent = 'An entry needs a name (✕ removes it).');
      if (entries.some(([k]) => k === next)) return void (keyError.textContent = `Another entry is already named ${next}.`);
      committed = true;
      keyError.textContent = '';
      if (key === undefined) unnamed.set(pointer, Math.max(0, (unnamed.get(pointer) || 0) - 1));
      // Object.fromEntries makes own properties, so a name like __proto__ is a name.
      set(pointer, Object.fromEntries(key === undefined ? [...entries, [next, blank(node.values)]] : entries.map(([k, v]) => [k === key ? next : k, v])));
      changed(false, pointer);
      rebuild(keyInput, entryFocus(next), key === undefined ? undefined : [`${pointer}/${seg(key)}`, `${pointer}/${seg(next)}`]);
    };
    keyCommits.set(keyInput, commit);
    keyInput.addEventListener('change', commit);
    keyInput.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        commit();
      }
    });
    // Pressed with the mouse, it keeps the focus where it was: a name typed into this row and not yet taken is dropped with the row, not taken first.
    const remove = el('button', { type: 'button', class: 'icon', 'data-focus-id': `remove:${i}`, 'aria-label': `Remove ${name}`, title: `Remove ${name}`, onmousedown: e => e.preventDefault(), onclick: () => {
      // A name being typed in another row is taken first (this row's is dropped with it).
      if (document.activeElement !== keyInput) commitKeys();
      committed = true;
      if (key === undefined) unnamed.set(pointer, Math.max(0, (unnamed.get(pointer) || 0) - 1));
      else {
        const rest = Object.entries(get(pointer) || {}).filter(([k]) => k !== key);
        set(pointer, rest.length || required ? Object.fromEntries(rest) : undefined);
        changed(false, pointer);
      }
      rebuild(remove, again => (again.querySelectorAll('input.map-key')[Math.max(0, i - 1)] || again.querySelector('button.add')).focus());
    } }, '✕');
    const row = el('div', { class: 'item entry', role: 'group', 'aria-label': name });
    if (key === undefined) {
      row.classList.add('inline');
      row.append(el('div', { class: 'item-bar' }, keyInput, el('span', { class: 'help pending' }, 'Name it, then give its value'), remove), keyError);
      return row;
    }
    const at = `${pointer}/${seg(key)}`;
    const values = { ...node.values, label: `Value of ${name}` };
    if (['string', 'number', 'integer', 'boolean', 'enum'].includes(values.kind)) {
      const control = field(values, at, true, key);
      const label = control.querySelector('label');
      if (label) label.classList.add('visually-hidden');
      row.classList.add('inline');
      row.append(el('div', { class: 'item-bar' }, keyInput, control, remove), keyError);
    } else {
      row.append(el('div', { class: 'item-bar' }, keyInput, remove), keyError, field(values, at, true, key));
    }
    return row;
  }

  /**
   * One row of a list, named for the list ("entities item 2") so rows of nested lists can be told apart by ear.
   * An object's fields sit in the row itself; a plain value's input sits in the row's bar beside its buttons.
   */
  function listItem(node, pointer, i, count, listRequired) {
    const at = `${pointer}/${i}`;
    const name = `${node.label} item ${i + 1}`;
    const button = (label, text, disabled, action) => el('button', { type: 'button', class: 'icon', 'aria-label': `${label} ${name}`, title: `${label} ${name}`, disabled, onclick: action }, text);
    const move = by => () => {
      const list = get(pointer).slice();
      const [moved] = list.splice(i, 1);
      list.splice(i + by, 0, moved);
      set(pointer, list);
      changed(true);
      focusPointer(`${pointer}/${i + by}`);
    };
    const remove = () => {
      const list = get(pointer).slice();
      list.splice(i, 1);
      set(pointer, list.length || listRequired ? list : undefined);
      changed(true);
      focusPointer(list.length ? `${pointer}/${Math.min(i, list.length - 1)}` : pointer);
    };
    const buttons = [
      button('Move up', '↑', i === 0, move(-1)),
      button('Move down', '↓', i === count - 1, move(1)),
      button('Remove', '✕', false, remove),
    ];
    const item = node.items;
    const row = el('div', { class: 'item', role: 'group', 'aria-label': name });
    if (item.kind === 'object') {
      row.append(el('div', { class: 'item-bar' }, el('span', { class: 'item-title' }, `Item ${i + 1}`), ...buttons));
      row.append(...helpAndError(`i${++ids}`, { description: item.description, hint: '' }, at));
      for (const p of item.properties) row.append(field(p.node, `${at}/${seg(p.name)}`, p.required, p.name));
    } else if (['string', 'number', 'integer', 'boolean', 'enum'].includes(item.kind)) {
      const control = field({ ...item, label: name }, at, true, String(i));
      // The row's own name labels the input; the bar holds the input and the buttons.
      const label = control.querySelector('label');
      const input = control.querySelector('input, select');
      if (label) label.classList.add('visually-hidden');
      row.classList.add('inline');
      row.append(el('div', { class: 'item-bar' }, control, ...buttons));
      if (input) input.setAttribute('aria-label', name);
    } else {
      row.append(el('div', { class: 'item-bar' }, el('span', { class: 'item-title' }, `Item ${i + 1}`), ...buttons), field({ ...item, label: `Value of ${name}` }, at, true, String(i)));
    }
    return row;
  }

  /** A new list item or a newly chosen form: empty, choosing nothing for the user. */
  function blank(node) {
    if (node.kind === 'object' || node.kind === 'map') return {};
    if (node.kind === 'array') return [];
    if (node.kind === 'string') return '';
    if (node.kind === 'choice') return blank(node.branches[0]);
    return null;
  }

  function guessBranch(node, current) {
    const score = b => {
      if (current === undefined || current === null) return 0;
      if (b.kind === 'object' && typeof current === 'object' && !Array.isArray(current)) {
        const names = b.properties.map(p => p.name);
        const keys = Object.keys(current);
        if (!b.properties.filter(p => p.required).every(p => p.name in current)) return 1;
        return 2 + keys.filter(k => names.includes(k)).length - keys.filter(k => !names.includes(k)).length;
      }
      if (b.kind === 'array') return Array.isArray(current) ? 2 : 0;
      if (b.kind === 'string') return typeof current === 'string' ? 2 : 0;
      if (b.kind === 'number' || b.kind === 'integer') return typeof current === 'number' ? 2 : 0;
      if (b.kind === 'boolean') return typeof current === 'boolean' ? 2 : 0;
      return 0;
    };
    let best = 0;
    node.branches.forEach((b, i) => {
      if (score(b) > score(node.branches[best])) best = i;
    });
    return best;
  }

  function focusPointer(pointer, within) {
    const target = [...(within || app).querySelectorAll('[data-pointer]')].find(e => e.getAttribute('data-pointer') === pointer || e.getAttribute('data-pointer').startsWith(`${pointer}/`));
    const focusable = target && (target.matches('input, select, textarea, button') ? target : target.querySelector('input, select, textarea, button'));
    if (focusable) focusable.focus();
  }

  function showProblem(pointer, message) {
    const slot = errorSlots.get(pointer);
    if (!slot) return false;
    slot.textContent = message;
    const control = slot.parentElement && slot.parentElement.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`);
    if (control) control.setAttribute('aria-invalid', 'true');
    return true;
  }

  function showProblems() {
    for (const slot of errorSlots.values()) slot.textContent = '';
    for (const c of app.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    const general = document.getElementById('general-problems');
    general.textContent = '';
    const shown = p => (submitted || [...touched].some(t => p.pointer === t || p.pointer.startsWith(`${t}/`))) && !stale(p);
    for (const p of problems.filter(shown)) {
      // A problem with a value the form does not show (an unknown property, say) is listed above the form.
      if (!showProblem(p.pointer, p.message)) general.append(el('li', {}, p.pointer ? `${parts(p.pointer).join('.')}: ${p.message}` : p.message));
    }
    const busy = checking();
    const summary = document.getElementById('status');
    summary.classList.toggle('stale', busy);
    document.getElementById('checking').hidden = !busy;
    // The status is a live region: it changes when the verdict does, once checked, so a screen reader hears "Ready to
    // submit" once rather than "Checking…" and the verdict again at every keystroke. "Checking…" beside it is only seen.
    const verdict = problems.length ? `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} to fix before submitting` : 'Ready to submit';
    if (!busy && summary.textContent !== verdict) summary.textContent = verdict;
  }

  /** The status as last shown, kept when the page is built again (a list item added), so it is not heard again. */
  function statusShown() {
    const old = document.getElementById('status');
    return old ? old.textContent : '';
  }

  function render() {
    const focused = document.activeElement && document.activeElement.getAttribute('data-pointer');
    ids = 0;
    errorSlots = new Map();
    mapPointers = new Set();
    const tabs = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Edit as' },
      el('button', { type: 'button', role: 'tab', id: 'tab-form', 'aria-selected': String(tab === 'form'), 'aria-controls': 'panel', onclick: () => switchTab('form') }, 'Form'),
      el('button', { type: 'button', role: 'tab', id: 'tab-json', 'aria-selected': String(tab === 'json'), 'aria-controls': 'panel', onclick: () => switchTab('json') }, 'JSON'));
    const panel = el('div', { id: 'panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` });
    if (tab === 'form') {
      if (spec.kind === 'object') for (const p of spec.properties) panel.append(field(p.node, `/${seg(p.name)}`, p.required, p.name));
      else panel.append(field(spec, '', true, ''));
    } else {
      const area = el('textarea', { id: 'json-text', class: 'json', rows: 18, spellcheck: 'false', 'aria-label': 'Arguments as JSON', 'aria-describedby': 'json-error', oninput: () => {
        try {
          const parsed = JSON.parse(area.value);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('The arguments must be a JSON object.');
          document.getElementById('json-error').textContent = '';
          value = parsed;
          branches.clear();
          changed(false, "");
        } catch (err) {
          document.getElementById('json-error').textContent = err instanceof SyntaxError ? `Not valid JSON: ${err.message}` : err.message;
        }
      } });
      area.value = JSON.stringify(value, null, 2);
      // Tall enough for the values without a scroll bar of its own, up to a screenful.
      area.rows = Math.min(40, Math.max(8, area.value.split('\n').length + 1));
      panel.append(area, el('div', { id: 'json-error', class: 'error', role: 'alert' }));
    }
    const submit = el('button', { type: 'submit', class: 'primary' }, submitLabel);
    const save = canSave ? el('button', { type: 'button', class: 'secondary', title: 'Save these values under a name, to run them again later', onclick: saveNow }, 'Save…') : undefined;
    const cancel = el('button', { type: 'button', class: 'secondary', onclick: () => vscode.postMessage({ type: 'cancel' }) }, 'Cancel');
    const form = el('form', { novalidate: true, onsubmit: e => {
      e.preventDefault();
      submitNow();
    } }, tabs, el('ul', { id: 'general-problems', class: 'error', role: 'alert' }), panel,
      el('div', { class: 'actions' }, submit, save, cancel, el('span', { id: 'status', class: 'status', role: 'status' }, statusShown()), el('span', { id: 'checking', class: 'status', 'aria-hidden': 'true', hidden: true }, 'Checking…'), el('span', { class: 'keys' }, `Ctrl+Enter: ${submitLabel}`)));
    app.replaceChildren(el('h1', {}, title), ...(description ? [el('div', { class: 'description', id: 'description', role: 'region', 'aria-label': 'Description', tabindex: '0' }, description)] : []), ...(message ? [el('p', { class: 'message' }, message)] : []), el('p', { class: 'legend' }, 'Fields marked * are required. Empty fields are left out: the server then uses its own default.'), form);
    showProblems();
    if (focused) focusPointer(focused);
  }

  /** The extension answers an invalid submit with its problems, all of which then show. */
  function submitNow() {
    sendNow('submit');
  }

  /** The extension checks the values, asks for a name and answers with how the save went. */
  function saveNow() {
    sendNow('save');
  }

  /** Submit or save: its answer (problems) covers every change so far, so no check is sent for them. */
  function sendNow(type) {
    submitted = true;
    clearTimeout(checkTimer);
    commitKeys();
    sendValues(type);
    showProblems();
  }

  function switchTab(next) {
    tab = next;
    render();
    document.getElementById(`tab-${next}`).focus();
  }

  window.addEventListener('keydown', e => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submitNow();
    }
  });

  window.addEventListener('message', e => {
    const m = e.data;
    if (m && typeof m === 'object' && m.type === 'problems' && spec) {
      // The answer to the values sent with `seq` and before; values sent since stay hidden until theirs. An answer
      // older than one already shown is dropped.
      const seq = Number.isSafeInteger(m.seq) ? m.seq : sent;
      if (seq < answered) return;
      answered = seq;
      problems = Array.isArray(m.problems) ? m.problems : [];
      for (const [t, s] of awaitingCheck) if (s <= seq) awaitingCheck.delete(t);
      showProblems();
    } else if (m && typeof m === 'object' && m.type === 'saved' && typeof m.status === 'string') {
      document.getElementById('status').textContent = m.status;
    }
  });

  // The form comes with the page (escaped JSON in an attribute), so nothing is lost before the script runs.
  const init = JSON.parse(app.getAttribute('data-init'));
  spec = init.spec;
  title = init.title;
  message = typeof init.message === 'string' ? init.message : '';
  description = typeof init.description === 'string' ? init.description : '';
  submitLabel = typeof init.submitLabel === 'string' ? init.submitLabel : 'Submit';
  canSave = init.canSave === true;
  value = init.value && typeof init.value === 'object' ? init.value : {};
  render();
  fillOnlyValues(spec, '');
  focusPointer(spec.kind === 'object' && spec.properties[0] ? `/${seg(spec.properties[0].name)}` : '');
  sendValues('check');
})();
