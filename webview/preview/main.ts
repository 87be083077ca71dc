// DICOM preview webview: windowing on a canvas, zoom/pan, series navigation, predictions on hover.
// The page is built by layout.ts; state.ts holds what is shown, rendering.ts draws it, input.ts
// and tooltip.ts handle the user, slices.ts and heat.ts fetch what to show, messaging.ts talks
// to the extension.
import { wireInput } from "./input";
import { startMessaging } from "./messaging";

wireInput();
startMessaging();
