// The API docs page: Swagger UI (from the npm package swagger-ui-dist) over our OpenAPI.
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
})();
