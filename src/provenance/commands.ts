/**
 * Pure: the commands that verify what a release signed, as the artifacts section, the
 * manifest and the job summary print them.
 */

/** The repository URL inside a Fulcio identity: GitHub `https://github.com/o/r/.github/workflows/x.yml@ref`, GitLab `https://gitlab.com/g/p//.gitlab-ci.yml@ref`. */
export function repositoryOfSigner(signer: string | undefined): string | undefined {
  if (!signer) return undefined;
  const github = signer.indexOf("/.github/workflows/");
  if (github > 0) return signer.slice(0, github);
  const gitlab = signer.indexOf("//", signer.indexOf("://") + 3);
  return gitlab > 0 ? signer.slice(0, gitlab) : undefined;
}

const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** `pypi-attestations verify pypi`: fetches the file and its provenance from PyPI and checks them against the publisher. */
export function distVerifyCommand(filename: string, signer: string | undefined): string {
  const repository = repositoryOfSigner(signer);
  return `pypi-attestations verify pypi${repository ? ` --repository ${quote(repository)}` : ""} pypi:${quote(filename)}`;
}

/** `gh attestation verify` (reading the bundle from the registry) and `cosign verify-attestation` (new bundle format, OCI referrers). */
export function imageVerifyCommands(pin: string, signer: string | undefined, issuer: string | undefined): { gh?: string; cosign: string } {
  const repository = repositoryOfSigner(signer);
  const github = repository?.startsWith("https://github.com/") ? repository.slice("https://github.com/".length) : undefined;
  const identity = signer ? `--certificate-identity ${quote(signer)}` : "--certificate-identity-regexp '.*'";
  return {
    ...(github ? { gh: `gh attestation verify oci://${pin} --repo ${quote(github)} --bundle-from-oci` } : {}),
    cosign: `cosign verify-attestation --new-bundle-format --type slsaprovenance1 ${identity} --certificate-oidc-issuer ${quote(issuer ?? "https://token.actions.githubusercontent.com")} ${pin}`,
  };
}

/** Rekor's search page for a public-good entry; other instances have no public page to name. */
export function rekorEntryUrl(rekorUrl: string | undefined, logIndex: number | undefined): string | undefined {
  if (logIndex === undefined || (rekorUrl && new URL(rekorUrl).host !== "rekor.sigstore.dev")) return undefined;
  return `https://search.sigstore.dev/?logIndex=${logIndex}`;
}
