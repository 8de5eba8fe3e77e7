// One way for our scripts to save: `window.cairnPost(url, fields)` posts a form with the
// CSRF token and `Accept: application/json`, and resolves `{ ok, status, error }` whatever
// happened, so each script only decides what success or refusal does to its controls. A
// classic script exposing a global, like toast.js: assets are served only under hashed
// names, so one of our modules cannot import another by a fixed URL.
window.cairnPost = async (url, fields, { headers = {} } = {}) => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        ...headers,
        "X-CSRF-Token": csrf,
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(fields),
      // A redirect would land on some page, which a script cannot show: it did not save.
      redirect: "manual",
    });
  } catch {
    return {
      ok: false,
      status: 0,
      error: { code: "unreachable", message: "Cairn could not be reached, so the change was not saved." },
    };
  }
  if (response.ok) return { ok: true, status: response.status, error: null };
  if (response.status === 401) {
    return { ok: false, status: 401, error: { code: "unauthorized", message: "Your session has ended; log in again." } };
  }
  // Refusals say why as `{"error": {"code", "message"}}`; anything else (a proxy's page, a
  // redirect) gets the general reason.
  let error = null;
  try {
    error = (await response.json()).error;
  } catch {
    // Not JSON: the general reason below.
  }
  return {
    ok: false,
    status: response.status,
    error: {
      code: error?.code ?? "failed",
      message: error?.message || "The change could not be saved.",
    },
  };
};

// htmx swaps nothing when a change is refused (the htmx-config in base.html), so a control
// would keep showing what was not saved. Put its form back as the page last showed it, and
// say why with the reason from the error page the server answered.
document.body.addEventListener("htmx:responseError", (event) => {
  event.detail.elt.closest("form")?.reset();
  const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  const reason = page.querySelector(".error-message")?.textContent.trim();
  window.cairnToast(reason || "The change could not be saved.", { failure: true });
});
document.body.addEventListener("htmx:sendError", (event) => {
  event.detail.elt.closest("form")?.reset();
  window.cairnToast("Cairn could not be reached, so the change was not saved.", { failure: true });
});
