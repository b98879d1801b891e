/* walkrx walk timer: Start stores the start time on this phone, so the timer survives
   reloads and a locked screen; Stop fills the walk form. Without JavaScript the form on
   the page works on its own. */
(function () {
  "use strict";
  var RUNNING = "walkrx.walkTimer.startedAt";
  var STOPPED = "walkrx.walkTimer.stopped";
  var MAX_MS = 12 * 60 * 60 * 1000;

  var root = document.querySelector("[data-timer]");
  var form = document.querySelector("[data-walk-form]");
  if (!root || !form) { return; }
  var storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(RUNNING);
  } catch (e) {
    storage = null;
  }
  if (!storage) { return; }

  var display = root.querySelector("[data-timer-display]");
  var status = root.querySelector("[data-timer-status]");
  var startButton = root.querySelector("[data-timer-start]");
  var stopButton = root.querySelector("[data-timer-stop]");
  var cancelButton = root.querySelector("[data-timer-cancel]");
  var orLine = root.querySelector("[data-timer-or]");
  var minutesInput = form.querySelector("[name=minutes]");
  var sourceInput = form.querySelector("[data-timer-source]");
  var startedInput = form.querySelector("[data-timer-started]");
  var dayInput = form.querySelector("[data-walk-day]");
  var timeInput = form.querySelector("[data-walk-time]");
  var ticker = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function runningSince() {
    var value = parseInt(storage.getItem(RUNNING), 10);
    return isFinite(value) && value > 0 ? value : null;
  }

  function elapsedText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }

  function isoDay(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function fillForm(startMs, minutes) {
    var start = new Date(startMs);
    minutesInput.value = String(minutes);
    sourceInput.value = "timer";
    startedInput.value = String(startMs);
    if (dayInput) {
      for (var i = 0; i < dayInput.options.length; i++) {
        if (dayInput.options[i].value === isoDay(start)) { dayInput.selectedIndex = i; }
      }
    }
    if (timeInput) { timeInput.value = pad(start.getHours()) + ":" + pad(start.getMinutes()); }
    status.textContent = "Your walk: " + minutes + " minute" + (minutes === 1 ? "" : "s") +
      ". Now choose your pain before and after, then press \u201cSave my walk\u201d.";
  }

  function render() {
    var since = runningSince();
    var walking = since !== null;
    startButton.hidden = walking;
    stopButton.hidden = !walking;
    cancelButton.hidden = !walking;
    orLine.hidden = walking;
    root.classList.toggle("running", walking);
    if (walking) {
      display.textContent = elapsedText(Date.now() - since);
    }
  }

  function start() {
    storage.removeItem(STOPPED);
    storage.setItem(RUNNING, String(Date.now()));
    status.textContent = "You are walking. Enjoy it! Press \u201cStop my walk\u201d when you are back.";
    render();
    ticker = window.setInterval(render, 1000);
  }

  function stop() {
    var since = runningSince();
    window.clearInterval(ticker);
    storage.removeItem(RUNNING);
    if (since === null) { render(); return; }
    var minutes = Math.max(1, Math.round((Date.now() - since) / 60000));
    storage.setItem(STOPPED, JSON.stringify({ start: since, minutes: minutes }));
    display.textContent = elapsedText(Date.now() - since);
    render();
    fillForm(since, minutes);
    minutesInput.scrollIntoView({ block: "center" });
    minutesInput.focus({ preventScroll: true });
  }

  function cancel() {
    if (!window.confirm("Cancel the timer? This walk will not be saved.")) { return; }
    window.clearInterval(ticker);
    storage.removeItem(RUNNING);
    display.textContent = "0:00";
    status.textContent = "Timer cancelled. Press Start when you set off.";
    render();
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  cancelButton.addEventListener("click", cancel);
  form.addEventListener("submit", function () { storage.removeItem(STOPPED); });

  root.hidden = false;
  var since = runningSince();
  if (since !== null && Date.now() - since > MAX_MS) {
    storage.removeItem(RUNNING);
    status.textContent = "The timer was left running for a long time, so it has been reset. " +
      "You can enter your walk below.";
    since = null;
  }
  if (since !== null) {
    status.textContent = "You are walking. Press \u201cStop my walk\u201d when you are back.";
    ticker = window.setInterval(render, 1000);
  } else if (!minutesInput.value) {
    try {
      var stopped = JSON.parse(storage.getItem(STOPPED) || "null");
      if (stopped && stopped.start && stopped.minutes && Date.now() - stopped.start < MAX_MS) {
        fillForm(stopped.start, stopped.minutes);
      }
    } catch (e) {
      storage.removeItem(STOPPED);
    }
  }
  render();
})();
