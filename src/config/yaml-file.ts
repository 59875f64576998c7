import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

/** A YAML settings file that cannot be used: `updraft run` exits 1 with its message. */
export class SettingsFileError extends Error {
  readonly code = "settings_file";
}

const MAX_SETTINGS_BYTES = 1024 * 1024;

/**
 * Reads `file` (given as `flag`) as YAML checked by `schema`. Every error names the flag, the file,
 * the line and what is wrong there: `--roles: roles.yaml:4: operator.1.dags: expected array`.
 */
export function readYamlSettings<S extends z.ZodType>(file: string, flag: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SettingsFileError(
      `${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path and that updraft's user may read it`,
    );
  }
  if (Buffer.byteLength(text) > MAX_SETTINGS_BYTES)
    throw new SettingsFileError(`${flag}: ${file} is larger than 1 MiB; is it the right file?`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const [yamlError] = doc.errors;
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    throw new SettingsFileError(
      `${flag}: ${file}${line ? `:${line}` : ""}: not valid YAML: ${yamlError.message.split("\n")[0]}`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library refuses alias bombs (anchors expanding to millions of nodes) by throwing.
    throw new SettingsFileError(
      `${flag}: ${file}: not usable YAML: ${(error as Error).message} (write the values out instead of nesting aliases)`,
    );
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const where = issue?.path ?? [];
  const node = doc.getIn(where as (string | number)[], true);
  const offset = isNode(node) && node.range ? node.range[0] : undefined;
  const line = offset === undefined ? undefined : lines.linePos(offset).line;
  throw new SettingsFileError(
    `${flag}: ${file}${line ? `:${line}` : ""}: ${where.length ? `${where.join(".")}: ` : ""}${issue?.message ?? "invalid"}`,
  );
}
