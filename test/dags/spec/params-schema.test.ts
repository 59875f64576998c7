import { describe, expect, test } from "vitest";
import { recheckDefinition } from "../../../src/dags/spec/recheck-definition.ts";
import { paramDefaults, resolveConf, type ParamSpec } from "../../../src/dags/spec/params-schema.ts";
import { paramsJsonSchema } from "../../../src/dags/spec/params-json-schema.ts";
import { validateDag } from "../../../src/dags/spec/validate-dag.ts";
import { dag, pod } from "../../../src/sdk/index.ts";
import type { ParamOptions } from "../../../src/sdk/types.ts";

const sites = () => ({ file: "/dags/x.ts", line: 3, column: 16 });

const PARAMS: Record<string, ParamOptions> = {
  region: { type: "string", enum: ["eu", "us"], default: "eu", description: "where to run" },
  day: { type: "date" },
  limit: { type: "integer", minimum: 1, default: 100 },
  ratio: { type: "number", minimum: 0, maximum: 1 },
  dryRun: { type: "boolean", default: false },
  at: { type: "datetime", required: true },
  tags: { type: "array", default: ["a"] },
  name: { type: "string", minLength: 2, maxLength: 5 },
};

function declare(params: unknown, schedule: string | null = null) {
  return validateDag(
    dag({
      id: "p",
      schedule,
      params: params as Record<string, ParamOptions>,
      tasks: [pod({ id: "a", image: "busybox" })],
    }),
    sites,
  );
}

function specsOf(params: unknown): ParamSpec[] {
  const validation = declare(params);
  if (!validation.ok) throw new Error(validation.problems.map((p) => p.message).join("\n"));
  return validation.dag.params;
}

function problemsOf(params: unknown, schedule: string | null = null): string[] {
  const validation = declare(params, schedule);
  if (validation.ok) throw new Error("expected problems");
  return validation.problems.map((p) => p.message);
}

describe("params declaration", () => {
  test("is stored as a list, in declaration order, with required filled in", () => {
    expect(specsOf(PARAMS)).toEqual([
      {
        name: "region",
        type: "string",
        required: false,
        enum: ["eu", "us"],
        default: "eu",
        description: "where to run",
      },
      { name: "day", type: "date", required: false },
      { name: "limit", type: "integer", required: false, minimum: 1, default: 100 },
      { name: "ratio", type: "number", required: false, minimum: 0, maximum: 1 },
      { name: "dryRun", type: "boolean", required: false, default: false },
      { name: "at", type: "datetime", required: true },
      { name: "tags", type: "array", required: false, default: ["a"] },
      { name: "name", type: "string", required: false, minLength: 2, maxLength: 5 },
    ]);
    expect(specsOf(undefined)).toEqual([]);
  });

  test("survives the loader's round trip: JSON between processes, then the recheck", () => {
    const validation = declare(PARAMS);
    if (!validation.ok) throw new Error("invalid");
    const sent: unknown = JSON.parse(JSON.stringify(validation.dag));
    const recheck = recheckDefinition(sent);
    expect(recheck).toEqual({ ok: true, dag: validation.dag });
  });

  test("a value JSON changes (-0) is stored as JSON gives it back, so the recheck accepts it", () => {
    const validation = declare({ n: { type: "number", minimum: -0, default: -0, enum: [-0, 1] } });
    if (!validation.ok) throw new Error("invalid");
    expect(Object.is(validation.dag.params[0]?.default, 0)).toBe(true);
    expect(recheckDefinition(JSON.parse(JSON.stringify(validation.dag))).ok).toBe(true);
  });

  test.each([
    [
      { limit: { type: "integer", minimum: 1, default: 0 } },
      "params.limit.default: must be an integer ≥ 1, got 0",
    ],
    [{ limit: { type: "integer", default: 1.5 } }, "params.limit.default: must be an integer, got 1.5"],
    [
      { region: { type: "string", enum: ["eu", "us"], default: "fr" } },
      'params.region.default: must be one of "eu", "us", got "fr"',
    ],
    [{ region: { type: "string", enum: [] } }, "params.region.enum: must list at least one value"],
    [{ region: { type: "string", enum: ["eu", "eu"] } }, 'params.region.enum: lists "eu" twice'],
    [
      { region: { type: "string", enum: [1] } },
      "params.region.enum[0]: must be a string (the param's type), got 1",
    ],
    [
      { n: { type: "integer", enum: [1.5] } },
      "params.n.enum[0]: must be an integer (the param's type), got 1.5",
    ],
    [
      { day: { type: "date", default: "2026-02-30" } },
      'params.day.default: must be a date (YYYY-MM-DD), got "2026-02-30"',
    ],
    [
      { at: { type: "datetime", default: "2026-11-01T06:00:00" } },
      'params.at.default: must be an ISO 8601 date-time with an offset or Z (e.g. "2026-11-01T06:00:00Z"), got "2026-11-01T06:00:00"',
    ],
    [{ flag: { type: "boolean", default: "yes" } }, 'params.flag.default: must be true or false, got "yes"'],
    [
      { tags: { type: "array", default: ["a", 1] } },
      'params.tags.default: must be a list of strings, got ["a",1]',
    ],
    [{ flag: { type: "boolean", minimum: 1 } }, 'params.flag: Unrecognized key: "minimum"'],
    [{ limit: { type: "integer", colour: "red" } }, 'params.limit: Unrecognized key: "colour"'],
    [
      { limit: { type: "int" } },
      'params.limit.type: must be one of "string", "number", "integer", "boolean", "date", "datetime", "array", got "int"',
    ],
    [{ r: { type: "number", minimum: 5, maximum: 1 } }, "params.r.maximum: must be ≥ minimum (5)"],
    [
      { "bad-name": { type: "string" } },
      'params["bad-name"]: a param name must be an identifier (letters, digits, _; not starting with a digit)',
    ],
    [
      { __proto__x: { type: "string", description: 3 } },
      "params.__proto__x.description: Invalid input: expected string, received number",
    ],
    [{ x: "string" }, 'params.x: must be an object such as { type: "string" }'],
    ["region", "params: must be an object of params by name"],
  ])("refuses %j: %s", (params, message) => {
    expect(problemsOf(params)).toContain(message);
  });

  test("refuses more than 100 params", () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, { type: "string" }]));
    expect(problemsOf(many)).toEqual(["params: at most 100 params may be declared, got 101"]);
  });

  test("a scheduled DAG refuses a required param without default (scheduled runs could not fill it)", () => {
    expect(problemsOf({ day: { type: "date", required: true } }, "@daily")).toEqual([
      "params.day: is required and has no default, so scheduled runs could not fill it: give it a default, or set schedule: null",
    ]);
    expect(specsOf({ day: { type: "date", required: true } })).toHaveLength(1);
    expect(declare({ day: { type: "date", required: true, default: "2026-01-01" } }, "@daily").ok).toBe(true);
  });
});

describe("resolveConf", () => {
  const specs = specsOf(PARAMS);
  const at = "2026-11-01T06:00:00Z";

  test("fills in defaults, keeps the given values and keys not declared", () => {
    expect(resolveConf(specs, { at, limit: 5, extra: { x: 1 } })).toEqual({
      ok: true,
      conf: { at, limit: 5, extra: { x: 1 }, region: "eu", dryRun: false, tags: ["a"] },
    });
  });

  test("without params the conf passes through unchanged", () => {
    const conf = { anything: [1, 2], goes: "yes" };
    expect(resolveConf([], conf)).toEqual({ ok: true, conf });
  });

  test("names each bad field", () => {
    expect(
      resolveConf(specs, {
        limit: 0,
        region: "fr",
        day: "tomorrow",
        ratio: 2,
        dryRun: "no",
        tags: "a,b",
        name: "x",
      }),
    ).toEqual({
      ok: false,
      problems: [
        'conf.region: must be one of "eu", "us", got "fr"',
        'conf.day: must be a date (YYYY-MM-DD), got "tomorrow"',
        "conf.limit: must be an integer ≥ 1, got 0",
        "conf.ratio: must be a number ≥ 0 and ≤ 1, got 2",
        'conf.dryRun: must be true or false, got "no"',
        "conf.at: is required",
        'conf.tags: must be a list of strings, got "a,b"',
        'conf.name: must be at least 2 characters long, got "x"',
      ],
    });
  });

  test.each([
    [{ at: "2026-11-01T06:00:00+02:00" }, true],
    [{ at: "2026-11-01T06:00:00.123Z" }, true],
    [{ at: "2026-11-01" }, false],
    [{ at, day: "2026-02-28" }, true],
    [{ at, day: "2026-2-28" }, false],
    [{ at, limit: 3.0 }, true],
    [{ at, limit: "3" }, false],
    [{ at, limit: null }, false],
    [{ at, region: "us" }, true],
    [{ at, name: "abcdef" }, false],
    [{ at, tags: [] }, true],
  ])("%j valid: %s", (conf, valid) => {
    expect(resolveConf(specs, conf).ok).toBe(valid);
  });

  // RFC 3339 (the JSON Schema's "date-time" format): a value JavaScript's Date cannot read, or a
  // wall time past 23:59, is not a date-time, whatever the ISO parser of the daemon accepts.
  test.each([
    "2026-11-01T06:00:00+99:99",
    "2026-11-01T06:00:00+24:00",
    "2026-11-01T06:00:00-23:60",
    "2026-11-01T24:00:00Z",
    "2026-11-01T23:60Z",
  ])("the date-time %s is refused", (value) => {
    expect(resolveConf(specs, { at: value })).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^conf\.at: must be an ISO 8601 date-time/)],
    });
  });

  test("a bad value of a long enum is answered in bounded words", () => {
    const values = Array.from({ length: 1000 }, (_, i) => `${"v".repeat(100)}${i}`);
    const result = resolveConf(specsOf({ big: { type: "string", enum: values } }), { big: "nope" });
    if (result.ok) throw new Error("expected a problem");
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.length).toBeLessThan(2000);
    expect(result.problems[0]).toContain("(1000 values)");
  });

  test("a long value is quoted shortened in the message", () => {
    const result = resolveConf(specs, { at, region: "x".repeat(10_000) });
    if (result.ok) throw new Error("expected a problem");
    expect(result.problems[0]!.length).toBeLessThan(200);
  });

  test("a key like __proto__ or constructor is an ordinary key", () => {
    const conf = JSON.parse('{"__proto__": {"polluted": true}, "at": "2026-11-01T06:00:00Z"}') as Record<
      string,
      unknown
    >;
    const result = resolveConf(specsOf({ constructor: { type: "string", default: "c" } }), conf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.conf).sort()).toEqual(["__proto__", "at", "constructor"]);
    expect(result.conf.constructor).toBe("c");
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test("paramDefaults: the conf of a scheduled run", () => {
    expect(paramDefaults(specs)).toEqual({ region: "eu", limit: 100, dryRun: false, tags: ["a"] });
    expect(paramDefaults([])).toEqual({});
  });
});

describe("paramsJsonSchema", () => {
  test("is JSON Schema 2020-12", () => {
    expect(paramsJsonSchema(specsOf(PARAMS))).toEqual({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        region: { type: "string", enum: ["eu", "us"], default: "eu", description: "where to run" },
        day: { type: "string", format: "date" },
        limit: { type: "integer", minimum: 1, default: 100 },
        ratio: { type: "number", minimum: 0, maximum: 1 },
        dryRun: { type: "boolean", default: false },
        at: { type: "string", format: "date-time" },
        tags: { type: "array", items: { type: "string" }, default: ["a"] },
        name: { type: "string", minLength: 2, maxLength: 5 },
      },
      required: ["at"],
      additionalProperties: true,
    });
  });
});
