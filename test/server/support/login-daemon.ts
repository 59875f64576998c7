import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Cleanup } from "../../support/cleanup.ts";
import { freePort } from "../../support/free-port.ts";
import { startOidcProvider, type TestOidcProvider } from "../../support/oidc-provider.ts";
import { startTestDaemon, type TestDaemon } from "../../support/test-daemon.ts";
import { waitFor } from "../../support/wait-for.ts";
import { teamFolders } from "./team-dags.ts";

/**
 * The roles of the test provider's users: alice an admin, olga (group team-a) operator of
 * team-a/**, everyone at example.com a viewer; eve's email is unverified and her group is not
 * named, so no role matches her.
 */
export const ROLES_YAML = `viewer:
  - "*@example.com"
operator:
  - { group: team-a, dags: ["team-a/**"] }
admin:
  - alice@example.com
`;

export interface LoginDaemon {
  daemon: TestDaemon;
  provider: TestOidcProvider;
  /** `--public-url` (also where the daemon listens). */
  url: string;
  /** The daemon's arguments, to start it again on the same state dir. */
  args: string[];
  env: Record<string, string>;
}

/**
 * A daemon with `--auth oidc` against a real OpenID provider on 127.0.0.1, the team DAGs and tokens
 * (and `extraArgs`, e.g. an `--api-token`).
 */
export async function startLoginDaemon(
  cleanup: Cleanup,
  extraArgs: readonly string[] = [],
): Promise<LoginDaemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = await startOidcProvider(cleanup, { appOrigin: url });
  const folders = await teamFolders(cleanup);
  const roles = path.join(folders.dir, "roles.yaml");
  await writeFile(roles, ROLES_YAML);
  const args = [
    ...["--dags", folders.dagsDir, "--state-dir", folders.stateDir, "--port", String(port)],
    ...["--auth", "oidc", "--oidc-issuer", provider.issuer.href, "--oidc-client-id", provider.clientId],
    ...["--public-url", url, "--roles", roles, "--tokens-file", folders.tokensFile],
    ...extraArgs,
  ];
  const env = { UPDRAFT_OIDC_CLIENT_SECRET: provider.clientSecret };
  const daemon = await startTestDaemon(cleanup, args, { env });
  await waitFor("the team DAGs loaded", () => (daemon.daemon.registry.get("b_dag") ? true : undefined));
  return { daemon, provider, url, args, env };
}
