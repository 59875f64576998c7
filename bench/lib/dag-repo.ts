import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** One generated DAG module. */
export interface GeneratedDag {
  /** Relative to the repository root. */
  file: string;
  id: string;
  /** The helper it imports (relative to the root), if any. */
  helper: string | undefined;
}

/** Shape of a generated repository; the defaults are the 1,000-DAG repository of round 1. */
export interface DagRepoOptions {
  /** Pod tasks per DAG module: a number, or 3 to 5 in turn (the default). */
  tasksPerDag?: number;
  /** How many DAG modules import the hot helper (default: one in a hundred). */
  hotImporters?: number;
}

/** A generated DAG repository. */
export interface DagRepo {
  root: string;
  /** How its modules were generated (so that revisions keep their tasks). */
  shape?: Shape;
  dags: GeneratedDag[];
  helpers: string[];
  tasks: number;
  /** The helper imported by `hotImporters` DAG modules (ten of 1,000 by default), and those modules. */
  hotHelper: string;
  hotImporters: GeneratedDag[];
}

const TEAMS = [
  "payments",
  "search",
  "growth",
  "infra",
  "ml",
  "risk",
  "ads",
  "support",
  "catalog",
  "logistics",
];
const DOMAINS = ["ingest", "reports", "exports", "quality", "backfill"];
// With teams/<team>/<domain>, three to five folder levels.
const NESTING = [[], ["daily"], ["daily", "eu"]];
const HOT_HELPER = "shared/hot-helper.ts";
const COMMON_HELPER = "shared/common.ts";

/**
 * Writes `count` DAG modules under `root`, each with 3 to 5 pod tasks (or `tasksPerDag`) wired with
 * dependsOn. One module in ten imports a helper: one in a hundred the hot helper (ten importers for
 * 1,000 modules; `hotImporters` sets the number), the others their team's helper, which itself
 * imports a shared one.
 */
export async function generateDagRepo(
  root: string,
  count: number,
  options: DagRepoOptions = {},
): Promise<DagRepo> {
  const hotEvery = Math.max(1, Math.floor(count / Math.max(1, options.hotImporters ?? count / 100)));
  const shape: Shape = { hotEvery, tasksPerDag: options.tasksPerDag };
  const dags = Array.from({ length: count }, (_, index) => generatedDag(index, hotEvery));
  const taskCount = (index: number) => tasksOf(shape, index);
  const helpers = [HOT_HELPER, COMMON_HELPER, ...TEAMS.map(teamHelper)];
  const files = new Map<string, string>([
    [HOT_HELPER, hotHelperSource(0)],
    [COMMON_HELPER, 'export const REGISTRY = "registry.example.com";\n'],
    ...TEAMS.map((team): [string, string] => [teamHelper(team), teamHelperSource(team)]),
    ...dags.map((dag, index): [string, string] => [dag.file, dagSource(dag, index, 0, shape)]),
  ]);
  const folders = new Set([...files.keys()].map((file) => path.dirname(path.join(root, file))));
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  await Promise.all([...files].map(([file, text]) => writeFile(path.join(root, file), text)));
  return {
    root,
    shape,
    dags,
    helpers,
    tasks: dags.reduce((sum, _, index) => sum + taskCount(index), 0),
    hotHelper: HOT_HELPER,
    hotImporters: dags.filter((dag) => dag.helper === HOT_HELPER),
  };
}

/** Rewrites DAG module `index` so that its description names `revision`. */
export async function reviseDag(repo: DagRepo, index: number, revision: number): Promise<GeneratedDag> {
  const dag = repo.dags[index];
  if (!dag) throw new Error(`no generated DAG #${index}`);
  await writeFile(path.join(repo.root, dag.file), dagSource(dag, index, revision, repo.shape));
  return dag;
}

/** Rewrites the hot helper so that every importer's tags include `rev-<revision>`. */
export async function reviseHotHelper(repo: DagRepo, revision: number): Promise<void> {
  await writeFile(path.join(repo.root, repo.hotHelper), hotHelperSource(revision));
}

/** The description DAG module `index` has at `revision`. */
export function dagDescription(index: number, revision: number): string {
  return `Generated DAG ${index}, revision ${revision}.`;
}

/** What the options decide about each module. */
export interface Shape {
  hotEvery: number;
  tasksPerDag: number | undefined;
}

function generatedDag(index: number, hotEvery: number): GeneratedDag {
  const team = TEAMS[index % TEAMS.length] as string;
  const domain = DOMAINS[Math.floor(index / TEAMS.length) % DOMAINS.length] as string;
  const nesting = NESTING[index % NESTING.length] as string[];
  const id = `dag_${String(index).padStart(4, "0")}`;
  const helper = index % hotEvery === 0 ? HOT_HELPER : index % 10 === 0 ? teamHelper(team) : undefined;
  return { file: ["teams", team, domain, ...nesting, `${id}.ts`].join("/"), id, helper };
}

function tasksOf(shape: Shape | undefined, index: number): number {
  return shape?.tasksPerDag ?? 3 + (index % 3);
}

function teamHelper(team: string): string {
  return `teams/${team}/lib/defaults.ts`;
}

function importPath(from: string, to: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to);
  return relative.startsWith(".") ? relative : `./${relative}`;
}

function dagSource(dag: GeneratedDag, index: number, revision: number, shape: Shape | undefined): string {
  const count = tasksOf(shape, index);
  // step_0 first, the middle steps after it in parallel, the last step after all of them.
  const dependsOn = (task: number) =>
    task === 0
      ? []
      : task < count - 1
        ? ["step_0"]
        : Array.from({ length: count - 2 }, (_, m) => `step_${m + 1}`);
  const tasks = Array.from(
    { length: count },
    (_, task) => `    pod({
      id: "step_${task}",
      image: ${dag.helper ? "IMAGE" : `"registry.example.com/jobs/worker:1.${index % 7}.${task}"`},
      command: ["node", "-e", "console.log('step ${task} of ${dag.id} for {{ ds }}')"],
      dependsOn: ${JSON.stringify(dependsOn(task))},
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
      env: { STEP: "${task}" },
    }),`,
  );
  const helperImport = dag.helper
    ? `import { IMAGE, TAGS } from "${importPath(dag.file, dag.helper)}";`
    : "const TAGS: string[] = [];";
  return `// Generated by bench/load.ts.
import { dag, pod } from "updraft";
${helperImport}

export default dag({
  id: "${dag.id}",
  description: ${JSON.stringify(dagDescription(index, revision))},
  schedule: "${index % 60} ${index % 24} * * *",
  startDate: "2026-11-01",
  owner: "team-${index % TEAMS.length}",
  tags: ["generated", ...TAGS],
  retries: ${index % 3},
  tasks: [
${tasks.join("\n")}
  ],
});
`;
}

function hotHelperSource(revision: number): string {
  return `// Generated helper imported by ten DAG modules (not a DAG module: no updraft import).
export const IMAGE = "registry.example.com/jobs/hot:1.0.0";
export const TAGS: string[] = ["hot", "rev-${revision}"];
`;
}

function teamHelperSource(team: string): string {
  return `// Generated helper of team ${team}.
import { REGISTRY } from "${importPath(teamHelper(team), COMMON_HELPER)}";

export const IMAGE = \`\${REGISTRY}/${team}/worker:2.0.0\`;
export const TAGS: string[] = ["${team}"];
`;
}
