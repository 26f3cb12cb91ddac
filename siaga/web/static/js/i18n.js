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
  showRoute: "Pilih untuk melihat rute unit ini di peta",
  minutes: "mnt", km: "km", leftOut: "Tidak direkomendasikan", stale: "posisi lama", noUnits: "Tidak ada unit",
  picked: "Lokasi dipilih", assigned: "Ditugaskan", timeline: "Kronologi", approximate: "lokasi perkiraan",
  station: "Pos", approxStation: "Pos (lokasi perkiraan)", hours: "jam", seconds: "dtk",
  i_new: "baru", i_dispatched: "unit dikirim", i_on_scene: "unit di lokasi", i_closed: "selesai", i_cancelled: "dibatalkan",
  replayTitle: "Putar ulang kejadian", replayDownload: "Unduh peta laporan", replayTime: "waktu",
  replayDownloadHint: "Satu berkas HTML, bisa dibuka tanpa internet",
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
  r_resolved: "Selesai ditangani di lokasi", r_transported: "Pasien dibawa ke RS/puskesmas",
  r_handed_over: "Diserahkan ke instansi lain", r_false_alarm: "Laporan palsu / keliru",
  r_no_patient_found: "Korban tidak ditemukan", r_duplicate: "Laporan ganda", r_caller_cancelled: "Pelapor membatalkan",
  r_resolved_before_arrival: "Sudah tertangani sebelum unit tiba", r_other: "Lainnya (tulis di catatan)",
  close: "Tutup kejadian", cancel: "Batalkan kejadian", addNote: "Tambah catatan", save: "Simpan",
  addUnits: "Tambah unit", add: "Tambah", history: "Riwayat", from: "Dari", to: "Sampai", search: "Cari", find: "Tampilkan",
  pin: "Lokasi pin", pinResolving: "Mencari desa…", pinRoad: "{distance} m dari jalan terdekat",
  pinOutside: "di luar batas desa, {distance} m", pinHint: "Seret pin untuk membetulkan lokasi.",
  relocate: "Pindahkan lokasi", relocateHint: "Seret penanda kejadian di peta, atau pilih tempat baru:",
  relocatePlace: "Tempat baru", relocateDone: "Selesai memindah",
  dismiss: "Tutup pesan", overdue: "P1 tanpa unit lebih dari 60 detik!", legendIncidents: "Kejadian (prioritas)",
  legendUnits: "Unit (status)", schematicLabel: "SKEMATIK — bukan jalan sebenarnya",
  layerNoTiles: "Tanpa ubin peta", layerRoads: "Jalan utama", layerRoadsSchematic: "Jalan utama SKEMATIK",
  layerRoutes: "Rute", layerIncidents: "Kejadian", layerStations: "Pos", layerUnits: "Unit",
  layerFacilities: "Fasilitas (RS, puskesmas, pos)", legendFacilities: "Fasilitas", approxShort: "perkiraan",
  fk_hospital: "Rumah sakit", fk_puskesmas: "Puskesmas", fk_damkar_post: "Pos Damkar", fk_police_post: "Pos polisi",
  fk_bpbd_post: "Pos BPBD", fk_psc_post: "Pos PSC 119",
  chooseHospital: "Antar pasien ke rumah sakit:", back: "Batal", noHospital: "Belum ada rumah sakit terdaftar.",
  noRoute: "tanpa rute", destinationLine: "→ {name}, ~{eta} {minutes}", destinationNoEta: "→ {name}",
  // errors (client side)
  e_network: "Server tidak dapat dihubungi.", e_401: "Token tidak valid atau belum diisi.", e_403: "Peran Anda tidak boleh melakukan ini.",
  e_404: "Tidak ditemukan.", e_409: "Konflik: data sudah diubah orang lain.", e_422: "Isian tidak valid.", e_500: "Kesalahan server.",
  e_assign_taken: "{unit} sudah ditugaskan oleh dispatcher lain. Rekomendasi diperbarui tanpa unit itu.",
  e_need_location: "Isi tempat atau klik peta untuk lokasi kejadian.",
  // timeline lines rendered from kind + detail, for servers that send no summary_code yet
  tl_incident_created: "Kejadian dilaporkan: {incident_type} ({priority})", tl_incident_status: "Kejadian: {from} → {to}",
  tl_incident_updated: "Kejadian diubah", tl_recommendation: "Rekomendasi: {offered}", tl_unit_chosen: "{unit} dipilih",
  tl_assignment: "{unit} ditugaskan", tl_assignment_released: "{unit} dilepas", tl_unit_status: "{unit}: {from} → {to}",
  tl_note: "Catatan: {text}", noUnit: "tidak ada unit",
  e_assign_taken_by: "{unit} sudah ditugaskan ke kejadian #{held_by_incident_id} oleh {assigned_by}. Rekomendasi diperbarui tanpa unit itu.",
  // words inside server parameters: object kinds and field names
  w_unit: "unit", w_incident: "kejadian", w_place: "tempat", w_facility: "fasilitas",
  f_place: "Tempat", f_place_kode: "Tempat", f_caller_phone: "Telepon pelapor", f_victims: "Jumlah korban", f_landmark: "Patokan",
  f_caller_name: "Nama pelapor", f_lon: "Lokasi", f_lat: "Lokasi", f_priority: "Prioritas", f_incident_type: "Jenis",
  f_description: "Catatan", f_note: "Catatan", f_text: "Catatan", f_count: "Jumlah", f_unit_types: "Jenis unit",
  f_reason: "Alasan", f_from: "Dari", f_to: "Sampai", f_q: "Cari",
  // Riwayat filters
  kecamatanLabel: "Kecamatan", allTypes: "Semua jenis", allKecamatan: "Semua kecamatan",
  historyNone: "Tidak ada kejadian selesai atau dibatalkan yang cocok.",
  // what-if planning page (/planning)
  pl_title: "Perencanaan cakupan (bagaimana-jika)", pl_service: "Layanan", sv_ambulance: "Ambulans", sv_fire: "Pemadam kebakaran",
  sv_police: "Polisi", pl_figures: "Angka cakupan", pl_covered: "Penduduk terjangkau", pl_expected: "Cakupan harapan (unit sibuk)",
  pl_of: "dari", pl_mean: "Rata-rata waktu tempuh", pl_p90: "Persentil ke-90", pl_unreachable: "Tidak terjangkau lewat jalan",
  pl_standard: "Standar waktu tempuh", pl_busy: "Fraksi sibuk unit", pl_busy_history: "dari riwayat penugasan {days} hari ({assignments} penugasan)",
  pl_busy_assumed: "DIASUMSIKAN (riwayat terlalu sedikit: {assignments} penugasan, perlu {min})", pl_busy_given: "diisi perencana",
  pl_apply: "Terapkan", pl_posts: "Pos", pl_units: "Unit", pl_remove: "Hapus", pl_addPost: "Tambah pos",
  pl_addHint: "Klik peta untuk menempatkan pos baru.", pl_newPost: "Pos baru {n}", pl_dragHint: "Seret pos di peta untuk memindahkannya.",
  pl_coversAlone: "hanya dijangkau pos ini: {people} jiwa", pl_offRoad: "{distance} m dari jalan",
  pl_gaps: "Desa dengan celah cakupan", pl_gapCount: "{count} desa belum terjangkau penuh", pl_uncovered: "tidak terjangkau",
  pl_nearest: "pos terdekat {post}, {time}", pl_noPost: "tidak ada pos yang terjangkau",
  pl_suggest: "Usulkan lokasi (MEXCLP)", pl_suggestUnits: "Unit tambahan", pl_suggestion: "Usulan: {units} unit di {desa}, {kecamatan}",
  pl_suggestionPost: "Usulan: {units} unit lagi di {post}", pl_suggestGain: "Cakupan harapan (model pusat desa): {before} → {after} jiwa",
  pl_take: "Pakai usulan", pl_suggestNone: "Tidak ada lokasi yang menambah cakupan harapan.",
  pl_scenarios: "Skenario", pl_name: "Nama skenario", pl_save: "Simpan skenario", pl_saved: "Skenario “{name}” disimpan.",
  pl_open: "Buka", pl_compare: "Bandingkan terpilih", pl_compareTitle: "Perbandingan skenario", pl_current: "Saat ini (belum disimpan)",
  pl_noScenarios: "Belum ada skenario tersimpan.", pl_pickTwo: "Pilih minimal dua skenario untuk dibandingkan.",
  pl_print: "Cetak laporan (A4 mendatar)", pl_csv: "Unduh CSV", pl_reset: "Kembali ke pos saat ini",
  pl_generated: "Dibuat {date}",
  pl_graph: "Jaringan jalan: {label}", pl_osm: "Data OpenStreetMap per {timestamp}",
  pl_layerCoverage: "Cakupan per desa", pl_layerDensity: "Kepadatan penduduk per desa", pl_layerIsochrones: "Isokron per pos",
  pl_layerGaps: "Desa celah (terbesar)", pl_layerPosts: "Pos", pl_layerSuggest: "Usulan MEXCLP",
  pl_legendCoverage: "Penduduk terjangkau (%)", pl_legendDensity: "Kepadatan (jiwa/km²)", pl_legendBands: "Isokron (menit)",
  pl_bandsApprox: "garis tepi perkiraan, ±{m} m",
  pl_legendPost: "Pos (seret untuk memindah)", pl_legendGap: "Desa celah", pl_people: "jiwa", pl_updating: "Menghitung…",
  pl_needToken: "Masukkan token perencana.", pl_createdBy: "oleh {by}", pl_desa: "Desa", pl_kecamatan: "Kecamatan",
  pl_schematicNote: "SKEMATIK — angka hanya ilustrasi, bukan jalan sebenarnya",
  pl_source2: "Sumber: penduduk BPS 2022 per kecamatan dibagi ke desa ({method}); standar {service}: waktu tempuh ≤ {minutes} ({basis})",
  pl_basis_ambulance: "NFPA 1710, ambulans ALS", pl_basis_fire: "Permendagri 114/2018: respons 15 menit dikurangi persiapan",
  pl_basis_police: "sementara: belum ada standar nasional",
  pl_history: "Riwayat", pl_days: "{days} hari terakhir", pl_postBusy: "unitnya sibuk {share} dari waktu ({n} penugasan)",
  w_scenario: "skenario", f_name: "Nama", f_posts: "Pos", f_units: "Unit", f_busy_fraction: "Fraksi sibuk", f_add_units: "Unit tambahan",
  // crew page (issue 13)
  crew_title: "Halaman kru", crew_login_hint: "Masuk dengan login dan kunci rahasia perangkat unit (lembar pemasangan).",
  crew_login: "Login perangkat", crew_secret: "Kunci rahasia", crew_sign_in: "Masuk", crew_logout: "Keluar",
  crew_no_assignment: "Tidak ada penugasan. Tetap siaga.", crew_victims: "Korban", crew_assigned_at: "Ditugaskan",
  crew_to_incident: "Ke lokasi kejadian", crew_to_hospital: "Ke {name}", crew_navigate: "Navigasi",
  crew_no_route: "Tidak ada rute jalan dari posisi unit.", crew_no_fix: "Posisi GPS unit belum diterima.",
  crew_far_yes: "Ya, sudah tiba", crew_offline: "Tidak terhubung — mencoba lagi…",
  crew_login_mismatch: "Kunci ini milik {actual}, bukan {login}.",
  crew_proposal: "Posisi unit sudah {seconds} dtk dalam {radius} m dari tujuan. Sudah tiba? Tekan \u201c{status}\u201d.",
  consoleArrival: "{unit} sudah {seconds} dtk dalam {radius} m dari {target}. Sudah tiba?",
  // device page (issue 13)
  dev_title: "Perangkat unit", dev_back: "Konsol", dev_unit: "Unit", dev_device: "Login perangkat",
  dev_attach: "Pasang / ganti", dev_last_seen: "Terakhir terlihat", dev_app: "Aplikasi", dev_fixes_today: "Posisi hari ini",
  dev_alerts: "Peringatan", dev_sheet: "Lembar pemasangan", dev_remove: "Lepas", dev_no_secret: "tanpa kunci",
  dev_remove_confirm: "Lepas perangkat dari {unit}? Kuncinya berhenti berlaku.", dev_alert_count: "{count} perangkat perlu dicek",
  dev_issued: "Perangkat {login} terpasang di {unit}. Kunci rahasia (hanya ditampilkan sekali):",
  dev_battery_note: "Baterai dan posisi yang ditolak belum disimpan per perangkat; lihat metrik ingest.",
  // device health (issue 13): battery, clock, rejected fixes
  dev_battery: "Baterai", dev_rejected_today: "Ditolak hari ini", dev_last_rejection: "terakhir: {reason}, {time}",
  dev_health_note: "Baterai dan jam menurut pesan terakhir perangkat; posisi ditolak dihitung sejak pukul 00.00 WIB.",
  rej_future_fix: "jam perangkat terlalu cepat", rej_duplicate: "pesan ganda", rej_out_of_range: "koordinat atau waktu mustahil",
  rej_null_island: "tanpa GPS (0,0)", rej_outside_service_area: "di luar wilayah layanan", rej_implausible_jump: "lompatan mustahil",
  askPositions: "Minta posisi terbaru {count} unit (posisi lama)", askingPositions: "Meminta posisi… {answered}/{count} unit menjawab",
  positionsSkipped: "Tidak dapat diminta posisi (bukan aplikasi OwnTracks): {units}",
  // the Kinerja page (response-time KPIs, issue 12 §3)
  planningLink: "Perencanaan",
  kinerja: "Kinerja", k_title: "Kinerja respons", k_console: "Konsol", k_agency: "Instansi", k_incidents: "Kejadian",
  k_kecamatan: "Kecamatan", k_unknownKecamatan: "(tanpa kecamatan)", k_byAgency: "Per instansi", k_byKecamatan: "Per instansi dan kecamatan",
  k_downloadCsv: "Unduh CSV", k_downloadXlsx: "Unduh XLSX", k_median: "median", k_p90: "P90", k_medianP90: "median / P90, menit",
  k_standard: "Standar", k_within: "Dalam standar", k_noStandard: "tidak ada standar angka",
  k_standardLine: "{interval} ≤ {minutes} menit", k_noData: "Tidak ada kejadian pada periode ini.",
  k_summary: "{n} kejadian pada periode ini.", k_simulated: "SIMULASI: {n} dari {total} kejadian adalah data demo buatan, bukan panggilan nyata.",
  k_chart_response: "Waktu respons per instansi (menit)", k_chart_share: "Tercapai dalam standar (%)",
  k_chart_weekly: "Median waktu respons per minggu (menit; minggu mulai Senin, WIB)",
  k_definitions: "Median: nilai tengah. P90: 90% kejadian tidak lebih lama dari nilai ini (peringkat terdekat). Waktu respons: panggilan diterima → unit pertama instansi tiba. Waktu tempuh: unit berangkat → tiba. Standar sama dengan laporan cakupan: ambulans tempuh ≤ 8 menit (NFPA 1710), Damkar respons ≤ 15 menit (Permendagri 114/2018), polisi tempuh ≤ 15 menit (sementara).",
  ag_all: "Semua instansi", ag_psc_119: "PSC 119 (ambulans)", ag_damkar: "Damkar", ag_polres: "Polres/Polsek", ag_bpbd: "BPBD",
  iv_call_to_create: "Panggilan → tercatat", iv_create_to_dispatch: "Tercatat → unit dikirim", iv_dispatch_to_en_route: "Dikirim → berangkat",
  iv_en_route_to_on_scene: "Berangkat → tiba", iv_response: "Waktu respons", iv_travel: "Waktu tempuh",
  h_unit: "Unit", h_agencyAny: "Semua",
  iv_on_scene_to_transport: "Tiba → mengantar pasien", iv_transport_to_hospital: "Mengantar → di RS", iv_call_to_close: "Panggilan → selesai",
  closures: "Penutupan jalan (banjir)", closureReason: "Alasan", closureHours: "Lama (jam)",
  closeArea: "Gambar area banjir", closeRoads: "Klik jalan yang ditutup", closureSave: "Tutup jalan",
  closureCancel: "Batal", closureAreaHint: "Klik peta di sudut-sudut area banjir ({n} titik), lalu “Tutup jalan”.",
  closurePointsHint: "Klik jalan yang ditutup ({n} dipilih), lalu “Tutup jalan”.",
  noClosures: "Tidak ada jalan ditutup.", liftClosure: "Buka kembali", closureUntil: "sampai",
  closureSegments: "ruas", closureBy: "oleh", closedRoad: "Jalan ditutup", w_closure: "penutupan jalan",
  f_expires_at: "Lama", f_points: "Jalan", f_area: "Area",
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
  showRoute: "Select to see this unit's route on the map",
  minutes: "min", km: "km", leftOut: "Not recommended", stale: "stale position", noUnits: "No units",
  picked: "Location picked", assigned: "Assigned", timeline: "Timeline", approximate: "approximate location",
  station: "Post", approxStation: "Post (approximate location)", hours: "h", seconds: "s",
  i_new: "new", i_dispatched: "unit dispatched", i_on_scene: "unit on scene", i_closed: "closed", i_cancelled: "cancelled",
  replayTitle: "Incident replay", replayDownload: "Download report map", replayTime: "time",
  replayDownloadHint: "One HTML file, opens offline",
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
  r_resolved: "Handled on scene", r_transported: "Patient taken to hospital/puskesmas",
  r_handed_over: "Handed over to another agency", r_false_alarm: "False or mistaken report",
  r_no_patient_found: "Nobody found", r_duplicate: "Duplicate call", r_caller_cancelled: "Caller cancelled",
  r_resolved_before_arrival: "Handled before a unit arrived", r_other: "Other (say what in the note)",
  close: "Close incident", cancel: "Cancel incident", addNote: "Add note", save: "Save",
  addUnits: "Add units", add: "Add", history: "History", from: "From", to: "To", search: "Search", find: "Show",
  pin: "Pin location", pinResolving: "Finding the village…", pinRoad: "{distance} m from the nearest road",
  pinOutside: "outside the village boundaries, {distance} m", pinHint: "Drag the pin to correct the location.",
  relocate: "Move location", relocateHint: "Drag the incident marker on the map, or choose a new place:",
  relocatePlace: "New place", relocateDone: "Stop moving",
  dismiss: "Dismiss", overdue: "P1 without a unit for over 60 seconds!", legendIncidents: "Incidents (priority)",
  legendUnits: "Units (status)", schematicLabel: "SCHEMATIC — not real roads",
  layerNoTiles: "No map tiles", layerRoads: "Main roads", layerRoadsSchematic: "SCHEMATIC main roads",
  layerRoutes: "Routes", layerIncidents: "Incidents", layerStations: "Posts", layerUnits: "Units",
  layerFacilities: "Facilities (hospitals, puskesmas, posts)", legendFacilities: "Facilities", approxShort: "approximate",
  fk_hospital: "Hospital", fk_puskesmas: "Puskesmas (health centre)", fk_damkar_post: "Fire post", fk_police_post: "Police post",
  fk_bpbd_post: "BPBD post", fk_psc_post: "PSC 119 post",
  chooseHospital: "Take the patient to hospital:", back: "Cancel", noHospital: "No hospital registered yet.",
  noRoute: "no route", destinationLine: "→ {name}, ~{eta} {minutes}", destinationNoEta: "→ {name}",
  e_network: "The server cannot be reached.", e_401: "Token invalid or missing.", e_403: "Your role may not do this.",
  e_404: "Not found.", e_409: "Conflict: someone else changed this.", e_422: "Invalid input.", e_500: "Server error.",
  e_assign_taken: "{unit} was already assigned by another dispatcher. The recommendation is updated without it.",
  e_need_location: "Type a place or click the map for the incident's location.",
  tl_incident_created: "Incident reported: {incident_type} ({priority})", tl_incident_status: "Incident: {from} → {to}",
  tl_incident_updated: "Incident edited", tl_recommendation: "Recommended: {offered}", tl_unit_chosen: "{unit} chosen",
  tl_assignment: "{unit} assigned", tl_assignment_released: "{unit} released", tl_unit_status: "{unit}: {from} → {to}",
  tl_note: "Note: {text}", noUnit: "no unit",
  e_assign_taken_by: "{unit} is already assigned to incident #{held_by_incident_id} by {assigned_by}. The recommendation is updated without it.",
  w_unit: "unit", w_incident: "incident", w_place: "place", w_facility: "facility",
  f_place: "Place", f_place_kode: "Place", f_caller_phone: "Caller phone", f_victims: "Number of victims", f_landmark: "Landmark",
  f_caller_name: "Caller name", f_lon: "Location", f_lat: "Location", f_priority: "Priority", f_incident_type: "Type",
  f_description: "Notes", f_note: "Note", f_text: "Note", f_count: "Count", f_unit_types: "Unit types",
  f_reason: "Reason", f_from: "From", f_to: "To", f_q: "Search",
  // Riwayat filters
  kecamatanLabel: "Kecamatan", allTypes: "All types", allKecamatan: "All kecamatan",
  historyNone: "No closed or cancelled incident matches.",
  pl_title: "Coverage planning (what-if)", pl_service: "Service", sv_ambulance: "Ambulance", sv_fire: "Fire",
  sv_police: "Police", pl_figures: "Coverage figures", pl_covered: "People covered", pl_expected: "Expected coverage (busy units)",
  pl_of: "of", pl_mean: "Mean travel time", pl_p90: "90th percentile", pl_unreachable: "Unreachable by road",
  pl_standard: "Travel-time standard", pl_busy: "Unit busy fraction", pl_busy_history: "from {days} days of assignments ({assignments} assignments)",
  pl_busy_assumed: "ASSUMED (history too thin: {assignments} assignments, {min} needed)", pl_busy_given: "set by the planner",
  pl_apply: "Apply", pl_posts: "Posts", pl_units: "Units", pl_remove: "Remove", pl_addPost: "Add post",
  pl_addHint: "Click the map to place the new post.", pl_newPost: "New post {n}", pl_dragHint: "Drag a post on the map to move it.",
  pl_coversAlone: "reached by this post only: {people} people", pl_offRoad: "{distance} m from a road",
  pl_gaps: "Villages with coverage gaps", pl_gapCount: "{count} villages not fully covered", pl_uncovered: "not covered",
  pl_nearest: "nearest post {post}, {time}", pl_noPost: "no post reaches it",
  pl_suggest: "Suggest a site (MEXCLP)", pl_suggestUnits: "Extra units", pl_suggestion: "Suggested: {units} unit(s) in {desa}, {kecamatan}",
  pl_suggestionPost: "Suggested: {units} more unit(s) at {post}", pl_suggestGain: "Expected coverage (village-centre model): {before} → {after} people",
  pl_take: "Use suggestion", pl_suggestNone: "No site adds expected coverage.",
  pl_scenarios: "Scenarios", pl_name: "Scenario name", pl_save: "Save scenario", pl_saved: "Scenario “{name}” saved.",
  pl_open: "Open", pl_compare: "Compare selected", pl_compareTitle: "Scenario comparison", pl_current: "Current (not saved)",
  pl_noScenarios: "No saved scenario yet.", pl_pickTwo: "Select at least two scenarios to compare.",
  pl_print: "Print report (A4 landscape)", pl_csv: "Download CSV", pl_reset: "Back to today's posts",
  pl_generated: "Generated {date}",
  pl_graph: "Road network: {label}", pl_osm: "OpenStreetMap data as of {timestamp}",
  pl_layerCoverage: "Coverage per village", pl_layerDensity: "Population density per village", pl_layerIsochrones: "Isochrones per post",
  pl_layerGaps: "Gap villages (largest)", pl_layerPosts: "Posts", pl_layerSuggest: "MEXCLP suggestions",
  pl_legendCoverage: "People covered (%)", pl_legendDensity: "Density (people/km²)", pl_legendBands: "Isochrones (minutes)",
  pl_bandsApprox: "approximate outline, ±{m} m",
  pl_legendPost: "Post (drag to move)", pl_legendGap: "Gap village", pl_people: "people", pl_updating: "Calculating…",
  pl_needToken: "Enter a planner token.", pl_createdBy: "by {by}", pl_desa: "Village", pl_kecamatan: "Kecamatan",
  pl_schematicNote: "SCHEMATIC — illustrative figures, not real roads",
  pl_source2: "Source: BPS 2022 kecamatan population spread to villages ({method}); {service} standard: travel ≤ {minutes} ({basis})",
  pl_basis_ambulance: "NFPA 1710, ALS ambulance", pl_basis_fire: "Permendagri 114/2018: 15-minute response less preparation",
  pl_basis_police: "placeholder: no national standard",
  pl_history: "History", pl_days: "last {days} days", pl_postBusy: "its units busy {share} of the time ({n} assignments)",
  w_scenario: "scenario", f_name: "Name", f_posts: "Posts", f_units: "Units", f_busy_fraction: "Busy fraction", f_add_units: "Extra units",
  crew_title: "Crew page", crew_login_hint: "Sign in with the unit device's login and secret (set-up sheet).",
  crew_login: "Device login", crew_secret: "Secret", crew_sign_in: "Sign in", crew_logout: "Sign out",
  crew_no_assignment: "No assignment. Stand by.", crew_victims: "Victims", crew_assigned_at: "Assigned",
  crew_to_incident: "To the incident", crew_to_hospital: "To {name}", crew_navigate: "Navigate",
  crew_no_route: "No road route from the unit's position.", crew_no_fix: "No GPS position from the unit yet.",
  crew_far_yes: "Yes, we are there", crew_offline: "Not connected — retrying…",
  crew_login_mismatch: "This secret belongs to {actual}, not {login}.",
  crew_proposal: "The unit has been within {radius} m of the destination for {seconds} s. Arrived? Tap \u201c{status}\u201d.",
  consoleArrival: "{unit} has been within {radius} m of {target} for {seconds} s. Arrived?",
  dev_title: "Unit devices", dev_back: "Console", dev_unit: "Unit", dev_device: "Device login",
  dev_attach: "Attach / replace", dev_last_seen: "Last seen", dev_app: "App", dev_fixes_today: "Fixes today",
  dev_alerts: "Alerts", dev_sheet: "Set-up sheet", dev_remove: "Remove", dev_no_secret: "no secret",
  dev_remove_confirm: "Remove the device of {unit}? Its secret stops working.", dev_alert_count: "{count} devices need a look",
  dev_issued: "Device {login} attached to {unit}. Secret (shown only once):",
  dev_battery_note: "Battery and rejected fixes are not stored per device yet; see the ingest metrics.",
  // device health (issue 13): battery, clock, rejected fixes
  dev_battery: "Battery", dev_rejected_today: "Rejected today", dev_last_rejection: "last: {reason}, {time}",
  dev_health_note: "Battery and clock as of the device's last message; rejected fixes counted since 00:00 WIB.",
  rej_future_fix: "device clock ahead", rej_duplicate: "repeated message", rej_out_of_range: "impossible coordinates or time",
  rej_null_island: "no GPS (0,0)", rej_outside_service_area: "outside the service area", rej_implausible_jump: "impossible jump",
  askPositions: "Ask {count} units (stale positions) for their position", askingPositions: "Asking for positions… {answered}/{count} answered",
  positionsSkipped: "Cannot be asked (not an OwnTracks app): {units}",
  planningLink: "Planning",
  kinerja: "Performance", k_title: "Response performance", k_console: "Console", k_agency: "Agency", k_incidents: "Incidents",
  k_kecamatan: "Kecamatan", k_unknownKecamatan: "(no kecamatan)", k_byAgency: "By agency", k_byKecamatan: "By agency and kecamatan",
  k_downloadCsv: "Download CSV", k_downloadXlsx: "Download XLSX", k_median: "median", k_p90: "P90", k_medianP90: "median / P90, minutes",
  k_standard: "Standard", k_within: "Within standard", k_noStandard: "no numeric standard",
  k_standardLine: "{interval} ≤ {minutes} minutes", k_noData: "No incidents in this period.",
  k_summary: "{n} incidents in this period.", k_simulated: "SIMULATED: {n} of {total} incidents are generated demo data, not real calls.",
  k_chart_response: "Response time per agency (minutes)", k_chart_share: "Reached within the standard (%)",
  k_chart_weekly: "Median response time per week (minutes; weeks start Monday, WIB)",
  k_definitions: "Median: the middle value. P90: 90% of incidents took no longer than this (nearest rank). Response time: call received → the agency's first unit on scene. Travel time: unit en route → on scene. Same standards as the coverage report: ambulance travel ≤ 8 minutes (NFPA 1710), fire response ≤ 15 minutes (Permendagri 114/2018), police travel ≤ 15 minutes (placeholder).",
  ag_all: "All agencies", ag_psc_119: "PSC 119 (ambulance)", ag_damkar: "Damkar (fire)", ag_polres: "Polres/Polsek (police)", ag_bpbd: "BPBD",
  iv_call_to_create: "Call → recorded", iv_create_to_dispatch: "Recorded → unit dispatched", iv_dispatch_to_en_route: "Dispatched → en route",
  iv_en_route_to_on_scene: "En route → on scene", iv_response: "Response time", iv_travel: "Travel time",
  h_unit: "Unit", h_agencyAny: "All",
  iv_on_scene_to_transport: "On scene → transporting", iv_transport_to_hospital: "Transporting → at hospital", iv_call_to_close: "Call → closed",
  closures: "Road closures (floods)", closureReason: "Reason", closureHours: "Duration (hours)",
  closeArea: "Draw flood area", closeRoads: "Click roads to close", closureSave: "Close roads",
  closureCancel: "Cancel", closureAreaHint: "Click the map at the corners of the flooded area ({n} points), then “Close roads”.",
  closurePointsHint: "Click the roads to close ({n} chosen), then “Close roads”.",
  noClosures: "No roads closed.", liftClosure: "Reopen", closureUntil: "until",
  closureSegments: "road segments", closureBy: "by", closedRoad: "Road closed", w_closure: "road closure",
  f_expires_at: "Duration", f_points: "Roads", f_area: "Area",
};


// Messages the API sends as code + params (docs/dispatch.md, "Message codes"): requirement labels,
// exclusion reasons, recommendation warnings and notes, timeline lines, errors. Keyed by the API's codes.
const SERVER_ID = {
  requirement: "{count} × {unit_types}",
  busy: "sedang bertugas ({status})", no_position: "belum ada posisi",
  stale_position: "posisi terakhir {age_s} dtk lalu (batas {limit_s} dtk)", farther: "tidak termasuk {k} unit terdekat",
  unreachable: "tidak ada rute jalan ke lokasi", wrong_type: "{unit_type} bukan jenis yang dibutuhkan",
  incident_off_road: "Lokasi kejadian {distance_m} m dari jalan terdekat; ETA dihitung sampai titik jalan terdekat.",
  far_from_road: "Perhatian: {distance_m} m dari jalan mana pun (lebih dari {limit_m} m). Periksa lokasi.",
  no_unit_reachable: "Tidak ada unit siaga yang dapat mencapai lokasi lewat jalan.", recommendation_warning: "{text}",
  no_outstanding_requirement: "Kejadian #{incident_id} ({incident_type}) tidak punya kebutuhan tersisa; pilih jenis unit lewat \u201cTambah unit\u201d.",
  "timeline.incident_created": "Kejadian dilaporkan: {incident_type} ({priority}) di {desa}, {kecamatan}",
  "timeline.incident_updated": "Kejadian diubah: {fields}",
  "timeline.incident_relocated": "Lokasi dipindah {distance_m} m: {from_desa} → {to_desa}, {to_kecamatan}",
  "timeline.incident_status": "Kejadian: {from_status} → {to_status}",
  "timeline.recommendation": "Rekomendasi: {offered}", "timeline.unit_chosen": "{unit_id} dipilih",
  "timeline.unit_status": "{unit_id}: {from_status} → {to_status}", "timeline.unit_assigned": "{unit_id} ditugaskan",
  "timeline.unit_released": "{unit_id} dilepas", "timeline.requirement_added": "Kebutuhan ditambah: {count} × {unit_types}",
  "timeline.note": "Catatan: {text}",
  unauthorized: "Token tidak valid atau belum diisi.", forbidden: "Peran Anda tidak boleh melakukan ini.",
  not_found: "{what} {id} tidak ditemukan.",
  invalid_transition: "Status {subject} tidak dapat berubah dari {from_status} ke {to_status}. Yang diizinkan: {allowed}.",
  unit_already_assigned: "{unit_id} sudah ditugaskan ke kejadian #{held_by_incident_id} oleh {assigned_by}.",
  unit_status_changed: "{unit_id} sudah berstatus {actual}, bukan {expected}: statusnya berubah sementara itu. Periksa lagi sebelum mengubah.",
  unit_reassigned: "{unit_id} sekarang menangani kejadian #{actual_incident_id}, bukan #{expected_incident_id}: unit sudah dialihkan.",
  unit_just_assigned: "{unit_id} baru saja ditugaskan ke kejadian #{incident_id}; periksa statusnya lalu coba lagi.",
  incident_finished: "Kejadian #{incident_id} sudah {status}: tidak dapat diubah lagi.",
  conflict: "Konflik: data sudah diubah orang lain.",
  outside_service_area: "Lokasi {distance_m} m di luar Kabupaten Siak (desa terdekat: {nearest_desa}).",
  unknown_place: "Tempat dengan kode {kode} tidak dikenal.", place_not_found: "Tidak ada desa atau kecamatan bernama \u201c{query}\u201d.",
  dispatch_by_assignment: "Unit hanya menjadi \u201cDitugaskan\u201d lewat penugasan ke kejadian.",
  destination_needs_transporting: "Tujuan hanya dapat dipilih bersama status \u201cMengantar pasien\u201d, bukan {status}.",
  destination_not_treating: "{id} ({kind}) tidak menerima pasien; pilih rumah sakit atau puskesmas yang aktif.",
  destination_without_incident: "{unit_id} tidak menangani kejadian; tujuan disimpan bersama penugasan.",
  facility_exists: "Fasilitas {id} sudah ada; ubah datanya.", lon_lat_together: "Isi bujur dan lintang bersama-sama.",
  "timeline.unit_status_destination": "{unit_id}: {from_status} → {to_status} ke {destination}",
  invalid_reason: "Alasan \u201c{value}\u201d tidak berlaku untuk status {status}.", invalid_note: "Catatan tidak boleh kosong.",
  call_time_in_future: "Waktu panggilan ada di masa depan.", call_time_too_old: "Waktu panggilan lebih dari {max_age_h} jam yang lalu.",
  empty_time_range: "Tanggal \u201cSampai\u201d harus setelah \u201cDari\u201d.",
  count_out_of_range: "{field} harus antara {min} dan {max}.", victims_out_of_range: "Jumlah korban harus antara {min} dan {max}.",
  invalid_unit_type: "Jenis unit tidak dikenal.", invalid_input: "Isian tidak valid.", validation_error: "Isian tidak valid: {fields}.",
  method_not_allowed: "Server ini belum mendukung tindakan ini.",
  invalid_scenario: "Skenario tidak valid: {problems}.", scenario_exists: "Sudah ada skenario bernama “{name}”; pilih nama lain.",
  busy_fraction_out_of_range: "Fraksi sibuk harus antara 0 dan {max}.",
  arrival_far: "Posisi terakhir {unit_id} berjarak {distance_m} m dari tempat itu (lebih dari {limit_m} m). Yakin sudah \u201c{status}\u201d?",
  device_silent: "Senyap {minutes} mnt (batas {limit_min} mnt)", device_never_seen: "Belum pernah mengirim posisi",
  device_battery_low: "Baterai {pct}% (batas {limit_pct}%)", device_clock_off: "Jam perangkat {ahead_s} lebih cepat",
  "timeline.arrival_far": "\u26a0 {unit_id} melapor \u201c{status}\u201d padahal {distance_m} m dari tempat (lebih dari {limit_m} m)",
  "timeline.unit_status_auto": "{unit_id}: {from_status} → {to_status} (otomatis, dari posisi GPS)",
  "timeline.left_scene": "{unit_id} meninggalkan lokasi kejadian (lebih dari {radius_m} m) sambil mengantar pasien",
  period_too_long: "Periode terlalu panjang: paling lama {max_days} hari.",
  export_too_large: "Lebih dari {max_rows} kejadian cocok; persempit periodenya.",
  server_busy: "Server sedang sibuk; coba lagi dalam {retry_after_s} detik. Tidak ada yang berubah.",
  closure_reason_missing: "Isi alasan penutupan jalan.", closure_reason_too_long: "Alasan paling banyak {max} karakter.",
  closure_expiry_past: "Waktu berakhir penutupan harus di masa depan.", closure_expiry_too_far: "Penutupan paling lama {max_days} hari.",
  closure_points_or_area: "Pilih jalan di peta atau gambar area banjir.",
  closure_point_off_road: "Titik {index} berjarak {distance_m} m dari jalan terdekat.",
  closure_area_invalid: "Area yang digambar tidak valid.", closure_area_empty: "Tidak ada jalan di dalam area yang digambar.",
  closure_area_too_large: "Area terlalu luas: {edges} ruas jalan (paling banyak {max}).",
  closure_too_many_points: "Terlalu banyak titik dipilih.", closure_already_lifted: "Penutupan {id} sudah dibuka kembali.",
};

const SERVER_EN = {
  requirement: "{count} × {unit_types}",
  busy: "busy ({status})", no_position: "no position yet",
  stale_position: "last position {age_s} s old (limit {limit_s} s)", farther: "not among the {k} nearest units",
  unreachable: "no road route to the incident", wrong_type: "{unit_type} is not a needed type",
  incident_off_road: "The incident is {distance_m} m from the nearest road; ETAs end at the closest road point.",
  far_from_road: "Warning: {distance_m} m from any road (more than {limit_m} m). Check the location.",
  no_unit_reachable: "No available unit can reach the incident by road.", recommendation_warning: "{text}",
  no_outstanding_requirement: "Incident #{incident_id} ({incident_type}) needs nothing more; choose a unit type with \u201cAdd units\u201d.",
  "timeline.incident_created": "Incident reported: {incident_type} ({priority}) at {desa}, {kecamatan}",
  "timeline.incident_updated": "Incident edited: {fields}",
  "timeline.incident_relocated": "Moved {distance_m} m: {from_desa} → {to_desa}, {to_kecamatan}",
  "timeline.incident_status": "Incident: {from_status} → {to_status}",
  "timeline.recommendation": "Recommended: {offered}", "timeline.unit_chosen": "{unit_id} chosen",
  "timeline.unit_status": "{unit_id}: {from_status} → {to_status}", "timeline.unit_assigned": "{unit_id} assigned",
  "timeline.unit_released": "{unit_id} released", "timeline.requirement_added": "Requirement added: {count} × {unit_types}",
  "timeline.note": "Note: {text}",
  unauthorized: "Token invalid or missing.", forbidden: "Your role may not do this.",
  not_found: "{what} {id} not found.",
  invalid_transition: "The {subject} cannot go from {from_status} to {to_status}. Allowed: {allowed}.",
  unit_already_assigned: "{unit_id} is already assigned to incident #{held_by_incident_id} by {assigned_by}.",
  unit_status_changed: "{unit_id} is {actual} now, not {expected}: its status changed meanwhile. Look again before changing it.",
  unit_reassigned: "{unit_id} now works incident #{actual_incident_id}, not #{expected_incident_id}: it was reassigned.",
  unit_just_assigned: "{unit_id} was just assigned to incident #{incident_id}; check its status and try again.",
  incident_finished: "Incident #{incident_id} is {status}: it cannot be changed any more.",
  conflict: "Conflict: someone else changed this.",
  outside_service_area: "The location is {distance_m} m outside Kabupaten Siak (nearest village: {nearest_desa}).",
  unknown_place: "No place has the code {kode}.", place_not_found: "No village or kecamatan is called \u201c{query}\u201d.",
  dispatch_by_assignment: "A unit becomes \u201cDispatched\u201d only by an assignment to an incident.",
  destination_needs_transporting: "A destination goes only with \u201cTransporting\u201d, not {status}.",
  destination_not_treating: "{id} ({kind}) takes no patients; choose an active hospital or puskesmas.",
  destination_without_incident: "{unit_id} works no incident; a destination is kept with the assignment.",
  facility_exists: "Facility {id} already exists; change it instead.", lon_lat_together: "Give longitude and latitude together.",
  "timeline.unit_status_destination": "{unit_id}: {from_status} → {to_status} to {destination}",
  invalid_reason: "The reason \u201c{value}\u201d does not apply to status {status}.", invalid_note: "The note must not be empty.",
  call_time_in_future: "The call time is in the future.", call_time_too_old: "The call time is more than {max_age_h} hours ago.",
  empty_time_range: "\u201cTo\u201d must be after \u201cFrom\u201d.",
  count_out_of_range: "{field} must be between {min} and {max}.", victims_out_of_range: "The number of victims must be between {min} and {max}.",
  invalid_unit_type: "Unknown unit type.", invalid_input: "Invalid input.", validation_error: "Invalid input: {fields}.",
  method_not_allowed: "This server does not support this action yet.",
  invalid_scenario: "Invalid scenario: {problems}.", scenario_exists: "A scenario named “{name}” already exists; choose another name.",
  busy_fraction_out_of_range: "The busy fraction must be between 0 and {max}.",
  arrival_far: "{unit_id}'s last position is {distance_m} m from the place (more than {limit_m} m). Really \u201c{status}\u201d?",
  device_silent: "Silent for {minutes} min (limit {limit_min} min)", device_never_seen: "Never sent a position",
  device_battery_low: "Battery {pct}% (limit {limit_pct}%)", device_clock_off: "Device clock {ahead_s} ahead",
  "timeline.arrival_far": "\u26a0 {unit_id} reported \u201c{status}\u201d {distance_m} m from the place (more than {limit_m} m)",
  "timeline.unit_status_auto": "{unit_id}: {from_status} → {to_status} (automatic, from GPS position)",
  "timeline.left_scene": "{unit_id} left the scene (beyond {radius_m} m) while transporting",
  period_too_long: "The period is too long: at most {max_days} days.",
  export_too_large: "More than {max_rows} incidents match; narrow the period.",
  server_busy: "The server is busy; try again in {retry_after_s} s. Nothing was changed.",
  closure_reason_missing: "Give a reason for the closure.", closure_reason_too_long: "The reason may have at most {max} characters.",
  closure_expiry_past: "The closure must end in the future.", closure_expiry_too_far: "A closure lasts at most {max_days} days.",
  closure_points_or_area: "Choose roads on the map or draw the flooded area.",
  closure_point_off_road: "Point {index} is {distance_m} m from the nearest road.",
  closure_area_invalid: "The area drawn is not valid.", closure_area_empty: "No road lies inside the area drawn.",
  closure_area_too_large: "The area is too large: {edges} road segments (at most {max}).",
  closure_too_many_points: "Too many points chosen.", closure_already_lifted: "Closure {id} was already lifted.",
};

// --- operator accounts, shifts and handover (issue 12) ------------------------------------------------
Object.assign(ID, {
  loginTitle: "Masuk ke konsol", username: "Nama pengguna", password: "Kata sandi", desk: "Meja / terminal (opsional)",
  login: "Masuk", logout: "Keluar", loggedInAs: "{name}", changePassword: "Ganti kata sandi",
  currentPassword: "Kata sandi sekarang", newPassword: "Kata sandi baru", passwordChanged: "Kata sandi diganti.",
  shift: "Sif", noShift: "Belum ada sif yang dibuka.", openShift: "Buka sif {name}", closeShift: "Tutup sif & serah terima",
  shiftName: "Sif {name}", shiftOpenedBy: "dibuka {at} oleh {by}", onDuty: "Bertugas", handoverNotes: "Catatan untuk sif berikutnya",
  handover: "Serah terima", handoverOf: "Serah terima sif {name} (#{id})", viewHandover: "Lihat serah terima sif {name}",
  acknowledge: "Terima serah terima", acknowledgedBy: "Diterima {at} oleh {by}", notAcknowledged: "Belum diterima sif berikutnya.",
  hoPeriod: "Periode", hoClosedBy: "Ditutup {at} oleh {by}", hoLive: "Sif masih berjalan: ringkasan sampai saat ini.",
  hoOpened: "Kejadian dibuka", hoClosed: "Kejadian selesai/dibatalkan", hoStillOpen: "Kejadian masih aktif",
  hoP1: "Kejadian P1 dan waktunya", hoOutOfService: "Unit tidak beroperasi", hoStale: "Perangkat tanpa posisi baru",
  hoNotes: "Catatan supervisor", hoNone: "Tidak ada.", hoUnits: "Unit", hoCall: "Telepon masuk", hoCreated: "Dibuat",
  hoAssigned: "Unit pertama ditugaskan", hoOnScene: "Unit pertama di lokasi", hoClosedAt: "Selesai", hoBy: "oleh",
  hoLastFix: "posisi terakhir", hoNeverFix: "belum pernah mengirim posisi", hoSince: "sejak",
  print: "Cetak", downloadHtml: "Unduh HTML", backToConsole: "Kembali ke konsol", members: "Petugas",
  admin: "Admin", operators: "Akun petugas", accessDenied: "Akses ditolak: halaman ini hanya untuk admin.",
  needLogin: "Silakan masuk di konsol terlebih dahulu.", roles: "Peran", disabled: "nonaktif", active: "aktif",
  disable: "Nonaktifkan", enable: "Aktifkan", createOperator: "Buat akun", displayName: "Nama lengkap",
  role_dispatcher: "Dispatcher", role_supervisor: "Supervisor", role_planner: "Perencana", role_admin: "Admin",
  role_device: "Perangkat", sessionEnded: "Sesi berakhir. Silakan masuk lagi.",
  auditLog: "Catatan audit akun dan sif", when: "Waktu", event: "Peristiwa", account: "Akun", by: "Oleh",
  ev_login: "masuk", ev_login_failed: "gagal masuk", ev_logout: "keluar", ev_idle_timeout: "sesi berakhir (tidak aktif)",
  ev_password_changed: "ganti kata sandi", ev_password_reset: "kata sandi direset", ev_created: "akun dibuat",
  ev_disabled: "akun dinonaktifkan", ev_enabled: "akun diaktifkan", ev_shift_opened: "sif dibuka",
  ev_shift_closed: "sif ditutup", ev_handover_acknowledged: "serah terima diterima", ev_roles_changed: "peran diubah",
  editRoles: "Ubah peran", resetPassword: "Atur ulang kata sandi", cancelEdit: "Batal",
  rolesSaved: "Peran {username} disimpan; berlaku pada permintaan berikutnya.",
  passwordResetDone: "Kata sandi {username} diatur ulang; semua sesinya berakhir.",
});
Object.assign(EN, {
  loginTitle: "Log in to the console", username: "Username", password: "Password", desk: "Desk / terminal (optional)",
  login: "Log in", logout: "Log out", loggedInAs: "{name}", changePassword: "Change password",
  currentPassword: "Current password", newPassword: "New password", passwordChanged: "Password changed.",
  shift: "Shift", noShift: "No shift is open.", openShift: "Open shift {name}", closeShift: "Close shift & hand over",
  shiftName: "Shift {name}", shiftOpenedBy: "opened {at} by {by}", onDuty: "On duty", handoverNotes: "Notes for the next shift",
  handover: "Handover", handoverOf: "Handover of shift {name} (#{id})", viewHandover: "View handover of shift {name}",
  acknowledge: "Acknowledge handover", acknowledgedBy: "Acknowledged {at} by {by}", notAcknowledged: "Not yet acknowledged by the next shift.",
  hoPeriod: "Period", hoClosedBy: "Closed {at} by {by}", hoLive: "Shift still running: summary up to now.",
  hoOpened: "Incidents opened", hoClosed: "Incidents closed/cancelled", hoStillOpen: "Incidents still open",
  hoP1: "P1 incidents and their times", hoOutOfService: "Units out of service", hoStale: "Devices without a recent position",
  hoNotes: "Supervisor's notes", hoNone: "None.", hoUnits: "Units", hoCall: "Call received", hoCreated: "Created",
  hoAssigned: "First unit assigned", hoOnScene: "First unit on scene", hoClosedAt: "Closed", hoBy: "by",
  hoLastFix: "last position", hoNeverFix: "never reported a position", hoSince: "since",
  print: "Print", downloadHtml: "Download HTML", backToConsole: "Back to the console", members: "Operators",
  admin: "Admin", operators: "Operator accounts", accessDenied: "Access denied: this page is for admins only.",
  needLogin: "Please log in at the console first.", roles: "Roles", disabled: "disabled", active: "active",
  disable: "Disable", enable: "Enable", createOperator: "Create account", displayName: "Full name",
  role_dispatcher: "Dispatcher", role_supervisor: "Supervisor", role_planner: "Planner", role_admin: "Admin",
  role_device: "Device", sessionEnded: "Session ended. Please log in again.",
  auditLog: "Audit of accounts and shifts", when: "Time", event: "Event", account: "Account", by: "By",
  ev_login: "logged in", ev_login_failed: "failed login", ev_logout: "logged out", ev_idle_timeout: "session ended (idle)",
  ev_password_changed: "changed password", ev_password_reset: "password reset", ev_created: "account created",
  ev_disabled: "account disabled", ev_enabled: "account enabled", ev_shift_opened: "shift opened",
  ev_shift_closed: "shift closed", ev_handover_acknowledged: "handover acknowledged", ev_roles_changed: "roles changed",
  editRoles: "Change roles", resetPassword: "Reset password", cancelEdit: "Cancel",
  rolesSaved: "Roles of {username} saved; they apply from the next request.",
  passwordResetDone: "Password of {username} reset; all their sessions ended.",
});
Object.assign(SERVER_ID, {
  login_failed: "Nama pengguna atau kata sandi salah.", account_disabled: "Akun ini dinonaktifkan; hubungi admin.",
  not_logged_in: "Belum masuk. Silakan masuk.", session_expired: "Sesi berakhir karena tidak ada aktivitas selama {idle_timeout_s} detik. Silakan masuk lagi.",
  csrf_failed: "Permintaan ditolak (token keamanan sesi tidak ada). Muat ulang halaman.",
  password_wrong: "Kata sandi sekarang salah.", password_rules: "Kata sandi harus {min}–{max} karakter, tanpa spasi di awal/akhir.",
  username_rules: "Nama pengguna maks. {max} karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.",
  desk_rules: "Nama meja maks. {max} karakter, tanpa '@'.", role_unknown: "Peran {role} tidak dikenal untuk petugas.",
  operator_exists: "Akun {username} sudah ada.", operator_not_found: "Akun {username} tidak ada.",
  last_admin: "{username} adalah akun terakhir yang aktif dengan peran admin: beri dulu peran admin ke akun lain.",
  not_a_person: "Token API tidak punya kata sandi.",
  shift_already_open: "Sif #{shift_id} ({name}) masih terbuka; tutup dulu dengan serah terima.",
  shift_not_found: "Sif #{shift_id} tidak ada.", shift_closed: "Sif #{shift_id} sudah ditutup.",
  shift_not_closed: "Sif #{shift_id} masih berjalan; serah terima ditulis saat ditutup.",
  shift_bounds: "Sif harus berakhir setelah dimulai.",
  handover_already_acknowledged: "Serah terima sif #{shift_id} sudah diterima oleh {by}.",
  handover_own: "Supervisor yang menulis serah terima tidak dapat menerimanya sendiri.",
});
Object.assign(SERVER_EN, {
  login_failed: "Wrong username or password.", account_disabled: "This account is disabled; ask an admin.",
  not_logged_in: "Not logged in. Please log in.", session_expired: "The session ended after {idle_timeout_s} seconds without activity. Please log in again.",
  csrf_failed: "Request refused (the session's security token is missing). Reload the page.",
  password_wrong: "The current password is wrong.", password_rules: "A password needs {min}–{max} characters, without leading/trailing spaces.",
  username_rules: "Username: at most {max} characters, lower-case letters, digits, dot, underscore or hyphen.",
  desk_rules: "Desk name: at most {max} characters, without '@'.", role_unknown: "Role {role} is not an operator's role.",
  operator_exists: "Account {username} already exists.", operator_not_found: "There is no account {username}.",
  last_admin: "{username} is the last enabled account with the admin role: give another account the admin role first.",
  not_a_person: "An API token has no password.",
  shift_already_open: "Shift #{shift_id} ({name}) is still open; close it with its handover first.",
  shift_not_found: "There is no shift #{shift_id}.", shift_closed: "Shift #{shift_id} is already closed.",
  shift_not_closed: "Shift #{shift_id} is still running; its handover is written at close.",
  shift_bounds: "A shift must end after it starts.",
  handover_already_acknowledged: "The handover of shift #{shift_id} was already acknowledged by {by}.",
  handover_own: "The supervisor who wrote the handover cannot acknowledge it.",
});

export const CATALOGUE = Object.freeze({ id: Object.freeze(ID), en: Object.freeze(EN) });
export const SERVER_CATALOGUE = Object.freeze({ id: Object.freeze(SERVER_ID), en: Object.freeze(SERVER_EN) });
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
// reasons, field names, object kinds); lists of unit types read "A atau B", other lists "A, B"
const PARAM_PREFIXES = ["u_", "s_", "i_", "t_", "w_", "r_", "fk_"];
// messages whose statuses are an incident's (else a unit's, where both have the word: "dispatched")
const INCIDENT_STATUS_CODES = new Set(["timeline.incident_status", "incident_finished"]);

function localiseParam(lang, name, value, statusPrefix) {
  if (name === "offered" && Array.isArray(value)) {  // the units a recommendation offered
    return value.length ? value.map((o) => `${o.unit_id} (${formatEta(lang, o.eta_s)})`).join(", ") : t(lang, "noUnit");
  }
  if (Array.isArray(value)) {
    const joiner = name === "unit_types" || name === "allowed" ? " " + t(lang, "or") + " " : ", ";
    return value.map((v) => localiseParam(lang, name, v, statusPrefix)).join(joiner);
  }
  if (typeof value !== "string" && typeof value !== "number") { return value ?? ""; }
  if ((name === "field" || name === "fields") && has(lang, "f_" + value)) { return t(lang, "f_" + value); }
  if (name === "priority" && has(lang, "p_" + value)) { return t(lang, "p_" + value); }
  if (name === "reason" && has(lang, "r_" + value)) { return t(lang, "r_" + value); }
  if (/status$/.test(name) && has(lang, statusPrefix + value)) { return t(lang, statusPrefix + value); }
  if (name === "ahead_s" && typeof value === "number") { return formatDuration(lang, value); }
  if (typeof value === "number") { return /(^|_)id$/.test(name) ? String(value) : formatNumber(value); }
  for (const prefix of PARAM_PREFIXES) {
    if (has(lang, prefix + value)) { return t(lang, prefix + value); }
  }
  return value;
}

/** Whether the catalogue can render this server code. */
export function hasServer(lang, code) {
  return Boolean(code) && ((SERVER_CATALOGUE[lang] && code in SERVER_CATALOGUE[lang]) || has(lang, code));
}

/** A server message: its code from the catalogue when known, else the server's own text. */
export function tServer(lang, code, params, fallbackText) {
  if (!hasServer(lang, code)) { return fallbackText ?? code ?? ""; }
  const template = (SERVER_CATALOGUE[lang] && SERVER_CATALOGUE[lang][code]) ?? CATALOGUE[lang][code];
  const statusPrefix = INCIDENT_STATUS_CODES.has(code) || (params && params.subject === "incident") ? "i_" : "s_";
  const local = {};
  for (const [name, value] of Object.entries(params || {})) { local[name] = localiseParam(lang, name, value, statusPrefix); }
  const text = fill(template, local);
  // a code without the parameters its text needs (an older server): the server's own text
  return /\{\w+\}/.test(text) && fallbackText ? fallbackText : text;
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

/** A clock offset or any span read by a person: "45 dtk", "12 mnt", "1 jam", "2,5 jam". */
export function formatDuration(lang, seconds) {
  if (seconds < 120) { return Math.round(seconds) + " " + t(lang, "seconds"); }
  const minutes = Math.round(seconds / 60);  // 3,599 s is "1 jam", not "60 mnt"
  if (minutes < 60) { return minutes + " " + t(lang, "minutes"); }
  const hours = Math.round(seconds / 360) / 10;
  return (Number.isInteger(hours) ? String(hours) : ONE_DECIMAL.format(hours)) + " " + t(lang, "hours");
}

/** "1 × ambulance or police_car" (the server's text today) → {count, unit_types}, to render it locally. */
export function requirementParams(text) {
  const match = /^(\d+) × (.+)$/.exec(text || "");
  return match ? { count: Number(match[1]), unit_types: match[2].split(" or ") } : null;
}

/** A requirement label ("1 × Ambulans"): a group of a recommendation, an outstanding need, or the
 * server's English text of one ("1 × police_car or police_motorbike", from servers without codes). */
export function requirementText(lang, item) {
  if (item && typeof item === "object") {
    const fallback = item.requirement ?? item.label ?? "";
    if (item.label_code) { return tServer(lang, item.label_code, item.params, fallback); }
    if (item.unit_types) { return tServer(lang, "requirement", { count: item.count, unit_types: item.unit_types }, fallback); }
    return fallback;
  }
  const params = requirementParams(item);
  return params ? tServer(lang, "requirement", params, item) : String(item ?? "");
}

export function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
