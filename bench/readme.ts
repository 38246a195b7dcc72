/**
 * `npm run bench:readme`: write the table of bench/results.json into README.md's
 * "Performance" section, between its markers. `npm run bench` (full mode) runs it too.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../test/support/paths.js";
import { renderReadmeBlock, replaceBetweenMarkers, type Results } from "./report.js";

export function updateReadme(results: Results): void {
  const file = join(PACKAGE_ROOT, "README.md");
  writeFileSync(file, replaceBetweenMarkers(readFileSync(file, "utf8"), renderReadmeBlock(results)));
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const results = JSON.parse(readFileSync(join(PACKAGE_ROOT, "bench", "results.json"), "utf8")) as Results;
  updateReadme(results);
  process.stderr.write(`README.md: the ${results.mode}-mode figures of ${results.generatedAt}\n`);
}
