import type { Logger } from "../context.js";
import type { ImagePlan } from "./plan.js";
import type { RetryPolicy } from "./retry.js";

export interface RunnerContext {
  cwd: string;
  env: Record<string, string | undefined>;
  logger: Pick<Logger, "log" | "warn">;
  retry: RetryPolicy;
}

/** One matrix entry in the registry, addressed by digest. */
export interface PushedImage {
  plan: ImagePlan;
  digest: string;
}

/** A builder that builds a set of entries and pushes them by digest, then moves tags. */
export interface ImageRunner {
  /** Undefined when the builder can run; else the ENOBUILDER error. */
  check(): Promise<Error | undefined>;
  /** Log in to registry `host` (e.g. `docker.io`) with the password on standard input. */
  login(host: string, username: string, password: string): Promise<void>;
  /** Build and push every plan by digest; throws (all failures at once) unless every one has a digest. */
  push(plans: ImagePlan[], labels: Record<string, string>): Promise<PushedImage[]>;
  /** Create every tag of every pushed image. Call only once every entry is pushed. */
  tag(images: PushedImage[]): Promise<void>;
}

