import { Counter, type Registry } from "prom-client";

/** `updraft_github_status_posts_total{result}` in `registry`; returns the function that counts one. */
export function githubStatusPostsCounter(registry: Registry): (result: string) => void {
  const posts = new Counter({
    name: "updraft_github_status_posts_total",
    help: "GitHub commit status posts by result: posted, retried, gave_up, unauthorized, not_found, rejected, dropped.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  return (result) => posts.inc({ result });
}
