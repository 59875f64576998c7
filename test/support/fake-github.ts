import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "./cleanup.ts";

/** A commit status GitHub accepted: whose commit, what it said, who sent it. */
export interface PostedStatus {
  owner: string;
  repo: string;
  sha: string;
  authorization: string;
  body: { state: string; description?: string; context?: string; target_url?: string };
}

/** An answer the server gives instead of accepting a post (a 5xx, a secondary rate limit, a 401). */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** Never answer (the client's timeout must end the request). */
  hang?: boolean;
}

/** The local GitHub API: `POST /repos/:owner/:repo/statuses/:sha`, with the token checked. */
export interface FakeGitHub {
  /** Base URL to give @octokit/rest (`--github-api-url`). */
  readonly url: string;
  /** Statuses accepted (201), in order. */
  readonly posts: PostedStatus[];
  /** Every request seen, accepted or not: `<status> <path>` and when it came (ms since epoch). */
  readonly requests: Array<{ answer: number; path: string; at: number }>;
  /** The next requests get these answers, one each, before posts are accepted again. */
  script(...answers: ScriptedAnswer[]): void;
}

/** Starts the fake on 127.0.0.1; requests without `authorization: token <t>` or `Bearer <t>` get 401. */
export async function fakeGitHub(cleanup: Cleanup, token: string): Promise<FakeGitHub> {
  const posts: PostedStatus[] = [];
  const requests: FakeGitHub["requests"] = [];
  const scripted: ScriptedAnswer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = request.url ?? "";
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        requests.push({ answer: status, path: url, at: Date.now() });
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(body));
      };
      const match = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(url);
      if (request.method !== "POST" || !match) return answer(404, { message: "Not Found" });
      const authorization = request.headers.authorization ?? "";
      if (authorization !== `token ${token}` && authorization !== `Bearer ${token}`)
        return answer(401, { message: "Bad credentials" });
      const next = scripted.shift();
      if (next?.hang) return requests.push({ answer: 0, path: url, at: Date.now() });
      if (next) return answer(next.status, { message: next.message ?? "scripted" }, next.headers);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as PostedStatus["body"];
      const [, owner = "", repo = "", sha = ""] = match;
      posts.push({ owner, repo, sha, authorization, body });
      answer(201, { id: posts.length, state: body.state, context: body.context });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    requests,
    script: (...answers) => scripted.push(...answers),
  };
}
