/** Claims as a provider sends them (an ID token's payload, a userinfo answer). */
export type Claims = Readonly<Record<string, unknown>>;

/** Who signed in, as a session keeps them. */
export interface SignedInIdentity {
  sub: string;
  /** Only when the provider does not say it is unverified. */
  email?: string | undefined;
  name?: string | undefined;
  /** Only the groups updraft's roles file names. */
  groups: string[];
}

const MAX_TEXT = 320;

/**
 * The identity in the ID token's claims, completed by the userinfo answer (some providers put
 * email and groups only there). An email the provider marks unverified is dropped: roles match
 * emails, and anyone may type any address into an account.
 */
export function identityFrom(
  idToken: Claims,
  userinfo: Claims | undefined,
  options: { groupsClaim: string; keepGroups: ReadonlySet<string> },
): SignedInIdentity {
  const sub = claim(idToken, "sub");
  if (typeof sub !== "string" || sub === "") throw new Error("the ID token has no sub claim");
  const emailSource = claim(idToken, "email") !== undefined ? idToken : (userinfo ?? idToken);
  const email = text(claim(emailSource, "email"));
  const verified = claim(emailSource, "email_verified");
  const unverified = verified === false || verified === "false";
  const groupsSource = claim(idToken, options.groupsClaim) !== undefined ? idToken : (userinfo ?? idToken);
  const name =
    text(claim(idToken, "name")) ??
    text(claim(userinfo ?? {}, "name")) ??
    text(claim(idToken, "preferred_username")) ??
    text(claim(userinfo ?? {}, "preferred_username"));
  return {
    sub,
    email: unverified ? undefined : email,
    name,
    groups: groupsOf(claim(groupsSource, options.groupsClaim), options.keepGroups),
  };
}

/** True when the ID token lacks what the userinfo endpoint may add. */
export function needsUserinfo(idToken: Claims, groupsClaim: string): boolean {
  return claim(idToken, "email") === undefined || claim(idToken, groupsClaim) === undefined;
}

/** A claim by name, own properties only (a claims object is the provider's JSON). */
function claim(claims: Claims, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value.length <= MAX_TEXT ? value : undefined;
}

function groupsOf(value: unknown, keep: ReadonlySet<string>): string[] {
  const listed = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  const kept = new Set<string>();
  for (const group of listed) if (typeof group === "string" && keep.has(group)) kept.add(group);
  return [...kept];
}
