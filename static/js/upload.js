// Upload the loan tape with a progress bar; the server answers JSON (redirect or errors).
(function () {
  const form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest) return;
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const errorBox = document.getElementById("import-errors");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    bar.value = 0;
    status.textContent = form.dataset.uploading;
    form.querySelector("button[type=submit]").disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      form.querySelector("button[type=submit]").disabled = false;
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (body.redirect) { window.location.assign(body.redirect); return; }
      bar.hidden = true;
      status.textContent = "";
      const rows = (body.errors || []).map(function (e) {
        const tr = document.createElement("tr");
        [e.row || "", e.column || "", e.message].forEach(function (text) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.appendChild(td);
        });
        return tr;
      });
      const tbody = errorBox.querySelector("tbody");
      tbody.replaceChildren.apply(tbody, rows);
      errorBox.hidden = rows.length === 0;
      if (rows.length === 0) status.textContent = xhr.status + " " + xhr.statusText;
      errorBox.scrollIntoView({ behavior: "smooth" });
    });
    xhr.addEventListener("error", function () {
      form.querySelector("button[type=submit]").disabled = false;
      bar.hidden = true;
      status.textContent = form.dataset.networkError;
    });
    xhr.send(new FormData(form));
  });
})();
