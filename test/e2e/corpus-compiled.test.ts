import { isCompiled } from "../support/corpus.js";
import { releaseCorpus } from "../support/corpus-release.js";

/** The projects of test/corpus/projects.json with a C or Rust extension: wheels PyPI refuses until made portable. */
releaseCorpus("real compiled projects released through the real CLI", isCompiled);
