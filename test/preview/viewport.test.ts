import { describe, expect, it } from "vitest";
import { heatAt, hoverAt } from "../../webview/preview/hover";
import { canvasToPixel, dragWindow, fitView, panBy, zoomAt } from "../../webview/preview/viewport";

describe("viewport geometry", () => {
  it("fits the image centred in the canvas", () => {
    const view = fitView(512, 512, 1000, 600);
    expect(view.scale).toBeCloseTo(600 / 512);
    expect(view.offsetX).toBeCloseTo((1000 - 600) / 2);
    expect(view.offsetY).toBeCloseTo(0);
    expect(canvasToPixel(view, 200, 0, 512, 512)).toEqual({ column: 0, row: 0 });
    expect(canvasToPixel(view, 799.9, 599.9, 512, 512)).toEqual({ column: 511, row: 511 });
    expect(canvasToPixel(view, 199, 300, 512, 512)).toBeNull(); // left of the image
  });

  it("maps canvas points to the right pixel after zoom and pan", () => {
    let view = fitView(100, 100, 400, 400); // scale 4
    const before = canvasToPixel(view, 130, 250, 100, 100);
    expect(before).toEqual({ column: 32, row: 62 });
    view = zoomAt(view, 2.5, 130, 250); // the point under the cursor stays put
    expect(view.scale).toBeCloseTo(10);
    expect(canvasToPixel(view, 130, 250, 100, 100)).toEqual(before);
    // 10 canvas px = 1 image px at scale 10: 20 px right lands two columns further
    expect(canvasToPixel(view, 150, 250, 100, 100)).toEqual({ column: 34, row: 62 });
    view = panBy(view, -40, 30); // image moves left 4 px and down 3 px
    expect(canvasToPixel(view, 130, 250, 100, 100)).toEqual({ column: 36, row: 59 });
  });

  it("drags width with x and level with y, never below width 1", () => {
    // narrow windows move half a HU per screen pixel
    expect(dragWindow({ width: 80, level: 40 }, 10, 0)).toEqual({ width: 85, level: 40 });
    expect(dragWindow({ width: 80, level: 40 }, 0, -20)).toEqual({ width: 80, level: 30 });
    expect(dragWindow({ width: 80, level: 40 }, -500, 0).width).toBe(1);
    // wide windows move faster, so bone (2800) is reachable in one drag
    expect(dragWindow({ width: 2800, level: 600 }, 10, 0).width).toBeGreaterThan(2850);
  });
});

describe("hover lookup", () => {
  const width = 4;
  const height = 2;
  const hu = Int16Array.from([0, 10, 20, 30, 40, 50, 60, 70]);

  it("reads the HU and pixel coordinates under the cursor", () => {
    const view = { scale: 10, offsetX: 5, offsetY: 5 };
    expect(hoverAt(view, 5 + 25, 5 + 15, { width, height, hu })).toEqual({ column: 2, row: 1, value: 60, heat: undefined });
    expect(hoverAt(view, 4, 5, { width, height, hu })).toBeNull();
  });

  it("reads RGB for colour images and the heat of the covering grid cell", () => {
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => i);
    const view = { scale: 1, offsetX: 0, offsetY: 0 };
    const heat = { width: 2, height: 1, values: [0.25, 0.75] };
    expect(hoverAt(view, 3.5, 1.2, { width, height, rgba }, heat)).toEqual({ column: 3, row: 1, value: [28, 29, 30], heat: 0.75 });
    expect(heatAt(heat, 1, 0, width, height)).toBe(0.25);
    expect(heatAt(heat, 2, 0, width, height)).toBe(0.75);
  });
});
