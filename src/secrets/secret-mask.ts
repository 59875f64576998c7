/** What a masked secret reads as, wherever the daemon stores or serves text. */
export const MASKED = "***";

/** Secrets shorter than this are not masked: masking "ab" would shred every text. */
export const MIN_SECRET_LENGTH = 4;

/** Shortest base64 fragment of a secret worth masking (shorter ones would hit innocent text). */
const MIN_FRAGMENT = 6;

/**
 * Replaces every known secret value in a text with `***`, as CI systems mask build logs: the raw
 * value, its URL-encoded forms and its base64 forms (standard and URL-safe, at each of the three
 * byte alignments it can have inside a longer encoded text, as in a Basic auth header).
 *
 * One instance is shared by the whole daemon; secrets added later (a token read from a file) apply
 * to every text masked from then on.
 */
export class SecretMask {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | undefined;
  /** Every form of every secret, longest first. */
  #needles: string[] = [];
  /** Length of the longest form: how much of a text a streamed mask must hold back. */
  #longest = 0;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret (ignored when undefined or shorter than MIN_SECRET_LENGTH). */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    const needles = new Set<string>();
    for (const known of this.#secrets) for (const form of formsOf(known)) needles.add(form);
    // Longest first, so a secret that contains another is masked whole.
    const sorted = [...needles].sort((a, b) => b.length - a.length);
    this.#needles = sorted;
    this.#pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
    this.#longest = sorted[0]?.length ?? 0;
  }

  /** How many secrets are known: grows with every one added, so a cached masked value is stale once it has. */
  get size(): number {
    return this.#secrets.size;
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.#pattern === undefined;
  }

  mask(text: string): string {
    if (!this.#pattern) return text;
    this.#pattern.lastIndex = 0;
    return text.replace(this.#pattern, MASKED);
  }

  /**
   * For text that arrives in pieces: masks what can no longer be part of a secret that continues
   * in the next piece, and returns the rest, to be put in front of that piece (or masked with
   * `mask` at the end). The rest is only a tail that some secret form starts with, so it is
   * shorter than the longest form (memory stays bounded) and empty for most texts.
   */
  maskPrefix(text: string): { masked: string; rest: string } {
    if (!this.#pattern) return { masked: text, rest: "" };
    // A match starting before `hold` cannot grow into a longer form: the text after it is no
    // form's beginning (see #tailStart), so it has all the characters it could need.
    let hold = this.#tailStart(text, 0);
    let masked = "";
    let position = 0;
    this.#pattern.lastIndex = 0;
    for (let match = this.#pattern.exec(text); match; match = this.#pattern.exec(text)) {
      if (match.index >= hold) break;
      masked += text.slice(position, match.index) + MASKED;
      position = match.index + match[0].length;
      if (position > hold) hold = this.#tailStart(text, position);
    }
    const cut = Math.max(position, hold);
    return { masked: masked + text.slice(position, cut), rest: text.slice(cut) };
  }

  /** Where the longest tail of `text` (from `from` on) that begins some secret form starts. */
  #tailStart(text: string, from: number): number {
    for (let at = Math.max(from, text.length - (this.#longest - 1)); at < text.length; at++) {
      const tail = text.slice(at);
      if (this.#needles.some((needle) => needle.length > tail.length && needle.startsWith(tail))) return at;
    }
    return text.length;
  }

  /** Masks every string inside a JSON-like value (keys included); returns a new value. */
  maskDeep<T>(value: T): T {
    if (!this.#pattern) return value;
    return this.#maskValue(value) as T;
  }

  #maskValue(value: unknown): unknown {
    if (typeof value === "string") return this.mask(value);
    if (Array.isArray(value)) return value.map((item) => this.#maskValue(item));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [key, item] of Object.entries(value)) out[this.mask(key)] = this.#maskValue(item);
      return out;
    }
    return value;
  }
}

/** Every form a secret may take in a text: raw, URL-encoded, base64 at each alignment. */
export function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), encodeURI(secret)]);
  // As JSON (responses, state, log lines) and HTML (the pages) spell a secret with quotes or `&`.
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(escapeHtml(secret));
  const bytes = Buffer.from(secret, "utf8");
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64url"));
  for (const offset of [0, 1, 2]) {
    // Inside a longer base64 text the secret starts at some byte offset mod 3; the characters that
    // depend only on the secret's bytes are the same whatever surrounds it.
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const fullGroups = Math.floor(padded.length / 3);
    const skip = offset === 0 ? 0 : offset + 1;
    for (const encoding of ["base64", "base64url"] as const) {
      const fragment = padded.toString(encoding).slice(skip, fullGroups * 4);
      if (fragment.length >= MIN_FRAGMENT) forms.add(fragment);
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
