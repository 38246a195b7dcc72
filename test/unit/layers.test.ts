import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { PACKAGE_ROOT } from "../support/paths.js";

/**
 * The rooms of src/ and what each may import (ARCHITECTURE.md, "Rooms"): a room is a folder
 * of src/, or a file at its top. Type-only imports count too. The layering is what keeps
 * every room testable on its own: nothing imports upward, and there is no cycle.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  errors: [],
  context: [],
  exec: [],
  ci: [],
  http: ["errors"],
  config: ["errors"],
  version: ["context", "errors"],
  notes: ["config", "version"],
  analyze: ["config", "notes", "version"],
  cadence: ["config", "context", "version"],
  gates: ["ci", "config", "context", "http", "version"],
  pyproject: ["config", "errors", "exec", "version"],
  images: ["config", "context", "errors", "exec", "http", "version"],
  pypi: ["ci", "config", "context", "errors", "exec", "http", "pyproject", "version"],
  github: ["context", "errors", "exec", "pypi"],
  changelog: ["config", "github", "notes", "version"],
  release: ["config", "context", "errors", "exec", "github", "images", "pypi", "pyproject", "version"],
  provenance: ["ci", "config", "context", "errors", "exec", "http", "images", "pypi", "release", "version"],
  resume: ["context", "exec", "github", "pypi", "pyproject", "release", "version"],
  plugins: [], // every room above
  commands: [], // every room above
  cli: ["commands"],
  types: [],
};
const ROOMS = Object.keys(MAY_IMPORT);
for (const top of ["plugins", "commands"]) MAY_IMPORT[top] = ROOMS.slice(0, ROOMS.indexOf(top));

const SRC = join(PACKAGE_ROOT, "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const roomOf = (file: string) => relative(SRC, file).split("/")[0].replace(/\.(d\.)?ts$/, "");

function roomImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SRC)) {
    const from = roomOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(`${SRC}/`)) continue;
      const to = roomOf(target.replace(/\.js$/, ".ts"));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

test("every room imports only the rooms ARCHITECTURE.md says it may", () => {
  const graph = roomImports();
  expect([...graph.keys()].filter((room) => !(room in MAY_IMPORT))).toEqual([]);
  for (const [room, imports] of graph) {
    const upward = [...imports].filter((target) => !MAY_IMPORT[room].includes(target));
    expect({ room, upward }).toEqual({ room, upward: [] });
  }
});

test("no cycle between rooms: images/ sits beside github/ and pypi/, release/ below the plugins it lists", () => {
  const graph = roomImports();
  const reaches = (from: string, seen = new Set<string>()): Set<string> => {
    for (const next of graph.get(from) ?? []) if (!seen.has(next)) reaches(next, seen.add(next));
    return seen;
  };
  for (const room of graph.keys()) assert.ok(!reaches(room).has(room), `${room} reaches itself`);
  for (const [room, other] of [["images", "github"], ["images", "pypi"], ["images", "release"], ["release", "plugins"], ["release", "commands"]]) {
    assert.ok(!reaches(room).has(other), `${room} must not depend on ${other}`);
  }
});
