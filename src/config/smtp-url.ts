/**
 * Why an SMTP URL cannot be used, without quoting it (it holds the password); undefined when it
 * can. nodemailer would take anything else for localhost:587.
 */
export function smtpUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "UPDRAFT_SMTP_URL (or --smtp-url-file) is not a URL: give smtp://user:password@host:587 or smtps://user:password@host:465";
  }
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:")
    return `UPDRAFT_SMTP_URL (or --smtp-url-file) must start with smtp:// or smtps://, not ${parsed.protocol}//`;
  if (!parsed.hostname)
    return "UPDRAFT_SMTP_URL (or --smtp-url-file) names no host: give smtp://user:password@host:587";
  return undefined;
}
