// Issue 12 point 2: the local executor, not the scheduler, says what to note on its runs.
import { describe, expect, it } from "vitest";
import { LocalExecutor } from "../../src/executor/local-executor.ts";
import { withMaskedEvents } from "../../src/executor/masked-events.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";

describe("LocalExecutor notes", () => {
  it("asks for the images note on every run, also through the masking wrapper", () => {
    const note = "local executor: task images are not used; commands run on the daemon's machine";
    const executor = new LocalExecutor();
    expect(executor.notes).toEqual([note]);
    expect(withMaskedEvents(executor, new SecretMask()).notes).toEqual([note]);
  });
});
