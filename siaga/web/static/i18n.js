// Bahasa Indonesia first, English second. Keys are used by data-i18n attributes and by console.js.
"use strict";
window.I18N = {
  id: {
    token: "Token", newIncident: "Kejadian baru", clickHint: "Klik peta atau ketik nama desa/tempat.",
    place: "Tempat", type: "Jenis", priority: "Prioritas", phone: "Telepon pelapor", notes: "Catatan",
    create: "Buat & rekomendasikan", incidents: "Kejadian", units: "Status unit",
    t_medical: "Medis", t_fire: "Kebakaran", t_traffic_accident: "Kecelakaan lalu lintas", t_crime: "Kriminal",
    t_flood: "Banjir", t_other: "Lainnya", recommended: "Rekomendasi unit", assign: "Tugaskan",
    minutes: "mnt", km: "km", leftOut: "Tidak direkomendasikan", stale: "posisi lama", noUnits: "Tidak ada unit",
    picked: "Lokasi dipilih", assigned: "Ditugaskan", timeline: "Kronologi", approximate: "perkiraan",
    fixAge: "posisi", ago: "lalu", schematic: "SKEMATIK — bukan jalan sebenarnya",
    s_available: "Siaga", s_dispatched: "Ditugaskan", s_en_route: "Menuju lokasi", s_on_scene: "Di lokasi",
    s_transporting: "Mengantar pasien", s_at_hospital: "Di rumah sakit", s_returning: "Kembali",
    s_out_of_service: "Tidak beroperasi", needToken: "Masukkan token dispatcher.",
    coverImpact: "Dampak cakupan", losesCover: "Jika dikirim, kehilangan cakupan", people: "jiwa",
    noCoverLoss: "Tidak ada desa yang kehilangan cakupan.",
  },
  en: {
    token: "Token", newIncident: "New incident", clickHint: "Click the map or type a village/place name.",
    place: "Place", type: "Type", priority: "Priority", phone: "Caller phone", notes: "Notes",
    create: "Create & recommend", incidents: "Incidents", units: "Unit status",
    t_medical: "Medical", t_fire: "Fire", t_traffic_accident: "Traffic accident", t_crime: "Crime",
    t_flood: "Flood", t_other: "Other", recommended: "Recommended units", assign: "Assign",
    minutes: "min", km: "km", leftOut: "Not recommended", stale: "stale position", noUnits: "No units",
    picked: "Location picked", assigned: "Assigned", timeline: "Timeline", approximate: "approximate",
    fixAge: "position", ago: "ago", schematic: "SCHEMATIC — not real roads",
    s_available: "Available", s_dispatched: "Dispatched", s_en_route: "En route", s_on_scene: "On scene",
    s_transporting: "Transporting", s_at_hospital: "At hospital", s_returning: "Returning",
    s_out_of_service: "Out of service", needToken: "Enter a dispatcher token.",
    coverImpact: "Cover impact", losesCover: "If sent, these lose cover", people: "people",
    noCoverLoss: "No village loses cover.",
  },
};
