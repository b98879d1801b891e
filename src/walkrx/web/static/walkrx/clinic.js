// Optional enhancements for clinician pages; every form works without this file.
(function () {
  "use strict";
  // Start page: show only the amount fields of the chosen target kind.
  var choices = document.querySelectorAll(".target-choice");
  function sync() {
    choices.forEach(function (choice) {
      var radio = choice.querySelector("input[type=radio]");
      var fields = choice.querySelector(".target-fields");
      if (radio && fields) { fields.hidden = !radio.checked; }
    });
  }
  choices.forEach(function (choice) {
    var radio = choice.querySelector("input[type=radio]");
    if (radio) { radio.addEventListener("change", sync); }
  });
  if (choices.length) { sync(); }
})();
