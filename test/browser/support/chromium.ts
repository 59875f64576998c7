import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** The system Chromium the browser tests drive (playwright-core downloads none). */
export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Whether the file's tests run: skipped without Chromium, except on CI where they fail instead. */
export function chromiumTestsRun(what: string): boolean {
  const present = existsSync(CHROMIUM);
  const inCi = process.env.CI === "true";
  if (!present)
    console.warn(
      `${inCi ? "FAILING" : "SKIPPING"} ${what}: ${CHROMIUM} is missing (apt-get install -y chromium)`,
    );
  return present || inCi;
}

/** Launches Chromium, or fails naming the fix when it is missing (on CI). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
