/**
 * A small Dockerfile reader: enough of the syntax (continuations, comments, JSON and shell forms,
 * `ENV k=v` pairs) for the test that replays our own Dockerfile's steps without a Docker engine.
 */

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuations joined. */
  text: string;
}

export interface Stage {
  /** `FROM image AS name` → name; unnamed stages get their index. */
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** `ARG NAME=default` before the first FROM. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(source: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { keyword, text } of logicalLines(source)) {
    const stage = stages.at(-1);
    if (keyword === "FROM") {
      const [image = "", as, name] = text.split(/\s+/);
      const from = image.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => args[a ?? b ?? ""] ?? "",
      );
      const named = as?.toUpperCase() === "AS" && name;
      stages.push({ name: named ? name : String(stages.length), from, instructions: [] });
    } else if (stage) stage.instructions.push({ keyword, text });
    else if (keyword === "ARG") {
      const [name = "", value = ""] = text.split("=", 2);
      args[name] = value;
    }
  }
  return { args, stages };
}

function logicalLines(source: string): Instruction[] {
  const lines: Instruction[] = [];
  let pending = "";
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = "";
    if (whole === "") continue;
    const keyword = whole.split(/\s+/, 1)[0] ?? "";
    lines.push({ keyword: keyword.toUpperCase(), text: whole.slice(keyword.length).trim() });
  }
  return lines;
}

/** Every instruction of `keyword` in the stage. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** `ENTRYPOINT`/`CMD` in JSON (exec) form; the shell form is refused, signals would go to sh. */
export function execForm(instruction: Instruction | undefined): string[] {
  if (!instruction) return [];
  const parsed: unknown = JSON.parse(instruction.text);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string"))
    throw new Error(`${instruction.keyword} is not in exec form: ${instruction.text}`);
  return parsed;
}

/** `ENV A=1 B="two words"` (the `ENV A 1` legacy form too), in order, later values winning. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { text } of instructionsOf(stage, "ENV")) {
    if (!text.includes("=")) {
      const [name = "", ...value] = text.split(/\s+/);
      env[name] = value.join(" ");
      continue;
    }
    for (const match of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g))
      env[match[1] ?? ""] = match[3] ?? match[2] ?? "";
  }
  return env;
}

export interface CopyStep {
  /** `--from=stage`, if any. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copiesOf(stage: Stage): CopyStep[] {
  return instructionsOf(stage, "COPY").map(({ text }) => {
    const words = text.split(/\s+/);
    const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
    const paths = words.filter((w) => !w.startsWith("--"));
    const destination = paths.pop() ?? "";
    return { from, sources: paths, destination };
  });
}
