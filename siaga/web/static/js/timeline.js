// One timeline entry as a dispatcher reads it (the incident panel and the replay page): from the
// server's summary_code and params through the catalogue; from the structured fields for a server
// that sends no codes yet; the server's English only for what the catalogue does not know.

import { formatEta, has, hasServer, t, tServer } from "./i18n.js";

/** The text of a timeline entry; ``incident`` (optional) names type and priority for old servers. */
export function timelineText(lang, entry, incident) {
  if (entry.summary_code === "timeline.unit_status" && entry.params && entry.params.destination) {
    return tServer(lang, "timeline.unit_status_destination", entry.params, entry.summary);
  }
  if (hasServer(lang, entry.summary_code)) {
    const text = tServer(lang, entry.summary_code, entry.params, entry.summary);
    const p = entry.params || {};
    if (entry.summary_code !== "timeline.incident_status") { return text; }
    return text + (p.reason ? ` (${t(lang, "r_" + p.reason)})` : "") + (p.note ? ` — ${p.note}` : "");
  }
  const key = "tl_" + entry.kind;
  if (!has(lang, key)) { return entry.summary; }
  const d = entry.detail || {};
  const params = { unit: entry.unit_id || "", text: d.text || d.note || "" };
  if (entry.kind === "incident_created" && incident) {
    params.incident_type = t(lang, "t_" + incident.incident_type);
    params.priority = t(lang, "p_" + incident.priority);
  } else if (entry.kind === "incident_status") {
    params.from = t(lang, "i_" + d.from);
    params.to = t(lang, "i_" + d.to);
  } else if (entry.kind === "unit_status") {
    params.from = t(lang, "s_" + d.from);
    params.to = t(lang, "s_" + d.to);
  } else if (entry.kind === "recommendation") {
    const offered = (d.offered || []).map((o) => `${o.unit_id} (${formatEta(lang, o.eta_s)})`).join(", ");
    params.offered = offered || t(lang, "noUnit");
  }
  return t(lang, key, params);
}
