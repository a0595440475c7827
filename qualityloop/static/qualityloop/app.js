// What htmx leaves unsaid: a refused or failed request must not look like nothing happened.
(function () {
  "use strict";

  function say(message) {
    var main = document.querySelector("main.page");
    if (!main || !message) return;
    var box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-error";
      box.className = "alert error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = message;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var texts = document.body.dataset;
    if (status === 403) say(texts.errorForbidden);
    else if (status === 404) say(texts.errorMissing);
    else say(texts.errorServer);
  });

  document.addEventListener("htmx:sendError", function () {
    say(document.body.dataset.errorNetwork);
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.remove();
  });
})();
