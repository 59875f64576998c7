import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TransformFailure } from "esbuild";
import { transform } from "./esbuild-service.ts";
import type { CompiledSource } from "./loader-protocol.ts";

/** Compiled files kept for later loads (helpers, files that did not change), least recently used out. */
const CACHE_ENTRIES = 512;

/**
 * Turns the DAG repository's TypeScript into JavaScript for loader processes, in the daemon (so a
 * loader process needs no compiler and starts in a fraction of the time). Results are cached by
 * content, not path: an unchanged helper is compiled once however many loads and snapshot folders
 * see it, and the cache stays the same size however long the daemon runs.
 */
export class SourceCompiler {
  readonly #cache = new Map<string, CompiledSource>();

  /** The compiled form of the file at `file` (absolute), or null when it cannot be read. */
  async compile(file: string): Promise<CompiledSource | null> {
    let text: string;
    try {
      // Synchronous: about a tenth of the CPU of readFile for a small file (see read-texts.ts).
      text = readFileSync(file, "utf8");
    } catch {
      return null;
    }
    return this.compileText(file, text);
  }

  async compileText(file: string, text: string): Promise<CompiledSource> {
    const extension = path.extname(file);
    const key = createHash("sha1").update(extension).update("\0").update(text).digest("base64");
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const compiled = await compileSource(extension, text);
    this.#cache.set(key, compiled);
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value as string);
    return compiled;
  }
}

async function compileSource(extension: string, text: string): Promise<CompiledSource> {
  if (extension === ".json") return { kind: "json", text };
  try {
    const { code, map } = await transform(text, {
      loader: extension === ".js" || extension === ".mjs" ? "js" : "ts",
      format: "esm",
      target: "node20",
      // The map only serves line and column lookups in the loader process: no copy of the source.
      sourcemap: "external",
      sourcesContent: false,
    });
    return { kind: "module", code, map };
  } catch (thrown) {
    const first = (thrown as Partial<TransformFailure>).errors?.[0];
    if (!first) throw thrown;
    return {
      kind: "syntax-error",
      line: first.location?.line ?? 1,
      column: first.location?.column ?? 0,
      message: first.text,
    };
  }
}
