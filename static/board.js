// The board: drag cards (mouse, pen, touch), move a focused card with the arrow keys,
// pan and zoom the canvas. Moves are optimistic: the card goes where it was put at once, the
// place is saved in the background, and a refused save puts the card back with the reason.

const board = document.querySelector(".board");
if (board) {
  const svg = board.querySelector(".board-canvas");
  const viewport = svg.querySelector(".board-viewport");
  const status = board.querySelector(".board-status");
  const editable = board.hasAttribute("data-editable");
  const MIN_ZOOM = 0.1;
  const MAX_ZOOM = 2.5;
  const DRAG_THRESHOLD = 4;

  // ---- view: pan and zoom, remembered per user and workspace in this browser -------------
  const view = { x: 32, y: 32, zoom: 1 };
  try {
    const saved = JSON.parse(localStorage.getItem(board.dataset.storageKey) ?? "null");
    if (saved && [saved.x, saved.y, saved.zoom].every(Number.isFinite)) Object.assign(view, saved);
  } catch {
    // A corrupt saved view is forgotten; the default view is fine.
  }
  const zoomLevel = document.querySelector(".board-zoom-level");
  const applyView = () => {
    viewport.setAttribute("transform", `translate(${view.x} ${view.y}) scale(${view.zoom})`);
    if (zoomLevel) zoomLevel.textContent = `${Math.round(view.zoom * 100)}%`;
    try {
      localStorage.setItem(board.dataset.storageKey, JSON.stringify(view));
    } catch {
      // Storage may be blocked or full; the view just is not remembered.
    }
  };
  // Zooms so the board point under (cx, cy) on the canvas stays put.
  const zoomAt = (factor, cx, cy) => {
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
    view.x = cx - ((cx - view.x) * zoom) / view.zoom;
    view.y = cy - ((cy - view.y) * zoom) / view.zoom;
    view.zoom = zoom;
    applyView();
  };
  const canvasPoint = (event) => {
    const box = svg.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const boardPoint = (event) => {
    const p = canvasPoint(event);
    return { x: (p.x - view.x) / view.zoom, y: (p.y - view.y) / view.zoom };
  };

  // ---- cards and edges --------------------------------------------------------------------
  const cardWidth = Number(board.dataset.cardWidth);
  const cardHeight = Number(board.dataset.cardHeight);
  const cards = new Map();
  for (const slot of svg.querySelectorAll(".board-slot")) {
    const place = { x: Number(slot.getAttribute("x")), y: Number(slot.getAttribute("y")) };
    cards.set(slot.dataset.id, {
      id: slot.dataset.id,
      slot,
      article: slot.querySelector(".board-card"),
      width: Number(slot.getAttribute("width")),
      height: Number(slot.getAttribute("height")),
      ...place,
      saved: { ...place },
      saving: false,
      queued: null,
      edges: [],
    });
  }
  const edges = [...svg.querySelectorAll(".board-edges .edge")]
    .map((path) => ({ path, from: cards.get(path.dataset.from), to: cards.get(path.dataset.to) }))
    .filter((edge) => edge.from && edge.to);
  for (const edge of edges) {
    edge.from.edges.push(edge);
    edge.to.edges.push(edge);
  }
  const drawEdge = ({ path, from, to }) => {
    let d;
    if (path.classList.contains("edge-parent")) {
      // Parent's bottom centre to child's top centre, leaving and arriving vertically.
      const x1 = from.x + from.width / 2;
      const y1 = from.y + from.height;
      const x2 = to.x + to.width / 2;
      const y2 = to.y;
      const bend = Math.max(24, Math.abs(y2 - y1) / 2);
      d = `M ${x1} ${y1} C ${x1} ${y1 + bend} ${x2} ${y2 - bend} ${x2} ${y2}`;
    } else {
      // Links join the facing sides of the two cards.
      const rightward = to.x + to.width / 2 >= from.x + from.width / 2;
      const x1 = rightward ? from.x + from.width : from.x;
      const x2 = rightward ? to.x : to.x + to.width;
      const y1 = from.y + from.height / 2;
      const y2 = to.y + to.height / 2;
      const bend = Math.max(40, Math.abs(x2 - x1) / 2) * (rightward ? 1 : -1);
      d = `M ${x1} ${y1} C ${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`;
    }
    path.setAttribute("d", d);
  };
  edges.forEach(drawEdge);

  const place = (card, x, y) => {
    card.x = x;
    card.y = y;
    card.slot.setAttribute("x", String(x));
    card.slot.setAttribute("y", String(y));
    card.edges.forEach(drawEdge);
  };

  // ---- messages ---------------------------------------------------------------------------
  const say = (message, failure) => window.cairnToast(message, { failure, within: status });

  // ---- saving: one request per card at a time, the latest place wins --------------------
  const save = async (card) => {
    if (card.saving) {
      card.queued = { x: card.x, y: card.y };
      return;
    }
    card.saving = true;
    const target = { x: card.x, y: card.y };
    card.article.classList.add("is-saving");
    const { ok, error } = await window.cairnPost(`${board.dataset.positionUrl}/${card.id}/position`, {
      x: String(target.x),
      y: String(target.y),
    });
    if (ok) card.saved = target;
    card.saving = false;
    card.article.classList.remove("is-saving");
    const next = card.queued;
    card.queued = null;
    if (next) {
      // A later move was made meanwhile: that one is what the user wants saved.
      place(card, next.x, next.y);
      save(card);
    } else if (!ok) {
      place(card, card.saved.x, card.saved.y);
      say(`${error.message} The card is back where it was.`, true);
    } else {
      card.article.classList.add("is-placed");
      say("Position saved.", false);
    }
  };

  // ---- selection (for "tidy up selected") -------------------------------------------------
  const tidy = document.querySelector(".board-tidy");
  const selected = new Set();
  const toggleSelected = (card) => {
    if (selected.has(card.id)) selected.delete(card.id);
    else selected.add(card.id);
    card.article.classList.toggle("is-selected", selected.has(card.id));
    say(
      selected.size === 1 ? "1 card selected for tidying up." : `${selected.size} cards selected for tidying up.`,
      false,
    );
    if (tidy) {
      tidy.elements.ids.value = [...selected].join(",");
      tidy.querySelector('[value="selected"]').disabled = selected.size === 0;
    }
  };

  // ---- pointer: drag a card, pan the background, pinch to zoom ---------------------------
  const pointers = new Map();
  let gesture = null;
  let suppressClick = false;

  svg.addEventListener("pointerdown", (down) => {
    if (down.button !== 0 && down.pointerType === "mouse") return;
    suppressClick = false;
    if (pointers.size >= 2) return;
    pointers.set(down.pointerId, canvasPoint(down));
    if (pointers.size === 2) {
      // A second finger turns any drag into a pinch; a card being dragged goes back.
      if (gesture?.kind === "card") {
        gesture.card.article.classList.remove("is-dragging");
        place(gesture.card, gesture.from.x, gesture.from.y);
      }
      const [a, b] = [...pointers.values()];
      gesture = { kind: "pinch", distance: Math.hypot(a.x - b.x, a.y - b.y) };
      return;
    }
    const slot = down.target.closest(".board-slot");
    const card = slot && cards.get(slot.dataset.id);
    if (card && down.shiftKey) {
      toggleSelected(card);
      down.preventDefault();
      return;
    }
    gesture = card && editable
      ? { kind: "card", card, start: canvasPoint(down), from: { x: card.x, y: card.y }, moved: false }
      : { kind: "pan", start: canvasPoint(down), from: { x: view.x, y: view.y }, moved: false };
    gesture.pointerId = down.pointerId;
  });

  svg.addEventListener("pointermove", (move) => {
    if (!pointers.has(move.pointerId) || !gesture) return;
    const point = canvasPoint(move);
    pointers.set(move.pointerId, point);
    if (gesture.kind === "pinch") {
      if (pointers.size < 2) return;
      const [a, b] = [...pointers.values()];
      const distance = Math.hypot(a.x - b.x, a.y - b.y);
      if (gesture.distance > 0) zoomAt(distance / gesture.distance, (a.x + b.x) / 2, (a.y + b.y) / 2);
      gesture.distance = distance;
      return;
    }
    const dx = point.x - gesture.start.x;
    const dy = point.y - gesture.start.y;
    if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!gesture.moved) {
      gesture.moved = true;
      // Captured only once it is a drag: a capture at pointerdown would retarget the click
      // on a card's title to the canvas.
      svg.setPointerCapture(gesture.pointerId);
      if (gesture.kind === "card") {
        gesture.card.article.classList.add("is-dragging");
        // SVG paints in document order: the dragged card goes last, so it stays on top
        // while it moves and where it is dropped.
        gesture.card.slot.parentNode.append(gesture.card.slot);
      } else svg.classList.add("is-panning");
    }
    if (gesture.kind === "card") {
      place(gesture.card, Math.round(gesture.from.x + dx / view.zoom), Math.round(gesture.from.y + dy / view.zoom));
    } else {
      view.x = gesture.from.x + dx;
      view.y = gesture.from.y + dy;
      applyView();
    }
  });

  const endPointer = (up) => {
    pointers.delete(up.pointerId);
    if (!gesture) return;
    const finished = gesture;
    if (finished.kind === "pinch") {
      // One finger left: the pinch is over; the next touch starts afresh.
      gesture = null;
      return;
    }
    gesture = null;
    svg.classList.remove("is-panning");
    if (!finished.moved) return;
    // The pointer went up over the card: its click must not open the item.
    suppressClick = true;
    if (finished.kind === "card") {
      finished.card.article.classList.remove("is-dragging");
      if (up.type === "pointercancel") place(finished.card, finished.from.x, finished.from.y);
      else save(finished.card);
    }
  };
  svg.addEventListener("pointerup", endPointer);
  svg.addEventListener("pointercancel", endPointer);
  svg.addEventListener(
    "click",
    (click) => {
      if (suppressClick) {
        click.preventDefault();
        click.stopPropagation();
        suppressClick = false;
      }
    },
    true,
  );

  svg.addEventListener(
    "wheel",
    (wheel) => {
      wheel.preventDefault();
      // Trackpad pinches arrive as wheel events with ctrlKey; a plain wheel pans.
      if (wheel.ctrlKey || wheel.metaKey) {
        const p = canvasPoint(wheel);
        zoomAt(Math.exp(-wheel.deltaY / 300), p.x, p.y);
      } else {
        view.x -= wheel.deltaX;
        view.y -= wheel.deltaY;
        applyView();
      }
    },
    { passive: false },
  );

  // ---- zoom buttons and fit ---------------------------------------------------------------
  const fit = () => {
    if (cards.size === 0) return;
    const all = [...cards.values()];
    const left = Math.min(...all.map((c) => c.x));
    const top = Math.min(...all.map((c) => c.y));
    const right = Math.max(...all.map((c) => c.x + c.width));
    const bottom = Math.max(...all.map((c) => c.y + c.height));
    const box = svg.getBoundingClientRect();
    const margin = 24;
    const zoom = Math.min(
      MAX_ZOOM,
      Math.max(MIN_ZOOM, Math.min((box.width - 2 * margin) / (right - left), (box.height - 2 * margin) / (bottom - top), 1)),
    );
    view.zoom = zoom;
    view.x = margin - left * zoom;
    view.y = margin - top * zoom;
    applyView();
  };
  for (const button of document.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const box = svg.getBoundingClientRect();
      if (button.dataset.zoom === "fit") fit();
      else zoomAt(button.dataset.zoom === "in" ? 1.25 : 0.8, box.width / 2, box.height / 2);
    });
  }

  // ---- keyboard: arrows move the focused card, Enter opens it -----------------------------
  const KEY_STEP = 10;
  const KEY_BIG_STEP = 50;
  const KEY_SAVE_DELAY = 400;
  const keySteps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  svg.addEventListener("keydown", (key) => {
    const article = key.target.closest?.(".board-card");
    const card = article && cards.get(article.closest(".board-slot").dataset.id);
    if (!card || key.target !== article) return;
    if (key.key === "Enter") {
      article.querySelector(".board-card-title")?.click();
      return;
    }
    if (key.key === " ") {
      key.preventDefault();
      toggleSelected(card);
      return;
    }
    const step = keySteps[key.key];
    if (!step || !editable) return;
    key.preventDefault();
    const size = key.shiftKey ? KEY_BIG_STEP : KEY_STEP;
    place(card, card.x + step[0] * size, card.y + step[1] * size);
    // Save when the keys stop, not on every press; until then the card shows it is unsaved.
    card.article.classList.add("is-saving");
    window.clearTimeout(card.keyTimer);
    card.keyTimer = window.setTimeout(() => save(card), KEY_SAVE_DELAY);
  });

  // A card reached with Tab is brought into view: the canvas pans, it does not scroll.
  svg.addEventListener("focusin", (focus) => {
    const slot = focus.target.closest?.(".board-slot");
    const card = slot && cards.get(slot.dataset.id);
    if (!card) return;
    const box = svg.getBoundingClientRect();
    const left = view.x + card.x * view.zoom;
    const top = view.y + card.y * view.zoom;
    const right = left + card.width * view.zoom;
    const bottom = top + card.height * view.zoom;
    const margin = 24;
    if (left < margin) view.x += margin - left;
    else if (right > box.width - margin) view.x -= right - (box.width - margin);
    if (top < margin) view.y += margin - top;
    else if (bottom > box.height - margin) view.y -= bottom - (box.height - margin);
    applyView();
  });

  // ---- create where the user double-clicked ------------------------------------------------
  const dialog = document.querySelector(".board-create");
  if (dialog) {
    const createAt = (at) => {
      const form = dialog.querySelector("form");
      form.elements.x.value = String(Math.round(at.x));
      form.elements.y.value = String(Math.round(at.y));
      dialog.showModal();
      form.elements.title.focus();
    };
    svg.addEventListener("dblclick", (click) => {
      if (!click.target.closest(".board-slot")) createAt(boardPoint(click));
    });
    // The keyboard's way in: the new card goes to the middle of the view.
    const button = document.querySelector(".board-new");
    button.hidden = false;
    button.addEventListener("click", () => {
      const box = svg.getBoundingClientRect();
      createAt({
        x: (box.width / 2 - view.x) / view.zoom - cardWidth / 2,
        y: (box.height / 2 - view.y) / view.zoom - cardHeight / 2,
      });
    });
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    if (dialog.hasAttribute("data-open")) dialog.showModal();
  }

  applyView();
  // A card named in the address (after creating it) is brought into view and focused.
  const named = cards.get(window.location.hash.replace(/^#card-/, ""));
  if (named) {
    const box = svg.getBoundingClientRect();
    view.x = box.width / 2 - (named.x + named.width / 2) * view.zoom;
    view.y = box.height / 2 - (named.y + named.height / 2) * view.zoom;
    applyView();
    named.article.focus({ preventScroll: true });
  }
}
