// Small helpers shared by the page: the API call, element building, answers, formats.
"use strict";

const TOKEN_KEY = "connext.token";
const onUnauthorized = [];

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function whenUnauthorized(callback) {
  onUnauthorized.push(callback);
}

// One API call: {ok, status, data}; never throws. A 401 outside the login form logs out.
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token()) headers.Authorization = "Bearer " + token();
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    return { ok: false, status: 0, data: { error: "the box does not answer (" + err.message + ")" } };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = { error: response.status + " " + response.statusText };
    }
  }
  if (response.status === 401 && !path.startsWith("/api/auth/login")) onUnauthorized.forEach((f) => f());
  return { ok: response.ok, status: response.status, data };
}

// Build an element; strings become text nodes (never HTML).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

export function $(selector) {
  return document.querySelector(selector);
}

// Show an API answer under a form: the error sentence and its problems, or a success text.
export function answer(target, result, okText) {
  target.classList.toggle("error", !result.ok);
  if (result.ok) {
    target.textContent = okText;
    return;
  }
  const data = result.data || {};
  const problems = (data.problems || []).filter((p) => p !== data.error);
  target.textContent = (data.error || "error " + result.status) + (problems.length ? ": " + problems.join("; ") : "");
}

// A part of the system that answered an error (503: it is down or not part of this site) is shown, not hidden.
export function notice(target, result) {
  target.hidden = result.ok;
  if (!result.ok) target.textContent = (result.data && result.data.error) || "error " + result.status;
}

export function fillTable(table, rows, emptyText) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...rows);
  if (!rows.length) {
    const columns = table.querySelectorAll("thead th").length;
    body.append(el("tr", {}, el("td", { colspan: columns, class: "empty" }, emptyText)));
  }
}

export function watts(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "—";
  const w = Number(value);
  return Math.abs(w) >= 1000 ? (w / 1000).toFixed(2) + " kW" : Math.round(w) + " W";
}

export function when(unixSeconds) {
  return unixSeconds ? new Date(unixSeconds * 1000).toLocaleString() : "—";
}

// Form fields as JSON: numbers for number inputs, empty fields left out.
export function formJson(form) {
  const out = {};
  for (const field of form.elements) {
    if (!field.name || field.value === "" || field.closest("fieldset[disabled]")) continue;
    out[field.name] = field.type === "number" ? Number(field.value) : field.value;
  }
  return out;
}

// Look a key up in a snapshot and one level of nested objects (snapshot shapes vary by part).
export function pick(snapshot, key) {
  if (!snapshot || typeof snapshot !== "object") return undefined;
  if (key in snapshot) return snapshot[key];
  for (const value of Object.values(snapshot)) {
    if (value && typeof value === "object" && !Array.isArray(value) && key in value) return value[key];
  }
  return undefined;
}
