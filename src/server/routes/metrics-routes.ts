import { Hono } from "hono";

/** What `/metrics` serves: a registry's scrape. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

/** `GET /metrics`: Prometheus text format. */
export function metricsRoutes(metrics: MetricsSource): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) =>
    c.body(await metrics.text(), 200, { "content-type": metrics.contentType, "cache-control": "no-store" }),
  );
  return app;
}
