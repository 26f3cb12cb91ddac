// The crew page's small route map: Leaflet from /vendor, no tiles (works offline); the road route,
// the target and the unit's last fix. The view is fitted again only when the target changes.

/* global L */

export function createCrewMap(node) {
  const map = L.map(node, { zoomControl: false, attributionControl: false });
  map.setView([0.78, 102.05], 9);
  const layer = L.layerGroup().addTo(map);
  let fittedTo = null;
  let shown = "";

  function render(view) {
    const target = view && view.target;
    const key = JSON.stringify([target && target.id, target && target.location, view && view.position,
      view && view.route && view.route.geometry.coordinates.length]);
    if (key === shown) { return; }
    shown = key;
    layer.clearLayers();
    if (!target) { return; }
    const points = [];
    if (view.route) {
      const latlngs = view.route.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      L.polyline(latlngs, { color: "#1f4e79", weight: 5, dashArray: view.schematic ? "8 6" : null })
        .addTo(layer).getElement()?.setAttribute("data-crew-route", "1");
      points.push(...latlngs);
    }
    const at = [target.location.lat, target.location.lon];
    L.marker(at, { icon: L.divIcon({ className: "", html: '<div class="pin target" data-crew-target="1"></div>', iconSize: [18, 18] }) })
      .addTo(layer);
    points.push(at);
    if (view.position) {
      const me = [view.position.lat, view.position.lon];
      L.marker(me, { icon: L.divIcon({ className: "", html: '<div class="pin me" data-crew-me="1"></div>', iconSize: [18, 18] }) })
        .addTo(layer);
      points.push(me);
    }
    if (fittedTo !== target.id + target.kind) {
      fittedTo = target.id + target.kind;
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 16 });
    }
  }

  return { map, render, invalidate: () => map.invalidateSize() };
}
