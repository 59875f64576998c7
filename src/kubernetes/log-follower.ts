import { readFileSync } from "node:fs";
import { appendFile, writeFile } from "node:fs/promises";
import { finished, type Readable, Writable } from "node:stream";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { type LinePiece, LineSplitter, MAX_LINE_BYTES } from "../executor/line-splitter.ts";
import { LOG_FILE_MODE, PieceMasker, pieceText } from "../executor/task-log.ts";
import type { KubeApi } from "./kube-api.ts";
import { trySideFile } from "../runs/try-files.ts";
import { mayExist } from "../executor/may-exist.ts";

/** The stamp `timestamps=true` puts before each line; searched for in a line's first bytes only. */
const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z /;
const STAMP_SEARCH_BYTES = 64;

export interface LogFollowerOptions {
  /** Masks every known secret in a line before it is written. */
  mask?: SecretMask;
  /** Longer lines are cut into pieces this long (see line-splitter.ts). */
  maxLineBytes?: number;
  /** The try's log folder was just made: no cursor of an earlier daemon to carry on from. */
  noCursor?: boolean;
}

/** Why a follow still waiting for its turn is dropped; one instance: an abort without one builds a DOMException. */
const FOLLOW_NOT_NEEDED = new Error("the follower stopped before its follow request was sent");

/** `2026-11-21T20:00:00.12Z` → `2026-11-21T20:00:00.120000000Z`, so timestamps compare as strings. */
export function normalizeTimestamp(seconds: string, fraction: string | undefined): string {
  return `${seconds}.${(fraction ?? "").padEnd(9, "0").slice(0, 9)}Z`;
}

/**
 * Follows a container's log into the try's log file. Log streams drop (long runs, log rotation,
 * API restarts); each reconnect asks from the last second seen and skips lines already written,
 * by timestamp and by count within the same timestamp, so nothing is lost or doubled. `finish`
 * fetches whatever the stream had not delivered once the container has ended.
 */
export class LogFollower {
  #last: string | undefined;
  #seenAtLast = 0;
  #skipAtLast = 0;
  #splitter: LineSplitter;
  #masker: PieceMasker;
  /** The line being written was a repeat: its further pieces are skipped too. */
  #skippingLine = false;
  #writes: Promise<void> = Promise.resolve();
  #wrote = false;
  #stream: { abort(): void } | undefined;
  /** Aborts a follow request still waiting for the request budget: finish() reads the log instead. */
  #opening: AbortController | undefined;
  #stopped = false;
  #finishing = false;
  /** Resolves when the current stream has ended (cleanly or not). */
  #streamEnded: Promise<void> = Promise.resolve();
  #reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly target: { namespace: string; pod: string; container: string; logFile: string },
    private readonly reconnectMs = 1000,
    /** How long finish() lets a live stream deliver its last lines before cutting it. */
    private readonly drainMs = 2000,
    private readonly options: LogFollowerOptions = {},
  ) {
    this.#splitter = new LineSplitter(options.maxLineBytes ?? MAX_LINE_BYTES);
    this.#masker = new PieceMasker(options.mask);
    // Adopting a Pod after a restart: carry on after the last line the previous daemon wrote. A
    // fresh try has no cursor: asked first, since a failed read builds an error with a stack.
    if (options.noCursor || !mayExist(this.#cursorFile)) return;
    try {
      const cursor = JSON.parse(readFileSync(this.#cursorFile, "utf8")) as {
        last?: string;
        seenAtLast?: number;
      };
      if (typeof cursor.last === "string") {
        this.#last = cursor.last;
        this.#seenAtLast = cursor.seenAtLast ?? 0;
      }
    } catch {
      // No cursor: a fresh try.
    }
  }

  get #cursorFile(): string {
    return trySideFile(this.target.logFile, "cursor");
  }

  start(): void {
    void this.#connect();
  }

  /** Whether this follower has appended anything to the log file. */
  get wrote(): boolean {
    return this.#wrote;
  }

  /** Stops following and appends the lines the stream did not deliver. */
  async finish(): Promise<void> {
    this.#finishing = true;
    clearTimeout(this.#reconnect);
    this.#opening?.abort(FOLLOW_NOT_NEEDED);
    // The container has ended, so a live stream is delivering its last lines and about to end:
    // let it, for a Pod deleted along with its end (a cancel, a timeout) has no log left to read.
    if (this.#stream && !this.#stopped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#streamEnded,
        new Promise((resolve) => (timer = setTimeout(resolve, this.drainMs))),
      ]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    this.#stream?.abort();
    // The read starts over from the last second seen: it repeats any unfinished line in full.
    const followed = { splitter: this.#splitter, skipAtLast: this.#skipAtLast, skipping: this.#skippingLine };
    this.#resume();
    let received = false;
    try {
      const { namespace, pod, container } = this.target;
      const sink = this.#sink(() => (received = true));
      await this.api.readLog(namespace, pod, container, this.#sinceTime(), sink);
    } catch {
      // The pod may be gone already; what was followed is what there is, its last line included.
      if (!received) {
        this.#splitter = followed.splitter;
        this.#skipAtLast = followed.skipAtLast;
        this.#skippingLine = followed.skipping;
      }
    }
    for (const piece of this.#splitter.end()) this.#piece(piece);
    await this.#writes;
  }

  /** Stops without a final fetch (the try was adopted elsewhere or the daemon is stopping). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnect);
    this.#opening?.abort(FOLLOW_NOT_NEEDED);
    this.#stream?.abort();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#resume();
    let ended: () => void = () => undefined;
    this.#streamEnded = new Promise((resolve) => (ended = resolve));
    // After finish() or stop(), a stream that is still delivering has nothing to add.
    const sink = this.#sink(() => !this.#stopped);
    // An unfinished line is not flushed: the next stream (or finish's read) repeats it in full.
    finished(sink, () => {
      ended();
      this.#scheduleReconnect();
    });
    const opening = new AbortController();
    this.#opening = opening;
    try {
      const { namespace, pod, container } = this.target;
      const since = this.#sinceTime();
      const stream = await this.api.followLog(namespace, pod, container, since, sink, opening.signal);
      // finish() or stop() may have come while the request was on its way.
      if (this.#stopped) stream.abort();
      this.#stream = stream;
    } catch {
      // 400 while the container is still being created, or the API blinked: try again shortly.
      // (Aborted while waiting for its turn: finish() or stop() came, and no reconnect follows.)
      ended();
      this.#scheduleReconnect();
    } finally {
      if (this.#opening === opening) this.#opening = undefined;
    }
  }

  /**
   * Where a response body goes: split into bounded line pieces, each written before the next chunk
   * is taken, so a fast stream waits for the disk instead of piling up in memory.
   */
  #sink(wanted: () => boolean): Writable {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (wanted()) for (const piece of this.#splitter.push(chunk)) this.#piece(piece);
        void this.#writes.then(() => callback());
      },
    });
    // client-node pipes the response body into the sink, and `pipe` neither ends nor errors the
    // sink when the body fails (a cut connection: "Premature close"): pass that on, or the
    // follower would wait on a dead stream until the try ends.
    sink.on("pipe", (source: Readable) => {
      finished(source, (error) => {
        if (error) sink.destroy(error);
      });
    });
    sink.on("error", () => undefined);
    return sink;
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#finishing) return;
    clearTimeout(this.#reconnect);
    this.#reconnect = setTimeout(() => void this.#connect(), this.reconnectMs);
    this.#reconnect.unref();
  }

  /** A new stream starts over from the last second seen: skip what was already written. */
  #resume(): void {
    this.#splitter = new LineSplitter(this.options.maxLineBytes ?? MAX_LINE_BYTES);
    this.#masker = new PieceMasker(this.options.mask);
    this.#skippingLine = false;
    this.#skipAtLast = this.#seenAtLast;
  }

  #sinceTime(): string | undefined {
    return this.#last ? `${this.#last.slice(0, 19)}Z` : undefined;
  }

  #piece(piece: LinePiece): void {
    if (piece.continued) {
      if (!this.#skippingLine) this.#append(piece);
      return;
    }
    const match = TIMESTAMPED.exec(piece.bytes.subarray(0, STAMP_SEARCH_BYTES).toString("latin1"));
    this.#skippingLine = false;
    if (!match?.[1]) {
      this.#append(piece);
      return;
    }
    const stamp = normalizeTimestamp(match[1], match[2]);
    const text = { ...piece, bytes: piece.bytes.subarray(match[0].length) };
    if (this.#last !== undefined && stamp < this.#last) {
      this.#skippingLine = true;
      return;
    }
    if (stamp === this.#last) {
      if (this.#skipAtLast > 0) {
        this.#skipAtLast--;
        this.#skippingLine = true;
        return;
      }
      this.#seenAtLast++;
    } else {
      this.#last = stamp;
      this.#seenAtLast = 1;
      this.#skipAtLast = 0;
    }
    this.#append(text);
  }

  #append(piece: LinePiece): void {
    this.#wrote = true;
    const text = pieceText(this.#masker.piece(piece), this.#splitter.maxBytes);
    const cursor = JSON.stringify({ last: this.#last, seenAtLast: this.#seenAtLast });
    // The cursor is written after its line, so a crash can lose a cursor update but never a line.
    this.#writes = this.#writes
      .then(() => appendFile(this.target.logFile, text, { mode: LOG_FILE_MODE }))
      .then(() => writeFile(this.#cursorFile, cursor, { mode: LOG_FILE_MODE }))
      .catch(() => undefined);
  }
}
