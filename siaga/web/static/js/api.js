// HTTP to the Siaga API: the bearer token, JSON both ways, and every failure as one value
// {status, code, params, detail} (status 0: the network), thrown as an ApiError.

export const API_ROOT = "/api/v1";

export class ApiError extends Error {
  constructor({ status, code, params, detail }) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.code = code || null;       // a message code from the server, when it sends one
    this.params = params || {};
    this.detail = detail || "";     // the server's readable (English) sentence: the fallback text
  }
}

// Set after a click or key press, sent with the next request: what keeps a console session alive (the
// automatic polls alone do not; see siaga/api/sessions.py). Shared by every client of the page.
const activity = { pending: false };
let watching = false;

/** Count clicks and key presses as the person's activity (idle timeout of the session). */
export function watchActivity() {
  if (watching) { return; }
  watching = true;
  const mark = () => { activity.pending = true; };
  document.addEventListener("pointerdown", mark, true);
  document.addEventListener("keydown", mark, true);
}

/** A client bound to a token getter: api.get(path), api.post(path, body), api.patch(path, body).
 * Without a token it uses the console session cookie: writes carry the session's CSRF token
 * (`session.getCsrf()`), and a 401 calls `session.onUnauthorized(error)` (the login screen). */
export function makeApi(getToken, session = {}) {
  async function request(method, path, body) {
    const token = getToken();
    const headers = token ? { Authorization: "Bearer " + token } : {};
    if (!token && method !== "GET" && session.getCsrf) { headers["X-CSRF-Token"] = session.getCsrf() || ""; }
    if (activity.pending) { headers["X-Siaga-Activity"] = "user"; activity.pending = false; }
    const options = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API_ROOT + path, options);
    } catch (error) {
      throw new ApiError({ status: 0, code: "e_network", detail: String(error && error.message) });
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = new ApiError({
        status: response.status,
        code: data.code || null,
        params: Object.assign({}, data.params || {}, data.details || {}),
        detail: typeof data.detail === "string" ? data.detail : response.statusText,
      });
      if (response.status === 401 && !token && session.onUnauthorized) { session.onUnauthorized(failure); }
      throw failure;
    }
    return data;
  }
  return {
    get: (path) => request("GET", path),
    post: (path, body = {}) => request("POST", path, body),
    patch: (path, body = {}) => request("PATCH", path, body),
  };
}

/** A plain error value for the store (so it can be rendered again in another language). */
export function errorValue(error, context = {}) {
  if (error instanceof ApiError) {
    return { status: error.status, code: error.code, params: error.params, detail: error.detail, ...context };
  }
  return { status: -1, code: null, params: {}, detail: String((error && error.message) || error), ...context };
}

/** Apply answers in the order their requests were made: an answer older than the last one applied
 * (a slow poll racing a dispatcher's action) is dropped instead of overwriting newer state. */
export function newestOnly() {
  const counter = { issued: 0, applied: 0 };
  return async (request, apply) => {
    const seq = ++counter.issued;
    const value = await request();
    if (seq > counter.applied) {
      counter.applied = seq;
      apply(value);
    }
    return value;
  };
}
