import { writeFile } from "node:fs/promises";
import path from "node:path";
import { tokenHash } from "../../../src/access/token-hash.ts";
import type { Cleanup } from "../../support/cleanup.ts";
import { daemonFolders, type DaemonFolders } from "../../support/dag-folders.ts";

/** Two teams' DAGs in their own folders of the DAGs folder: a_dag in team-a/, b_dag in team-b/. */
export const TEAM_DAGS: Record<string, string> = {
  "team-a/a.ts": `import { dag, pod } from "updraft";
export default dag({ id: "a_dag", schedule: null, tasks: [pod({ id: "t", image: "busybox:1.36", command: ["node", "-e", "0"] })] });
`,
  "team-b/nested/b.ts": `import { dag, pod } from "updraft";
export default dag({ id: "b_dag", schedule: null, tasks: [pod({ id: "t", image: "busybox:1.36", command: ["node", "-e", "0"] })] });
`,
};

/** Machine tokens of each kind, as `updraft token hash` users would write them. */
export const TOKENS = {
  viewer: "viewer-token-0123456789abcdef",
  teamA: "team-a-operator-0123456789abcdef",
  operator: "operator-token-0123456789abcdef",
  admin: "admin-token-0123456789abcdef",
} as const;

/** Daemon folders with TEAM_DAGS and `tokens.yaml` holding TOKENS' hashes. */
export async function teamFolders(cleanup: Cleanup): Promise<DaemonFolders & { tokensFile: string }> {
  const folders = await daemonFolders(cleanup, "teams-", TEAM_DAGS);
  const tokensFile = path.join(folders.dir, "tokens.yaml");
  await writeFile(
    tokensFile,
    `tokens:
  - { name: dashboards, role: viewer, hash: "${tokenHash(TOKENS.viewer)}" }
  - { name: ci-team-a, role: operator, hash: "${tokenHash(TOKENS.teamA)}", dags: ["team-a/**"] }
  - { name: ci, role: operator, hash: "${tokenHash(TOKENS.operator)}" }
  - { name: ops-bot, role: admin, hash: "${tokenHash(TOKENS.admin)}" }
`,
  );
  return { ...folders, tokensFile };
}
