// The gantt timeline: header dates in the user's locale, and date changes by dragging bars
// (pointer events: mouse, pen and touch) or with the keyboard. Changes are optimistic: the
// bar moves at once, and returns with a message when the server refuses. Without this
// script the page still shows everything and the date forms still work.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const DAY_MS = 86_400_000;

/** An ISO date (YYYY-MM-DD) as a UTC day number, and back. */
const toDay = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const toIso = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Header labels in the browser's locale; the server's text stays if formatting fails. */
function localizeHeader(gantt) {
  const scale = gantt.dataset.scale;
  const options = {
    week: { day: "numeric", month: "short" },
    month: { month: "short", year: "numeric" },
    quarter: { year: "numeric" },
  }[scale];
  if (!options) return;
  try {
    const format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" });
    for (const label of gantt.querySelectorAll(".gantt-tick-label[data-date]")) {
      const date = new Date(`${label.dataset.date}T00:00:00Z`);
      const text = format.format(date);
      label.textContent = scale === "quarter" ? `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${text}` : text;
    }
  } catch {
    // Keep the server's labels.
  }
}

function toast(message) {
  for (const old of document.querySelectorAll(".toast.gantt-toast")) old.remove();
  const note = document.createElement("div");
  note.className = "toast toast-error gantt-toast";
  note.setAttribute("role", "alert");
  note.textContent = message;
  document.body.append(note);
  window.setTimeout(() => note.remove(), 6000);
}

function init() {
  const gantt = document.querySelector(".gantt");
  if (!gantt || gantt.dataset.ready) return;
  gantt.dataset.ready = "true";
  localizeHeader(gantt);

  const first = toDay(gantt.dataset.from);
  const last = toDay(gantt.dataset.to);
  const dayWidth = Number(gantt.dataset.dayWidth);

  /** Draws a bar for the dates, clipped to the range, as the server would. */
  const place = (group, start, due) => {
    const bar = group.querySelector(".gantt-bar");
    const progress = group.querySelector(".gantt-progress");
    const handle = group.querySelector(".gantt-handle");
    const label = group.querySelector(".gantt-bar-label");
    const left = (Math.max(start, first) - first) * dayWidth;
    const right = (Math.min(due, last) - first + 1) * dayWidth;
    const width = Math.max(right - left, 0);
    const fullLeft = (start - first) * dayWidth;
    const fullWidth = (due - start + 1) * dayWidth;
    const done = fullLeft + Math.round((fullWidth * Number(group.dataset.progress)) / 100);
    bar.setAttribute("x", left);
    bar.setAttribute("width", width);
    progress.setAttribute("x", left);
    progress.setAttribute("width", Math.min(Math.max(done, left), right) - left);
    if (handle) handle.setAttribute("x", left + width - 7);
    if (label) label.setAttribute("x", left + width + 6);
  };

  /** Saves new dates; on refusal the bar goes back and the reason shows. */
  const save = async (group, fields, previous) => {
    try {
      const response = await fetch(group.dataset.url, {
        method: "POST",
        headers: {
          "X-CSRF-Token": csrf,
          Accept: "application/json",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(fields),
        redirect: "manual",
      });
      if (response.status === 204) {
        if (fields.start_date) group.dataset.start = fields.start_date;
        if (fields.due_date) group.dataset.due = fields.due_date;
        const due = document.querySelector(`#row-${CSS.escape(group.dataset.id)} time`);
        if (due && fields.due_date) {
          due.setAttribute("datetime", fields.due_date);
          due.textContent = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" })
            .format(new Date(`${fields.due_date}T00:00:00Z`));
        }
        return;
      }
      let message = "The new dates could not be saved.";
      try {
        message = (await response.json()).message ?? message;
      } catch {
        // Not JSON (say, a log-in page): keep the general message.
      }
      throw new Error(message);
    } catch (error) {
      place(group, previous.start, previous.due);
      toast(error instanceof Error && error.message ? error.message : "The new dates could not be saved.");
    }
  };

  for (const group of gantt.querySelectorAll(".gantt-bar-group.is-editable")) {
    const dates = () => ({ start: toDay(group.dataset.start), due: toDay(group.dataset.due) });

    group.addEventListener("pointerdown", (down) => {
      if (down.button !== 0) return;
      const resizing = down.target.classList.contains("gantt-handle");
      const before = dates();
      let days = 0;
      down.preventDefault();
      group.setPointerCapture(down.pointerId);
      group.classList.add("is-dragging");

      const onMove = (move) => {
        days = Math.round((move.clientX - down.clientX) / dayWidth);
        if (resizing) place(group, before.start, Math.max(before.due + days, before.start));
        else place(group, before.start + days, before.due + days);
      };
      const onUp = () => {
        group.removeEventListener("pointermove", onMove);
        group.removeEventListener("pointercancel", onUp);
        group.classList.remove("is-dragging");
        if (days === 0) return;
        if (resizing) {
          const due = Math.max(before.due + days, before.start);
          save(group, { due_date: toIso(due) }, before);
        } else {
          save(group, { start_date: toIso(before.start + days), due_date: toIso(before.due + days) }, before);
        }
      };
      group.addEventListener("pointermove", onMove);
      group.addEventListener("pointerup", onUp, { once: true });
      group.addEventListener("pointercancel", onUp, { once: true });
    });

    // Keyboard: ← → move the bar a day; with Shift they move only the due date.
    group.addEventListener("keydown", (key) => {
      const step = { ArrowLeft: -1, ArrowRight: 1 }[key.key];
      if (!step) return;
      key.preventDefault();
      const before = dates();
      if (key.shiftKey) {
        const due = Math.max(before.due + step, before.start);
        if (due === before.due) return;
        place(group, before.start, due);
        save(group, { due_date: toIso(due) }, before);
      } else {
        place(group, before.start + step, before.due + step);
        save(group, { start_date: toIso(before.start + step), due_date: toIso(before.due + step) }, before);
      }
    });
  }
}

// A row's date link opens the side panel: the keyboard moves there too.
let openingPanel = false;
document.body.addEventListener("htmx:beforeRequest", (event) => {
  openingPanel = event.detail.elt?.classList?.contains("gantt-dates-link") ?? false;
});

init();
document.body.addEventListener("htmx:afterSettle", () => {
  init();
  if (openingPanel) (document.querySelector("#panel-start") ?? document.querySelector("#gantt-panel a"))?.focus();
  openingPanel = false;
});
