export type Rendered = { ok: true; value: string } | { ok: false; unknown: string[] };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Pure: `{name}` → its value, in every option that is a template. Unknown placeholders are reported, never left in or emptied. */
export function renderTemplate(template: string, vars: Record<string, string>): Rendered {
  const unknown: string[] = [];
  const value = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (Object.hasOwn(vars, name)) return vars[name];
    unknown.push(whole);
    return whole;
  });
  return unknown.length ? { ok: false, unknown: [...new Set(unknown)] } : { ok: true, value };
}
