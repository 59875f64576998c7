// `GET /api/dags` paging and filters, and the status page's DAG filter and page links (issue 17, point 2).
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import {
  BULK,
  bulkId,
  type DagListApp,
  dagListApp,
  HOSTILE_TAG,
  LIST_SECRET,
  NAMED,
} from "./support/dag-list-app.ts";

const cleanup = useCleanup("file");
let list: DagListApp;
beforeAll(async () => {
  list = await dagListApp(cleanup);
});

const ALL = [...NAMED.map((d) => d.definition.id), ...Array.from({ length: BULK }, (_, i) => bulkId(i))].sort(
  (a, b) => (a < b ? -1 : 1),
);
const ids = async (query: string) => {
  const response = await list.app.request(`/api/dags${query}`);
  expect(response.status, query).toBe(200);
  return ((await response.json()) as Array<{ id: string }>).map((dag) => dag.id);
};
const named = (id: string) => !id.startsWith("n_");

describe("GET /api/dags", () => {
  it("without limit lists every DAG in id order, each with the contract's fields, and no Link", async () => {
    const response = await list.app.request("/api/dags");
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(body.map((dag) => dag.id)).toEqual(ALL);
    expect(response.headers.get("link")).toBeNull();
    for (const field of [
      "id",
      "file",
      "schedule",
      "timezone",
      "paused",
      "nextRunAt",
      "commit",
      "tasks",
      "lastRun",
      "stale",
      "importError",
    ])
      expect(body[0]).toHaveProperty(field);
  });

  it.each([
    ["?q=alp", ["alpha"]],
    ["?q=ALP", ["alpha"]],
    ["?q=constructor", ["constructor"]],
    ["?q=__proto__", ["__proto__"]],
    ["?q=toString", []],
    ["?tag=etl", ["alpha", "beta"]],
    ["?tag=__proto__", ["constructor"]],
    ["?tag=toString", ["__proto__"]],
    ["?tag=constructor", []],
    [`?tag=${encodeURIComponent(HOSTILE_TAG)}`, ["alpha", "gamma"]],
    ["?owner=ann", ["alpha", "gamma"]],
    ["?owner=constructor", ["constructor"]],
    ["?owner=__proto__", ["__proto__"]],
    ["?owner=hasOwnProperty", []],
    ["?folder=dags/teams/a", ["alpha", "constructor", "gamma"]],
    ["?folder=dags/teams/a/", ["alpha", "constructor", "gamma"]],
    ["?folder=dags/team", []],
    ["?folder=__proto__", []],
    ["?state=paused", ["beta"]],
    ["?state=failing", ["gamma"]],
    ["?state=running", ["delta"]],
    ["?state=stale", ["epsilon"]],
    ["?owner=ann&state=failing", ["gamma"]],
    ["?tag=etl&state=active", ["alpha"]],
    ["?q=&tag=&owner=&folder=&state=&limit=", ALL.filter(named)],
  ])("%s lists %j (besides the bulk DAGs)", async (query, expected) => {
    expect((await ids(query)).filter(named)).toEqual(expected);
  });

  it("?state=active is everything not paused", async () => {
    expect(await ids("?state=active")).toEqual(ALL.filter((id) => id !== "beta"));
  });

  it("pages with ?limit and the Link header over real HTTP: every DAG once, in order; the last page has no Link", async () => {
    for (const [query, limit] of [
      ["?limit=100", 100],
      ["?limit=7&folder=dags/bulk", 7],
      ["?limit=1000", 1000],
    ] as const) {
      const seen: string[] = [];
      let next: string | null = `/api/dags${query}`;
      let pages = 0;
      while (next) {
        const response: Response = await fetch(list.url + next);
        const body = (await response.json()) as Array<{ id: string }>;
        expect(body.length).toBeLessThanOrEqual(limit);
        seen.push(...body.map((dag) => dag.id));
        const link = response.headers.get("link");
        next = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
        if (next) expect(next).toContain(`before=${encodeURIComponent(body.at(-1)?.id ?? "")}`);
        pages++;
      }
      const expected = query.includes("bulk") ? ALL.filter((id) => !named(id)) : ALL;
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / limit));
    }
  });

  it.each([
    ["tag=etl", ["alpha", "beta"]],
    ["owner=ann", ["alpha", "gamma"]],
    [`tag=${encodeURIComponent(HOSTILE_TAG)}&owner=ann`, ["alpha", "gamma"]],
  ])("pages a %s filter one DAG at a time, the cursor any DAG id", async (filter, expected) => {
    expect(await ids(`?${filter}&limit=1`)).toEqual(expected.slice(0, 1));
    expect(await ids(`?${filter}&limit=1&before=${expected[0]}`)).toEqual(expected.slice(1, 2));
    expect(await ids(`?${filter}&limit=1&before=${expected[1]}`)).toEqual([]);
    // A cursor need not match the filter: the page starts after it in id order.
    expect(await ids(`?${filter}&limit=5&before=__proto__`)).toEqual(expected);
  });

  it("?before=<id> starts after that DAG, prototype names included", async () => {
    expect(await ids("?limit=2&before=__proto__")).toEqual(
      ALL.slice(ALL.indexOf("__proto__") + 1).slice(0, 2),
    );
    expect(await ids("?limit=1&before=constructor")).toEqual(["delta"]);
  });

  it("?before=<id> of a DAG not loaded (a sync removed it) leads on from where it sorted", async () => {
    for (const gone of ["toString", "hasOwnProperty", "bravo_removed"])
      expect(await ids(`?limit=3&before=${gone}`)).toEqual(ALL.filter((id) => id > gone).slice(0, 3));
  });

  it.each([
    ["?limit=0", "limit must be a whole number from 1 to 1000"],
    ["?limit=1001", "limit must be a whole number from 1 to 1000"],
    ["?limit=-1", "limit must be a whole number from 1 to 1000"],
    ["?limit=ten", "limit must be a whole number from 1 to 1000"],
    ["?state=bogus", "state must be one of active, paused, failing, running, stale"],
    ["?state=__proto__", "state must be one of"],
    ["?state=constructor", "state must be one of"],
    ["?before=", "before must be a DAG id"],
    ["?before=%3Cb%3E", "before must be a DAG id"],
    ["?before=a%2Fb", "before must be a DAG id"],
    [`?before=${"x".repeat(201)}`, "before must be a DAG id"],
    [`?q=${"x".repeat(251)}`, "q must be at most 250 characters"],
    [`?folder=${"x".repeat(251)}`, "folder must be at most 250 characters"],
  ])("%s is a 400 saying %j", async (query, message) => {
    const response = await list.app.request(`/api/dags${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toContain(message);
  });

  it("shows a pause at once although pages are reused for up to a second", async () => {
    const alphaPaused = async () => {
      const body = (await (await list.app.request("/api/dags?limit=5")).json()) as Array<{
        id: string;
        paused: boolean;
      }>;
      return body.find((dag) => dag.id === "alpha")?.paused;
    };
    expect(await alphaPaused()).toBe(false);
    expect((await list.app.request("/api/dags/alpha/pause", { method: "POST" })).status).toBe(200);
    expect(await alphaPaused()).toBe(true);
    expect((await list.app.request("/api/dags/alpha/unpause", { method: "POST" })).status).toBe(200);
    expect(await alphaPaused()).toBe(false);
  });

  it("masks a secret echoed back in an error", async () => {
    const response = await list.app.request(`/api/dags?state=${LIST_SECRET}`);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain(LIST_SECRET);
  });
});

describe("the status page's DAG list", () => {
  const page = async (query: string) => {
    const response = await fetch(`${list.url}/${query}`);
    return { status: response.status, text: await response.text() };
  };
  // The DAG table's rows only (the recent runs below link to DAGs too).
  const rows = (text: string) => {
    const table = /<table class="dags">[\s\S]*?<\/table>/.exec(text)?.[0] ?? "";
    return [...table.matchAll(/<a href="\/dags\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1] ?? ""));
  };
  const hrefs = (text: string, rel: string) =>
    [...text.matchAll(new RegExp(`<a rel="${rel}" href="([^"]+)"`, "g"))].map((m) => m[1]);

  it("shows 100 DAGs, a filter form and a next link; the next page links back", async () => {
    const first = await page("");
    expect(first.status).toBe(200);
    expect(rows(first.text)).toEqual(ALL.slice(0, 100));
    expect(first.text).toContain(`<form class="dag-filter" method="get" action="/">`);
    expect(first.text).toContain(`DAGs (${ALL.length})`);
    expect(hrefs(first.text, "prev")).toEqual([]);
    expect(hrefs(first.text, "next")).toEqual([`/?before=${encodeURIComponent(ALL[99] ?? "")}`]);
    const second = await page(`?before=${encodeURIComponent(ALL[99] ?? "")}`);
    expect(rows(second.text)).toEqual(ALL.slice(100, 200));
    expect(hrefs(second.text, "prev")).toEqual(["/"]);
    const third = await page(`?before=${encodeURIComponent(ALL[199] ?? "")}`);
    expect(rows(third.text)).toEqual(ALL.slice(200));
    expect(hrefs(third.text, "prev")).toEqual([`/?before=${encodeURIComponent(ALL[99] ?? "")}`]);
    expect(hrefs(third.text, "next")).toEqual([]);
  });

  it("filters, keeps hostile filter values as text in the form and in the page links", async () => {
    const { status, text } = await page(`?limit=1&tag=${encodeURIComponent(HOSTILE_TAG)}`);
    expect(status).toBe(200);
    expect(rows(text)).toEqual(["alpha"]);
    expect(text).not.toContain(HOSTILE_TAG);
    expect(text).toContain(`value="&lt;script&gt;alert(&quot;tag&quot;)&lt;/script&gt;&amp;&quot;&#39;"`);
    expect(hrefs(text, "next")).toEqual([
      `/?tag=%3Cscript%3Ealert%28%22tag%22%29%3C%2Fscript%3E%26%22%27&amp;limit=1&amp;before=alpha`,
    ]);
    const next = await page(`?tag=${encodeURIComponent(HOSTILE_TAG)}&limit=1&before=alpha`);
    expect(rows(next.text)).toEqual(["gamma"]);
  });

  it("keys its cache on the query: two filters within a second show their own DAGs", async () => {
    expect(rows((await page("?owner=ann")).text)).toEqual(["alpha", "gamma"]);
    expect(rows((await page("?state=paused")).text)).toEqual(["beta"]);
    expect((await page("?q=no-such-dag")).text).toContain("No DAG matches the filter.");
  });

  it("shows a pause at once, on the page or off it, although renderings are reused for up to a second", async () => {
    const pausedCount = async (query: string) => /\((\d+) paused/.exec((await page(query)).text)?.[1];
    expect(await pausedCount("?limit=1")).toBe("1");
    expect((await list.app.request(`/api/dags/${bulkId(200)}/pause`, { method: "POST" })).status).toBe(200);
    expect(await pausedCount("?limit=1")).toBe("2");
    expect(rows((await page("?state=paused")).text)).toEqual(["beta", bulkId(200)]);
    expect((await list.app.request(`/api/dags/${bulkId(200)}/unpause`, { method: "POST" })).status).toBe(200);
    expect(rows((await page("?state=paused")).text)).toEqual(["beta"]);
  });

  it.each(["?state=bogus", "?limit=0", "?before=%3Cb%3E"])(
    "%s is a 400 page naming the parameter",
    async (query) => {
      const { status, text } = await page(query);
      expect(status).toBe(400);
      expect(text).toMatch(/state must be|limit must be|before must be/);
    },
  );
});
