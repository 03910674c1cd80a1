// The Site tab: power flows, wallboxes, outputs and the contracted power; polled while visible.
"use strict";

import { $, answer, api, el, fillTable, notice, pick, watts } from "./lib.js";

const FLOWS = [
  // [label, key, how to read the sign]
  ["Grid", "grid_power_w", (w) => (w > 0 ? "exporting" : w < 0 ? "importing" : "")],
  ["PV", "pv_power_w", () => "producing"],
  ["Battery", "battery_power_w", (w) => (w > 0 ? "charging" : w < 0 ? "discharging" : "")],
  ["Wallboxes", "wallbox_power_w", () => "charging"],
  ["House", "house_power_w", () => "using"],
];

function flowCard(label, value, sense, extra) {
  const known = value !== null && value !== undefined;
  return el(
    "div",
    { class: "flow" + (known ? "" : " unknown") },
    el("span", { class: "label" }, label),
    el("span", { class: "value" }, known ? watts(Math.abs(value)) : "—"),
    el("span", { class: "sense" }, known ? sense(value) : "no reading"),
    extra ? el("span", { class: "extra" }, extra) : "",
  );
}

function renderFlows(site) {
  const live = site.live;
  const cards = FLOWS.map(([label, key, sense]) => {
    const soc = key === "battery_power_w" ? pick(live, "battery_soc") : null;
    const extra = soc === null || soc === undefined ? "" : "SoC " + Math.round(soc * 100) + " %";
    return flowCard(label, pick(live, key), sense, extra);
  });
  const contracted = site.contracted_power || {};
  cards.push(el("div", { class: "flow" }, el("span", { class: "label" }, "Contracted"),
    el("span", { class: "value" }, watts(contracted.contracted_power_w)),
    el("span", { class: "sense" }, contracted.override ? "set here" : "from config")));
  $("#flows").replaceChildren(...cards);
  const siteNotice = $("#site-notice");
  siteNotice.hidden = !site.live_error;
  siteNotice.textContent = site.live_error ? "Live values: " + site.live_error : "";
}

async function wallboxAction(address, action) {
  const result = await api("POST", `/api/wallboxes/${address}/${action}`);
  answer($("#wallbox-answer"), result, `wallbox ${address}: ${action} sent`);
}

function renderWallboxes(site) {
  const rows = site.wallboxes.map((w) => {
    const live = w.live;
    const state = live ? pick(live, "state") : w.error;
    return el("tr", {},
      el("td", {}, w.address), el("td", {}, w.serial || "—"), el("td", {}, state ?? "—"),
      el("td", {}, watts(pick(live, "power_w"))),
      el("td", {}, pick(live, "setpoint_a") !== undefined ? pick(live, "setpoint_a") + " A" : "—"),
      el("td", {}, pick(live, "session_energy_wh") !== undefined ? (pick(live, "session_energy_wh") / 1000).toFixed(2) + " kWh" : "—"),
      el("td", {},
        el("button", { type: "button", onclick: () => wallboxAction(w.address, "start") }, "Start"),
        el("button", { type: "button", onclick: () => wallboxAction(w.address, "stop") }, "Stop")));
  });
  fillTable($("#wallbox-table"), rows, "No wallbox configured or registered.");
}

function renderOutputs(site) {
  const rows = site.outputs.map((o) => {
    const closed = pick(o.live, "closed");
    const contact = closed === undefined ? (o.error || pick(o.live, "state") || "—") : closed ? "closed" : "open";
    return el("tr", {}, el("td", {}, o.number), el("td", {}, o.name || "—"), el("td", {}, contact));
  });
  fillTable($("#output-table"), rows, "No output configured.");
}

export async function refreshSite() {
  const result = await api("GET", "/api/site");
  if (!result.ok) {
    notice($("#site-notice"), result);
    return;
  }
  renderFlows(result.data);
  renderWallboxes(result.data);
  renderOutputs(result.data);
  const power = result.data.contracted_power;
  $("#power-info").textContent = `in force: ${watts(power.contracted_power_w)} (config: ${watts(power.configured_w)})`;
  const input = $("#power-form").elements.contracted_power_w;
  if (document.activeElement !== input && !input.value) input.value = power.contracted_power_w;
}

export function setUpSite() {
  $("#power-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = Number(event.target.elements.contracted_power_w.value);
    const result = await api("PUT", "/api/contracted-power", { contracted_power_w: value });
    answer($("#power-answer"), result, result.ok ? `contracted power now ${watts(result.data.contracted_power_w)}` : "");
    if (result.ok) refreshSite();
  });
}
