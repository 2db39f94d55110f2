// Immediate-feedback practice: Check and Try again without reloading the page.
// The page works without this file: each button is a plain form post that comes back
// to the question's anchor. With it, the question's card is replaced in place by the
// server's rendering, the outcome is announced and focus moves to the feedback.
(function () {
  "use strict";

  var round = document.getElementById("practice-round");
  if (!round) {
    return;
  }
  var status = document.getElementById("practice-status");
  var checkedCount = document.getElementById("practice-checked-count");
  var busy = false;

  function announce(text) {
    if (status) {
      status.textContent = "";
      // A fresh text node is announced even when the words repeat.
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }
  }

  function showError(form, text) {
    var slot = form.querySelector(".practice-error");
    if (slot) {
      slot.textContent = text;
    } else {
      announce(text);
    }
  }

  function replaceCard(card, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    card.replaceWith(fresh);
    return fresh;
  }

  round.addEventListener("submit", function (event) {
    var form = event.target;
    var isCheck = form.classList.contains("practice-check");
    if (!isCheck && !form.classList.contains("practice-retry")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return; // a double click sends one request
    }
    busy = true;
    var card = form.closest(".practice-question");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        busy = false;
        if (!result.ok) {
          if (result.data.closed && result.data.result_url) {
            window.location.assign(result.data.result_url);
            return;
          }
          showError(form, result.data.error || "Not checked. Reload the page and try again.");
          return;
        }
        var fresh = replaceCard(card, result.data.html);
        if (checkedCount) {
          checkedCount.textContent = result.data.checked_count;
        }
        var number = result.data.number;
        if (result.data.checked) {
          announce("Question " + number + ": " + (result.data.correct ? "correct." : "not right."));
          var feedback = fresh.querySelector(".practice-feedback");
          if (feedback) {
            feedback.focus();
          }
        } else {
          announce("Question " + number + ": choose your answer again and press Check.");
          var first = fresh.querySelector("input.form-check-input");
          if (first) {
            first.focus();
          }
        }
      })
      .catch(function () {
        busy = false;
        showError(form, "No connection: your answer was not checked. Try again in a moment.");
      });
  });
})();
