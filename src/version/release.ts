import { getError } from "../errors.js";
import { semverToPep440 } from "./pep440.js";

/** The PEP 440 form of the version semantic-release computed, or the EPRERELEASEID error that refuses it. */
export function releasePep440(version: string): string {
  const converted = semverToPep440(version);
  if (converted.ok) return converted.pep440;
  const identifier = converted.reason === "build-metadata" ? `+${version.split("+")[1]} (build metadata)` : converted.identifier ?? version;
  throw getError("EPRERELEASEID", { identifiers: [identifier] });
}
