import { describe, expect, test } from "vitest";
import { imageReferenceError } from "../../../src/dags/spec/image-reference.ts";

const DIGEST = `sha256:${"a1".repeat(32)}`;

describe("imageReferenceError", () => {
  test.each([
    "busybox",
    "busybox:1.36",
    "library/busybox:latest",
    "test/nodejobs:1.0.0",
    "registry.example.com/test/nodejobs:1.0.0",
    "localhost/app",
    "localhost:5000/team/app:dev_1.2-rc",
    "Registry.Example.com:443/app",
    `ghcr.io/org/app@${DIGEST}`,
    `ghcr.io/org/app:1.0@${DIGEST}`,
    "my-org/my__app.v2:x",
  ])("accepts %s", (image) => {
    expect(imageReferenceError(image)).toBeUndefined();
  });

  test.each([
    ["", "must not be empty"],
    ["   ", "must not be empty"],
    ["busy box", "must not contain white space"],
    ["Busybox:latest", 'repository name "Busybox" must be lower case'],
    ["test/NodeJobs:1.0.0", 'repository name "NodeJobs" must be lower case'],
    ["busybox:", `tag "" is not valid (letters, digits, '_', '.', '-'; at most 128)`],
    [
      `busybox:${"t".repeat(129)}`,
      `tag "${"t".repeat(129)}" is not valid (letters, digits, '_', '.', '-'; at most 128)`,
    ],
    ["busybox:-dev", `tag "-dev" is not valid (letters, digits, '_', '.', '-'; at most 128)`],
    ["org//app", "has an empty path component"],
    ["app-", `path component "app-" may only contain lower case letters, digits and separators (. _ __ -)`],
    ["reg..io/app", 'registry "reg..io" is not a valid host[:port]'],
    ["app@sha256:xyz", 'digest "sha256:xyz" is not algorithm:hex'],
    [`app@${DIGEST}@${DIGEST}`, "has more than one '@'"],
  ])("rejects %j: %s", (image, reason) => {
    expect(imageReferenceError(image)).toBe(reason);
  });
});
