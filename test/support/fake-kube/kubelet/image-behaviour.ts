import { createHash } from "node:crypto";

/** What the simulated container runtime does with an image, decided by naming conventions. */
export type ImageBehaviour =
  | { kind: "invalid-name"; message: string }
  | { kind: "never-pull"; message: string }
  | { kind: "pull-error"; message: string }
  | { kind: "config-error"; message: string }
  | { kind: "oom" }
  | { kind: "exit"; code: number }
  | { kind: "sleep"; ms: number }
  | { kind: "run" };

const DOMAIN = /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z0-9-]+|[a-zA-Z0-9.-]+:\d+)$/;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;

export interface ImageRef {
  domain: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses a reference as containerd does, or returns why it is not one. */
export function parseImage(image: string): ImageRef | { error: string } {
  const [nameAndTag = "", digest] = image.split("@");
  const slash = nameAndTag.indexOf("/");
  const first = slash >= 0 ? nameAndTag.slice(0, slash) : "";
  const hasDomain =
    slash >= 0 && DOMAIN.test(first) && (first.includes(".") || first.includes(":") || first === "localhost");
  const domain = hasDomain ? first : "docker.io";
  const rest = hasDomain ? nameAndTag.slice(slash + 1) : nameAndTag;
  const colon = rest.lastIndexOf(":");
  const repository = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  if (repository !== repository.toLowerCase() && REPOSITORY.test(repository.toLowerCase())) {
    return { error: "invalid reference format: repository name must be lowercase" };
  }
  if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag)))
    return { error: "invalid reference format" };
  if (digest !== undefined && !/^[a-z0-9]+:[0-9a-f]{32,}$/.test(digest))
    return { error: "invalid reference format" };
  const fullRepository =
    domain === "docker.io" && !repository.includes("/") ? `library/${repository}` : repository;
  return { domain, repository: fullRepository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `busybox` → `docker.io/library/busybox:latest`, as container statuses show the image. */
export const normalizedImage = (ref: ImageRef): string =>
  `${ref.domain}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? "latest"}`}`;

/** A stable made-up digest, for `imageID`. */
export const imageId = (ref: ImageRef): string =>
  `${ref.domain}/${ref.repository}@sha256:${createHash("sha256").update(normalizedImage(ref)).digest("hex")}`;

/** The `fake/<behaviour>` part of an image, and its tag (the behaviour's parameter). */
function fakeImage(ref: ImageRef): { behaviour: string; param: string } | undefined {
  const m = /^fake\/([a-z0-9-]+)$/.exec(ref.repository);
  return m ? { behaviour: m[1] ?? "", param: ref.tag ?? "" } : undefined;
}

/** Extra pull time for `fake/slow-pull:<ms>`. */
export function pullDelayOf(image: string): number | undefined {
  const ref = parseImage(image);
  if ("error" in ref) return undefined;
  const fake = fakeImage(ref);
  return fake?.behaviour === "slow-pull" ? Number(fake.param) || 0 : undefined;
}

/**
 * The conventions:
 * `fake/pull-error:*` fails to pull forever (ErrImagePull, ImagePullBackOff); an unparsable or uppercase image is
 * InvalidImageName; `fake/never-pull:*` is ErrImageNeverPull; `fake/config-error:*` is CreateContainerConfigError;
 * `fake/oom:*` is OOMKilled (exit 137); `fake/exit:<code>` exits with that code; `fake/sleep:<ms>` runs that long
 * and succeeds; `fake/slow-pull:<ms>` pulls that long and then runs the command. Anything else runs the command.
 */
export function imageBehaviour(image: string): ImageBehaviour {
  const ref = parseImage(image);
  if ("error" in ref) {
    return {
      kind: "invalid-name",
      message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${ref.error}`,
    };
  }
  const fake = fakeImage(ref);
  const full = normalizedImage(ref);
  switch (fake?.behaviour) {
    case "pull-error":
      return {
        kind: "pull-error",
        message: `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`,
      };
    case "never-pull":
      return {
        kind: "never-pull",
        message: `Container image "${image}" is not present with pull policy of Never`,
      };
    case "config-error":
      return { kind: "config-error", message: `secret "fake-config-error" not found` };
    case "oom":
      return { kind: "oom" };
    case "exit":
      return { kind: "exit", code: Number(fake.param) || 0 };
    case "sleep":
      return { kind: "sleep", ms: Number(fake.param) || 0 };
    default:
      return { kind: "run" };
  }
}
