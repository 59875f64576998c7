import { DeliveryError } from "../notification.ts";
import { oneLine } from "./message-fields.ts";

export interface JsonPost {
  url: string;
  /** channelLabel: how errors name the channel (never the URL, which carries a secret). */
  label: string;
  body: unknown;
  headers?: Record<string, string>;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Which non-2xx statuses are worth trying again. */
  retryable(status: number): boolean;
}

/** How much of a reply is read (for the error message); the rest is dropped. */
const REPLY_BYTES = 4096;
const MAX_REDIRECTS = 3;
/** A `Retry-After` longer than this is taken as this. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * POSTs JSON and resolves on a 2xx. Redirects are followed only within the same origin (a webhook
 * must not be bounced to another host with its body); a reply body is read up to a few KB.
 */
export async function postJson(post: JsonPost): Promise<void> {
  if (!URL.canParse(post.url)) throw new DeliveryError(`${post.label}: the URL is not valid`, false);
  // fetch refuses a URL with a login in it: the login goes as Basic auth (same-origin redirects keep it).
  const { url: bare, authorization } = splitLogin(post.url);
  let url = bare;
  const body = JSON.stringify(post.body);
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await post.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...post.headers, ...authorization },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(post.timeoutMs),
      });
    } catch (error) {
      throw new DeliveryError(`${post.label}: ${networkReason(error).split(url).join("(URL)")}`, true);
    }
    const reply = await readReply(response);
    if (response.ok) return;
    if (response.status >= 300 && response.status < 400) {
      const next = sameOriginTarget(url, response.headers.get("location"));
      if (next && hop < MAX_REDIRECTS && (response.status === 307 || response.status === 308)) {
        url = next;
        continue;
      }
      throw new DeliveryError(
        `${post.label}: HTTP ${response.status} redirect not followed (only same-host 307/308 are)`,
        false,
      );
    }
    const detail = reply ? `: ${reply}` : "";
    throw new DeliveryError(
      `${post.label}: HTTP ${response.status}${detail}`,
      post.retryable(response.status),
      retryAfterMs(response.headers.get("retry-after")),
    );
  }
}

function splitLogin(text: string): { url: string; authorization: Record<string, string> } {
  const url = new URL(text);
  if (!url.username && !url.password) return { url: text, authorization: {} };
  const login = `${decodeOrSame(url.username)}:${decodeOrSame(url.password)}`;
  url.username = "";
  url.password = "";
  return {
    url: url.href,
    authorization: { authorization: `Basic ${Buffer.from(login).toString("base64")}` },
  };
}

function decodeOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The first bytes of a reply, on one line, for the error message; the rest is cancelled unread. */
async function readReply(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < REPLY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // a reply cut short still has its status
  } finally {
    void reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, REPLY_BYTES).toString("utf8");
  return oneLine(text, 200);
}

function sameOriginTarget(from: string, location: string | null): string | null {
  if (!location) return null;
  try {
    const target = new URL(location, from);
    return target.origin === new URL(from).origin ? target.href : null;
  } catch {
    return null;
  }
}

/** `Retry-After` as seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Why a request got no reply, without the URL (fetch's messages may quote it). */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return "no reply in time";
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return `request failed (${cause.code})`;
  if (cause instanceof Error) return `request failed (${cause.message.slice(0, 200)})`;
  if (error instanceof TypeError && /invalid url|failed to parse url/i.test(error.message))
    return "invalid URL";
  return "request failed";
}
