import { describe, expect, test } from "vitest";
import { parseDuration } from "../../../src/dags/spec/duration.ts";

describe("parseDuration", () => {
  test.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5s", 1_500],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["1m30s250ms", 90_250],
    ["2d", 172_800_000],
    [" 10s ", 10_000],
    ["0s", 0],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    [30, 30_000],
    [0, 0],
    [1.5, 1_500],
    [0.0004, 0],
  ])("the number %d is seconds: %d ms", (seconds, ms) => {
    expect(parseDuration(seconds)).toBe(ms);
  });

  test.each(["", "   ", "soon", "30", "30x", "s", "5m!", "-5s", "1h-30m", "1.5.2s"])(
    "%j is not a duration",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("the number %d is not a duration", (seconds) => {
    expect(parseDuration(seconds)).toBeUndefined();
  });
});
