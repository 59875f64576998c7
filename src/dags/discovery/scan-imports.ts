import path from "node:path";

/** What a source file imports, read from its text without running it. */
export interface ImportScan {
  /** The file imports `updraft`: it is a DAG module. */
  importsUpdraft: boolean;
  /**
   * Relative imports, each as the files (relative to the DAGs folder) it may resolve to, most
   * likely first. Candidates are kept even when no such file exists yet, so adding the file later
   * reloads the module that wanted it.
   */
  relativeImports: string[][];
}

// Over-matching (an import inside a comment) only reloads a module more often; never less.
const STATIC_IMPORT =
  /(?:^|[^.\w$])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"'\n]+)["']/g;
const CALL_IMPORT = /(?:\bimport|\brequire)\s*\(\s*["']([^"'\n]+)["']\s*\)/g;
const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** Scans `text`, the content of `file` (relative to the DAGs folder). */
export function scanImports(file: string, text: string): ImportScan {
  const specifiers = new Set<string>();
  for (const pattern of [STATIC_IMPORT, CALL_IMPORT]) {
    for (const match of text.matchAll(pattern)) if (match[1]) specifiers.add(match[1]);
  }
  const relativeImports: string[][] = [];
  for (const specifier of specifiers) {
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      relativeImports.push(candidatePaths(path.posix.join(path.posix.dirname(file), specifier)));
    }
  }
  return { importsUpdraft: specifiers.has("updraft"), relativeImports };
}

/** The files `import "<base>"` may mean, most likely first (as the loader process tries them). */
export function candidatePaths(base: string): string[] {
  const candidates = [base];
  const ext = path.posix.extname(base);
  if (ext === ".js" || ext === ".mjs") {
    const stem = base.slice(0, -ext.length);
    candidates.push(`${stem}${ext === ".js" ? ".ts" : ".mts"}`);
  }
  if (!EXTENSIONS.includes(ext)) {
    for (const extension of EXTENSIONS) candidates.push(`${base}${extension}`);
    for (const extension of EXTENSIONS) candidates.push(`${base}/index${extension}`);
  }
  return candidates;
}
