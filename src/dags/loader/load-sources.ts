import path from "node:path";
import { scanImports } from "../discovery/scan-imports.ts";
import type { CompiledSource, SourceFile } from "./loader-protocol.ts";
import type { SourceCompiler } from "./source-compiler.ts";

/**
 * The compiled sources of one load: each file compiled once however many modules of the load
 * import it (until released), and for each DAG module the files it is expected to need (itself and the helpers it
 * imports, transitively, as the import scan sees them), to send along with it.
 */
export class LoadSources {
  readonly #compiled = new Map<string, Promise<CompiledSource | null>>();

  constructor(private readonly compiler: SourceCompiler) {}

  /** The compiled file at `file` (absolute), null when there is none. */
  get(file: string): Promise<CompiledSource | null> {
    let compiled = this.#compiled.get(file);
    if (!compiled) {
      compiled = this.compiler.compile(file);
      this.#compiled.set(file, compiled);
    }
    return compiled;
  }

  /**
   * Forgets the compiled `file` (a module already sent): a load then holds the sources of the
   * modules in flight and of the helpers, not of every module. Asked again, it is compiled again
   * (from the compiler's cache, mostly).
   */
  release(file: string): void {
    this.#compiled.delete(file);
  }

  /**
   * `module` and everything it imports relatively, transitively. Candidates tried before the file
   * an import resolves to are included as missing (null), so the loader process need not ask.
   */
  async closure(module: string): Promise<SourceFile[]> {
    const files: SourceFile[] = [];
    const visited = new Set<string>([module]);
    const missing = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      const source = await this.get(file);
      files.push({ path: file, source });
      if (source?.kind !== "module") return;
      const imports = scanImports(path.basename(file), source.code).relativeImports;
      await Promise.all(
        imports.map(async (candidates) => {
          for (const relative of candidates) {
            const candidate = path.join(path.dirname(file), relative);
            if ((await this.get(candidate)) === null) {
              if (!missing.has(candidate)) files.push({ path: candidate, source: null });
              missing.add(candidate);
              continue;
            }
            if (visited.has(candidate)) return;
            visited.add(candidate);
            return visit(candidate);
          }
        }),
      );
    };
    await visit(module);
    return files;
  }
}
