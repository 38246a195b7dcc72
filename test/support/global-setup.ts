import { ensureCurrentToolchain } from "./python.js";

/** jest's globalSetup: what every test file may rely on, made once per run. */
export default async function globalSetup(): Promise<void> {
  ensureCurrentToolchain();
}
