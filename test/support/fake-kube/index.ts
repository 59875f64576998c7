export { startFakeKube, type FakeKube, type FakeKubeOptions, type PolicyRule } from "./fake-kube.ts";
export type { JournalEntry } from "./api/router.ts";
export type { FailOptions, LogCut, RequestMatch } from "./faults.ts";
export type { KubeletTimings } from "./kubelet/timings.ts";
export type { CoreEvent, Pod } from "./types.ts";
