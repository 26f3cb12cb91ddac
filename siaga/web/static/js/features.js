// Which optional API operations this server offers (read once from its OpenAPI document), so the
// console shows a control only when the server behind it can answer it.

export async function detectFeatures() {
  const none = { facilities: false, notes: false, requirements: false, history: false, unitNextStatuses: false, intakeFields: [], finishReasons: null };
  try {
    const response = await fetch("/openapi.json");
    if (!response.ok) { return none; }
    const spec = await response.json();
    const paths = spec.paths || {};
    const listParams = ((paths["/api/v1/incidents"] || {}).get || {}).parameters || [];
    const schemas = (spec.components || {}).schemas || {};
    const unitOut = schemas.UnitOut || {};
    return {
      // hospitals as data: "Transporting" asks where to (GET /facilities?from_unit=, destination_facility_id)
      facilities: Boolean((paths["/api/v1/facilities"] || {}).get),
      notes: Boolean((paths["/api/v1/incidents/{incident_id}/notes"] || {}).post),
      requirements: Boolean((paths["/api/v1/incidents/{incident_id}/requirements"] || {}).post),
      history: listParams.some((p) => p.name === "q"),
      unitNextStatuses: Boolean((unitOut.properties || {}).next_statuses),
      intakeFields: Object.keys((schemas.IncidentCreate || {}).properties || {}),
      // reason codes the server records on close / cancel (null: older servers take a note only)
      finishReasons: schemas.CloseReason && schemas.CancelReason
        ? { close: schemas.CloseReason.enum || [], cancel: schemas.CancelReason.enum || [] } : null,
    };
  } catch {
    return none;
  }
}
