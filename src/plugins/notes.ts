import * as generator from "@semantic-release/release-notes-generator";
import type { Context, PluginConfig } from "../context.js";
import { classifyCommit, type Classified, type ParsedCommit } from "../notes/classify.js";
import { readNotesOptions } from "../notes/options.js";
import { NOTES_PARSER_OPTS } from "../notes/parser.js";
import { renderNotes } from "../notes/render.js";
import { optionsOrThrow } from "../release/options.js";

/**
 * The draft's first version of the release notes: the real release-notes-generator parses
 * the commits (conventionalcommits preset, references, reverts, repository links); this
 * plugin sorts them into the decision record's sections and lists the noise for the curator.
 */
export async function verifyConditions(pluginConfig: PluginConfig): Promise<void> {
  optionsOrThrow(readNotesOptions, pluginConfig);
}

export async function generateNotes(pluginConfig: PluginConfig, context: Context): Promise<string> {
  const options = optionsOrThrow(readNotesOptions, pluginConfig);
  const nextRelease = context.nextRelease!;
  const tag = nextRelease.gitTag || `v${nextRelease.version}`;
  // The classified commits are kept here and the writer is handed none: a commit the
  // writer keeps is copied twice more and serialized into its debug context, which at
  // 20,000 commits raised the dry run's peak RSS by about 270 MiB (bench/RESULTS.md).
  const classified: Classified[] = [];
  return generator.generateNotes(
    {
      preset: "conventionalcommits",
      parserOpts: NOTES_PARSER_OPTS,
      writerOpts: {
        // The writer hands a read-only proxy: read it, never write to it.
        transform: (commit: ParsedCommit) => {
          classified.push(classifyCommit(commit, options));
          return null;
        },
        mainTemplate: "{{pyreleaseNotes}}",
        finalizeContext: (writerContext: WriterContext) => ({
          ...writerContext,
          pyreleaseNotes: renderNotes({
            tag,
            version: nextRelease.version,
            date: writerContext.date,
            commits: classified,
            links: { host: writerContext.host, owner: writerContext.owner, repository: writerContext.repository },
            deprecationWindow: options.deprecationWindow,
          }),
        }),
      },
    },
    context,
  );
}

interface WriterContext {
  date: string;
  host?: string;
  owner?: string;
  repository?: string;
}
