import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "./cleanup.ts";

/** One request a receiver took: its path and JSON body. */
export interface ReceivedPost {
  path: string;
  body: unknown;
}

/** A webhook receiver on 127.0.0.1 that keeps every JSON body posted to it and answers 200. */
export async function webhookReceiver(cleanup: Cleanup): Promise<{ url: string; received: ReceivedPost[] }> {
  const received: ReceivedPost[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      response.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
