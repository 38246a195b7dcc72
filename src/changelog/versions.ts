import { isVersion } from "../version/order.js";

/** `## `, an optional `[` and `v`, then what may be a version, up to `]`, a space, `,` or `(`. */
const HEADING_TOKEN = /^##[ \t]+\[?v?([0-9][0-9A-Za-z.+-]*)\]?(?=[\s,(]|$)/;

/** The version a `## …` heading names (`## v2.1.0 — …`, `## [2.1.0] - …`, `## 2.1.0rc1`), or undefined. */
export function headingVersion(line: string): string | undefined {
  const token = HEADING_TOKEN.exec(line)?.[1];
  return token && isVersion(token) ? token : undefined;
}
