import type { ParamSpec } from "../../dags/spec/params-schema.ts";
import { type Html, html } from "./html.ts";
import { actionForm } from "./layout.ts";

/**
 * The DAG page's trigger form: one input per param (select for an enum, checkbox, date and
 * date-time pickers, number inputs with their bounds, text otherwise; defaults pre-filled), and
 * the raw JSON conf in a collapsed box that wins when filled in. Without params, the JSON box
 * alone. The page script (page-client.js) turns the fields into the conf and lists the
 * problems of a refused one under the form. Names and descriptions come from DAG files: all
 * escaped by `html`.
 */
export function triggerForm(runsUrl: string, params: readonly ParamSpec[]): Html {
  const form = { url: runsUrl, label: "Trigger", done: "Triggered.", then: "run" as const, primary: true };
  if (params.length === 0)
    return actionForm({
      ...form,
      fields: html`<label for="conf">Conf (a JSON object, passed as <code>{{ dag_run.conf }}</code>)</label
        ><br /><textarea id="conf" name="conf" spellcheck="false">{}</textarea><br />`,
    });
  return actionForm({
    ...form,
    noValidate: true,
    fields: html`<div class="params">${params.map(paramField)}</div>
      <details class="raw-conf">
        <summary>Raw JSON conf (when filled in, it is sent instead of the fields above)</summary>
        <textarea id="conf" name="conf" spellcheck="false" placeholder="{}"></textarea>
      </details>
      <ul class="conf-problems error-text" data-conf-problems hidden></ul>`,
  });
}

function paramField(param: ParamSpec): Html {
  const id = `param-${param.name}`;
  const help = param.description ? html`<small class="help muted">${param.description}</small>` : "";
  const label = html`<label for="${id}"
    ><span class="mono">${param.name}</span
    >${param.required ? html` <abbr title="required">*</abbr>` : ""}</label
  >`;
  if (param.type === "boolean")
    return html`<div class="param-field">
      <input
        type="checkbox"
        id="${id}"
        data-param="${param.name}"
        data-param-type="boolean"
        ${param.default === true ? html` checked` : ""}
      />
      ${label} ${help}
    </div>`;
  return html`<div class="param-field">${label} ${paramInput(param, id)} ${help}</div>`;
}

function paramInput(param: ParamSpec, id: string): Html {
  const data = html`id="${id}" data-param="${param.name}" data-param-type="${param.type}"`;
  const fallback = param.default;
  if (param.enum !== undefined) {
    // Without a default, "–" sends nothing (the server then names a required param).
    const empty = fallback !== undefined ? "" : html`<option value="">–</option>`;
    return html`<select ${data}>
      ${empty}${param.enum.map(
        (value) =>
          html`<option value="${String(value)}" ${value === fallback ? html` selected` : ""}>
            ${String(value)}
          </option>`,
      )}
    </select>`;
  }
  switch (param.type) {
    case "integer":
    case "number":
      return html`<input
        type="number"
        ${data}
        step="${param.type === "integer" ? "1" : "any"}"
        ${bound("min", param.minimum)}${bound("max", param.maximum)}
        value="${typeof fallback === "number" ? String(fallback) : ""}"
      />`;
    case "date":
      return html`<input type="date" ${data} value="${typeof fallback === "string" ? fallback : ""}" />`;
    case "datetime":
      // The browser's local time; the page script fills the default in (it knows the time zone).
      return html`<input
        type="datetime-local"
        ${data}
        data-default="${typeof fallback === "string" ? fallback : ""}"
      />`;
    case "array":
      return html`<input
        type="text"
        ${data}
        placeholder="comma-separated"
        value="${Array.isArray(fallback) ? fallback.join(", ") : ""}"
      />`;
    default:
      return html`<input
        type="text"
        ${data}${bound("minlength", param.minLength)}${bound("maxlength", param.maxLength)}
        value="${typeof fallback === "string" ? fallback : ""}"
      />`;
  }
}

function bound(attribute: string, value: number | undefined): Html | "" {
  return value === undefined ? "" : html` ${attribute}="${String(value)}"`;
}
