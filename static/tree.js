// The OKR tree: collapse and expand branches (remembered per workspace in this browser), and
// drag an item among its siblings. Without this script the tree is simply fully expanded
// and the item page's up/down buttons reorder.

/** Wires up the tree in the page; runs again whenever htmx swaps a refreshed tree in. */
function init() {
  const list = document.querySelector(".tree-list");
  if (!list || list.dataset.ready) return;
  list.dataset.ready = "true";
  const storageKey = `cairn.collapsed.${list.dataset.workspace}`;
  const rows = () => Array.from(list.querySelectorAll(":scope > .tree-row"));
  const depth = (row) => Number(row.dataset.depth);

  /** The row and the rows below it in the tree (the following rows that are deeper). */
  const block = (row) => {
    const all = rows();
    const start = all.indexOf(row);
    const out = [row];
    for (let i = start + 1; i < all.length && depth(all[i]) > depth(row); i += 1) out.push(all[i]);
    return out;
  };

  const collapsed = new Set(JSON.parse(localStorage.getItem(storageKey) ?? "[]"));

  const render = () => {
    let hideBelow = Infinity;
    for (const row of rows()) {
      const d = depth(row);
      if (d <= hideBelow) hideBelow = Infinity;
      row.hidden = d > hideBelow;
      const toggle = row.querySelector(".tree-toggle");
      const isCollapsed = collapsed.has(row.dataset.id);
      if (toggle) {
        toggle.setAttribute("aria-expanded", String(!isCollapsed));
        toggle.textContent = isCollapsed ? "▸" : "▾";
        const title = row.querySelector(".tree-title-text")?.textContent ?? "";
        toggle.setAttribute("aria-label", `${isCollapsed ? "Expand" : "Collapse"} ${title}`);
      }
      if (isCollapsed && !row.hidden && hideBelow === Infinity) hideBelow = d;
    }
  };

  for (const toggle of list.querySelectorAll(".tree-toggle")) {
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const id = toggle.closest(".tree-row").dataset.id;
      if (collapsed.has(id)) collapsed.delete(id);
      else collapsed.add(id);
      localStorage.setItem(storageKey, JSON.stringify([...collapsed]));
      render();
    });
  }
  render();


  const siblings = (row) => rows().filter((r) => r.dataset.parent === row.dataset.parent && !r.hidden);

  for (const handle of list.querySelectorAll(".drag-handle")) {
    handle.hidden = false;
    handle.addEventListener("pointerdown", (down) => {
      const row = handle.closest(".tree-row");
      const moving = block(row);
      const before = siblings(row).indexOf(row);
      // What followed the row's block, to put it back if the move is refused.
      const home = moving.at(-1).nextElementSibling;
      down.preventDefault();
      moving.forEach((r) => r.classList.add("is-dragging"));

      const onMove = (move) => {
        const others = siblings(row).filter((r) => r !== row);
        const target = others.find((other) => {
          const box = other.getBoundingClientRect();
          return move.clientY < box.top + box.height / 2;
        });
        if (target) target.before(...moving);
        else if (others.length) block(others[others.length - 1]).at(-1).after(...moving);
      };

      // Listen on the window: moving the row in the document drops any pointer capture.
      const onUp = async () => {
        window.removeEventListener("pointermove", onMove);
        moving.forEach((r) => r.classList.remove("is-dragging"));
        const after = siblings(row).indexOf(row);
        if (after === before) return;
        // HX-Request: the reorder then answers a plain 204 rather than the tree page.
        const { ok, error } = await window.cairnPost(
          `${list.dataset.reorderUrl}/${row.dataset.id}/reorder`,
          { position: String(after) },
          { headers: { "HX-Request": "true" } },
        );
        if (ok) return;
        // Back where it was stored, so the failure can stay on screen until dismissed.
        if (home) home.before(...moving);
        else list.append(...moving);
        window.cairnToast(`${error.message} The row is back where it was.`, { failure: true });
      };

      window.addEventListener("pointermove", onMove);
      window.addEventListener("pointerup", onUp, { once: true });
    });
  }
}

init();
document.body.addEventListener("htmx:afterSettle", init);
