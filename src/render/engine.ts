// Handlebars set up for non-HTML output: no HTML escaping (it is not shell quoting), strict
// lookups (a missing view field is a bug, not an empty string), and one shell-quoting helper.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATE_DIR } from '../util/paths.js';
import { shq, rbq } from './quote.js';

export { shq, rbq };

const hb = Handlebars.create();
hb.registerHelper('shq', (v: unknown) => new hb.SafeString(shq(v)));
hb.registerHelper('rbq', (v: unknown) => new hb.SafeString(rbq(v)));
hb.registerHelper('join', (list: unknown[], sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : ''));
hb.registerHelper('rbComment', (v: unknown) => String(v).replace(/[\r\n]+/g, ' '));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

// Partials: every templates/**/_*.hbs file, named by its path without the underscore and suffix.
function registerPartials(dir: string, prefix = ''): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) registerPartials(full, `${prefix}${entry.name}/`);
    else if (entry.name.startsWith('_') && entry.name.endsWith('.hbs')) hb.registerPartial(`${prefix}${entry.name.slice(1, -4)}`, fs.readFileSync(full, 'utf8'));
  }
}
registerPartials(TEMPLATE_DIR);

const cache = new Map<string, Handlebars.TemplateDelegate>();
/** Render a template by its path relative to the template directory (or an absolute path). */
export function renderTemplate(name: string, view: object): string {
  let fn = cache.get(name);
  if (!fn) {
    const file = path.isAbsolute(name) ? name : path.join(TEMPLATE_DIR, name);
    fn = hb.compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: true });
    cache.set(name, fn);
  }
  return fn(view);
}
