// A webview's one handle on the extension: typed messages out, messages in only through the
// panel's protocol parser, and the restore state the page carries (data-restore, set by the
// extension) stored with setState so VS Code can hand it to the panel's serializer after a reload.
declare function acquireVsCodeApi(): { postMessage(message: unknown): void; setState(state: unknown): void };

export interface Host<FromWebview> {
  post(message: FromWebview): void;
}

/** Connects the page: `receive` gets every message `parse` accepts; the others are dropped. */
export function connectHost<ToWebview, FromWebview>(parse: (raw: unknown) => ToWebview | null, receive: (message: ToWebview) => void): Host<FromWebview> {
  const api = acquireVsCodeApi();
  const restore = document.body.dataset.restore;
  if (restore) api.setState(JSON.parse(restore));
  window.addEventListener("message", (event: MessageEvent) => {
    const message = parse(event.data);
    if (message) receive(message);
  });
  return { post: (message) => api.postMessage(message) };
}
