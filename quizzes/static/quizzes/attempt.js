// Autosave, countdown and submit confirmation for the attempt page.
// The page works without this file: Save and Submit are plain form posts.
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form || !form.dataset.saveUrl) {
    return;
  }
  var status = document.getElementById("save-status");
  var sequenceInput = form.querySelector("input[name=sequence]");
  var confirmInput = form.querySelector("input[name=confirm]");
  var submitButton = document.getElementById("submit-attempt");
  var dialog = document.getElementById("confirm-submit");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var inFlight = null;
  var dirty = false;
  var stopped = false;
  var submitting = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    if (stopped) {
      return Promise.resolve(false);
    }
    if (inFlight) {
      // Save again once the current request is back, with its new sequence.
      return inFlight.then(save);
    }
    dirty = false;
    var body = new FormData(form);
    body.delete("confirm");
    say("Saving…");
    inFlight = fetch(form.dataset.saveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      })
      .then(function (result) {
        inFlight = null;
        if (result.ok) {
          sequenceInput.value = result.data.sequence;
          say("All answers saved at " + new Date().toLocaleTimeString() + ".");
          return true;
        }
        stopped = true;
        if (result.data.closed && result.data.result_url) {
          window.location.assign(result.data.result_url);
          return false;
        }
        say(result.data.error || "Your answers could not be saved.");
        if (status) {
          status.classList.add("text-danger");
        }
        return false;
      })
      .catch(function () {
        inFlight = null;
        dirty = true;
        say("Not saved: the connection was lost. Retrying…");
        schedule(5000);
        return false;
      });
    return inFlight;
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  // With this script, Save stores the answers in place (no page load, no stale sequence).
  var saveButton = form.querySelector("button[value=save]");
  if (saveButton) {
    saveButton.addEventListener("click", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      save();
    });
  }

  form.addEventListener("submit", function () {
    submitting = true;
  });

  form.addEventListener("change", function () {
    dirty = true;
    schedule(600);
  });

  // Written answers save while typing, a couple of seconds after the last key.
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      dirty = true;
      schedule(2000);
      refreshNavigator();
    }
  });

  // A question is answered once a choice is checked or its written answer is not blank.
  function isAnswered(fieldset) {
    var text = fieldset.querySelector("textarea");
    if (text) {
      return text.value.trim() !== "";
    }
    return !!fieldset.querySelector("input:checked");
  }

  // Unanswered question numbers across all pages: this page's from its inputs,
  // the other pages' from the navigator (as saved on the server).
  function unansweredNumbers() {
    var numbers = [];
    var onPage = {};
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      onPage[fieldset.dataset.question] = true;
      if (!isAnswered(fieldset)) {
        numbers.push(parseInt(fieldset.dataset.number, 10));
      }
    });
    form.querySelectorAll("[data-nav-question]").forEach(function (item) {
      if (!onPage[item.dataset.navQuestion] && item.dataset.answered !== "1") {
        numbers.push(parseInt(item.dataset.navNumber, 10));
      }
    });
    return numbers.sort(function (a, b) { return a - b; });
  }

  // Keep the page navigator in step with this page's inputs.
  function refreshNavigator() {
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      var item = form.querySelector('[data-nav-question="' + fieldset.dataset.question + '"]');
      if (!item) {
        return;
      }
      var answered = isAnswered(fieldset);
      item.dataset.answered = answered ? "1" : "0";
      item.classList.toggle("btn-secondary", answered);
      item.classList.toggle("btn-outline-secondary", !answered);
      item.setAttribute(
        "aria-label",
        item.getAttribute("aria-label").replace(/unanswered|answered/, answered ? "answered" : "unanswered")
      );
    });
  }
  form.addEventListener("change", refreshNavigator);

  // Previous, Next and the navigator save this page, then open theirs. Wait for
  // an autosave in flight first, so the page posts the latest sequence.
  form.querySelectorAll("button[data-goto]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (submitting) {
        return;
      }
      submitting = true;
      stopped = true;
      window.clearTimeout(timer);
      var ready = inFlight || Promise.resolve(true);
      ready.then(function () {
        var goto = document.createElement("input");
        goto.type = "hidden";
        goto.name = "goto";
        goto.value = button.value;
        form.appendChild(goto);
        form.action = form.dataset.saveUrl;
        form.submit();
      });
    });
  });

  function submitNow() {
    submitting = true;
    stopped = true;
    window.clearTimeout(timer);
    var ready = inFlight || Promise.resolve(true);
    ready.then(function () {
      confirmInput.value = "1";
      form.action = submitButton.getAttribute("formaction");
      form.submit();
    });
  }

  if (submitButton) {
    submitButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (submitting) {
        return;
      }
      var numbers = unansweredNumbers();
      var missing = numbers.length;
      if (missing && dialog && typeof dialog.showModal === "function") {
        document.getElementById("confirm-unanswered").textContent =
          missing === 1 ? "1 question is unanswered." : missing + " questions are unanswered.";
        var list = document.getElementById("confirm-unanswered-list");
        if (list) {
          list.textContent = "Unanswered: question" + (missing === 1 ? " " : "s ") + numbers.join(", ") + ".";
        }
        dialog.showModal();
        return;
      }
      if (missing && !window.confirm(missing + " unanswered. Submit anyway?")) {
        return;
      }
      submitNow();
    });
  }
  if (dialog) {
    document.getElementById("confirm-submit-yes").addEventListener("click", function () {
      dialog.close();
      submitNow();
    });
    document.getElementById("confirm-submit-no").addEventListener("click", function () {
      dialog.close();
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      save();
      event.preventDefault();
    }
  });

  // Countdown: the server sent the seconds left; the server also enforces them.
  var countdown = document.getElementById("quiz-countdown");
  if (countdown) {
    var endsAt = Date.now() + parseInt(countdown.dataset.remainingSeconds, 10) * 1000;
    var box = countdown.closest(".quiz-timer");
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 60 && box) {
        box.classList.add("quiz-timer-low");
      }
      if (left === 0) {
        window.clearInterval(interval);
        if (!submitting) {
          submitNow();
        }
      }
    };
    var interval = window.setInterval(tick, 1000);
    tick();
  }
})();
