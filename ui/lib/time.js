// Relative ages for labels that tick while a window is open ("updated 12 s ago").

/** "just now", "12 s", "5 min", "3 h", "2 days" for an age in milliseconds. */
export function age(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

/** "updated just now" / "updated 12 s ago". */
export function updatedAgo(ms) {
  const a = age(ms);
  return a === 'just now' ? 'Updated just now' : `Updated ${a} ago`;
}
