// The preview's connection to the extension (webview/shared/host.ts): `post` for every module,
// `connect` once, by messaging.ts, with the receiver of the protocol's messages.
import { parseToWebview, type FromWebview, type ToWebview } from "../../src/protocol/preview";
import { connectHost, type Host } from "../shared/host";

let host: Host<FromWebview> | undefined;

export function connect(receive: (message: ToWebview) => void): void {
  host = connectHost<ToWebview, FromWebview>(parseToWebview, receive);
}

export function post(message: FromWebview): void {
  host?.post(message);
}
