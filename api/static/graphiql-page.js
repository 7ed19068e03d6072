// medcredit's GraphiQL page: the token comes from the field at the top and stays in this
// browser (localStorage); GraphiQL mounts only once there is one, so its first schema
// request already carries it. Queries and mutations go over HTTP, subscriptions over
// graphql-transport-ws with the token in connection_init (browsers cannot set headers
// on a WebSocket).
(function () {
  "use strict";
  var KEY = "medcredit.token";
  var httpUrl = location.origin + "/graphql";
  var wsUrl = httpUrl.replace(/^http/, "ws");
  var DEFAULT_QUERY = [
    "# Welcome to medcredit. Ctrl-Enter runs the query; the Docs button lists every field.",
    "{",
    "  customers(first: 10) {",
    "    totalCount",
    "    pageInfo { hasNextPage endCursor }",
    "    edges { node { id code legalName blocked risk { grade score } } }",
    "  }",
    "}",
    "",
  ].join("\n");

  var form = document.getElementById("token-bar");
  var input = document.getElementById("token");
  var status = document.getElementById("token-status");
  var container = document.getElementById("graphiql");
  var root = ReactDOM.createRoot(container);

  function claims(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
    } catch (e) {
      return null;
    }
  }

  function isSubscription(params) {
    // Judged from the text GraphiQL sends, which is always current (its parsed document
    // can lag a programmatic edit by a debounce).
    var text = params.query.replace(/#.*$/gm, "");
    if (params.operationName) {
      return new RegExp("\\bsubscription\\s+" + params.operationName + "\\b").test(text);
    }
    return /^\s*subscription\b/.test(text);
  }

  function subscribe(token, params) {
    // A minimal graphql-transport-ws client that GraphiQL consumes as an async iterator.
    var queue = [], waiting = null, finished = false;
    var ws = new WebSocket(wsUrl, "graphql-transport-ws");
    function push(item) {
      if (finished) return;
      if (item.done) finished = true;
      if (waiting) { var w = waiting; waiting = null; w(item); } else { queue.push(item); }
    }
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + token } }));
    };
    ws.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === "connection_ack") {
        ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: params }));
      } else if (msg.type === "next") {
        push({ value: msg.payload, done: false });
      } else if (msg.type === "error") {
        push({ value: { errors: msg.payload }, done: false });
        push({ value: undefined, done: true });
        ws.close(1000);
      } else if (msg.type === "complete") {
        push({ value: undefined, done: true });
        ws.close(1000);
      } else if (msg.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      }
    };
    ws.onclose = function (event) {
      if (!finished && event.code !== 1000) {
        push({ value: { errors: [{ message: "WebSocket closed: " + (event.reason || event.code) }] }, done: false });
      }
      push({ value: undefined, done: true });
    };
    var iterator = {
      next: function () {
        if (queue.length) return Promise.resolve(queue.shift());
        if (finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise(function (resolve) { waiting = resolve; });
      },
      return: function () {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id: "1", type: "complete" }));
        ws.close(1000);
        push({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    iterator[Symbol.asyncIterator] = function () { return iterator; };
    return iterator;
  }

  function fetcherFor(token) {
    return function (params, opts) {
      if (isSubscription(params)) return subscribe(token, params);
      var headers = Object.assign({}, (opts && opts.headers) || {}, {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: "Bearer " + token,
      });
      return fetch(httpUrl, { method: "POST", headers: headers, body: JSON.stringify(params) }).then(function (r) {
        return r.json();
      });
    };
  }

  function show(token) {
    if (!token) {
      status.textContent = "Paste a token to start: .venv/bin/medcredit token --subject you --role VIEWER";
      status.className = "missing";
      root.render(React.createElement("p", { className: "hint" }, "No token yet: the schema loads once you add one."));
      return;
    }
    var c = claims(token);
    if (c && c.exp) {
      var expires = new Date(c.exp * 1000);
      var expired = expires < new Date();
      status.textContent = (expired ? "EXPIRED token for " : "Token for ") + c.sub + " (" + (c.roles || []).join(", ") +
        "), " + (expired ? "expired " : "valid until ") + expires.toLocaleString();
      status.className = expired ? "missing" : "ok";
    } else {
      status.textContent = "This does not look like a medcredit token; requests will be refused.";
      status.className = "missing";
    }
    root.render(React.createElement(GraphiQL, {
      key: token, // a new token remounts GraphiQL, which fetches the schema again
      fetcher: fetcherFor(token),
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: false,
    }));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = input.value.trim().replace(/^Bearer\s+/i, "");
    if (token) localStorage.setItem(KEY, token); else localStorage.removeItem(KEY);
    input.value = "";
    show(token);
  });
  document.getElementById("forget").addEventListener("click", function () {
    localStorage.removeItem(KEY);
    show("");
  });
  show(localStorage.getItem(KEY) || "");
})();
