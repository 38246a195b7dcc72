declare module "@semantic-release/github" {
  type Step = (pluginConfig: Record<string, any>, context: any) => Promise<any>;
  export const verifyConditions: Step;
  export const publish: Step;
  export const addChannel: Step;
  export const success: Step;
  export const fail: Step;
}

declare module "@semantic-release/commit-analyzer" {
  export function analyzeCommits(pluginConfig: Record<string, any>, context: any): Promise<string | null>;
}

declare module "@semantic-release/release-notes-generator" {
  export function generateNotes(pluginConfig: Record<string, any>, context: any): Promise<string>;
}
