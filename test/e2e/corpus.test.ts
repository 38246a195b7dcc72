import { isCompiled } from "../support/corpus.js";
import { releaseCorpus } from "../support/corpus-release.js";

/** The pure-Python projects of test/corpus/projects.json (the compiled ones: corpus-compiled.test.ts). */
releaseCorpus("real projects released through the real CLI", (project) => !isCompiled(project));
