// The console's warning about the units' phones: "N perangkat perlu dicek" in the header (silent on
// duty, never seen), linking to the device page. Polled every 15 s; a role that may not read device
// health (planner) simply sees nothing.

import { t } from "./i18n.js";

const POLL_MS = 15_000;

export function watchDeviceAlerts({ api, store, node }) {
  let alerting = [];
  const render = () => {
    node.hidden = alerting.length === 0;
    node.textContent = t(store.get().lang, "dev_alert_count", { count: alerting.length });
    node.title = alerting.map((d) => d.unit_id).join(", ");
  };
  async function poll() {
    try {
      const devices = await api.get("/devices/health");
      alerting = devices.filter((d) => d.alerts.length);
    } catch (error) {
      alerting = [];  // not allowed or not reachable: the connection banner already tells the latter
    }
    render();
    setTimeout(poll, POLL_MS);
  }
  store.subscribe((state, keys) => { if (keys.has("lang")) { render(); } });
  poll();
}
