declare module "conventional-changelog-conventionalcommits" {
  /** The preset: parser options for conventional-commits-parser, writer options, bump rules. */
  export default function createPreset(config?: Record<string, unknown>): Promise<{ parser: Record<string, unknown>; writer: Record<string, unknown> }>;
}
