import { nameRecord, type ParamSpec } from "./params-schema.ts";

/** A DAG's params as JSON Schema (draft 2020-12), as `GET /api/dags/:dagId` shows them. */
export function paramsJsonSchema(params: readonly ParamSpec[]) {
  const properties = nameRecord<Record<string, unknown>>();
  for (const param of params) properties[param.name] = paramProperty(param);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties,
    required: params.filter((param) => param.required).map((param) => param.name),
    // Keys no param declares are kept in the conf (see resolveConf).
    additionalProperties: true,
  };
}

function paramProperty(param: ParamSpec): Record<string, unknown> {
  const { name: _name, type, required: _required, ...rest } = param;
  switch (type) {
    case "date":
      return { type: "string", format: "date", ...rest };
    case "datetime":
      return { type: "string", format: "date-time", ...rest };
    case "array":
      return { type: "array", items: { type: "string" }, ...rest };
    default:
      return { type, ...rest };
  }
}
