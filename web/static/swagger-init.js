// Starts Swagger UI on the API documentation page. A file of its own, not an inline script, so
// the page works under the site's Content-Security-Policy (script-src 'self').
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: target.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
