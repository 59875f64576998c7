import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { candidatePaths } from "../discovery/scan-imports.ts";
import type { CompiledSource } from "./loader-protocol.ts";

/** Gives the compiled file at an absolute path, null when there is none. */
export type SourceProvider = (file: string) => Promise<CompiledSource | null>;

type ModuleNamespace = Record<string, unknown>;

/**
 * The DAG repository's modules as this loader process evaluates them: ES modules built with
 * node:vm from sources the daemon compiled, one instance per file (a helper imported by several
 * DAG modules runs once, as with import()). `updraft` is the SDK this process already runs;
 * Node built-ins and packages are imported the ordinary way.
 */
export class DagModuleGraph {
  readonly #modules = new Map<string, Promise<vm.Module>>();
  readonly #externals = new Map<string, Promise<vm.Module>>();
  readonly #sdk: vm.Module;

  constructor(
    private readonly sourceOf: SourceProvider,
    sdk: ModuleNamespace,
  ) {
    this.#sdk = syntheticModule(sdk, "updraft");
  }

  /** Evaluates the module at `file` (absolute) and what it imports; returns its namespace. */
  async evaluate(file: string): Promise<ModuleNamespace> {
    const module = await this.#moduleAt(file);
    await this.#run(module);
    return module.namespace as ModuleNamespace;
  }

  async #run(module: vm.Module): Promise<void> {
    if (module.status === "unlinked")
      await module.link((specifier, referrer) => this.#resolve(specifier, referrer));
    // "evaluating": a module importing itself, or an importer, while it runs; its namespace is
    // usable as soon as its bindings are (as with import()).
    if (module.status !== "evaluated" && module.status !== "evaluating") await module.evaluate();
  }

  #moduleAt(file: string): Promise<vm.Module> {
    let module = this.#modules.get(file);
    if (!module) {
      module = this.#build(file);
      this.#modules.set(file, module);
    }
    return module;
  }

  async #build(file: string): Promise<vm.Module> {
    const source = await this.sourceOf(file);
    const url = pathToFileURL(file).href;
    if (!source) throw notFound(file, file);
    if (source.kind === "json") return syntheticModule({ default: JSON.parse(source.text) as unknown }, url);
    if (source.kind === "syntax-error") {
      // The format esbuild uses for its own errors, which load-error.ts reads back.
      throw new Error(
        `Transform failed with 1 error:\n${file}:${source.line}:${source.column}: ERROR: ${source.message}`,
      );
    }
    return new vm.SourceTextModule(source.code, {
      identifier: url,
      initializeImportMeta: (meta) => {
        meta.url = url;
        Object.assign(meta, { filename: file, dirname: path.dirname(file) });
      },
      importModuleDynamically: (async (specifier: string, referrer: vm.Module) => {
        const module = await this.#resolve(specifier, referrer);
        await this.#run(module);
        return module;
      }) as unknown as vm.SourceTextModuleOptions["importModuleDynamically"],
    });
  }

  async #resolve(specifier: string, referrer: vm.Module): Promise<vm.Module> {
    if (specifier === "updraft") return this.#sdk;
    const importer = fileURLToPath(referrer.identifier);
    if (
      specifier.startsWith("./") ||
      specifier.startsWith("../") ||
      specifier.startsWith("/") ||
      specifier.startsWith("file:")
    ) {
      const base = specifier.startsWith("file:")
        ? fileURLToPath(specifier)
        : path.resolve(path.dirname(importer), specifier);
      for (const candidate of candidatePaths(base)) {
        if (this.#modules.has(candidate) || (await this.sourceOf(candidate)))
          return this.#moduleAt(candidate);
      }
      throw notFound(base, importer);
    }
    return this.#external(specifier, referrer.identifier);
  }

  /** A Node built-in or a package, imported normally and offered to DAG modules as it is. */
  #external(specifier: string, importerUrl: string): Promise<vm.Module> {
    const url = import.meta.resolve(specifier, importerUrl);
    let module = this.#externals.get(url);
    if (!module) {
      module = import(url).then((namespace: ModuleNamespace) => syntheticModule(namespace, url));
      this.#externals.set(url, module);
    }
    return module;
  }
}

function syntheticModule(namespace: ModuleNamespace, identifier: string): vm.Module {
  const names = Object.keys(namespace);
  return new vm.SyntheticModule(
    names,
    function (this: vm.SyntheticModule) {
      for (const name of names) this.setExport(name, namespace[name]);
    },
    { identifier },
  );
}

/** The error Node gives for a missing import, which load-error.ts points back to the import line. */
function notFound(wanted: string, importer: string): Error {
  return Object.assign(new Error(`Cannot find module '${wanted}' imported from ${importer}`), {
    code: "ERR_MODULE_NOT_FOUND",
  });
}
