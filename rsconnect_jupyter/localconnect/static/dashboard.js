// A content item's dashboard_url is /connect/#/apps/GUID (a draft: #/apps/GUID/draft/BUNDLE_ID),
// as on Connect: open the item's page (or the draft's preview). The list works without this.
// Every page has it (layout.html): signed out, /connect/#/apps/GUID lands on the sign-in page with
// the fragment, which becomes its `next` (the item's page) here, so signing in opens the item.
(function () {
  function follow() {
    var m = /^#\/apps\/([0-9a-fA-F-]{36})(?:\/draft\/(\d+))?\/?$/.exec(window.location.hash);
    if (m) {
      window.location.replace(m[2] ? "/content/" + m[1] + "/_bundle" + m[2] + "/" : "/connect/apps/" + m[1]);
    }
  }
  follow();
  // Opened from /connect/ itself, only the fragment changes: no new page, so follow it here too.
  window.addEventListener("hashchange", follow);
})();
