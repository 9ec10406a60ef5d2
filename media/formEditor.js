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
  let awaitingCheck = new Set();
  const checking = () => changedSinceCheck.size > 0 || awaitingCheck.size > 0;
  const stale = p => [...changedSinceCheck, ...awaitingCheck].some(t => t === '' || p.pointer === t || p.pointer.startsWith(`${t}/`) || t.startsWith(`${p.pointer}/`));

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
      if (o[p] === null || typeof o[p] !== 'object') o[p] = {};
      chain.push([o, p]);
      o = o[p];
    }
    const last = path[path.length - 1];
    if (v === undefined) {
      if (Array.isArray(o)) o[Number(last)] = null;
      else delete o[last];
      for (let i = chain.length - 1; i >= 0; i--) {
        const [parent, key] = chain[i];
        const child = parent[key];
        // An object holding only the values the form filled in itself (a tag) is empty too.
        if (Array.isArray(parent) || Array.isArray(child) || Object.keys(child).some(k => !(filled.get(child) || new Set()).has(k))) break;
        delete parent[key];
      }
    } else {
      o[last] = v;
    }
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
    checkTimer = setTimeout(() => {
      for (const t of changedSinceCheck) awaitingCheck.add(t);
      changedSinceCheck = new Set();
      vscode.postMessage({ type: 'check', value });
    }, 200);
  }

  const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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
      default: {
        const numeric = node.kind === 'number' || node.kind === 'integer';
        const input = el('input', { ...common, type: numeric ? 'text' : node.inputType, inputmode: numeric ? 'decimal' : undefined, placeholder, spellcheck: 'false', oninput: () => {
          const t = input.value;
          // An empty optional value is left out; inside a list an item stays, as an empty string.
          if (t === '' && !/\/\d+$/.test(pointer)) set(pointer, undefined);
          else set(pointer, numeric && numberText.test(t.trim()) ? Number(t.trim()) : t);
          changed(false, pointer);
        } });
        input.value = current === undefined || current === null ? '' : String(current);
        return el('div', { class: 'field' }, labelFor(id, node, required), input, ...helpAndError(id, node, pointer));
      }
    }
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
    if (node.kind === 'object') return {};
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

  function focusPointer(pointer) {
    const target = [...app.querySelectorAll('[data-pointer]')].find(e => e.getAttribute('data-pointer') === pointer || e.getAttribute('data-pointer').startsWith(`${pointer}/`));
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
    const summary = document.getElementById('status');
    summary.textContent = checking() ? 'Checking…' : problems.length ? `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} to fix before submitting` : 'Ready to submit';
  }

  function render() {
    const focused = document.activeElement && document.activeElement.getAttribute('data-pointer');
    ids = 0;
    errorSlots = new Map();
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
      el('div', { class: 'actions' }, submit, save, cancel, el('span', { id: 'status', class: 'status', role: 'status' }), el('span', { class: 'keys' }, `Ctrl+Enter: ${submitLabel}`)));
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
    for (const t of changedSinceCheck) awaitingCheck.add(t);
    changedSinceCheck = new Set();
    showProblems();
    vscode.postMessage({ type, value });
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
      problems = Array.isArray(m.problems) ? m.problems : [];
      // The answer to the values sent; values changed since stay hidden until theirs.
      awaitingCheck = new Set();
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
  vscode.postMessage({ type: 'check', value });
})();
