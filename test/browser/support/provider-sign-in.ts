import type { Page } from "playwright-core";

/**
 * On the test provider's pages (the browser was just sent there): its dev login form as `login`
 * (any password), then its consent form. The provider then sends the browser back to the app.
 */
export async function signInAtProvider(page: Page, issuer: URL, login: string): Promise<void> {
  await page.waitForURL((url) => url.origin === issuer.origin);
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}
