// A content item's dashboard_url is /connect/#/apps/GUID (a draft: #/apps/GUID/draft/BUNDLE_ID),
// as on Connect: open the item's page (or the draft's preview). The list works without this.
(function () {
  var m = /^#\/apps\/([0-9a-fA-F-]{36})(?:\/draft\/(\d+))?\/?$/.exec(window.location.hash);
  if (m) {
    window.location.replace(m[2] ? "/content/" + m[1] + "/_bundle" + m[2] + "/" : "/connect/apps/" + m[1]);
  }
})();
