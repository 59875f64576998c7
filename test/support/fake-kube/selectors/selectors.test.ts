import { describe, expect, it } from "vitest";
import { PODS } from "../resources.ts";
import { KubeError } from "../status.ts";
import type { KubeObject } from "../types.ts";
import { matchesFields, parseFieldSelector } from "./field-selector.ts";
import { matchesLabels, parseLabelSelector } from "./label-selector.ts";

const labels = { app: "web", tier: "front", n: "5" };

describe("label selectors", () => {
  it.each([
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app", true],
    ["!app", false],
    ["missing", false],
    ["!missing", true],
    ["app in (api, web)", true],
    ["app notin (web)", false],
    ["app=web,tier in (front),!missing", true],
    ["app=web,tier=back", false],
    ["n>3", true],
    ["n<3", false],
    ["", true],
  ])("%s matches: %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it("rejects a malformed selector with 400", () => {
    expect(() => parseLabelSelector("app=a b")).toThrow(KubeError);
    expect(() => parseLabelSelector("a=b=c")).toThrow(/unable to parse requirement/);
  });
});

describe("field selectors", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { containers: [], nodeName: "n1" },
    status: { phase: "Running" },
  } as KubeObject;

  it("matches supported fields with = and !=", () => {
    expect(
      matchesFields(
        parseFieldSelector("status.phase=Running,spec.nodeName=n1", PODS.fields),
        pod,
        PODS.fields,
      ),
    ).toBe(true);
    expect(matchesFields(parseFieldSelector("metadata.name!=p", PODS.fields), pod, PODS.fields)).toBe(false);
  });

  it("refuses a field the kind cannot be selected on, as the real server does", () => {
    expect(() => parseFieldSelector("spec.containers=x", PODS.fields)).toThrow(
      "field label not supported: spec.containers",
    );
  });
});
