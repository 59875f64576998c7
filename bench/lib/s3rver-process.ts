/** s3rver in a child process, so a benchmark's RSS holds only what the code under test holds. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const SCRIPT = `
import S3rver from "s3rver";
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: process.argv[1], configureBuckets: [{ name: process.argv[2] }] });
const { port } = await server.run();
console.log(String(port));
`;

export async function startS3rverProcess(
  directory: string,
  bucket: string,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT, directory, bucket], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [port] = (await once(lines, "line")) as [string];
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
