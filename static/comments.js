// The comment box's "@" autocomplete: typing "@" and letters asks the server which members
// who can see this item match (the section's data-mentions-url), lists them as a listbox
// under the box, and picking one (arrows and Enter or Tab, or a click) writes the mention
// as "@[Name](user:<id>)". Escape closes the list. Without this script the box is a plain
// textarea and mentions can still be typed in that form.

/** The "@letters" just before the caret, or null. */
function typedMention(box) {
  const before = box.value.slice(0, box.selectionStart);
  const match = /(?:^|\s)@([^\s@[\]()]{1,40})$/.exec(before);
  return match ? { query: match[1], start: before.length - match[1].length - 1 } : null;
}

const lists = new WeakMap();

/** The listbox of one box, made on first use. */
function listOf(box) {
  let state = lists.get(box);
  if (state) return state;
  const list = document.createElement("ul");
  list.id = `${box.id}-mentions`;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "People who can see this item");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  box.after(list, status);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  state = { list, status, members: [], active: -1, asked: 0, mention: null };
  lists.set(box, state);
  list.addEventListener("mousedown", (event) => {
    // Keep the focus in the box while picking with the mouse.
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    pick(box, Number(option.dataset.index));
  });
  return state;
}

function close(box) {
  const state = lists.get(box);
  if (!state) return;
  state.list.hidden = true;
  state.list.replaceChildren();
  state.members = [];
  state.active = -1;
  box.setAttribute("aria-expanded", "false");
  box.removeAttribute("aria-activedescendant");
}

function highlight(box, index) {
  const state = listOf(box);
  state.active = index;
  state.list.querySelectorAll("[role=option]").forEach((option, i) => {
    option.setAttribute("aria-selected", String(i === index));
    if (i === index) {
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  });
}

function show(box, members) {
  const state = listOf(box);
  state.members = members;
  state.list.replaceChildren(
    ...members.map((member, index) => {
      const option = document.createElement("li");
      option.id = `${state.list.id}-${index}`;
      option.setAttribute("role", "option");
      option.dataset.index = String(index);
      option.textContent = member.name;
      return option;
    }),
  );
  const any = members.length > 0;
  state.list.hidden = !any;
  box.setAttribute("aria-expanded", String(any));
  state.status.textContent = any
    ? `${members.length} ${members.length === 1 ? "person" : "people"} to mention; arrows to choose, Enter to pick.`
    : "Nobody who can see this item matches.";
  if (any) highlight(box, 0);
}

async function suggest(box) {
  const state = listOf(box);
  const mention = typedMention(box);
  state.mention = mention;
  const url = box.closest("[data-mentions-url]")?.dataset.mentionsUrl;
  if (!mention || !url) {
    close(box);
    return;
  }
  const asked = ++state.asked;
  try {
    const response = await fetch(`${url}?q=${encodeURIComponent(mention.query)}`, {
      headers: { Accept: "application/json" },
    });
    if (!response.ok || asked !== state.asked) return;
    const { members } = await response.json();
    show(box, members);
  } catch {
    close(box);
  }
}

function pick(box, index) {
  const state = listOf(box);
  const member = state.members[index];
  const mention = state.mention;
  if (!member || !mention) return;
  const name = member.name.replace(/[[\]]/g, "");
  const written = `@[${name}](user:${member.user_id}) `;
  const end = box.selectionStart;
  box.setRangeText(written, mention.start, end, "end");
  close(box);
  box.focus();
}

document.addEventListener("input", (event) => {
  const box = event.target;
  if (box instanceof HTMLTextAreaElement && box.classList.contains("mention-input")) suggest(box);
});

document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || !box.classList.contains("mention-input")) return;
  const state = lists.get(box);
  if (!state || state.list.hidden) return;
  const count = state.members.length;
  if (event.key === "ArrowDown") {
    event.preventDefault();
    highlight(box, (state.active + 1) % count);
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    highlight(box, (state.active - 1 + count) % count);
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    pick(box, state.active);
  } else if (event.key === "Escape") {
    event.preventDefault();
    close(box);
  }
});

document.addEventListener("focusout", (event) => {
  const box = event.target;
  if (box instanceof HTMLTextAreaElement && box.classList.contains("mention-input")) close(box);
});

// Words being written in the new-comment box survive another change swapping the section
// (Edit, Cancel, Delete, saving an edit); only posting them clears the box.
let draft = "";
document.addEventListener("htmx:beforeSwap", (event) => {
  if (!(event.detail.target instanceof HTMLElement) || event.detail.target.id !== "comments") return;
  const box = document.getElementById("comment-body");
  const posting = event.detail.requestConfig?.elt?.closest?.(".comment-new");
  draft = box && !posting ? box.value : "";
});

// After htmx swaps the section in, the keyboard stays where the work is: in a comment being
// changed, or in a box whose words were refused.
document.addEventListener("htmx:load", (event) => {
  const section = event.detail.elt;
  if (!(section instanceof HTMLElement) || section.id !== "comments") return;
  const box = section.querySelector("#comment-body");
  if (draft && box && !box.value) box.value = draft;
  draft = "";
  section.querySelector("textarea[aria-invalid=true], #comment-edit-body")?.focus();
});
