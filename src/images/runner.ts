import type { Logger } from "../context.js";
import type { Credentials } from "./credentials.js";
import type { RetryOptions } from "../http.js";
import type { ImagePlan } from "./plan.js";

export interface RunnerContext {
  cwd: string;
  env: Record<string, string | undefined>;
  logger: Pick<Logger, "log" | "warn">;
  retry: RetryOptions;
}

/** One matrix entry in the registry, addressed by digest (an image index's when it has several platforms). */
export interface PushedImage {
  plan: ImagePlan;
  digest: string;
  /** Each platform's own manifest digest, when the entry is an index of several. */
  platforms?: { platform: string; digest: string }[];
}

/** A builder that builds a set of entries and pushes them by digest, then moves tags. */
export interface ImageRunner {
  /** Undefined when the builder can run; else the ENOBUILDER error. */
  check(): Promise<Error | undefined>;
  /** Log the builder in to registry `host` (e.g. `docker.io`), the password on standard input. */
  login(host: string, credentials: Credentials): Promise<void>;
  /** Build and push every plan by digest; throws (all failures at once) unless every one has a digest. */
  push(plans: ImagePlan[], labels: Record<string, string>): Promise<PushedImage[]>;
  /** Create every tag of every pushed image. Call only once every entry is pushed. */
  tag(images: PushedImage[]): Promise<void>;
}
