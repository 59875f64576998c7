import { describe, expect, it } from "vitest";
import {
  renderTaskTemplates,
  renderTemplate,
  TEMPLATE_NAMES,
  type TemplateContext,
} from "../../src/scheduler/templating.ts";
import { buildDag, pod } from "./fixtures.ts";

const conf = {
  k: 1,
  name: "alice",
  nested: { list: [{ id: "x" }, { id: "y" }], flag: true },
  empty: "",
  nothing: null,
  dollars: "a$&b$1",
  braces: "{{ ds }}",
};

const context: TemplateContext = {
  conf,
  logicalDate: "2026-05-01T22:30:00.000Z",
  runId: "etl__scheduled__20260501T223000Z",
  dagId: "etl",
  taskId: "load",
  tryNumber: 2,
  results: {
    fetch: { rows: 3, files: ["a.csv", "b.csv"], meta: { path: "/data/x" } },
    plain: "just text",
    "fetch.v2": { rows: 7 },
    nulled: null,
  },
};

function rendered(text: string): string {
  const result = renderTemplate(text, context);
  if (!result.ok) throw new Error(`expected "${text}" to render, got: ${result.error}`);
  return result.value;
}

function failure(text: string): unknown {
  return renderTemplate(text, context);
}

describe("renderTemplate: names", () => {
  it.each([
    ["{{ dag_run.conf }}", JSON.stringify(conf)],
    ["{{ dag_run.conf.k }}", "1"],
    ["{{ dag_run.conf.name }}", "alice"],
    ["{{ dag_run.conf.nested }}", '{"list":[{"id":"x"},{"id":"y"}],"flag":true}'],
    ["{{ dag_run.conf.nested.flag }}", "true"],
    ["{{ dag_run.conf.nested.list.1.id }}", "y"],
    ["{{ dag_run.conf.empty }}", ""],
    ["{{ dag_run.conf.nothing }}", "null"],
    ["{{ ds }}", "2026-05-01"],
    ["{{ ts }}", "2026-05-01T22:30:00.000Z"],
    ["{{ run_id }}", "etl__scheduled__20260501T223000Z"],
    ["{{ dag.id }}", "etl"],
    ["{{ task.id }}", "load"],
    ["{{ try_number }}", "2"],
    ["{{ tasks.fetch.result }}", '{"rows":3,"files":["a.csv","b.csv"],"meta":{"path":"/data/x"}}'],
    ["{{ tasks.fetch.result.rows }}", "3"],
    ["{{ tasks.fetch.result.files.0 }}", "a.csv"],
    ["{{ tasks.fetch.result.meta.path }}", "/data/x"],
    ["{{ tasks.plain.result }}", "just text"],
    ["{{ tasks.nulled.result }}", "null"],
    ["{{ tasks.fetch.v2.result.rows }}", "7"],
  ])("%s → %j", (text, expected) => {
    expect(rendered(text)).toBe(expected);
  });

  it("documents every name CONTRACT.md promises", () => {
    expect(TEMPLATE_NAMES).toEqual([
      "dag_run.conf",
      "dag_run.conf.KEY",
      "ds",
      "ts",
      "run_id",
      "dag.id",
      "task.id",
      "try_number",
      "tasks.ID.result",
      "tasks.ID.result.PATH",
    ]);
  });
});

describe("renderTemplate: text around and between placeholders", () => {
  it.each([
    ["{{ds}}", "2026-05-01"],
    ["{{   ds   }}", "2026-05-01"],
    ["{{\tds\n}}", "2026-05-01"],
    ["{{ dag_run.conf.k}}", "1"],
    ["{{dag_run.conf.k }}", "1"],
  ])("accepts the whitespace variant %j", (text, expected) => {
    expect(rendered(text)).toBe(expected);
  });

  it("renders several placeholders in one value and keeps the text around them", () => {
    expect(rendered("--date={{ ds }} --run={{run_id}} --try={{ try_number }}!")).toBe(
      "--date=2026-05-01 --run=etl__scheduled__20260501T223000Z --try=2!",
    );
  });

  it("leaves text without placeholders, and single braces, as they are", () => {
    expect(rendered("plain text")).toBe("plain text");
    expect(rendered('{"ds": "{ds}"}')).toBe('{"ds": "{ds}"}');
    expect(rendered("")).toBe("");
  });

  it("inserts values literally: no $ replacement patterns, no second round of templating", () => {
    expect(rendered("{{ dag_run.conf.dollars }}")).toBe("a$&b$1");
    expect(rendered("{{ dag_run.conf.braces }}")).toBe("{{ ds }}");
  });
});

describe("renderTemplate: errors", () => {
  const known =
    "dag_run.conf, dag_run.conf.KEY, ds, ts, run_id, dag.id, task.id, try_number, tasks.ID.result, tasks.ID.result.PATH";

  it.each(["foo", "dag_run", "dag_run.confs", "tasks.fetch", "dag.name", "ds.x", ""])(
    "names the unknown name %j",
    (name) => {
      expect(failure(`--x={{ ${name} }}`)).toEqual({
        ok: false,
        error: `unknown template name "${name}" (known: ${known})`,
      });
    },
  );

  it("names a missing conf key", () => {
    expect(failure("{{ dag_run.conf.missing }}")).toEqual({
      ok: false,
      error: '{{ dag_run.conf.missing }}: dag_run.conf has no key "missing"',
    });
  });

  it("names the missing key of a nested conf path, and the part that exists", () => {
    expect(failure("{{ dag_run.conf.nested.nope.deeper }}")).toEqual({
      ok: false,
      error: '{{ dag_run.conf.nested.nope.deeper }}: dag_run.conf.nested has no key "nope"',
    });
    expect(failure("{{ dag_run.conf.k.x }}")).toEqual({
      ok: false,
      error: '{{ dag_run.conf.k.x }}: dag_run.conf.k has no key "x"',
    });
    expect(failure("{{ dag_run.conf.nested.list.5 }}")).toEqual({
      ok: false,
      error: '{{ dag_run.conf.nested.list.5 }}: dag_run.conf.nested.list has no key "5"',
    });
  });

  it("does not read inherited properties as conf keys", () => {
    expect(failure("{{ dag_run.conf.toString }}")).toEqual({
      ok: false,
      error: '{{ dag_run.conf.toString }}: dag_run.conf has no key "toString"',
    });
  });

  it("reads no Object.prototype name as a conf key or task result, and keeps an env var named __proto__", () => {
    for (const name of ["constructor", "__proto__", "hasOwnProperty"]) {
      expect(failure(`{{ dag_run.conf.${name} }}`)).toEqual({
        ok: false,
        error: `{{ dag_run.conf.${name} }}: dag_run.conf has no key "${name}"`,
      });
      expect(failure(`{{ tasks.${name}.result }}`)).toMatchObject({
        ok: false,
        error: expect.stringContaining(`task "${name}" has no result in this run`),
      });
    }
    const env = renderTaskTemplates(
      { command: [], args: [], env: JSON.parse('{"__proto__":"{{ ds }}","constructor":"c"}') },
      context,
    );
    expect(env.ok && Object.entries(env.value.env)).toEqual([
      ["__proto__", "2026-05-01"],
      ["constructor", "c"],
    ]);
  });

  it("names the task whose result does not exist", () => {
    expect(failure("{{ tasks.load.result }}")).toEqual({
      ok: false,
      error:
        '{{ tasks.load.result }}: task "load" has no result in this run (it has not succeeded, or did not publish one)',
    });
    expect(failure("{{ tasks.load.result.rows }}")).toEqual({
      ok: false,
      error:
        '{{ tasks.load.result.rows }}: task "load" has no result in this run (it has not succeeded, or did not publish one)',
    });
  });

  it("names the missing path in a task's result", () => {
    expect(failure("{{ tasks.fetch.result.meta.size }}")).toEqual({
      ok: false,
      error: '{{ tasks.fetch.result.meta.size }}: tasks.fetch.result.meta has no key "size"',
    });
    expect(failure("{{ tasks.plain.result.length }}")).toEqual({
      ok: false,
      error: '{{ tasks.plain.result.length }}: tasks.plain.result has no key "length"',
    });
  });

  it("reports the first error when a value has several, and never an empty value", () => {
    const result = renderTemplate("{{ ds }} {{ first }} {{ second }}", context);
    expect(result).toEqual({ ok: false, error: `unknown template name "first" (known: ${known})` });
    expect(result).not.toHaveProperty("value");
  });
});

describe("renderTaskTemplates", () => {
  const dag = buildDag({
    id: "etl",
    tasks: [
      pod("load", {
        command: ["node", "load.js", "--run={{ run_id }}"],
        args: ["{{ dag_run.conf }}", "--rows={{ tasks.fetch.result.rows }}"],
        env: { DAY: "{{ ds }}", TRY: "{{ try_number }}", STATIC: "x" },
      }),
    ],
  });
  const [load] = dag.tasks;

  it("renders command, args and env values of a task", () => {
    if (!load) throw new Error("fixture has no task");
    expect(renderTaskTemplates(load, context)).toEqual({
      ok: true,
      value: {
        command: ["node", "load.js", "--run=etl__scheduled__20260501T223000Z"],
        args: [JSON.stringify(conf), "--rows=3"],
        env: { DAY: "2026-05-01", TRY: "2", STATIC: "x" },
      },
    });
  });

  it("names the field of the first template that fails", () => {
    const base = { command: ["run"], args: ["ok", "{{ dag_run.conf.missing }}"], env: {} };
    expect(renderTaskTemplates(base, context)).toEqual({
      ok: false,
      error: 'args[1]: {{ dag_run.conf.missing }}: dag_run.conf has no key "missing"',
    });
    expect(renderTaskTemplates({ ...base, command: ["{{ nope }}"] }, context)).toEqual({
      ok: false,
      error: expect.stringMatching(/^command\[0\]: unknown template name "nope" /),
    });
    expect(
      renderTaskTemplates(
        { command: [], args: [], env: { OK: "1", TARGET: "{{ tasks.gone.result }}" } },
        context,
      ),
    ).toEqual({
      ok: false,
      error: expect.stringMatching(/^env\.TARGET: \{\{ tasks\.gone\.result \}\}: task "gone" has no result/),
    });
  });

  it("renders a task without templates to the same values", () => {
    expect(renderTaskTemplates({ command: ["true"], args: [], env: {} }, context)).toEqual({
      ok: true,
      value: { command: ["true"], args: [], env: {} },
    });
  });
});
