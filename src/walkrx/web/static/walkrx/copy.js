/* Copy the calendar link with one press. Without JavaScript the link can be selected. */
(function () {
  "use strict";
  var source = document.querySelector("[data-copy-source]");
  var button = document.querySelector("[data-copy-button]");
  var status = document.querySelector("[data-copy-status]");
  if (!source || !button) { return; }
  button.hidden = false;
  source.addEventListener("focus", function () { source.select(); });
  button.addEventListener("click", function () {
    function done() { status.textContent = "Copied. Now paste it into your calendar app."; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(source.value).then(done, function () {
        source.select();
        status.textContent = "Press and hold the link to copy it.";
      });
    } else {
      source.select();
      try { document.execCommand("copy"); done(); } catch (e) {
        status.textContent = "Press and hold the link to copy it.";
      }
    }
  });
})();
