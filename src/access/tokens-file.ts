import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { readYamlSettings } from "../config/yaml-file.ts";
import { dagScope } from "./dag-scope.ts";
import type { Grant } from "./grant.ts";
import { ROLES } from "./role.ts";
import { TOKEN_HASH_PATTERN } from "./token-hash.ts";

const tokensSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, "must be 1-100 letters, digits, '.', '_', '@' or '-'"),
        role: z.enum(ROLES),
        hash: z
          .string()
          .regex(TOKEN_HASH_PATTERN, 'must be "sha256:" and 64 hex digits (see `updraft token hash`)'),
        dags: z.array(z.string().min(1)).min(1).optional(),
      }),
    )
    .superRefine((tokens, context) => {
      const seen = new Set<string>();
      tokens.forEach((token, index) => {
        for (const [key, value] of [
          ["name", token.name],
          ["hash", token.hash],
        ] as const) {
          if (seen.has(`${key}:${value}`))
            context.addIssue({
              code: "custom",
              path: [index, key],
              message: `the same ${key} as an earlier token`,
            });
          seen.add(`${key}:${value}`);
        }
      });
    }),
});

/** A machine token: its name (the audit log's actor) and what it may do. */
export interface NamedToken {
  readonly name: string;
  readonly grant: Grant;
}

interface StoredToken extends NamedToken {
  readonly digest: Buffer;
}

/** `--tokens-file FILE`: named tokens stored as hashes; a bearer token is looked up by its hash. */
export class TokenRegistry {
  readonly #tokens: readonly StoredToken[];

  constructor(tokens: readonly StoredToken[]) {
    this.#tokens = tokens;
  }

  static fromFile(file: string): TokenRegistry {
    const { tokens } = readYamlSettings(file, "--tokens-file", tokensSchema);
    return new TokenRegistry(
      tokens.map((token) => ({
        name: token.name,
        grant: { role: token.role, scope: token.dags ? dagScope(token.dags) : undefined },
        digest: Buffer.from(token.hash.slice("sha256:".length), "hex"),
      })),
    );
  }

  /** The token `bearer` is, if any. Every stored hash is compared, in constant time. */
  match(bearer: string): NamedToken | undefined {
    const digest = createHash("sha256").update(bearer).digest();
    let found: NamedToken | undefined;
    for (const token of this.#tokens) if (timingSafeEqual(digest, token.digest)) found = token;
    return found;
  }

  get size(): number {
    return this.#tokens.length;
  }
}
