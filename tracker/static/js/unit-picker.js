// Unit pickers of the forms, and the owner filtered by the chosen unit (no inline script: CSP).
//
// <select name="owner_unit_id" data-unit-picker="one" data-picker="/pickers/units">…</select>
// <select name="co_unit_ids" multiple data-unit-picker="many" data-picker="/pickers/units">…</select>
// <select name="owner_user_id" data-owner-of="owner_unit_id" data-picker="/pickers/users">…</select>
//
// Without script each is a plain select (grouped by kind, by pinyin; a multiple select for the
// co-units). With it, a unit select becomes a text box that asks /pickers/units as one types:
// "one" shows the chosen unit in the box, "many" adds each chosen unit as a chip (× removes
// it). The select stays in the form, hidden, and is what is sent. When the owner unit
// changes, the owner select is filled with the people of that unit (/pickers/users?unit_id=).
(() => {
  "use strict";
  const WAIT_MS = 200;
  let counter = 0;

  async function ask(url) {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) return null;
      return await response.json();
    } catch (error) {
      return null;
    }
  }

  function setUp(select) {
    const many = select.dataset.unitPicker === "many";
    const box = document.createElement("div");
    box.className = "position-relative unit-picker";
    const chips = document.createElement("div");
    chips.className = "d-flex flex-wrap gap-1 mb-1 unit-chips";
    chips.setAttribute("aria-live", "polite");
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control";
    input.id = `${select.id}-search`;
    input.autocomplete = "off";
    input.maxLength = 100;
    input.placeholder = select.dataset.pickerPlaceholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    const list = document.createElement("ul");
    list.className = "dropdown-menu w-100 picker-list";
    list.id = `unit-picker-list-${++counter}`;
    list.setAttribute("role", "listbox");
    input.setAttribute("aria-controls", list.id);
    if (many) box.appendChild(chips);
    box.append(input, list);
    select.after(box);
    select.hidden = true;
    select.classList.add("d-none");
    const label = select.form && select.form.querySelector(`label[for="${select.id}"]`);
    if (label) label.htmlFor = input.id;
    if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");

    function optionOf(id) {
      return Array.from(select.options).find((option) => option.value === String(id));
    }

    function drawChips() {
      chips.replaceChildren();
      Array.from(select.selectedOptions).forEach((option) => {
        const chip = document.createElement("span");
        chip.className = "badge text-bg-secondary d-inline-flex align-items-center unit-chip";
        chip.dataset.id = option.value;
        chip.textContent = option.textContent;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-white ms-1";
        remove.setAttribute("aria-label", `${select.dataset.pickerRemove || "×"} ${option.textContent}`);
        remove.addEventListener("click", () => {
          option.selected = false;
          drawChips();
          select.dispatchEvent(new Event("change", { bubbles: true }));
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
    }

    function choose(id) {
      const option = optionOf(id);
      if (!option) return;
      option.selected = true;
      if (many) {
        input.value = "";
        drawChips();
      } else {
        input.value = option.textContent;
      }
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(items, more) {
      list.replaceChildren();
      let group = null;
      items.forEach((item, position) => {
        if (item.group && item.group !== group) {
          group = item.group;
          const heading = document.createElement("li");
          heading.className = "dropdown-header";
          heading.textContent = group;
          list.appendChild(heading);
        }
        const option = document.createElement("li");
        option.className = "dropdown-item";
        option.id = `${list.id}-${position}`;
        option.setAttribute("role", "option");
        option.dataset.id = String(item.id);
        option.textContent = item.label;
        const chosen = optionOf(item.id);
        if (many && chosen && chosen.selected) option.classList.add("disabled");
        list.appendChild(option);
      });
      if (!items.length || more) {
        const note = document.createElement("li");
        note.className = "dropdown-item-text small text-body-secondary";
        note.textContent = items.length ? (select.dataset.pickerMore || "…") : (select.dataset.pickerNone || "—");
        list.appendChild(note);
      }
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
    }

    let timer = null;
    let asked = 0;
    async function suggest() {
      const mine = ++asked;
      const url = new URL(select.dataset.picker, window.location.href);
      url.searchParams.set("q", input.value.trim());
      const answer = await ask(url);
      if (answer && mine === asked && document.activeElement === input) show(answer.items || [], answer.more);
    }

    input.addEventListener("input", () => {
      if (!many) select.value = "";
      clearTimeout(timer);
      timer = setTimeout(suggest, WAIT_MS);
    });
    input.addEventListener("focus", () => { if (!input.value) suggest(); });
    input.addEventListener("keydown", (event) => {
      const open = list.classList.contains("show");
      const all = Array.from(list.querySelectorAll("[role=option]:not(.disabled)"));
      const at = all.findIndex((option) => option.classList.contains("active"));
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && open && all.length) {
        event.preventDefault();
        const next = (at + (event.key === "ArrowDown" ? 1 : -1) + all.length) % all.length;
        all.forEach((option, position) => option.classList.toggle("active", position === next));
        input.setAttribute("aria-activedescendant", all[next].id);
      } else if (event.key === "Enter" && open) {
        event.preventDefault();  // never submit the form from the search box
        if (at >= 0) choose(all[at].dataset.id);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      event.preventDefault();
      if (option && !option.classList.contains("disabled")) choose(option.dataset.id);
    });
    input.addEventListener("blur", () => setTimeout(close, 150));

    if (many) drawChips();
    else if (select.value && select.selectedOptions[0]) input.value = select.selectedOptions[0].textContent;
  }

  function followUnit(owner) {
    const unit = owner.form && owner.form.elements.namedItem(owner.dataset.ownerOf);
    if (!unit) return;
    const none = owner.options[0] ? owner.options[0].cloneNode(true) : null;
    let asked = 0;
    unit.addEventListener("change", async () => {
      const mine = ++asked;
      const kept = owner.value;
      owner.replaceChildren();
      if (none) owner.appendChild(none.cloneNode(true));
      if (!unit.value) return;
      const url = new URL(owner.dataset.picker, window.location.href);
      url.searchParams.set("unit_id", unit.value);
      const answer = await ask(url);
      if (!answer || mine !== asked) return;
      (answer.items || []).forEach((item) => {
        const option = document.createElement("option");
        option.value = String(item.id);
        option.textContent = item.label;
        option.selected = option.value === kept;
        owner.appendChild(option);
      });
    });
  }

  document.querySelectorAll("select[data-unit-picker][data-picker]").forEach(setUp);
  document.querySelectorAll("select[data-owner-of][data-picker]").forEach(followUnit);
})();
