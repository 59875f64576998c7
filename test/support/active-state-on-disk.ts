import { readFile } from "node:fs/promises";
import path from "node:path";
import { readActiveState } from "../../src/store/active-state-file.ts";

/** Active state as a daemon left it on disk (state.json with its journal replayed): works after it died. */
export async function activeStateOnDisk<T = { runs: Record<string, unknown> }>(stateDir: string): Promise<T> {
  return (await readActiveState(stateDir)) as unknown as T;
}

/** Every byte of active state on disk (state.json and its journal), for checks of what is never written. */
export async function activeStateTextOnDisk(stateDir: string): Promise<string> {
  const read = (name: string) => readFile(path.join(stateDir, name), "utf8").catch(() => "");
  return `${await read("state.json")}\n${await read("state.journal")}`;
}
