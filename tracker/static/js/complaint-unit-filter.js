// Filter the unit picker of the complaint form by what is typed (no inline script: CSP).
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-filter-select]");
  if (!box) return;
  const select = document.getElementById(box.dataset.filterSelect);
  if (!select) return;
  const needle = box.value.trim().toLowerCase();
  let first = null;
  for (const option of select.options) {
    const keep = option.value === "0" || option.value === "" || option.text.toLowerCase().includes(needle);
    option.hidden = !keep;
    if (keep && option.value !== "0" && first === null) first = option;
  }
  if (needle && first && select.selectedOptions.length && select.selectedOptions[0].hidden) {
    select.value = first.value;
  }
});
// Fill the reply text from a chosen template.
document.addEventListener("change", (event) => {
  const picker = event.target.closest("[data-template-target]");
  if (!picker) return;
  const option = picker.selectedOptions[0];
  const target = document.getElementById(picker.dataset.templateTarget);
  if (option && option.dataset.body && target) target.value = option.dataset.body;
});
