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
        if (!response.ok) throw new Error(`${response.status}: ${message}`);
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

  function bodyOf(form) {
    if (form.querySelector("[data-field]")) return fieldsOf(form);
    const conf = form.querySelector("textarea[name=conf]");
    if (!conf) return undefined;
    const text = conf.value.trim();
    try {
      return { conf: text === "" ? {} : JSON.parse(text) };
    } catch (error) {
      throw new Error(`conf is not valid JSON: ${error.message}`);
    }
  }

  for (const form of document.querySelectorAll("form[data-url]")) {
    for (const button of form.querySelectorAll("button")) button.disabled = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const buttons = form.querySelectorAll("button");
      busy++;
      for (const button of buttons) button.disabled = true;
      try {
        const result = await write(form.dataset.method || "POST", form.dataset.url, bodyOf(form));
        if (form.dataset.then === "run" && result.runId) {
          location.assign(`/runs/${encodeURIComponent(result.runId)}`);
          return;
        }
        show(form.dataset.done || "Done.", "ok");
        setTimeout(() => location.reload(), form.dataset.then === "reload-later" ? 1500 : 300);
      } catch (error) {
        show(error.message, "error");
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
      const dirty = [...document.querySelectorAll("textarea, [data-field]")].some((t) =>
        t.type === "checkbox" ? t.checked !== t.defaultChecked : t.value !== t.defaultValue,
      );
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
