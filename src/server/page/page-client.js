/* global document, window, location */
// The status pages' only script, inlined (no build, no external asset). Pages work without it;
// it adds the write buttons (a session's CSRF token sent with each; without login, the bearer token
// kept in sessionStorage only), a refresh that waits while a form is in use, and the log tail that
// follows a running task.
(() => {
  "use strict";
  const TOKEN_KEY = "updraft.apiToken";
  const messageBox = document.getElementById("message");
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : null;
  // With login on, a 401 means "sign in (again)", not "paste a token".
  const loginOn = document.body.dataset.login === "on";
  let busy = 0;

  function show(text, kind) {
    if (!messageBox) return;
    messageBox.textContent = text;
    messageBox.className = `message ${kind}`;
    messageBox.hidden = false;
  }

  /** Opens the token dialog; resolves to the token entered, or null when cancelled. */
  function askToken(reason) {
    const dialog = document.getElementById("token-dialog");
    const input = dialog.querySelector("input[name=token]");
    dialog.querySelector("[data-token-reason]").textContent = reason;
    input.value = "";
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => resolve(dialog.returnValue === "save" && input.value.trim() ? input.value.trim() : null),
        { once: true },
      );
    });
  }

  /**
   * Calls a write endpoint. On a 401 it sends the browser to sign in when login is on, else asks
   * for the token and tries again. Other refusals (a 403 naming the role needed) are thrown.
   */
  async function write(method, url, body) {
    for (;;) {
      const token = loginOn ? null : sessionStorage.getItem(TOKEN_KEY);
      const headers = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      if (csrfToken) headers["x-csrf-token"] = csrfToken;
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? "" : JSON.stringify(body),
      });
      const payload = await response.json().catch(() => ({}));
      const message =
        (payload.error && payload.error.message) || `${method} ${url} answered ${response.status}`;
      if (response.status !== 401) {
        if (!response.ok) {
          const error = new Error(`${response.status}: ${message}`);
          // A refused conf names each bad field: listed next to the trigger form.
          if (payload.error && Array.isArray(payload.error.problems)) error.problems = payload.error.problems;
          throw error;
        }
        return payload;
      }
      if (loginOn) {
        location.assign(`/auth/login?next=${encodeURIComponent(location.pathname + location.search)}`);
        // The page is leaving: nothing to show, nothing to retry.
        return new Promise(() => undefined);
      }
      sessionStorage.removeItem(TOKEN_KEY);
      const entered = await askToken(
        token
          ? `The token was refused (${message}). Enter the API token (--api-token):`
          : "This action needs the API token the daemon was started with (--api-token):",
      );
      if (!entered) throw new Error(`401: ${message}`);
      sessionStorage.setItem(TOKEN_KEY, entered);
    }
  }

  /** A form's `data-field` inputs as a JSON body: checkboxes as booleans, empty ones left out. */
  function fieldsOf(form) {
    const body = {};
    for (const input of form.querySelectorAll("[data-field]")) {
      if (input.type === "checkbox") body[input.name] = input.checked;
      else if (input.value !== "")
        body[input.name] = input.type === "number" ? Number(input.value) : input.value;
    }
    return body;
  }

  /** One param field's value for the conf; undefined (left out, so the default applies) when empty. */
  function paramValue(field) {
    const type = field.dataset.paramType;
    if (type === "boolean") return field.checked;
    // Left as the page showed it: nothing is sent and the server fills in the default itself, as
    // an input cannot show every default exactly (a comma in a list item, spaces, seconds).
    if (field.tagName === "SELECT") {
      const option = field.selectedOptions[0];
      if (!option || option.defaultSelected || option.value === "") return undefined;
      // An enum value is sent as listed, spaces and all.
      return type === "integer" || type === "number" ? Number(option.value) : option.value;
    }
    if (field.value === field.defaultValue) return undefined;
    const value = field.value.trim();
    if (value === "") return undefined;
    if (type === "integer" || type === "number") return Number(value);
    // datetime-local is the browser's local time, without zone: sent as UTC.
    if (type === "datetime") return new Date(value).toISOString();
    if (type === "array")
      return value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    return value;
  }

  /** The trigger's body: the raw JSON conf when filled in, else the param fields, else nothing. */
  function bodyOf(form) {
    if (form.querySelector("[data-field]")) return fieldsOf(form);
    const conf = form.querySelector("textarea[name=conf]");
    const fields = form.querySelectorAll("[data-param]");
    if (!conf && fields.length === 0) return form.dataset.body ? JSON.parse(form.dataset.body) : undefined;
    const text = conf ? conf.value.trim() : "";
    if (fields.length > 0 && text === "") {
      // No prototype: a param named __proto__ is an ordinary key.
      const values = Object.create(null);
      for (const field of fields) {
        const value = paramValue(field);
        if (value !== undefined) values[field.dataset.param] = value;
      }
      return { conf: values };
    }
    try {
      return { conf: text === "" ? {} : JSON.parse(text) };
    } catch (error) {
      throw new Error(`conf is not valid JSON: ${error.message}`);
    }
  }

  /** Lists a refused conf's problems under its form (cleared with an empty list). */
  function showProblems(form, problems) {
    const list = form.querySelector("[data-conf-problems]");
    if (!list) return;
    list.replaceChildren(
      ...problems.map((problem) => {
        const item = document.createElement("li");
        item.textContent = problem;
        return item;
      }),
    );
    list.hidden = problems.length === 0;
    for (const field of form.querySelectorAll("[data-param]")) {
      const bad = problems.some((problem) => problem.startsWith(`conf.${field.dataset.param}:`));
      if (bad) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
  }

  // A date-time default in the browser's local time, as datetime-local shows it.
  for (const field of document.querySelectorAll("input[type=datetime-local][data-default]")) {
    const at = new Date(field.dataset.default);
    if (field.dataset.default === "" || Number.isNaN(at.getTime())) continue;
    const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    field.value = local;
    field.defaultValue = local;
  }

  for (const form of document.querySelectorAll("form[data-url]")) {
    for (const button of form.querySelectorAll("button")) button.disabled = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
      const buttons = form.querySelectorAll("button");
      busy++;
      for (const button of buttons) button.disabled = true;
      try {
        showProblems(form, []);
        const result = await write(form.dataset.method || "POST", form.dataset.url, bodyOf(form));
        if (form.dataset.then === "run" && result.runId) {
          location.assign(`/runs/${encodeURIComponent(result.runId)}`);
          return;
        }
        show(form.dataset.done || "Done.", "ok");
        setTimeout(() => location.reload(), form.dataset.then === "reload-later" ? 1500 : 300);
      } catch (error) {
        show(error.message, "error");
        if (error.problems) showProblems(form, error.problems);
      } finally {
        busy--;
        for (const button of buttons) button.disabled = false;
      }
    });
  }

  // Reload every data-refresh seconds, but never while someone types, a dialog is open or a call runs.
  const refresh = Number(document.body.dataset.refresh || 0);
  if (refresh > 0) {
    const tick = () => {
      const active = document.activeElement;
      const editing = active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
      const dirty =
        [...document.querySelectorAll("textarea, form input")].some(
          (t) => t.value !== t.defaultValue || t.checked !== t.defaultChecked,
        ) ||
        [...document.querySelectorAll("form select")].some((select) => {
          const initial = [...select.options].findIndex((option) => option.defaultSelected);
          return select.selectedIndex !== Math.max(initial, 0);
        });
      if (editing || dirty || busy > 0 || document.querySelector("dialog[open]"))
        setTimeout(tick, refresh * 1000);
      else location.reload();
    };
    setTimeout(tick, refresh * 1000);
  }

  const log = document.querySelector("pre[data-follow]");
  if (log) void follow(log);

  /** Appends what the log grew by (read from a byte offset) until the task's try has ended. */
  async function follow(pre) {
    const decoder = new TextDecoder();
    const status = document.getElementById("follow-status");
    let offset = Number(pre.dataset.offset);
    const tryNumber = Number(pre.dataset.try);
    for (;;) {
      try {
        // State first, log second: once the try has ended its log is complete, so this read is the last.
        const run = await (await fetch(pre.dataset.runUrl, { cache: "no-store" })).json();
        const task = (run.tasks || []).find((t) => t.id === pre.dataset.task);
        const ended = !task || task.try !== tryNumber || !["queued", "running"].includes(task.state);
        const response = await fetch(`${pre.dataset.logUrl}&offset=${offset}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`log answered ${response.status}`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        // Masking can change a piece's length: the server says where the next one starts.
        const next = response.headers.get("x-log-next-offset");
        offset = next !== null && Number(next) >= offset ? Number(next) : offset + bytes.byteLength;
        const text = decoder.decode(bytes, { stream: !ended });
        if (text) {
          const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
          pre.append(text);
          if (atBottom) window.scrollTo(0, document.body.scrollHeight);
        }
        if (ended) {
          status.textContent = task
            ? `Try ${tryNumber} ended: ${task.try !== tryNumber ? "superseded" : task.state.replace(/_/g, " ")}.`
            : "The task is gone.";
          status.className = "follow ended";
          const badge = document.querySelector("[data-live-state] .state");
          if (badge && task && task.try === tryNumber) {
            badge.textContent = task.state.replace(/_/g, " ");
            badge.className = `state st-${task.state}`;
          }
          return;
        }
        status.textContent = `Following the log (${offset} bytes)…`;
      } catch (error) {
        status.textContent = `Following paused: ${error.message}; retrying.`;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
})();
