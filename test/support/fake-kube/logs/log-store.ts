import { nowNanos } from "../time.ts";

export interface LogLine {
  /** When the line was written, in nanoseconds since the epoch. */
  ns: bigint;
  stream: "stdout" | "stderr";
  /** The line with its newline (the last line of a stream may have none). */
  text: string;
}

/** One container instance's output, line by line as the CRI records it; followers hear every new line. */
export class ContainerLog {
  readonly lines: LogLine[] = [];
  #closed = false;
  readonly #partial = { stdout: "", stderr: "" };
  readonly #followers = new Set<() => void>();

  get closed(): boolean {
    return this.#closed;
  }

  append(stream: "stdout" | "stderr", chunk: string): void {
    if (this.#closed) return;
    const text = this.#partial[stream] + chunk;
    const parts = text.split("\n");
    this.#partial[stream] = parts.pop() ?? "";
    if (parts.length === 0) return;
    for (const part of parts) this.lines.push({ ns: nowNanos(), stream, text: `${part}\n` });
    this.#notify();
  }

  /** The container has stopped: flush unterminated lines, and end every follower. */
  close(): void {
    if (this.#closed) return;
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.#partial[stream]) this.lines.push({ ns: nowNanos(), stream, text: this.#partial[stream] });
      this.#partial[stream] = "";
    }
    this.#closed = true;
    this.#notify();
  }

  follow(listener: () => void): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  /** Everything written so far, without timestamps. */
  text(): string {
    return this.lines.map((l) => l.text).join("");
  }

  #notify(): void {
    for (const f of [...this.#followers]) f();
  }
}

/** Container logs by container ID, the way the kubelet finds them from a container status. */
export class LogStore {
  readonly #logs = new Map<string, ContainerLog>();
  readonly #byPod = new Map<string, string[]>();

  create(podUid: string, containerId: string): ContainerLog {
    const log = new ContainerLog();
    this.#logs.set(containerId, log);
    this.#byPod.set(podUid, [...(this.#byPod.get(podUid) ?? []), containerId]);
    return log;
  }

  get(containerId: string | undefined): ContainerLog | undefined {
    return containerId === undefined ? undefined : this.#logs.get(containerId);
  }

  /** The pod is gone: its logs go with it (followers are ended). */
  dropPod(podUid: string): void {
    for (const id of this.#byPod.get(podUid) ?? []) {
      this.#logs.get(id)?.close();
      this.#logs.delete(id);
    }
    this.#byPod.delete(podUid);
  }

  closeAll(): void {
    for (const log of this.#logs.values()) log.close();
  }
}
