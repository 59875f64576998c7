import { describe, expect, test } from "vitest";
import {
  dns1123LabelError,
  isQuantity,
  labelValueError,
  qualifiedNameError,
} from "../../../src/dags/spec/kubernetes-names.ts";
import { quantityValue } from "../../../src/dags/spec/quantity.ts";

const LABEL_RULE =
  "must consist of lower case letters, digits and '-', and start and end with a letter or digit";
const NAME_PART_RULE =
  "name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
const VALUE_RULE =
  "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";

describe("dns1123LabelError (namespaces, volume names)", () => {
  test.each(["jobs", "a", "sample-data", "team-1", "x".repeat(63)])("accepts %s", (value) => {
    expect(dns1123LabelError(value)).toBeUndefined();
  });

  test.each(["Jobs_1", "jobs_1", "Jobs", "-jobs", "jobs-", "", "a.b", "sample data"])(
    "rejects %j",
    (value) => {
      expect(dns1123LabelError(value)).toBe(LABEL_RULE);
    },
  );

  test("rejects more than 63 characters, saying how many", () => {
    expect(dns1123LabelError("x".repeat(64))).toBe("must be no more than 63 characters (has 64)");
  });
});

describe("qualifiedNameError (label and annotation keys)", () => {
  test.each([
    "app",
    "sidecar.istio.io/inject",
    "app.kubernetes.io/name",
    "Team_Name",
    "a.b-c_d",
    "x".repeat(63),
  ])("accepts %s", (key) => {
    expect(qualifiedNameError(key)).toBeUndefined();
  });

  test.each([
    ["bad key", NAME_PART_RULE],
    ["-app", NAME_PART_RULE],
    ["app.", NAME_PART_RULE],
    ["example.com/bad key", NAME_PART_RULE],
    ["", "name part must not be empty"],
    ["example.com/", "name part must not be empty"],
    ["/app", 'prefix "" must not be empty'],
    [
      "Example.com/app",
      `prefix "Example.com" must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit`,
    ],
    ["x".repeat(64), "name part must be no more than 63 characters (has 64)"],
  ])("rejects %j: %s", (key, reason) => {
    expect(qualifiedNameError(key)).toBe(reason);
  });
});

describe("labelValueError", () => {
  test.each(["", "v1", "v1.2_rc-3", "False", "x".repeat(63)])("accepts %j", (value) => {
    expect(labelValueError(value)).toBeUndefined();
  });

  test.each(["-v", "v-", "a b", "a/b", "naïve"])("rejects %j", (value) => {
    expect(labelValueError(value)).toBe(VALUE_RULE);
  });

  test("rejects more than 63 characters", () => {
    expect(labelValueError("x".repeat(64))).toBe("must be no more than 63 characters (has 64)");
  });
});

describe("Kubernetes quantities", () => {
  test.each([
    ["250m", 0.25],
    ["1", 1],
    ["0.5", 0.5],
    [".5", 0.5],
    ["1000m", 1],
    ["512Mi", 512 * 2 ** 20],
    ["1Gi", 2 ** 30],
    ["2Ki", 2048],
    ["1k", 1000],
    ["3M", 3e6],
    ["1e3", 1000],
    ["5E-1", 0.5],
    ["+2", 2],
  ])("%s is a quantity worth %d", (quantity, value) => {
    expect(isQuantity(quantity)).toBe(true);
    expect(quantityValue(quantity)).toBeCloseTo(value, 12);
  });

  test.each(["1 Gi", "Gi", "1GB", "1gi", "1.2.3", "", " 1", "1Mi ", "ten"])(
    "%j is not a quantity",
    (quantity) => {
      expect(isQuantity(quantity)).toBe(false);
      expect(quantityValue(quantity)).toBeUndefined();
    },
  );
});
