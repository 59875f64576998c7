// The README is a front door (issue #12): short, and every way on from it and between the docs
// leads somewhere.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README = path.join(ROOT, "README.md");
const DOCS = path.join(ROOT, "docs");
const MAX_README_LINES = 150;
const GENERATED = /<!-- config:start -->[\s\S]*<!-- config:end -->/;

const readme = readFileSync(README, "utf8");
const pages = [
  README,
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(DOCS, f)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(text: string): Set<string> {
  const outsideCode = text.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? "")));
}

/** Relative links `[text](target)` outside code blocks. */
function linksOf(text: string): string[] {
  const outsideCode = text.replace(/^```[\s\S]*?^```/gm, "");
  return [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe("README and docs/", () => {
  it(`README.md is at most ${MAX_README_LINES} lines and holds no generated block (the reference is docs/configuration.md)`, () => {
    expect(readme).not.toMatch(GENERATED);
    const lines = readme.split("\n").length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it("README.md says what updraft is, the two commands, one DAG and where to go next", () => {
    expect(readme.slice(0, 600)).toMatch(/updraft is a GitOps workflow daemon/);
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm test");
    expect(readme).toContain("http://127.0.0.1:8080");
    expect(readme).toMatch(/```ts\nimport \{ dag, pod \} from "updraft";/);
    for (const doc of [
      "writing-dags.md",
      "http-api.md",
      "operating.md",
      "troubleshooting.md",
      "architecture.md",
      "configuration.md",
    ])
      expect(readme).toContain(`(docs/${doc})`);
  });

  it("every relative link in README.md and docs/*.md leads to a file, and to a heading when it names one", () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const link of linksOf(readFileSync(page, "utf8"))) {
        const [file = "", anchor] = link.split("#");
        const target = file === "" ? page : path.resolve(path.dirname(page), file);
        if (!existsSync(target)) {
          broken.push(`${path.relative(ROOT, page)}: ${link} (no such file)`);
          continue;
        }
        if (anchor && target.endsWith(".md") && !anchorsOf(readFileSync(target, "utf8")).has(anchor))
          broken.push(`${path.relative(ROOT, page)}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("shows both screenshots of the status page", () => {
    const all = pages.map((page) => readFileSync(page, "utf8")).join("\n");
    for (const shot of ["status-page.png", "run-page.png"]) {
      expect(existsSync(path.join(DOCS, shot))).toBe(true);
      expect(all).toContain(`${shot})`);
    }
  });

  it("slugs headings as GitHub does", () => {
    expect(slug("Access: tokens and the loopback rules")).toBe("access-tokens-and-the-loopback-rules");
    expect(slug("`updraft check [dir]`")).toBe("updraft-check-dir");
    expect(slug("Health, readiness and metrics")).toBe("health-readiness-and-metrics");
  });
});
