import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { UpdraftApp } from "../server/app.ts";

/** The daemon's HTTP server: listens once, knows its URL, closes (waiting for open requests). */
export class HttpListener {
  #server: ServerType | undefined;
  #address: AddressInfo | undefined;

  /** Where it listens (after listen), e.g. `http://127.0.0.1:8080`; empty before. */
  readonly url = (): string => {
    const address = this.#address;
    if (!address) return "";
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  };

  listen(app: Pick<UpdraftApp, "fetch">, hostname: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server = serve({ fetch: app.fetch, hostname, port }, (info) => {
        this.#address = info;
        resolve();
      });
      this.#server.once("error", reject);
    });
  }

  /** Stops accepting at once (a stop that came during start-up). */
  closeNow(): void {
    this.#server?.close();
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
