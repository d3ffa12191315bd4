// Progressive enhancement only: every page works without it.
"use strict";

var MESSAGES = {
  valueMissing: "Vui lòng nhập thông tin này.",
  typeMismatchEmail: "Địa chỉ thư điện tử không hợp lệ.",
  typeMismatch: "Giá trị không hợp lệ.",
  tooShort: "Giá trị quá ngắn.",
  tooLong: "Giá trị quá dài.",
  patternMismatch: "Giá trị không đúng định dạng.",
  rangeUnderflow: "Giá trị quá nhỏ.",
  rangeOverflow: "Giá trị quá lớn.",
  badInput: "Giá trị không hợp lệ.",
  notSame: "Mật khẩu nhập lại không khớp."
};

function messageFor(input, form) {
  var v = input.validity;
  var required = input.required || input.hasAttribute("data-required");
  var submitting = form.dataset.submitting === "submit" || input.required;
  if (required && submitting && !input.value && input.type !== "checkbox") return MESSAGES.valueMissing;
  if (v.typeMismatch) return input.type === "email" ? MESSAGES.typeMismatchEmail : MESSAGES.typeMismatch;
  if (v.patternMismatch || v.tooShort) return input.dataset.msg || MESSAGES.patternMismatch;
  if (v.tooLong) return MESSAGES.tooLong;
  if (v.rangeUnderflow) return MESSAGES.rangeUnderflow;
  if (v.rangeOverflow) return MESSAGES.rangeOverflow;
  if (v.badInput) return MESSAGES.badInput;
  if (input.dataset.same) {
    var other = form.querySelector('[name="' + input.dataset.same + '"]');
    if (other && other.value !== input.value) return MESSAGES.notSame;
  }
  return "";
}

function showError(form, input, text) {
  var slot = form.querySelector('[data-error-for="' + input.name + '"]') ||
             form.querySelector('[data-error-for="' + input.id + '"]');
  if (slot) slot.textContent = text;
  input.classList.toggle("invalid", !!text);
  input.setAttribute("aria-invalid", text ? "true" : "false");
}

function validate(form) {
  var first = null;
  Array.prototype.forEach.call(form.querySelectorAll("input, select, textarea"), function (input) {
    if (!input.name || input.type === "hidden") return;
    var text = messageFor(input, form);
    showError(form, input, text);
    if (text && !first) first = input;
  });
  if (first) first.focus();
  return !first;
}

document.addEventListener("click", function (event) {
  var button = event.target.closest("button[name=action]");
  if (!button) return;
  var form = button.form;
  if (form) form.dataset.submitting = button.value;
});

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.hasAttribute("data-validate") && !validate(form)) {
    event.preventDefault();
  } else if (form.hasAttribute("data-upload")) {
    upload(event, form);
  } else if (form.hasAttribute("data-wallet")) {
    cite(event, form);
  }
  if (form.dataset) form.dataset.submitting = "";
});

function upload(event, form) {
  var input = form.querySelector("input[type=file]");
  var message = form.querySelector(".upload-msg");
  var bar = form.querySelector("progress");
  if (!input || !window.FormData || !window.XMLHttpRequest) return;
  event.preventDefault();
  var file = input.files[0];
  if (!file) { message.textContent = "Vui lòng chọn tệp."; return; }
  if (file.size > Number(input.dataset.max || 10485760)) {
    message.textContent = "Tệp vượt quá dung lượng cho phép (10 MB)."; return;
  }
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  bar.hidden = false; bar.value = 0; message.textContent = "Đang tải lên…";
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); message.textContent = "Đang tải lên " + bar.value + "%"; }
  });
  xhr.addEventListener("load", function () {
    var body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
    if (xhr.status >= 200 && xhr.status < 300) {
      bar.value = 100;
      message.textContent = "Đã tải lên: " + (body.name || file.name);
      attached(form, body.name || file.name);
      input.value = "";
    } else {
      message.textContent = body.detail || "Tải tệp không thành công, vui lòng thử lại.";
    }
  });
  xhr.addEventListener("error", function () { message.textContent = "Mất kết nối, vui lòng thử lại."; });
  xhr.send(new FormData(form));
}

function attached(form, name) {
  var code = form.querySelector("[name=document_code]").value;
  var list = document.querySelector('[data-list-for="' + code + '"]');
  if (list) { var li = document.createElement("li"); li.textContent = name; list.appendChild(li); }
}

// A wallet document cited without leaving the page (what was typed in the form stays).
function cite(event, form) {
  if (!window.XMLHttpRequest) return;
  event.preventDefault();
  var message = form.querySelector(".upload-msg");
  var select = form.querySelector("select");
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
  xhr.addEventListener("load", function () {
    var body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
    if (xhr.status >= 200 && xhr.status < 300) {
      message.textContent = "Đã dùng giấy tờ trong kho.";
      attached(form, body.name || select.options[select.selectedIndex].text);
    } else {
      message.textContent = body.detail || "Không dùng được giấy tờ này, vui lòng thử lại.";
    }
  });
  xhr.addEventListener("error", function () { message.textContent = "Mất kết nối, vui lòng thử lại."; });
  xhr.send(new URLSearchParams(new FormData(form)).toString());
}

// Registration: the unit's fields only for «Tổ chức, doanh nghiệp».
(function () {
  var box = document.querySelector("[data-for-kind=organisation]");
  if (!box) return;
  function sync() {
    var chosen = document.getElementById("kind-organisation").checked;
    box.hidden = !chosen;
    Array.prototype.forEach.call(box.querySelectorAll("input"), function (input) {
      input.required = chosen;
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[name=kind]"), function (radio) {
    radio.addEventListener("change", sync);
  });
  sync();
})();

// The notification bell: live count over Server-Sent Events (notify's stream, the session
// cookie authenticates it at the gateway). The stream opens with the unread count (the
// page itself does not ask for it), then each new notification adds one.
(function () {
  var badge = document.getElementById("bell-count");
  if (!badge || !window.EventSource) return;
  var count = 0;
  function show() {
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }
  var source = new EventSource("/api/v1/notifications/stream");
  source.addEventListener("unread", function (event) {
    try { count = JSON.parse(event.data).unread || 0; } catch (e) { /* keep */ }
    badge.dataset.live = "1";
    show();
  });
  source.addEventListener("notification", function (event) {
    count += 1;
    show();
    var bell = document.getElementById("bell");
    try { bell.title = JSON.parse(event.data).title || bell.title; } catch (e) { /* keep */ }
  });
})();
