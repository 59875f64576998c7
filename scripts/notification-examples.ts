/**
 * `npm run docs:notifications`: renders the example failure of docs/notifications.md with the real
 * renderers, prints the Slack message, the email's text and the webhook body, and screenshots the
 * email's HTML in Chromium into docs/notification-email.png. test/docs/notifications-doc.test.ts
 * fails when the doc's copies are out of date.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { renderEmail } from "../src/notify/channels/email-message.ts";
import { renderSlack } from "../src/notify/channels/slack-message.ts";
import { renderWebhook } from "../src/notify/channels/webhook-body.ts";
import type { Delivery, Notification } from "../src/notify/notification.ts";

export const NOTIFICATIONS_DOC = fileURLToPath(new URL("../docs/notifications.md", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("../docs/notification-email.png", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";

const RUN = "etl__scheduled__20261205T060000Z";
const BASE = "https://updraft.example.com";

/** A final task failure as routing builds it (log tail masked, links from --public-url). */
export const EXAMPLE_FAILURE: Notification = {
  id: `failure:${RUN}:load:3`,
  event: "failure",
  title: `updraft: task etl.load failed in run ${RUN} (try 3): exit code 1`,
  at: "2026-12-05T06:04:10.412Z",
  dag: "etl",
  run: RUN,
  task: "load",
  try: 3,
  state: "failed",
  reason: "exit code 1",
  commit: "4f2c9e1b7a5d3c8e9f0a1b2c3d4e5f6a7b8c9d0e",
  logicalDate: "2026-12-05T06:00:00.000Z",
  logTail: [
    "2026-12-05T06:04:08Z connecting to postgres://etl:***@db-1:5432/warehouse",
    "2026-12-05T06:04:08Z loading 1200 rows into warehouse.orders",
    "2026-12-05T06:04:09Z retrying in 1s",
    "2026-12-05T06:04:10Z ERROR: connection to db-1:5432 refused",
    "2026-12-05T06:04:10Z exiting with code 1",
  ],
  links: {
    run: `${BASE}/runs/${encodeURIComponent(RUN)}`,
    log: `${BASE}/runs/${encodeURIComponent(RUN)}/tasks/load/logs?try=3`,
    sync: null,
  },
};

function deliveryTo(channel: Delivery["channel"]): Delivery {
  return { id: "4a1f0c2e-delivery", channel, notifications: [EXAMPLE_FAILURE] };
}

/** The three renderings the doc quotes. */
export function renderedExamples(): { slack: string; emailText: string; webhook: string; emailHtml: string } {
  const email = renderEmail(deliveryTo({ type: "email", to: ["data-team@example.com"] }));
  return {
    slack: JSON.stringify(
      renderSlack(deliveryTo({ type: "slack", url: "https://hooks.slack.com/services/T0/B0/X" })),
      null,
      2,
    ),
    emailText: email.text,
    webhook: JSON.stringify(renderWebhook(deliveryTo({ type: "webhook", url: `${BASE}/hook` })), null, 2),
    emailHtml: email.html,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const examples = renderedExamples();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 760, height: 400 }, deviceScaleFactor: 1 });
    await page.setContent(examples.emailHtml);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(
    `Slack message:\n${examples.slack}\n\nEmail (text):\n${examples.emailText}\nWebhook body:\n${examples.webhook}`,
  );
  console.log(`\nwrote ${path.relative(process.cwd(), SCREENSHOT)}`);
}
