// The Charging, Outputs, Sessions and Accounts tabs.
"use strict";

import { $, answer, api, el, fillTable, formJson, notice, watts, when } from "./lib.js";

// --- charging strategy ----------------------------------------------------------------

function showStrategyFields(form) {
  const chosen = form.elements.strategy.value;
  for (const fieldset of form.querySelectorAll("fieldset[data-for]")) {
    const mine = fieldset.dataset.for.split(" ").includes(chosen);
    fieldset.hidden = !mine;
    fieldset.disabled = !mine; // disabled fields are not sent
  }
}

export async function loadStrategy(configured) {
  const form = $("#strategy-form");
  const result = await api("GET", "/api/strategy");
  notice($("#strategy-notice"), result);
  const current = result.ok ? { strategy: result.data.strategy, ...result.data.parameters } : { strategy: configured };
  for (const [key, value] of Object.entries(current)) {
    if (form.elements[key] && value !== null && value !== undefined) form.elements[key].value = value;
  }
  showStrategyFields(form);
}

function setUpStrategy() {
  const form = $("#strategy-form");
  form.elements.strategy.addEventListener("change", () => showStrategyFields(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("PUT", "/api/strategy", formJson(form));
    answer($("#strategy-answer"), result, "strategy changed to " + form.elements.strategy.value);
  });
  showStrategyFields(form);
}

// --- output logics ----------------------------------------------------------------------

async function logicAction(method, path, body, text) {
  const result = await api(method, path, body);
  answer($("#logic-answer"), result, text);
  if (result.ok) loadLogics();
}

export async function loadLogics() {
  const result = await api("GET", "/api/logics");
  notice($("#logics-notice"), result);
  const logics = result.ok ? result.data.logics : [];
  const rows = logics.map((l) => {
    const path = "/api/logics/" + encodeURIComponent(l.name);
    return el("tr", {},
      el("td", {}, l.name), el("td", {}, l.output), el("td", {}, l.variable), el("td", {}, l.max), el("td", {}, l.min),
      el("td", {}, l.window || "always"), el("td", {}, l.dates || "all year"), el("td", {}, l.enabled ? "yes" : "no"),
      el("td", {},
        el("button", { type: "button", onclick: () => logicAction("PUT", path + "/enabled", { enabled: !l.enabled }, l.name + (l.enabled ? " disabled" : " enabled")) }, l.enabled ? "Disable" : "Enable"),
        el("button", { type: "button", onclick: () => logicAction("DELETE", path, undefined, l.name + " deleted") }, "Delete")));
  });
  fillTable($("#logic-table"), rows, result.ok ? "No output logic yet." : "—");
}

function setUpLogics() {
  $("#logic-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = formJson(event.target);
    body.output = Number(body.output);
    logicAction("POST", "/api/logics", body, "logic " + body.name + " created");
  });
}

// --- sessions -----------------------------------------------------------------------------

export async function loadSessions() {
  const result = await api("GET", "/api/sessions?limit=100");
  notice($("#sessions-notice"), result);
  const rows = (result.ok ? result.data.sessions : []).map((s) =>
    el("tr", {}, el("td", {}, s.wallbox ?? s.address ?? "—"), el("td", {}, when(s.started_at)), el("td", {}, when(s.ended_at)),
      el("td", {}, s.energy_wh === undefined ? "—" : watts(s.energy_wh).replace("W", "Wh")), el("td", {}, s.strategy || "—")));
  fillTable($("#session-table"), rows, result.ok ? "No session yet." : "—");
}

// --- accounts, cards, own password ----------------------------------------------------

async function accountAction(method, path, body, text) {
  const result = await api(method, path, body);
  answer($("#account-answer"), result, text);
  if (result.ok) loadAccounts();
}

export async function loadAccounts(me) {
  if (me.role === "user") return;
  const result = await api("GET", "/api/accounts");
  const accounts = result.ok ? result.data : [];
  const rows = accounts.map((a) => {
    const path = "/api/accounts/" + encodeURIComponent(a.name);
    const buttons = [];
    if (me.role === "owner" && a.role !== "owner") {
      const next = a.role === "administrator" ? "user" : "administrator";
      buttons.push(el("button", { type: "button", onclick: () => accountAction("PUT", path + "/role", { role: next }, a.name + " is now " + next) },
        next === "administrator" ? "Make administrator" : "Remove administrator"));
    }
    if (a.role === "user" || (a.role === "administrator" && me.role === "owner")) {
      buttons.push(el("button", { type: "button", onclick: () => accountAction("DELETE", path, undefined, a.name + " removed") }, "Remove"));
    }
    return el("tr", {}, el("td", {}, a.name), el("td", {}, a.role), el("td", {}, ...buttons));
  });
  fillTable($("#account-table"), rows, result.ok ? "No account." : (result.data && result.data.error) || "—");
  loadCards();
}

async function loadCards() {
  const result = await api("GET", "/api/rfid-cards");
  const rows = (result.ok ? result.data : []).map((c) =>
    el("tr", {}, el("td", {}, c.card), el("td", {}, c.label || "—"), el("td", {}, c.wallboxes.join(", ")),
      el("td", {}, el("button", { type: "button", onclick: () => cardAction("DELETE", c.card) }, "Remove"))));
  fillTable($("#card-table"), rows, result.ok ? "No card enrolled." : (result.data && result.data.error) || "—");
}

async function cardAction(method, card, body) {
  const result = await api(method, "/api/rfid-cards/" + encodeURIComponent(card), body);
  const pushed = result.ok ? Object.entries(result.data.push).map(([w, how]) => `wallbox ${w}: ${how}`).join("; ") : "";
  answer($("#card-answer"), result, `card ${card.toUpperCase()} saved` + (pushed ? ". " + pushed : ""));
  if (result.ok) loadCards();
}

function setUpAccounts(getMe) {
  $("#account-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = formJson(event.target);
    event.target.reset();
    accountAction("POST", "/api/accounts", body, body.name + " added as " + body.role);
  });
  $("#card-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = formJson(event.target);
    const wallboxes = (body.wallboxes || "").split(/[ ,]+/).filter(Boolean).map(Number);
    cardAction("PUT", body.card, { label: body.label || "", wallboxes });
  });
  $("#password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/api/auth/password", formJson(event.target));
    event.target.reset();
    answer($("#password-answer"), result, "password changed for " + getMe().name);
  });
}

export function setUpPanels(getMe) {
  setUpStrategy();
  setUpLogics();
  setUpAccounts(getMe);
}
