import { readFile, stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { NOTIFICATIONS_DOC, renderedExamples } from "../../scripts/notification-examples.ts";

/** The body of the first fenced block of `language` after `heading` (a fence of 3 or more backticks). */
function fencedAfter(doc: string, heading: string, language: string): string {
  const start = doc.indexOf(heading);
  expect(start, heading).toBeGreaterThan(0);
  const block = new RegExp(`^(\`{3,})${language}\n([\\s\\S]*?)\n\\1$`, "m").exec(doc.slice(start));
  expect(block, `a ${language} block after ${heading}`).not.toBeNull();
  return block?.[2] ?? "";
}

describe("docs/notifications.md", () => {
  it("quotes what the renderers produce for its example (run `npm run docs:notifications`)", async () => {
    const doc = await readFile(NOTIFICATIONS_DOC, "utf8");
    const examples = renderedExamples();
    expect(fencedAfter(doc, "### Slack", "json")).toBe(examples.slack);
    expect(fencedAfter(doc, "### Email", "text")).toBe(examples.emailText.trimEnd());
    expect(fencedAfter(doc, "### Webhook", "json")).toBe(examples.webhook);
    expect(doc).toContain("![The email's HTML body](notification-email.png)");
    expect((await stat(new URL("../../docs/notification-email.png", import.meta.url))).size).toBeGreaterThan(
      10_000,
    );
    expect(doc).toMatch(/^## Delivery$/m);
  });
});
