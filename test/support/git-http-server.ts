import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_GIT_ENV } from "./git-cli.ts";

/** One request the server saw. */
export interface GitHttpRequest {
  method: string;
  path: string;
  /** It carried HTTP Basic credentials whose password was the token. */
  authorized: boolean;
}

/** A git smart-HTTP server on 127.0.0.1 that requires a token, like a private repository's host. */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/<repo>`: `repo` relative to the project root. */
  url(repo: string): string;
  /** The password required from now on (the token rotated or revoked on the host). */
  setToken(token: string): void;
  readonly requests: readonly GitHttpRequest[];
  close(): Promise<void>;
}

/**
 * Serves the repositories under `projectRoot` through `git http-backend` (as CGI), answering 401
 * with `WWW-Authenticate: Basic` to any request whose Basic password is not `token`.
 */
export async function startGitHttpServer(options: {
  projectRoot: string;
  token: string;
}): Promise<GitHttpServer> {
  let token = options.token;
  const requests: GitHttpRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const credentials = basicCredentials(req.headers.authorization);
    const authorized = credentials?.password === token;
    requests.push({ method: req.method ?? "GET", path: url.pathname, authorized });
    if (!credentials || !authorized) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="updraft tests"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    runHttpBackend(req, res, url, credentials.username, options.projectRoot);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    setToken(next) {
      token = next;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs one request through `git http-backend` and relays its CGI response. */
function runHttpBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  user: string,
  projectRoot: string,
): void {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  const env: NodeJS.ProcessEnv = {
    ...TEST_GIT_ENV,
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: header("content-type"),
    REMOTE_USER: user,
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    GIT_PROTOCOL: header("git-protocol"),
    HTTP_CONTENT_ENCODING: header("content-encoding"),
  };
  if (req.headers["content-length"]) env.CONTENT_LENGTH = header("content-length");
  const backend = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  backend.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  backend.stdin.on("error", () => {});
  req.pipe(backend.stdin);
  res.on("close", () => {
    if (!res.writableFinished) backend.kill();
  });

  let head: Buffer | undefined = Buffer.alloc(0);
  backend.stdout.on("data", (chunk: Buffer) => {
    if (!head) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString("latin1");
    const end = /\r?\n\r?\n/.exec(text);
    if (!end) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.slice(0, end.index).split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    const body = head.subarray(Buffer.byteLength(text.slice(0, end.index + end[0].length), "latin1"));
    head = undefined;
    if (body.length > 0) res.write(body);
  });
  backend.on("close", (code) => {
    if (head) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend exited with ${code}: ${Buffer.concat(stderr).toString()}`);
      return;
    }
    res.end();
  });
  backend.on("error", (error) => {
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
    res.end(String(error));
  });
}
