// Quoting for generated code. Every scenario value that reaches a shell line goes through shq.

/** Any string becomes one shell word that the shell never expands. */
export function shq(value: unknown): string {
  const s = String(value);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Ruby single-quoted string literal (for the Vagrantfile). */
export function rbq(value: unknown): string {
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
