// Starts Swagger UI from local files for /docs (no CDN, no inline script).
"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
});
