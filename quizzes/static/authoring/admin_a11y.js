// Accessible names that Django's admin markup leaves out (WCAG 4.1.2, axe "label",
// "aria-prohibited-attr"). The project's own inlines name their inputs from the forms'
// widgets (quizzes/authoring/forms.py); this covers the markup the admin's scripts build
// and the other tabular inlines.
(function () {
  "use strict";

  // SelectFilter2.js (the two-box many-to-many widget) puts aria-label on a plain <span>,
  // which ARIA prohibits; role="img" makes it valid, and it still names the filter box.
  function nameFilterIcons(root) {
    root.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  }

  function labelText(element) {
    if (!element) return "";
    const label = element.id && document.querySelector(`label[for="${element.id}"]`);
    return (element.getAttribute("aria-label") || (label && label.textContent) || "").trim();
  }

  // select2 (the autocomplete widget): its search box has no name; take the select's.
  function nameAutocompleteSearches(root) {
    root.querySelectorAll(".select2-container").forEach((container) => {
      const select = container.previousElementSibling;
      const name = labelText(select);
      container.querySelectorAll(".select2-search__field:not([aria-label])").forEach((field) => {
        if (name) field.setAttribute("aria-label", name.replace(/:$/, ""));
      });
      // Its "clear" button sits among the chosen items' <li>s (axe "list").
      container.querySelectorAll("ul > span.select2-selection__clear:not([role])").forEach((clear) => {
        clear.setAttribute("role", "listitem");
      });
    });
  }

  // Tabular inlines: the column header is no <label>; name each input after its column.
  function nameTabularInputs(root) {
    root.querySelectorAll(".tabular table").forEach((table) => {
      const headers = table.querySelectorAll("thead th");
      table.querySelectorAll("tbody td :is(input, select, textarea)").forEach((input) => {
        if (input.type === "hidden" || input.hasAttribute("aria-label") || input.labels?.length) {
          return;
        }
        const header = headers[input.closest("td").cellIndex];
        const name = header && header.textContent.trim();
        if (name) input.setAttribute("aria-label", name);
      });
    });
  }

  function fix() {
    nameFilterIcons(document);
    nameAutocompleteSearches(document);
    nameTabularInputs(document);
  }

  // The widgets are built on the window's load event (and rows added later): watch the page.
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      fix();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  fix();
})();
