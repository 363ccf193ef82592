// The shop's single-page frontend: no framework, no build step.
"use strict";

const api = window.SHOP_API;
const $ = (id) => document.getElementById(id);
const session = {
  get access() { return sessionStorage.getItem("access"); },
  get refresh() { return sessionStorage.getItem("refresh"); },
  get user() { return JSON.parse(sessionStorage.getItem("user") || "null"); },
  save(t) {
    sessionStorage.setItem("access", t.accessToken);
    sessionStorage.setItem("refresh", t.refreshToken);
    sessionStorage.setItem("user", JSON.stringify(t.user));
  },
  clear() { sessionStorage.clear(); },
};

// Errors are shown in words in the role=alert region, never as the raw answer or the browser's own error text.
const unreachable = "The shop cannot be reached right now. Please check your connection and try again in a moment.";
const unexpected = "The shop answered something unexpected. Please try again in a moment.";

function say(text) { $("message").textContent = text || ""; }

// While a page waits for the api, its main region is aria-busy and says so.
async function loading(work) {
  const main = document.querySelector("main");
  main.setAttribute("aria-busy", "true");
  $("loading").hidden = false;
  try { return await work(); } finally { main.removeAttribute("aria-busy"); $("loading").hidden = true; }
}

async function call(path, options = {}, retried = false) {
  const headers = { ...(options.headers || {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (session.access) headers.Authorization = "Bearer " + session.access;
  let response;
  try {
    response = await fetch(api + path, {
      ...options,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch { throw new Error(unreachable); }
  if (response.status === 401 && session.refresh && !retried) {
    if (await refresh()) return call(path, options, true);
  }
  let body = null;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch { throw new Error(unexpected); }
  if (response.status >= 500) throw new Error(unreachable);
  if (!response.ok) throw new Error((body && typeof body.title === "string" && body.title) || unexpected);
  return body;
}

// A refresh that cannot reach the api keeps the session (the api may be back soon); one the api refuses ends it.
async function refresh() {
  let response;
  try {
    response = await fetch(api + "/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken: session.refresh }),
    });
  } catch { return false; }
  if (!response.ok) { session.clear(); return false; }
  session.save(await response.json());
  return true;
}

function money(value) { return value.toFixed(2) + " EUR"; }

// Orders are paid asynchronously: placed as payment_pending, then awaiting_payment, then paid (or payment_failed).
const statusLabels = {
  payment_pending: "payment pending…",
  awaiting_payment: "payment in progress…",
  paid: "paid",
  payment_failed: "payment failed",
  shipped: "shipped",
  cancelled: "cancelled",
};

function showStatus(node, status) {
  node.textContent = statusLabels[status] || status;
  node.dataset.status = status;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

function showUser() {
  const user = session.user;
  $("who").textContent = user ? `${user.username} (${user.role})` : "";
  $("logout").hidden = !user;
}

// Order status changes arrive over Server-Sent Events; EventSource cannot send headers, so the token rides in the query.
// On an error the stream is opened again a second later with a fresh token, or with the same one when the api could not
// be reached (the session is kept). Each time the stream is open, onOpen catches up on what it missed before: on the
// first open, the changes between the page's read and the stream (a payment that settled in between); on a reopen,
// those while it was cut. Under sse-no-reconnect a stream the network cut is never opened again (the defect).
function watchOrders(onChange, onOpen) {
  if (!session.access) return null;
  const source = new EventSource(`${api}/orders/events?access_token=${encodeURIComponent(session.access)}`);
  source.addEventListener("order-status", (e) => onChange(JSON.parse(e.data)));
  if (onOpen) source.addEventListener("open", () => onOpen(), { once: true });
  source.addEventListener("error", async () => {
    source.close();
    const renewed = await refresh();
    const giveUp = window.SHOP_FAULTS && window.SHOP_FAULTS.sseNoReconnect;
    if (renewed || (session.access && !giveUp)) setTimeout(() => watchOrders(onChange, onOpen), 1000);
  });
  return source;
}

async function productsPage() {
  const loggedIn = !!session.access;
  $("login-form").hidden = loggedIn;
  $("shop").hidden = !loggedIn;
  $("login-form").onsubmit = async (e) => {
    e.preventDefault();
    say("");
    try {
      const tokens = await call("/auth/login", { method: "POST", body: { username: $("username").value, password: $("password").value } });
      session.save(tokens);
      showUser();
      await productsPage();
    } catch (err) { say(err.message); }
  };
  if (!loggedIn) return;

  const page = await loading(() => call("/products?limit=50"));
  const list = $("products");
  list.replaceChildren();
  for (const p of page.items) {
    const item = document.createElement("li");
    item.className = "product";
    item.dataset.productId = p.id;
    item.append(text("h3", p.name), text("p", p.description), text("p", money(p.price), "price"));
    const qty = document.createElement("input");
    qty.type = "number"; qty.min = "0"; qty.max = "100"; qty.value = "0";
    qty.setAttribute("aria-label", "Quantity of " + p.name);
    qty.dataset.testid = "qty-" + p.id;
    qty.oninput = () => { $("place-order").disabled = ![...list.querySelectorAll("input")].some((i) => +i.value > 0); };
    item.append(qty);
    list.append(item);
  }

  // The payment may settle before POST /orders has answered: keep the newest change of every order seen.
  let current = null;
  const latest = new Map();
  const onChange = (change) => {
    const known = latest.get(change.orderId);
    if (!known || known.version < change.version) latest.set(change.orderId, change);
    if (current && change.orderId === current.id && change.version > current.version) {
      current = { id: change.orderId, version: change.version };
      showStatus($("order-status"), change.status);
    }
  };
  // The stream is open (again): the last order may have moved on before it was.
  watchOrders(onChange, async () => {
    if (!current) return;
    try {
      const order = await call(`/orders/${current.id}`);
      onChange({ orderId: order.id, status: order.status, version: order.version });
    } catch { /* the next event will tell */ }
  });
  $("place-order").onclick = async () => {
    const items = [...list.querySelectorAll("li")]
      .map((li) => ({ productId: +li.dataset.productId, quantity: +li.querySelector("input").value }))
      .filter((i) => i.quantity > 0);
    say("");
    try {
      const order = await call("/orders", { method: "POST", body: { items, shippingAddress: $("address").value } });
      const seen = latest.get(order.id);
      const newest = seen && seen.version > order.version ? seen : order;
      current = { id: order.id, version: newest.version };
      $("last-order").hidden = false;
      $("last-order-link").textContent = "#" + order.id;
      showStatus($("order-status"), newest.status);
    } catch (err) { say(err.message); }
  };
}

async function ordersPage() {
  const loggedIn = !!session.access;
  $("login-needed").hidden = loggedIn;
  $("orders-section").hidden = !loggedIn;
  if (!loggedIn) return;
  // Under stale-orders-page the list of the first load is kept and shown again on every later load (the defect).
  const stale = window.SHOP_FAULTS && window.SHOP_FAULTS.staleOrders;
  const kept = stale ? sessionStorage.getItem("orders-page") : null;
  const page = kept ? JSON.parse(kept) : await loading(() => call("/orders?limit=50"));
  if (stale && !kept) sessionStorage.setItem("orders-page", JSON.stringify(page));
  const rows = $("orders");
  rows.replaceChildren();
  for (const o of page.items) {
    const row = document.createElement("tr");
    row.dataset.orderId = o.id;
    const status = text("td", "", "status");
    showStatus(status, o.status);
    status.dataset.testid = "status-" + o.id;
    row.append(text("td", "#" + o.id), text("td", o.items.map((i) => `${i.quantity} × ${i.name}`).join(", ")),
      text("td", money(o.total)), status);
    rows.append(row);
  }
  const onChange = (change) => {
    const cell = rows.querySelector(`tr[data-order-id="${change.orderId}"] .status`);
    if (cell) showStatus(cell, change.status);
  };
  watchOrders(onChange, async () => {
    try {
      for (const o of (await call("/orders?limit=50")).items) onChange({ orderId: o.id, status: o.status });
    } catch { /* the next event will tell */ }
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  await window.shopAnalytics?.pageView(document.body.dataset.page); // at once, unless analytics-blocking
  showUser();
  $("logout").onclick = async () => {
    try { await call("/auth/logout", { method: "POST", body: { refreshToken: session.refresh } }); } catch { /* signed out anyway */ }
    session.clear();
    location.href = "/";
  };
  try {
    if (document.body.dataset.page === "orders") await ordersPage(); else await productsPage();
  } catch (err) { say(err.message); }
});
