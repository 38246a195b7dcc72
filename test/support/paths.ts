import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (this file is dist/test/support/paths.js once built). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const EXAMPLE_DIR = join(PACKAGE_ROOT, "examples", "llenergymeasure-demo");
