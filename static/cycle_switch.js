// The cycle switcher of the tree, board and gantt: choosing a cycle shows it at once (the
// form's own button does the same without this script). Delegated, so a switcher htmx swaps
// in (the gantt's) works too.
document.body.addEventListener("change", (event) => {
  const select = event.target.closest?.("select[data-auto-submit]");
  if (select?.form) select.form.requestSubmit();
});
