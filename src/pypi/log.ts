import type { Logger } from "../context.js";

export interface Output {
  logger: Logger;
  env: Record<string, string | undefined>;
  /** Raw stdout, for workflow commands that must start a line (`::group::`, `::add-mask::`). */
  write: (text: string) => void;
}

/**
 * Pure: tool output made readable: trailing padding (rich pads every line to the terminal
 * width) removed, and each Python traceback reduced to its final exception line.
 */
export function tidyOutput(text: string): string {
  const lines = text.split("\n").map((l) => l.trimEnd());
  const kept: string[] = [];
  let inTraceback = false;
  for (const line of lines) {
    if (line === "Traceback (most recent call last):") {
      inTraceback = true;
      continue;
    }
    if (inTraceback) {
      if (line === "" || /^\s/.test(line)) continue;
      inTraceback = false;
      // Chained exceptions print one final line each; the last one is what failed.
      if (kept.at(-1)?.startsWith("(traceback) ")) kept.pop();
      kept.push(`(traceback) ${line}`);
      continue;
    }
    const afterTraceback = kept.at(-1)?.startsWith("(traceback) ");
    if (afterTraceback && (line === "" || /^(During handling of the above exception|The above exception was the direct cause)/.test(line))) continue;
    kept.push(line);
  }
  return kept.join("\n").trim();
}

/** Long tool output: a collapsible `::group::` in GitHub Actions, an indented block elsewhere. */
export function logBlock(out: Output, title: string, body: string): void {
  const text = tidyOutput(body);
  if (out.env.GITHUB_ACTIONS === "true") {
    out.write(`::group::${title}\n${text}\n::endgroup::\n`);
  } else {
    out.logger.log("%s%s", title, text ? `\n${text.split("\n").map((l) => `    ${l}`).join("\n")}` : "");
  }
}
