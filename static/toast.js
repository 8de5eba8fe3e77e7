// Toasts for our scripts (DESIGN §5): a success is short and fades; a failure stays, with its
// reason and a close button, until dismissed, and no later success hides it.
window.cairnToast = (message, { failure = false, within = document.body, className = "" } = {}) => {
  const shown = within.querySelectorAll(":scope > .toast[data-script]");
  if (!failure && [...shown].some((old) => old.classList.contains("toast-error"))) return;
  for (const old of shown) old.remove();
  const note = document.createElement("div");
  note.className = ["toast", failure ? "toast-error" : "", className].filter(Boolean).join(" ");
  note.dataset.script = "";
  note.setAttribute("role", failure ? "alert" : "status");
  note.textContent = message;
  if (failure) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => note.remove());
    note.append(close);
  }
  within.append(note);
};

// Forms that ask first: `data-confirm` on a form always asks (moving to the trash);
// `data-confirm-when` on a choice asks only when it is newly chosen (switching a workspace
// to need-to-know). Cancelling sends nothing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  let question = form.dataset.confirm;
  for (const choice of form.querySelectorAll("[data-confirm-when]")) {
    if (choice.checked && !choice.defaultChecked) question = choice.dataset.confirmWhen;
  }
  if (question && !window.confirm(question)) event.preventDefault();
});

// On a phone the sidebar folds away behind "Menu" (app.css shows the button only when this
// script runs, so without it the sidebar stays open).
document.documentElement.classList.add("has-scripts");
document.addEventListener("click", (event) => {
  const toggle = event.target.closest?.(".menu-toggle");
  if (!toggle) return;
  const sidebar = toggle.closest(".sidebar");
  const open = !sidebar.classList.contains("is-open");
  sidebar.classList.toggle("is-open", open);
  toggle.setAttribute("aria-expanded", String(open));
});

// A refused create answers its post with the page it came from; put the address bar there,
// so reloading shows the page instead of an address that has none.
{
  const address = document.querySelector('meta[name="cairn-address"]')?.content;
  if (address && location.pathname + location.search !== address) {
    history.replaceState(null, "", address + location.hash);
  }
}
