// Issue 15 point 5: a param's description, enum values and defaults come from DAG files; the
// trigger form renders them as text and attribute values, never as markup.
import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../../src/dags/spec/params-schema.ts";
import { triggerForm } from "../../src/server/page/trigger-form.ts";

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;

describe("the trigger form with hostile param texts", () => {
  it("escapes descriptions, enum values and defaults of every input kind", () => {
    const params: ParamSpec[] = [
      {
        name: "region",
        type: "string",
        required: true,
        enum: [HOSTILE, "eu"],
        default: HOSTILE,
        description: HOSTILE,
      },
      { name: "label", type: "string", required: false, default: HOSTILE, description: HOSTILE },
      { name: "tags", type: "array", required: false, default: [HOSTILE] },
      { name: "at", type: "datetime", required: false, default: HOSTILE },
      { name: "day", type: "date", required: false, default: HOSTILE },
    ];
    const markup = String(triggerForm("/api/dags/x/runs", params));
    expect(markup).not.toMatch(/<script|<img/);
    expect(markup).not.toContain(HOSTILE);
    expect(markup).toContain(`value="&quot;&gt;&lt;script`);
    expect(markup).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
