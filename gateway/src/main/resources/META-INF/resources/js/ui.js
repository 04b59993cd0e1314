// Small DOM helpers shared by the pages.

/** An element with attributes (on* become listeners) and children (strings become text). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null));
  return node;
}

export const $ = (id) => document.getElementById(id);

/** Shows an error (an ApiError's problem text) in the element, or clears it. */
export function showError(id, error) {
  $(id).textContent = error ? error.message : '';
}

/** A form's named values: numbers as numbers, checkboxes as booleans, empty fields left out. */
export function formValues(form) {
  const values = {};
  for (const field of form.elements) {
    if (!field.name || field.type === 'file' || field.disabled) continue; // as a form submit: disabled stays out
    if (field.type === 'checkbox') values[field.name] = field.checked;
    else if (field.value.trim() !== '') values[field.name] = field.type === 'number' ? Number(field.value) : field.value.trim();
  }
  return values;
}

/** Replaces a select's options, keeping the current choice when it still exists. */
export function fillSelect(select, options, empty) {
  const current = select.value;
  select.replaceChildren(...(empty ? [el('option', { value: '' }, empty)] : []),
    ...options.map(([value, label]) => el('option', { value }, label)));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');

/**
 * Polls fn until it returns true: the next call starts interval ms after the last one ended, so calls never overlap
 * (a slow answer cannot re-render a list after the poll has ended).
 */
export function poll(fn, interval = 1000) {
  let stopped = false;
  let timer;
  const tick = async () => {
    try {
      if (stopped || await fn()) return;
    } catch (e) {
      console.error(e);
      return;
    }
    if (!stopped) timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, interval);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
