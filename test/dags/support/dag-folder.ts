import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A DAGs folder in a fresh temp dir, written from `relative path -> source text`. */
export interface DagFolder {
  root: string;
  write(file: string, text: string): Promise<void>;
  remove(file: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeDagFolder(files: Record<string, string> = {}): Promise<DagFolder> {
  const root = await mkdtemp(path.join(os.tmpdir(), "updraft-dags-"));
  const folder: DagFolder = {
    root,
    async write(file, text) {
      const target = path.join(root, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text);
    },
    async remove(file) {
      await rm(path.join(root, file), { recursive: true, force: true });
    },
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
  for (const [file, text] of Object.entries(files)) await folder.write(file, text);
  return folder;
}

/** A DAG module with one busybox task, for tests that only need a valid DAG with a given id. */
export function simpleDag(id: string, image = "busybox:1.36"): string {
  return `import { dag, pod } from "updraft";
export default dag({ id: "${id}", schedule: null, tasks: [pod({ id: "only", image: "${image}" })] });
`;
}
