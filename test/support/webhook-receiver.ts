import { once } from "node:events";
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "./cleanup.ts";

/** One request a receiver took: its path and JSON body (and its headers). */
export interface ReceivedPost {
  path: string;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** What a receiver answers a post with; the default is an empty 200. */
export interface ReceiverAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebhookReceiverOptions {
  /** Called for each post (after it is kept): the answer to give. */
  answer?: (post: ReceivedPost, index: number) => ReceiverAnswer;
}

/** A webhook receiver on 127.0.0.1 that keeps every JSON body posted to it and answers 200 (or as `answer` says). */
export async function webhookReceiver(
  cleanup: Cleanup,
  options: WebhookReceiverOptions = {},
): Promise<{ url: string; received: ReceivedPost[] }> {
  const received: ReceivedPost[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const post = {
        path: request.url ?? "",
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
        headers: request.headers,
      };
      received.push(post);
      const answer = options.answer?.(post, received.length - 1) ?? {};
      response.writeHead(answer.status ?? 200, answer.headers);
      response.end(answer.body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
