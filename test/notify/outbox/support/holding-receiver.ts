import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "../../../support/cleanup.ts";

/** One delivery posted by the outbox child: its id, the notification ids it carried, and whether it got a 200. */
export interface ReceivedDelivery {
  id: string;
  notifications: string[];
  answered: boolean;
}

/**
 * A webhook receiver on 127.0.0.1 that answers 200 to the first `answerFirst` requests and holds the
 * others open (no answer at all) until `answerAll()`; later requests are then answered at once.
 */
export async function holdingReceiver(cleanup: Cleanup, answerFirst: number) {
  const received: ReceivedDelivery[] = [];
  const held: ServerResponse[] = [];
  let answerAll = false;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        id: string;
        notifications: string[];
      };
      const entry: ReceivedDelivery = { ...body, answered: false };
      received.push(entry);
      if (!answerAll && received.length > answerFirst) return void held.push(response);
      // Counted as answered once the 200 is written to the socket.
      response.end("ok", () => (entry.answered = true));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(() => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    get held() {
      return held.length;
    },
    answerAll() {
      answerAll = true;
    },
  };
}
