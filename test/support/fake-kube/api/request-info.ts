/** What a request is, in kube-apiserver's terms (k8s.io/apiserver RequestInfo): the verb RBAC would check. */
export interface RequestInfo {
  method: string;
  path: string;
  query: Record<string, string>;
  isResourceRequest: boolean;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace?: string;
  /** `pods`, or with a subresource `pods/log`. */
  resource: string;
  name?: string;
  subresource?: string;
}

const truthy = (v: string | undefined) => v === "true" || v === "1";

export function requestInfo(method: string, url: URL): RequestInfo {
  const query = Object.fromEntries(url.searchParams.entries());
  const base = { method, path: url.pathname, query, apiGroup: "", apiVersion: "", resource: "" };
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let apiGroup = "";
  let apiVersion: string;
  if (parts[0] === "api" && parts.length >= 2) {
    apiVersion = parts[1] ?? "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    apiGroup = parts[1] ?? "";
    apiVersion = parts[2] ?? "";
    rest = parts.slice(3);
  } else {
    return { ...base, isResourceRequest: false, verb: method.toLowerCase() };
  }
  if (rest.length === 0) return { ...base, isResourceRequest: false, verb: method.toLowerCase() };
  let watch = truthy(query.watch);
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && rest[2] !== "status" && rest[2] !== "finalize") rest = rest.slice(2);
  }
  const [resource = "", name, subresource] = rest;
  const scopedNamespace = resource === "namespaces" ? undefined : namespace;
  let verb: string;
  if (method === "GET" || method === "HEAD") verb = watch ? "watch" : name ? "get" : "list";
  else if (method === "POST") verb = "create";
  else if (method === "PUT") verb = "update";
  else if (method === "PATCH") verb = "patch";
  else if (method === "DELETE") verb = name ? "delete" : "deletecollection";
  else verb = method.toLowerCase();
  return {
    ...base,
    isResourceRequest: true,
    verb,
    apiGroup,
    apiVersion,
    ...(scopedNamespace !== undefined ? { namespace: scopedNamespace } : {}),
    resource: subresource ? `${resource}/${subresource}` : resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
