/* Staff pages of the field reports: tick all rows of the queue; fill an answer from a
   template. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-check-all]")) {
      document.querySelectorAll("input[name=reports]").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-answer-template]")) {
      var option = target.options[target.selectedIndex];
      var textarea = target.form.querySelector("textarea");
      if (option && option.dataset.text && textarea) textarea.value = option.dataset.text;
    }
  });
})();
