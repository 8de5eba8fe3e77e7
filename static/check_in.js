// Check-ins with htmx: the dialog a "Check in" link opens (tree rows, board cards, the item
// page), its confidence control (the band's word and colour follow the slider), and what a
// page does once a check-in is saved, changed or deleted: it fetches itself again and swaps
// in what it shows of the item and its ancestors (tree, cards, the item page), without a
// reload. The server only announces `cairn:checked-in`; it never needs to know this page's
// markup. Without this script the same links open the check-in page and the forms post.

/** Shows the band of the confidence the slider is at; the bands come from the server. */
function wireConfidence(root) {
  for (const input of root.querySelectorAll("input[data-bands]")) {
    if (input.dataset.ready) continue;
    input.dataset.ready = "true";
    const bands = input.dataset.bands.split(",").map((pair) => {
      const [band, word] = pair.split(":");
      return { band, word };
    });
    const output = input.form?.querySelector(`output[for="${input.id}"]`);
    const show = () => {
      const value = Number(input.value);
      const { band, word } = bands[value] ?? bands[0];
      input.setAttribute("aria-valuetext", `${value}, ${word}`);
      if (!output) return;
      output.className = `band band-${band}`;
      output.querySelector(".band-number").textContent = String(value);
      output.querySelector(".band-word").textContent = word;
    };
    input.addEventListener("input", show);
    show();
  }
  // With script the preview shows in place, so Enter in a field saves: the form's first
  // submit button would otherwise be the preview.
  for (const button of root.querySelectorAll(".check-in-preview-button")) button.type = "button";
}

function openDialog(dialog) {
  for (const other of document.querySelectorAll("dialog.check-in-dialog")) {
    if (other !== dialog) other.remove();
  }
  const opener = document.activeElement;
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) dialog.close();
  });
  wireConfidence(dialog);
  dialog.showModal();
}

/** Board cards keep their elements (board.js holds them): only their insides change. */
async function refreshCards() {
  let fresh;
  try {
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return;
  }
  const passing = ["is-selected", "is-dragging", "is-saving"];
  for (const card of fresh.querySelectorAll(".board-card[id]")) {
    const shown = document.getElementById(card.id);
    if (!shown) continue;
    const kept = passing.filter((name) => shown.classList.contains(name));
    shown.className = card.className;
    shown.classList.add(...kept);
    shown.setAttribute("aria-label", card.getAttribute("aria-label") ?? "");
    shown.replaceChildren(...card.childNodes);
    window.htmx.process(shown);
  }
}

/** Shows the page's item (and every ancestor's progress) as it is now. */
function refresh(detail) {
  const here = window.location.href;
  if (document.querySelector(".tree-card")) {
    window.htmx.ajax("GET", here, { target: ".tree-card", select: ".tree-card", swap: "outerHTML" });
  } else if (document.querySelector(".board")) {
    refreshCards();
  } else if (document.querySelector("#item-head")) {
    window.htmx.ajax("GET", here, {
      target: "#item-head",
      select: "#item-head",
      swap: "outerHTML",
      selectOOB: "#check-ins,#item-history",
    });
  } else {
    window.location.assign(detail.url);
  }
}

document.body.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element.matches?.("dialog.check-in-dialog")) openDialog(element);
  else if (element.querySelectorAll) wireConfidence(element);
});

document.body.addEventListener("cairn:checked-in", (event) => {
  const detail = event.detail;
  // After htmx has finished with the request that announced it.
  window.setTimeout(() => {
    document.querySelector("dialog.check-in-dialog")?.close();
    window.cairnToast(detail.message || "Saved.");
    refresh(detail);
  }, 0);
});

wireConfidence(document);
