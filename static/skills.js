// Tag fields: Enter in a field's add box adds the chip (the field's Add button) instead of
// saving the whole form. After the swap htmx puts the focus back in the add box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  const box = event.target.closest?.(".tag-add input");
  if (!box) return;
  event.preventDefault();
  box.closest(".tag-field")?.querySelector("[data-add]")?.click();
});
