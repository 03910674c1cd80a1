// The page: log in (or register the owner on a new box), tabs, role-aware controls, polling.
"use strict";

import { $, answer, api, formJson, setToken, token, whenUnauthorized } from "./lib.js";
import { loadAccounts, loadLogics, loadSessions, loadStrategy, setUpPanels } from "./panels.js";
import { refreshSite, setUpSite } from "./site.js";

const POLL_MS = 2000;
const state = { me: null, registering: false, tab: "site", timer: null, configuredStrategy: "fast" };

async function showLogin() {
  stopPolling();
  state.me = null;
  $("#app-view").hidden = true;
  $("#logout").hidden = true;
  $("#who").textContent = "";
  const status = await api("GET", "/api/auth/status");
  state.registering = status.ok && !status.data.owner_registered;
  $("#login-title").textContent = state.registering ? "Register the owner" : "Log in";
  $("#login-hint").textContent = state.registering
    ? "This box has no account yet: the first one registered becomes its owner, for good."
    : "";
  $("#login-submit").textContent = state.registering ? "Register" : "Log in";
  $("#login-form").elements.password.autocomplete = state.registering ? "new-password" : "current-password";
  $("#login-view").hidden = false;
}

async function showApp() {
  const me = await api("GET", "/api/auth/me");
  if (!me.ok) return showLogin();
  state.me = me.data;
  $("#who").textContent = `${state.me.name} (${state.me.role})`;
  $("#logout").hidden = false;
  $("#login-view").hidden = true;
  $("#app-view").hidden = false;
  const admin = state.me.role !== "user";
  for (const node of document.querySelectorAll("[data-needs=admin]")) node.hidden = !admin;
  for (const node of document.querySelectorAll("[data-needs=owner]")) node.hidden = state.me.role !== "owner";
  selectTab(state.tab);
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.target;
  const body = formJson(form);
  const path = state.registering ? "/api/auth/register" : "/api/auth/login";
  const result = await api("POST", path, body);
  answer($("#login-answer"), result, "welcome");
  if (!result.ok) return;
  setToken(result.data.token);
  form.reset();
  $("#login-answer").textContent = "";
  showApp();
}

async function logout() {
  await api("POST", "/api/auth/logout");
  setToken(null);
  showLogin();
}

function stopPolling() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

async function loadTab(tab) {
  if (tab === "site") {
    await refreshSite();
    return;
  }
  if (tab === "charging") {
    const site = await api("GET", "/api/site");
    if (site.ok) state.configuredStrategy = site.data.config.charging_strategy;
    return loadStrategy(state.configuredStrategy);
  }
  if (tab === "outputs") return loadLogics();
  if (tab === "sessions") return loadSessions();
  if (tab === "accounts") return loadAccounts(state.me);
}

function selectTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll("nav [data-tab]")) button.classList.toggle("active", button.dataset.tab === tab);
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== "tab-" + tab;
  stopPolling();
  loadTab(tab);
  if (tab === "site") {
    state.timer = setInterval(() => {
      if (!document.hidden && state.me) refreshSite();
    }, POLL_MS);
  }
}

function boot() {
  whenUnauthorized(() => {
    if (state.me) {
      setToken(null);
      showLogin();
    }
  });
  $("#login-form").addEventListener("submit", submitLogin);
  $("#logout").addEventListener("click", logout);
  for (const button of document.querySelectorAll("nav [data-tab]")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }
  setUpSite();
  setUpPanels(() => state.me);
  if (token()) showApp();
  else showLogin();
}

boot();
