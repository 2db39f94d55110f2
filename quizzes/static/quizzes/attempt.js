// Autosave, merging with other tabs, the answered count, countdown and submit confirmation.
// The page works without this file: Save and Submit are plain form posts, and the server
// merges them per question the same way (each question's hidden base-<id> field holds the
// answer the page last knew the server had).
//
// When it saves: a changed answer within data-save-within seconds of the first unsaved
// change (one request carries every answer changed meanwhile); at once when the page is
// hidden or left (a beacon, which outlives the page); never separately before Submit,
// Previous or Next, whose form posts carry the answers themselves. bench/locustfile.py's
// whole-quiz step sends what this rule sends.
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
  var banner = document.getElementById("save-conflict");
  var answeredCount = document.getElementById("answered-count");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var saveWithin = (parseInt(form.dataset.saveWithin, 10) || 30) * 1000;
  var timer = null;
  var inFlight = null;
  var inFlightSent = null;
  var beaconSent = false;
  var dirty = false;
  var stopped = false;
  var submitting = false;

  function clock(date) {
    if (window.siteTime) {
      return window.siteTime.formatTime(date);
    }
    return (date.getHours() < 10 ? "0" : "") + date.getHours() + ":" +
      (date.getMinutes() < 10 ? "0" : "") + date.getMinutes();
  }

  function say(text, isError) {
    if (status) {
      status.textContent = text;
      status.classList.toggle("text-danger", !!isError);
    }
  }

  function fieldsets() {
    return Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]"));
  }

  function fieldsetFor(questionId) {
    return form.querySelector('fieldset[data-question="' + questionId + '"]');
  }

  // The answer a question's inputs hold, in the form its base is written: the text of a
  // written answer, else the checked positions joined by commas.
  function valueIn(fieldset, body) {
    var name = "q-" + fieldset.dataset.question;
    if (fieldset.querySelector("textarea")) {
      return (body.get(name) || "").replace(/\r\n?/g, "\n");
    }
    return body.getAll(name)
      .map(function (v) { return parseInt(v, 10); })
      .sort(function (a, b) { return a - b; })
      .join(",");
  }

  function baseInput(fieldset) {
    return form.querySelector('input[data-base-for="' + fieldset.dataset.question + '"]');
  }

  // Put the server's answer for one question back into its inputs, and make it the base.
  function showStored(answer) {
    var fieldset = fieldsetFor(answer.question);
    if (!fieldset) {
      return null;
    }
    var text = fieldset.querySelector("textarea");
    if (text) {
      text.value = answer.text;
      baseInput(fieldset).value = answer.text;
    } else {
      fieldset.querySelectorAll("input.form-check-input").forEach(function (input) {
        input.checked = answer.positions.indexOf(parseInt(input.value, 10)) !== -1;
      });
      baseInput(fieldset).value = answer.positions.join(",");
    }
    return fieldset;
  }

  function focusQuestion(fieldset) {
    if (!fieldset) {
      return;
    }
    fieldset.scrollIntoView({ block: "start" });
    // A radio group's tab stop is its checked radio: focus that one, else the first input.
    var first = fieldset.querySelector("input.form-check-input:checked") ||
      fieldset.querySelector("input.form-check-input, textarea");
    (first || fieldset).focus();
  }

  function questionLink(number, questionId) {
    var link = document.createElement("a");
    link.href = "#question-" + questionId;
    link.textContent = "Question " + number;
    link.dataset.jump = questionId;
    return link;
  }

  function showConflict(data) {
    var links = document.getElementById("save-conflict-links");
    links.textContent = "";
    (data.conflicts || []).forEach(function (answer) {
      var fieldset = showStored(answer);
      if (fieldset) {
        fieldset.classList.add("quiz-question-conflict");
      }
      var item = document.createElement("li");
      item.appendChild(questionLink(answer.number, answer.question));
      item.appendChild(document.createTextNode(": now shows the answer saved from the other tab."));
      links.appendChild(item);
    });
    (data.changed_elsewhere || []).forEach(showStored);
    document.getElementById("save-conflict-message").textContent = data.error;
    document.getElementById("save-conflict-saved").textContent = data.others_saved
      ? "Your other answers on this page are saved (at " + clock(new Date()) + ")."
      : "No other answer on this page needed saving.";
    banner.hidden = false;
    banner.focus();
    refreshNavigator();
  }

  // Save the page. Resolves to "saved", "conflict", "closed", "error" or "offline".
  function save() {
    if (stopped) {
      return Promise.resolve("error");
    }
    if (inFlight) {
      // Save again once the current request is back, with its new sequence and bases.
      return inFlight.then(save);
    }
    dirty = false;
    unschedule();
    var body = new FormData(form);
    body.delete("confirm");
    var sent = {};
    fieldsets().forEach(function (fieldset) {
      sent[fieldset.dataset.question] = valueIn(fieldset, body);
    });
    // As a plain form sends it (application/x-www-form-urlencoded): the form has no
    // file, and the server reads this far more cheaply than multipart.
    var encoded = new URLSearchParams(body);
    say("Saving…");
    inFlightSent = sent;
    inFlight = fetch(form.dataset.saveUrl, {
      method: "POST",
      body: encoded,
      credentials: "same-origin",
      // Kept alive, the request still reaches the server if the page closes meanwhile
      // (browsers allow 64 KB of such requests at once).
      keepalive: encoded.toString().length < 48000,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      })
      .then(function (result) {
        inFlight = null;
        inFlightSent = null;
        var data = result.data;
        if (result.ok || data.conflicts) {
          sequenceInput.value = data.sequence;
          // What was sent is now what the server holds (conflicts are put right below).
          fieldsets().forEach(function (fieldset) {
            baseInput(fieldset).value = sent[fieldset.dataset.question];
          });
        }
        if (result.ok) {
          (data.changed_elsewhere || []).forEach(showStored);
          refreshNavigator();
          var note = (data.changed_elsewhere || []).length
            ? " Answers changed in another tab are shown here too."
            : "";
          say("All answers saved at " + clock(new Date()) + "." + note);
          return "saved";
        }
        if (data.conflicts) {
          showConflict(data);
          say("Some answers were not saved: see the message at the top of the page.", true);
          return "conflict";
        }
        stopped = true;
        if (data.closed && data.result_url) {
          window.location.assign(data.result_url);
          return "closed";
        }
        say(data.error || "Your answers could not be saved.", true);
        return "error";
      })
      .catch(function () {
        inFlight = null;
        inFlightSent = null;
        dirty = true;
        say("Not saved: the connection was lost. Retrying…", true);
        schedule(5000);
        return "offline";
      });
    return inFlight;
  }

  // Save no later than delay from now; an earlier save already planned stands.
  function schedule(delay) {
    if (timer === null) {
      timer = window.setTimeout(function () {
        timer = null;
        save();
      }, delay);
    }
  }

  function unschedule() {
    window.clearTimeout(timer);
    timer = null;
  }

  function changed() {
    if (!dirty && !inFlight) {
      say("Not saved yet: changes are saved within " + saveWithin / 1000 +
        " seconds, and at once if you leave this page or submit.");
    }
    dirty = true;
    schedule(saveWithin);
  }

  // The page is being left or closed: hand its answers to the browser to deliver
  // (sendBeacon outlives the page; no answer comes back). Bases are what the server
  // holds once a save still in flight lands. False if the browser refused to send it.
  function beacon() {
    if (!dirty || submitting || stopped || !navigator.sendBeacon) {
      return !dirty || submitting || stopped;
    }
    var body = new FormData(form);
    body.delete("confirm");
    body.set("background", "1");
    if (inFlightSent) {
      Object.keys(inFlightSent).forEach(function (question) {
        body.set("base-" + question, inFlightSent[question]);
      });
    }
    if (!navigator.sendBeacon(form.dataset.saveUrl, new URLSearchParams(body))) {
      return false;
    }
    dirty = false;
    beaconSent = true;
    unschedule();
    return true;
  }

  // With this script, Save stores the answers in place (no page load).
  var saveButton = form.querySelector("button[value=save]");
  if (saveButton) {
    saveButton.addEventListener("click", function (event) {
      event.preventDefault();
      save();
    });
  }

  form.addEventListener("submit", function () {
    submitting = true;
  });

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) {
      fieldset.classList.remove("quiz-question-conflict");
    }
    changed();
  });

  // Written answers save while typing, on the same clock.
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      changed();
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

  // Unanswered questions across all pages: this page's from its inputs, the other
  // pages' from the navigator (as saved on the server). Each as {number, id}.
  function unanswered() {
    var found = [];
    var onPage = {};
    fieldsets().forEach(function (fieldset) {
      onPage[fieldset.dataset.question] = true;
      if (!isAnswered(fieldset)) {
        found.push({ number: parseInt(fieldset.dataset.number, 10), id: fieldset.dataset.question });
      }
    });
    form.querySelectorAll("[data-nav-question]").forEach(function (item) {
      if (!onPage[item.dataset.navQuestion] && item.dataset.answered !== "1") {
        found.push({ number: parseInt(item.dataset.navNumber, 10), id: item.dataset.navQuestion });
      }
    });
    return found.sort(function (a, b) { return a.number - b.number; });
  }

  // Keep the page navigator and the answered count in step with this page's inputs.
  function refreshNavigator() {
    fieldsets().forEach(function (fieldset) {
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
    if (answeredCount) {
      var total = parseInt(answeredCount.dataset.total, 10);
      var text = (total - unanswered().length) + " of " + total + " answered";
      if (answeredCount.textContent !== text) {
        answeredCount.textContent = text;
      }
    }
  }
  form.addEventListener("change", refreshNavigator);

  // Question links (the list at the top, the conflict message, the submit dialog) move the
  // keyboard focus to the question, not only the view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-jump], a[data-jump-submit]");
    if (!link) {
      return;
    }
    if (link.hasAttribute("data-jump-submit")) {
      event.preventDefault();
      submitButton.scrollIntoView({ block: "center" });
      submitButton.focus();
      return;
    }
    var fieldset = fieldsetFor(link.dataset.jump);
    if (dialog && dialog.open) {
      dialog.close();
    }
    if (fieldset) {
      event.preventDefault();
      focusQuestion(fieldset);
      return;
    }
    // A question on another page: save this one and open that page, like the navigator.
    var button = form.querySelector('[data-nav-question="' + link.dataset.jump + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // Previous, Next and the navigator save this page, then open theirs. Wait for
  // an autosave in flight first, so the page posts the latest sequence and bases.
  form.querySelectorAll("button[data-goto]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (submitting) {
        return;
      }
      submitting = true;
      stopped = true;
      unschedule();
      var ready = inFlight || Promise.resolve("saved");
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

  // The form post carries every answer on the page, merged per question like a save (a
  // conflict with another tab answers with the page naming the questions, not a result).
  // A save still in flight lands first, so the form posts the latest sequence and bases.
  function submitNow() {
    submitting = true;
    unschedule();
    (inFlight || Promise.resolve("saved")).then(function (outcome) {
      if (outcome === "conflict" || outcome === "closed") {
        submitting = false;
        return;
      }
      stopped = true;
      confirmInput.value = "1";
      form.action = submitButton.getAttribute("formaction");
      form.submit();
    });
  }

  function showUnanswered(found) {
    var missing = found.length;
    document.getElementById("confirm-unanswered").textContent =
      missing === 1 ? "1 question is unanswered." : missing + " questions are unanswered.";
    var list = document.getElementById("confirm-unanswered-list");
    list.textContent = missing === 1 ? "Unanswered: question " : "Unanswered: questions ";
    found.forEach(function (question, index) {
      if (index) {
        list.appendChild(document.createTextNode(", "));
      }
      var link = questionLink(question.number, question.id);
      link.textContent = String(question.number);
      link.setAttribute("aria-label", "Go to question " + question.number);
      list.appendChild(link);
    });
    list.appendChild(document.createTextNode("."));
    dialog.showModal();
    // Enter on an open dialog must never submit an incomplete attempt.
    document.getElementById("confirm-submit-no").focus();
  }

  if (submitButton) {
    submitButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (submitting) {
        return;
      }
      var found = unanswered();
      if (found.length && dialog && typeof dialog.showModal === "function") {
        showUnanswered(found);
        return;
      }
      if (found.length && !window.confirm(found.length + " unanswered. Submit anyway?")) {
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
      submitButton.focus();
    });
  }

  // Leaving: the beacon carries the answers; only if the browser would not send it does
  // the page ask before it goes.
  window.addEventListener("beforeunload", function (event) {
    if (!beacon()) {
      event.preventDefault();
    }
  });
  window.addEventListener("pagehide", beacon);
  // Hidden (another tab, another app, a phone locked) may be the page's last moment.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !submitting && !stopped) {
      save();
    }
  });
  // Back from the browser's page cache after a beacon: show what the server holds now.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && beaconSent) {
      window.location.reload();
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
  refreshNavigator();
})();
