import { tokenHash } from "../access/token-hash.ts";
import { UsageError } from "../config/flags.ts";

const MAX_TOKEN_BYTES = 4096;

/**
 * `updraft token hash`: reads a token on stdin (so it is in no process listing or shell history)
 * and prints the `sha256:<hex>` a tokens file stores.
 */
export async function runTokenCommand(
  args: readonly string[],
  stdin: AsyncIterable<Buffer | string>,
  out: (text: string) => void,
): Promise<number> {
  if (args.length !== 1 || args[0] !== "hash")
    throw new UsageError('token takes one subcommand: "updraft token hash" (the token on stdin)');
  let text = "";
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (Buffer.byteLength(text) > MAX_TOKEN_BYTES)
      throw new UsageError(`the token on stdin is longer than ${MAX_TOKEN_BYTES} bytes`);
  }
  const token = text.replace(/\r?\n$/, "");
  if (token.trim() === "" || /[\r\n]/.test(token))
    throw new UsageError("give exactly one token on stdin, e.g. updraft token hash < token.txt");
  if (token.length < 16)
    throw new UsageError(
      "that token is shorter than 16 characters: use a random one, e.g. openssl rand -hex 32",
    );
  out(`${tokenHash(token)}\n`);
  return 0;
}
