// The one ID/EN catalogue of the console and its formatters. Bahasa Indonesia first.
// t(key, params) renders a key; tServer(code, params, fallback) renders a message the server sent as
// a code + parameters, and falls back to the server's (English) text only when the code is unknown.
// Pure: the current language is passed in by the caller (it lives in the store).

const ID = {
  token: "Token", lang: "EN", newIncident: "Kejadian baru", clickHint: "Klik peta atau ketik nama desa/tempat.",
  place: "Tempat", type: "Jenis", priority: "Prioritas", phone: "Telepon pelapor", notes: "Catatan",
  landmark: "Patokan", callerName: "Nama pelapor", victims: "Jumlah korban",
  create: "Buat & rekomendasikan", incidents: "Kejadian aktif", units: "Status unit", noIncidents: "Tidak ada kejadian aktif.",
  t_medical: "Medis", t_fire: "Kebakaran", t_forest_fire: "Karhutla (kebakaran hutan/lahan)",
  t_traffic_accident: "Kecelakaan lalu lintas", t_crime: "Kriminal", t_flood: "Banjir", t_other: "Lainnya",
  p_1: "P1 Gawat darurat", p_2: "P2 Darurat", p_3: "P3 Tidak darurat",
  u_ambulance: "Ambulans", u_fire_engine: "Mobil pemadam", u_water_tanker: "Mobil tangki air",
  u_police_car: "Mobil polisi", u_police_motorbike: "Motor polisi", u_rescue: "Unit penyelamat",
  or: "atau", recommended: "Rekomendasi unit", assign: "Tugaskan", reRecommend: "Minta rekomendasi lagi",
  minutes: "mnt", km: "km", leftOut: "Tidak direkomendasikan", stale: "posisi lama", noUnits: "Tidak ada unit",
  picked: "Lokasi dipilih", assigned: "Ditugaskan", timeline: "Kronologi", approximate: "lokasi perkiraan",
  station: "Pos", approxStation: "Pos (lokasi perkiraan)", hours: "jam",
  i_new: "baru", i_dispatched: "unit dikirim", i_on_scene: "unit di lokasi", i_closed: "selesai", i_cancelled: "dibatalkan",
  replay: "putar ulang", fixAge: "posisi", ago: "lalu", schematic: "SKEMATIK — bukan jalan sebenarnya",
  s_available: "Siaga", s_dispatched: "Ditugaskan", s_en_route: "Menuju lokasi", s_on_scene: "Di lokasi",
  s_transporting: "Mengantar pasien", s_at_hospital: "Di rumah sakit", s_returning: "Kembali",
  s_out_of_service: "Tidak beroperasi", s_unknown: "Tidak diketahui", needToken: "Masukkan token dispatcher.",
  coverImpact: "Dampak cakupan", losesCover: "Jika dikirim, kehilangan cakupan", people: "jiwa",
  noCoverLoss: "Tidak ada desa yang kehilangan cakupan.",
  incident: "Kejadian", closePanel: "Tutup panel", status: "Status", location: "Lokasi", createdAt: "Dibuat",
  outstanding: "Kebutuhan belum terpenuhi", noOutstanding: "Semua kebutuhan unit terpenuhi.",
  assignedUnits: "Unit yang ditugaskan", noAssigned: "Belum ada unit ditugaskan.", released: "dilepas",
  setStatus: "Ubah status", finish: "Selesaikan kejadian", reason: "Alasan", note: "Catatan",
  r_close_done: "Selesai ditangani", r_close_referred: "Dirujuk / diserahkan ke instansi lain",
  r_cancel_false_alarm: "Laporan palsu / iseng", r_cancel_duplicate: "Laporan ganda", r_cancel_no_need: "Tidak perlu unit",
  close: "Tutup kejadian", cancel: "Batalkan kejadian", addNote: "Tambah catatan", save: "Simpan",
  addUnits: "Tambah unit", add: "Tambah", history: "Riwayat", from: "Dari", to: "Sampai", search: "Cari", find: "Tampilkan",
  dismiss: "Tutup pesan", overdue: "P1 tanpa unit lebih dari 60 detik!", legendIncidents: "Kejadian (prioritas)",
  legendUnits: "Unit (status)", schematicLabel: "SKEMATIK — bukan jalan sebenarnya",
  // errors (client side)
  e_network: "Server tidak dapat dihubungi.", e_401: "Token tidak valid atau belum diisi.", e_403: "Peran Anda tidak boleh melakukan ini.",
  e_404: "Tidak ditemukan.", e_409: "Konflik: data sudah diubah orang lain.", e_422: "Isian tidak valid.", e_500: "Kesalahan server.",
  e_assign_taken: "{unit} sudah ditugaskan oleh dispatcher lain. Rekomendasi diperbarui tanpa unit itu.",
  e_need_location: "Isi tempat atau klik peta untuk lokasi kejadian.",
  // server messages rendered from codes (tServer)
  srv_requirement: "{count} × {unit_types}",
  ex_busy: "sedang bertugas", ex_no_position: "belum ada posisi", ex_stale_position: "posisi terlalu lama",
  ex_farther: "lebih jauh dari unit yang direkomendasikan", ex_unreachable: "tidak ada rute jalan ke lokasi",
  ex_wrong_type: "jenis unit tidak sesuai",
  tl_incident_created: "Kejadian dilaporkan: {incident_type} ({priority})", tl_incident_status: "Kejadian: {from} → {to}",
  tl_incident_updated: "Kejadian diubah", tl_recommendation: "Rekomendasi: {offered}", tl_unit_chosen: "{unit} dipilih",
  tl_assignment: "{unit} ditugaskan", tl_assignment_released: "{unit} dilepas", tl_unit_status: "{unit}: {from} → {to}",
  tl_note: "Catatan: {text}", noUnit: "tidak ada unit",
  e_assign_taken_by: "{unit} sudah ditugaskan ke kejadian #{held_by_incident_id} oleh {assigned_by}. Rekomendasi diperbarui tanpa unit itu.",
  // error codes of the API (body {detail, code, params}; docs/dispatch.md "Message codes")
  not_found: "{what} {id} tidak ditemukan.",
  invalid_transition: "Status {subject} tidak dapat berubah dari {from_status} ke {to_status}. Yang diizinkan: {allowed}.",
  unit_already_assigned: "{unit_id} sudah ditugaskan ke kejadian #{held_by_incident_id} oleh {assigned_by}.",
  outside_service_area: "Lokasi {distance_m} m di luar Kabupaten Siak (desa terdekat: {nearest_desa}).",
  validation_error: "Isian tidak valid: {fields}.",
  victims_out_of_range: "Jumlah korban harus antara {min} dan {max}.",
  call_time_in_future: "Waktu panggilan ada di masa depan.", call_time_too_old: "Waktu panggilan lebih dari {max_age_h} jam yang lalu.",
  dispatch_by_assignment: "Unit hanya menjadi “Ditugaskan” lewat penugasan ke kejadian.",
  w_unit: "unit", w_incident: "kejadian", w_place: "tempat",
  f_place: "Tempat", f_place_kode: "Tempat", f_caller_phone: "Telepon pelapor", f_victims: "Jumlah korban", f_landmark: "Patokan",
  f_caller_name: "Nama pelapor", f_lon: "Lokasi", f_lat: "Lokasi", f_priority: "Prioritas", f_incident_type: "Jenis",
  f_description: "Catatan", f_note: "Catatan", f_text: "Catatan",
};

const EN = {
  token: "Token", lang: "ID", newIncident: "New incident", clickHint: "Click the map or type a village/place name.",
  place: "Place", type: "Type", priority: "Priority", phone: "Caller phone", notes: "Notes",
  landmark: "Landmark", callerName: "Caller name", victims: "Number of victims",
  create: "Create & recommend", incidents: "Open incidents", units: "Unit status", noIncidents: "No open incidents.",
  t_medical: "Medical", t_fire: "Fire", t_forest_fire: "Forest/land fire (karhutla)",
  t_traffic_accident: "Traffic accident", t_crime: "Crime", t_flood: "Flood", t_other: "Other",
  p_1: "P1 Life-threatening", p_2: "P2 Urgent", p_3: "P3 Non-urgent",
  u_ambulance: "Ambulance", u_fire_engine: "Fire engine", u_water_tanker: "Water tanker",
  u_police_car: "Police car", u_police_motorbike: "Police motorbike", u_rescue: "Rescue unit",
  or: "or", recommended: "Recommended units", assign: "Assign", reRecommend: "Recommend again",
  minutes: "min", km: "km", leftOut: "Not recommended", stale: "stale position", noUnits: "No units",
  picked: "Location picked", assigned: "Assigned", timeline: "Timeline", approximate: "approximate location",
  station: "Post", approxStation: "Post (approximate location)", hours: "h",
  i_new: "new", i_dispatched: "unit dispatched", i_on_scene: "unit on scene", i_closed: "closed", i_cancelled: "cancelled",
  replay: "replay", fixAge: "position", ago: "ago", schematic: "SCHEMATIC — not real roads",
  s_available: "Available", s_dispatched: "Dispatched", s_en_route: "En route", s_on_scene: "On scene",
  s_transporting: "Transporting", s_at_hospital: "At hospital", s_returning: "Returning",
  s_out_of_service: "Out of service", s_unknown: "Unknown", needToken: "Enter a dispatcher token.",
  coverImpact: "Cover impact", losesCover: "If sent, these lose cover", people: "people",
  noCoverLoss: "No village loses cover.",
  incident: "Incident", closePanel: "Close panel", status: "Status", location: "Location", createdAt: "Created",
  outstanding: "Still needed", noOutstanding: "Every unit requirement is met.",
  assignedUnits: "Assigned units", noAssigned: "No unit assigned yet.", released: "released",
  setStatus: "Set status", finish: "Finish the incident", reason: "Reason", note: "Note",
  r_close_done: "Handled", r_close_referred: "Referred / handed to another agency",
  r_cancel_false_alarm: "False or prank call", r_cancel_duplicate: "Duplicate call", r_cancel_no_need: "No unit needed",
  close: "Close incident", cancel: "Cancel incident", addNote: "Add note", save: "Save",
  addUnits: "Add units", add: "Add", history: "History", from: "From", to: "To", search: "Search", find: "Show",
  dismiss: "Dismiss", overdue: "P1 without a unit for over 60 seconds!", legendIncidents: "Incidents (priority)",
  legendUnits: "Units (status)", schematicLabel: "SCHEMATIC — not real roads",
  e_network: "The server cannot be reached.", e_401: "Token invalid or missing.", e_403: "Your role may not do this.",
  e_404: "Not found.", e_409: "Conflict: someone else changed this.", e_422: "Invalid input.", e_500: "Server error.",
  e_assign_taken: "{unit} was already assigned by another dispatcher. The recommendation is updated without it.",
  e_need_location: "Type a place or click the map for the incident's location.",
  srv_requirement: "{count} × {unit_types}",
  ex_busy: "busy", ex_no_position: "no position yet", ex_stale_position: "position too old",
  ex_farther: "farther than the recommended units", ex_unreachable: "no road route to the incident",
  ex_wrong_type: "wrong unit type",
  tl_incident_created: "Incident reported: {incident_type} ({priority})", tl_incident_status: "Incident: {from} → {to}",
  tl_incident_updated: "Incident edited", tl_recommendation: "Recommended: {offered}", tl_unit_chosen: "{unit} chosen",
  tl_assignment: "{unit} assigned", tl_assignment_released: "{unit} released", tl_unit_status: "{unit}: {from} → {to}",
  tl_note: "Note: {text}", noUnit: "no unit",
  e_assign_taken_by: "{unit} is already assigned to incident #{held_by_incident_id} by {assigned_by}. The recommendation is updated without it.",
  not_found: "{what} {id} not found.",
  invalid_transition: "The {subject} cannot go from {from_status} to {to_status}. Allowed: {allowed}.",
  unit_already_assigned: "{unit_id} is already assigned to incident #{held_by_incident_id} by {assigned_by}.",
  outside_service_area: "The location is {distance_m} m outside Kabupaten Siak (nearest village: {nearest_desa}).",
  validation_error: "Invalid input: {fields}.",
  victims_out_of_range: "The number of victims must be between {min} and {max}.",
  call_time_in_future: "The call time is in the future.", call_time_too_old: "The call time is more than {max_age_h} hours ago.",
  dispatch_by_assignment: "A unit becomes “Dispatched” only by an assignment to an incident.",
  w_unit: "unit", w_incident: "incident", w_place: "place",
  f_place: "Place", f_place_kode: "Place", f_caller_phone: "Caller phone", f_victims: "Number of victims", f_landmark: "Landmark",
  f_caller_name: "Caller name", f_lon: "Location", f_lat: "Location", f_priority: "Priority", f_incident_type: "Type",
  f_description: "Notes", f_note: "Note", f_text: "Note",
};

export const CATALOGUE = Object.freeze({ id: ID, en: EN });
export const LANGS = Object.freeze(["id", "en"]);
export const INCIDENT_TYPES = Object.freeze(
  ["medical", "fire", "forest_fire", "traffic_accident", "crime", "flood", "other"]);  // dispatch_geo IncidentType
export const UNIT_TYPES = Object.freeze(
  ["ambulance", "fire_engine", "water_tanker", "police_car", "police_motorbike", "rescue"]);
export const UNIT_STATUSES = Object.freeze(
  ["available", "dispatched", "en_route", "on_scene", "transporting", "at_hospital", "returning", "out_of_service"]);
export const PRIORITIES = Object.freeze([1, 2, 3]);

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (params && params[name] != null ? String(params[name]) : whole));
}

/** The text of `key` in `lang` with {name} placeholders filled from `params`; the key itself if unknown. */
export function t(lang, key, params) {
  const text = (CATALOGUE[lang] && CATALOGUE[lang][key]) ?? CATALOGUE.id[key];
  return text == null ? key : fill(text, params);
}

export function has(lang, key) {
  return CATALOGUE[lang] != null && key in CATALOGUE[lang];
}

// server parameter values that are codes themselves (unit types, statuses, incident types, priorities,
// field names, object kinds); lists of unit types read "A atau B", other lists "A, B"
const PARAM_PREFIXES = ["u_", "s_", "i_", "t_", "w_"];

function localiseParam(lang, name, value) {
  if (Array.isArray(value)) {
    const joiner = name === "unit_types" || name === "allowed" ? " " + t(lang, "or") + " " : ", ";
    return value.map((v) => localiseParam(lang, name, v)).join(joiner);
  }
  if (typeof value !== "string" && typeof value !== "number") { return value; }
  if ((name === "field" || name === "fields") && has(lang, "f_" + value)) { return t(lang, "f_" + value); }
  if (name === "priority" && has(lang, "p_" + value)) { return t(lang, "p_" + value); }
  if (typeof value === "number") { return /(^|_)id$/.test(name) ? String(value) : formatNumber(value); }
  for (const prefix of PARAM_PREFIXES) {
    if (has(lang, prefix + value)) { return t(lang, prefix + value); }
  }
  return value;
}

/** A server message: its code from the catalogue when known, else the server's own text. */
export function tServer(lang, code, params, fallbackText) {
  if (code && has(lang, code)) {
    const local = {};
    for (const [name, value] of Object.entries(params || {})) { local[name] = localiseParam(lang, name, value); }
    return t(lang, code, local);
  }
  return fallbackText ?? code ?? "";
}

// --- formatters ------------------------------------------------------------------------------------
const WIB_FULL = new Intl.DateTimeFormat("id-ID", {
  timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", second: "2-digit", day: "2-digit", month: "short",
});
const WIB_TIME = new Intl.DateTimeFormat("id-ID", {
  timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", second: "2-digit",
});
const NUMBER = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat("id-ID", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "29 Nov 14.05.09 WIB" (Asia/Jakarta, whatever the browser's zone). */
export function formatWib(iso, { timeOnly = false } = {}) {
  if (!iso) { return ""; }
  const date = iso instanceof Date ? iso : new Date(iso);
  return (timeOnly ? WIB_TIME : WIB_FULL).format(date) + " WIB";
}

/** 10865 → "10.865" (Indonesian separators). */
export function formatNumber(n) {
  return NUMBER.format(n);
}

/** An ETA in minutes, one decimal: 270 s → "4,5 mnt". */
export function formatEta(lang, seconds) {
  return ONE_DECIMAL.format(seconds / 60) + " " + t(lang, "minutes");
}

export function formatKm(lang, metres) {
  return ONE_DECIMAL.format(metres / 1000) + " " + t(lang, "km");
}

/** A fix age: seconds below 2 minutes, then minutes, then hours. */
export function formatAge(lang, seconds) {
  if (seconds == null) { return "—"; }
  if (seconds < 120) { return Math.round(seconds) + " s"; }
  if (seconds < 7200) { return Math.round(seconds / 60) + " " + t(lang, "minutes"); }
  return Math.round(seconds / 3600) + " " + t(lang, "hours");
}

/** "1 × ambulance or police_car" (the server's text today) → {count, unit_types}, to render it locally. */
export function requirementParams(text) {
  const match = /^(\d+) × (.+)$/.exec(text || "");
  return match ? { count: Number(match[1]), unit_types: match[2].split(" or ") } : null;
}

/** A requirement label ("1 × Ambulans") from a group of a recommendation or an outstanding item. */
export function requirementText(lang, item) {
  if (item && typeof item === "object" && item.code) { return tServer(lang, item.code, item.params, item.text); }
  if (item && typeof item === "object" && item.unit_types) {
    return tServer(lang, "srv_requirement", { count: item.count, unit_types: item.unit_types }, item.requirement);
  }
  const params = requirementParams(item);
  return params ? tServer(lang, "srv_requirement", params, item) : String(item ?? "");
}

export function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
