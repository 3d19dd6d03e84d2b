// Type-ahead pickers of the list filters (no inline script: CSP).
//
// <div class="position-relative">
//   <input type="search" name="unit" data-picker="/pickers/units" [data-picker-unit="unit_id"]>
//   <input type="hidden" name="unit_id">
// </div>
//
// As the user types, the text box asks its data-picker URL for the matches (?q=) and lists
// them; choosing one writes its id into the hidden field that follows the box. Typing again
// clears the id, and the server then resolves the typed name, as it does without script.
// data-picker-unit names another field of the form whose value narrows the matches (unit_id).
(() => {
  "use strict";
  const WAIT_MS = 200;
  let counter = 0;

  function setUp(input) {
    const box = input.parentElement;
    const hidden = box.querySelector("input[type=hidden]");
    if (!hidden) return;
    const list = document.createElement("ul");
    list.className = "dropdown-menu w-100 picker-list";
    list.id = `picker-list-${++counter}`;
    list.setAttribute("role", "listbox");
    box.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    let timer = null;
    let asked = 0;
    let active = -1;

    function options() {
      return Array.from(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, position) => {
        const on = position === active;
        option.classList.toggle("active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      input.value = option.dataset.label;
      hidden.value = option.dataset.id;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(items, more) {
      list.replaceChildren();
      items.forEach((item, position) => {
        const option = document.createElement("li");
        option.className = "dropdown-item";
        option.id = `${list.id}-${position}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.id = String(item.id);
        option.dataset.label = item.label;
        option.textContent = item.label;
        if (item.detail) {
          const detail = document.createElement("small");
          detail.className = "text-body-secondary ms-2";
          detail.textContent = item.detail;
          option.appendChild(detail);
        }
        list.appendChild(option);
      });
      const note = document.createElement("li");
      note.className = "dropdown-item-text small text-body-secondary";
      if (!items.length) {
        note.textContent = input.dataset.pickerNone || "—";
        list.appendChild(note);
      } else if (more) {
        note.textContent = input.dataset.pickerMore || "…";
        list.appendChild(note);
      }
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    async function ask() {
      const mine = ++asked;
      const url = new URL(input.dataset.picker, window.location.href);
      url.searchParams.set("q", input.value.trim());
      const unitField = input.dataset.pickerUnit && input.form
        ? input.form.elements.namedItem(input.dataset.pickerUnit) : null;
      if (unitField && unitField.value) url.searchParams.set("unit_id", unitField.value);
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        const type = response.headers.get("Content-Type") || "";
        if (!response.ok || !type.includes("application/json")) return close();
        const answer = await response.json();
        if (mine === asked && document.activeElement === input) show(answer.items || [], answer.more);
      } catch (error) {
        close();
      }
    }

    input.addEventListener("input", () => {
      hidden.value = "";  // the text no longer names the chosen row
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener("focus", () => {
      if (!input.value) ask();
    });
    input.addEventListener("keydown", (event) => {
      const open = list.classList.contains("show");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) { ask(); return; }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();  // keep the focus in the box
      choose(option);
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.querySelectorAll("input[data-picker]").forEach(setUp);
})();
