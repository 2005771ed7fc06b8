// Radio choices drawn as cards: a real radio input (labels, arrow keys, screen readers) followed
// by the visible body, so the styles follow `:checked` with a sibling selector.

/**
 * A `<label class="choice">` with id `id` holding a radio of group `name`; `main` (and its
 * muted `unit`) on the first line, `sub` under it.
 */
export function choice({ id, name, value, main, unit, sub, checked = false, onChange, className = '' }) {
  const label = document.createElement('label');
  label.className = `choice ${className}`.trim();
  label.id = id;
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = name;
  input.value = value;
  input.checked = checked;
  input.addEventListener('change', onChange);
  const first = document.createElement('span');
  first.className = 'choice-main';
  first.textContent = main;
  if (unit) {
    const small = document.createElement('small');
    small.textContent = ` ${unit}`;
    first.append(small);
  }
  const second = document.createElement('span');
  second.className = 'choice-sub';
  second.textContent = sub;
  const body = document.createElement('span');
  body.className = 'choice-body';
  body.append(first, second);
  label.append(input, body);
  return label;
}
