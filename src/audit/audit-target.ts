/**
 * What follows a DAG's id in its run ids (src/scheduler/run-planner.ts):
 * `__scheduled__20260501T000000Z` or `__manual__20260501T100000Z_<nonce>`; any lower-case kind, so
 * runs made another way (backfills) follow the same shape. Anchored: a DAG whose id merely starts
 * with another's (`etl_v2`, or even `etl__manual__…`) never counts as the shorter one's run.
 */
const RUN_SUFFIX = /^__[a-z]+__\d{8}T\d{6}Z(?:_[A-Za-z0-9]+)?$/;

/** True when an audit target (`dag/<id>`, `run/<runId>`, `run/<runId>/task/<taskId>`) is the DAG or one of its runs. */
export function targetsDag(target: string, dagId: string): boolean {
  if (target === `dag/${dagId}`) return true;
  if (!target.startsWith(`run/${dagId}__`)) return false;
  const slash = target.indexOf("/", 4);
  const runId = slash < 0 ? target.slice(4) : target.slice(4, slash);
  return RUN_SUFFIX.test(runId.slice(dagId.length)) && (slash < 0 || target.startsWith("/task/", slash));
}
