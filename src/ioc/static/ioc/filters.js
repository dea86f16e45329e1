/* The shared area and period filters: a chosen period reloads the page at once; "custom"
   shows two dates and waits for Apply. Only the active inputs are sent, so the URL stays
   short and shareable. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-custom-toggle]").forEach(function (select) {
      var custom = document.getElementById(select.dataset.customToggle);
      select.addEventListener("change", function () {
        var isCustom = select.value === "custom";
        custom.hidden = !isCustom;
        custom.querySelectorAll("input").forEach(function (input) { input.disabled = !isCustom; });
        select.disabled = isCustom;
        if (!isCustom) select.form.requestSubmit();
      });
      if (select.value === "custom") select.disabled = true;
    });
  });
})();
