// Work under way: the part of the page marked data-follow follows the work by itself, read again
// every two seconds; once the work is done, the page's main part is replaced by what the server
// shows then (the report). Without script, the link in that part does the same by hand.
(function () {
  'use strict';
  var region = document.querySelector('[data-follow]');
  if (!region || !window.fetch || !window.DOMParser) { return; }
  function poll() {
    fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html');
        var fresh = next.querySelector('[data-follow]');
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
          window.setTimeout(poll, 2000);
          return;
        }
        var main = document.querySelector('main');
        var done = next.querySelector('main');
        if (main && done) {
          main.innerHTML = done.innerHTML;
          var heading = main.querySelector('h2, h1');
          if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
