// Product analytics: events go to a Mixpanel-shaped collector (POST /track, form field data = JSON events) by
// navigator.sendBeacon, which never holds the page. Under the analytics-blocking fault the page instead waits for the
// collector's answer before it renders (the defect step 6 catches).
"use strict";

window.shopAnalytics = (() => {
  const config = window.SHOP_ANALYTICS || {};
  // randomUUID needs a secure context (https or loopback); elsewhere a random number does.
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
  let id = localStorage.getItem("analytics-id");
  if (!id) {
    id = uuid();
    localStorage.setItem("analytics-id", id);
  }

  function body(name, properties) {
    const event = {
      event: name,
      properties: { token: config.token, distinct_id: id, time: Date.now(), $insert_id: uuid(), ...properties },
    };
    return new URLSearchParams({ data: JSON.stringify([event]) });
  }

  /** Sends one event; the promise settles at once, or (analytics-blocking) when the collector answers. */
  function track(name, properties = {}) {
    if (!config.url) return Promise.resolve();
    const url = config.url + "/track";
    if (config.blocking) {
      return fetch(url, { method: "POST", body: body(name, properties) }).catch(() => undefined);
    }
    try { navigator.sendBeacon(url, body(name, properties)); } catch { /* analytics never breaks the page */ }
    return Promise.resolve();
  }

  return { track, pageView: (page) => track("page_view", { page }) };
})();
