// The gantt timeline: header dates in the user's locale, and date changes by dragging bars
// (pointer events: mouse, pen and touch) or with the keyboard. Changes are optimistic: the
// bar moves at once, and returns with a message when the server refuses. Without this
// script the page still shows everything and the date forms still work.

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

/** A short confirmation, or a failure that stays until dismissed (DESIGN §5). A
 * confirmation never hides a failure still on screen. */
function toast(message, failure) {
  window.cairnToast(message, { failure, className: "gantt-toast" });
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

  /** What the server has saved for a bar (its data attributes). */
  const saved = (group) => ({ start: toDay(group.dataset.start), due: toDay(group.dataset.due) });
  // Per bar: the dates it shows, one save in flight at a time, and the drag under way.
  // Changes made meanwhile are merged and sent next, so the last change is the one kept.
  const bars = new Map();
  const barOf = (group) => {
    if (!bars.has(group)) bars.set(group, { shown: saved(group), saving: false, pending: null, drag: null });
    return bars.get(group);
  };
  const show = (group, start, due) => {
    barOf(group).shown = { start, due };
    place(group, start, due);
  };

  /** Sends the bar's new dates; a refusal drops any change queued behind it (it was made
   * on top of the refused one), puts the bar back where it is saved and says why. */
  const save = async (group, fields) => {
    const bar = barOf(group);
    if (bar.saving) {
      bar.pending = { ...bar.pending, ...fields };
      return;
    }
    bar.saving = true;
    const { ok, error } = await window.cairnPost(group.dataset.url, fields);
    if (ok) {
      if (fields.start_date) group.dataset.start = fields.start_date;
      if (fields.due_date) group.dataset.due = fields.due_date;
      const due = document.querySelector(`#row-${CSS.escape(group.dataset.id)} time`);
      if (due && fields.due_date) {
        due.setAttribute("datetime", fields.due_date);
        due.textContent = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" })
          .format(new Date(`${fields.due_date}T00:00:00Z`));
      }
    }
    bar.saving = false;
    const next = bar.pending;
    bar.pending = null;
    if (!ok) {
      const back = saved(group);
      show(group, back.start, back.due);
      toast(error.message, true);
    } else if (next) {
      save(group, next);
    } else {
      toast("Dates saved.", false);
    }
  };

  for (const group of gantt.querySelectorAll(".gantt-bar-group.is-editable")) {
    group.addEventListener("pointerdown", (down) => {
      if (down.button !== 0) return;
      const state = barOf(group);
      // One drag at a time: whatever a lost drag left listening goes now.
      state.drag?.abort();
      const drag = new AbortController();
      state.drag = drag;
      const resizing = down.target.classList.contains("gantt-handle");
      const before = state.shown;
      let days = 0;
      down.preventDefault();
      group.setPointerCapture(down.pointerId);
      group.classList.add("is-dragging");
      const finish = () => {
        drag.abort();
        if (state.drag === drag) state.drag = null;
        group.classList.remove("is-dragging");
      };

      const onMove = (move) => {
        days = Math.round((move.clientX - down.clientX) / dayWidth);
        if (resizing) place(group, before.start, Math.max(before.due + days, before.start));
        else place(group, before.start + days, before.due + days);
      };
      // The browser took the pointer away (a scroll, a palm): nothing is saved, the bar
      // goes back to the dates it shows.
      const onCancel = () => {
        finish();
        place(group, state.shown.start, state.shown.due);
      };
      const onUp = () => {
        finish();
        if (days === 0) return;
        if (resizing) {
          const due = Math.max(before.due + days, before.start);
          show(group, before.start, due);
          save(group, { due_date: toIso(due) });
        } else {
          show(group, before.start + days, before.due + days);
          save(group, { start_date: toIso(before.start + days), due_date: toIso(before.due + days) });
        }
      };
      group.addEventListener("pointermove", onMove, { signal: drag.signal });
      group.addEventListener("pointerup", onUp, { signal: drag.signal });
      group.addEventListener("pointercancel", onCancel, { signal: drag.signal });
    });

    // Keyboard: ← → move the bar a day; with Shift they move only the due date.
    group.addEventListener("keydown", (key) => {
      const step = { ArrowLeft: -1, ArrowRight: 1 }[key.key];
      if (!step) return;
      key.preventDefault();
      const before = barOf(group).shown;
      if (key.shiftKey) {
        const due = Math.max(before.due + step, before.start);
        if (due === before.due) return;
        show(group, before.start, due);
        save(group, { due_date: toIso(due) });
      } else {
        show(group, before.start + step, before.due + step);
        save(group, { start_date: toIso(before.start + step), due_date: toIso(before.due + step) });
      }
    });
  }
}

// A row's date link opens the side panel: the keyboard moves there too. A fold or unfold
// swaps the rows: focus goes back to the toggled row's button.
let openingPanel = false;
let toggled = null;
document.body.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  openingPanel = elt?.classList?.contains("gantt-dates-link") ?? false;
  toggled = elt?.classList?.contains("gantt-toggle") ? elt.value : null;
});

init();
document.body.addEventListener("htmx:afterSettle", () => {
  init();
  if (openingPanel) (document.querySelector("#panel-start") ?? document.querySelector("#gantt-panel a"))?.focus();
  if (toggled) document.querySelector(`#row-${CSS.escape(toggled)} .gantt-toggle`)?.focus();
  openingPanel = false;
  toggled = null;
});
