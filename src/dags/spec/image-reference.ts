/**
 * Container image references as the distribution/reference grammar defines them:
 * `[registry[:port]/]path[:tag][@algorithm:digest]`. The first part is a registry only when it has a
 * `.` or `:` or is `localhost`, as Docker decides it; path components are lower case.
 */

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Returns why `image` is not a valid image reference, or undefined. */
export function imageReferenceError(image: string): string | undefined {
  if (image.trim() === "") return "must not be empty";
  if (/\s/.test(image)) return "must not contain white space";
  if (image.length > 4096) return "is too long";
  const [nameAndTag = "", digest, extra] = image.split("@");
  if (extra !== undefined) return "has more than one '@'";
  if (digest !== undefined && !DIGEST.test(digest)) return `digest "${digest}" is not algorithm:hex`;
  const parts = nameAndTag.split("/");
  const first = parts[0] ?? "";
  const hasRegistry =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) {
    if (!DOMAIN.test(first)) return `registry "${first}" is not a valid host[:port]`;
    parts.shift();
  }
  const last = parts.pop() ?? "";
  const colon = last.indexOf(":");
  const repository = colon >= 0 ? last.slice(0, colon) : last;
  const tag = colon >= 0 ? last.slice(colon + 1) : undefined;
  for (const component of [...parts, repository]) {
    if (component === "") return "has an empty path component";
    if (!PATH_COMPONENT.test(component)) {
      return /[A-Z]/.test(component)
        ? `repository name "${component}" must be lower case`
        : `path component "${component}" may only contain lower case letters, digits and separators (. _ __ -)`;
    }
  }
  if (tag !== undefined && !TAG.test(tag))
    return `tag "${tag}" is not valid (letters, digits, '_', '.', '-'; at most 128)`;
  return undefined;
}
