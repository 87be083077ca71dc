// The inline script every webview page runs first (nonce'd, before its stylesheet and bundle):
// it loads a failed script or stylesheet again, up to twice. Why: code-server serves every
// webview from one origin, and each webview host registers its own service worker there. When a
// window reload restores two webviews at once (the triage table next to a DICOM preview), the
// second registration replaces the worker that controls the first page while that page is loading;
// its requests then bypass the retired worker, go to the network (ERR_NAME_NOT_RESOLVED on
// vscode-cdn.net) and fail, so the bundle never runs, never says `ready` and the panel stays on
// "Loading…". The new worker takes the page over (`controllerchange`); the retry goes through it.
export const LOAD_RETRY_SCRIPT = `(() => {
  const retriesLeft = new Map();
  const sw = navigator.serviceWorker;
  const whenServed = (then) => {
    if (!sw || (sw.controller && sw.controller.state !== "redundant")) return then();
    sw.getRegistration().then((registration) => (registration ? sw.addEventListener("controllerchange", then, { once: true }) : then()), then);
  };
  addEventListener("error", (event) => {
    const failed = event.target;
    const isScript = failed instanceof HTMLScriptElement && failed.src !== "";
    const isStyle = failed instanceof HTMLLinkElement && failed.rel === "stylesheet";
    if (!isScript && !isStyle) return;
    const url = isScript ? failed.src : failed.href;
    const left = retriesLeft.get(url) ?? 2;
    if (left === 0) return;
    retriesLeft.set(url, left - 1);
    whenServed(() => {
      const again = document.createElement(isScript ? "script" : "link");
      again.nonce = failed.nonce;
      if (isScript) again.src = url;
      else Object.assign(again, { rel: "stylesheet", href: url });
      failed.replaceWith(again);
    });
  }, true);
})();`;
