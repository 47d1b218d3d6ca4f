/* kekiz: starts the vendored Swagger UI on /api/docs (no inline script: CSP).
   Its own layout is replaced by a plain one: the page already has its title, its
   <main> landmark and the link to the raw OpenAPI description. */
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") { return; }

  function kekizLayoutPlugin(system) {
    var h = system.React.createElement;
    function KekizLayout(props) {
      var get = props.getComponent, spec = props.specSelectors;
      var Errors = get("errors", true);
      var status = spec.loadingStatus();
      if (status === "loading" || status === "failed" || !spec.specStr()) {
        return h("div", {className: "swagger-ui"},
          h("div", {className: "loading-container", role: "status"},
            status === "failed" ? h(Errors, null) : h("div", {className: "loading"})));
      }
      var Operations = get("operations", true), Models = get("Models", true);
      var Auth = get("AuthorizeBtnContainer", true), Filter = get("FilterContainer", true);
      return h("div", {className: "swagger-ui"},
        h(get("SvgAssets"), null),
        h(Errors, null),
        spec.securityDefinitions() ? h("div", {className: "scheme-container"},
          h("div", {className: "wrapper"}, h(Auth, null))) : null,
        h(Filter, null),
        h("div", {id: "operations", className: "wrapper"}, h(Operations, null)),
        h("div", {className: "wrapper"}, h(Models, null)));
    }
    return {components: {KekizLayout: KekizLayout}};
  }

  // Swagger UI marks each open response table as a region landmark without a name:
  // name it after its operation, so that the landmarks stay distinguishable.
  new MutationObserver(function () {
    node.querySelectorAll("table[role=region]:not([aria-label])").forEach(function (table) {
      var block = table.closest(".opblock");
      var summary = block && block.querySelector(".opblock-summary-path");
      table.setAttribute("aria-label", "Responses " + (summary ? summary.textContent : table.id));
    });
  }).observe(node, {childList: true, subtree: true});

  window.SwaggerUIBundle({
    url: node.getAttribute("data-url"),
    domNode: node,
    layout: "KekizLayout",
    plugins: [kekizLayoutPlugin],
    deepLinking: false,
    validatorUrl: null,               // never ask an outside validator: offline, CSP
    supportedSubmitMethods: ["get"],  // try-out for reads; writes need a token and CSRF
    syntaxHighlight: false,           // plain samples: the highlighter's colours are too pale
    defaultModelsExpandDepth: 0,
    docExpansion: "list"
  });
})();
