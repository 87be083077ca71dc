import { describe, expect, it } from "vitest";
import {
  applyWindow,
  channelsToRgba,
  customWindow,
  DEFAULT_CHANNEL_WINDOWS,
  parseWindowSpec,
  tensorToRgba,
  windowToRgba,
  WINDOWS,
} from "../../src/shared/window";

describe("window presets", () => {
  it("have the documented width/level", () => {
    const table = Object.values(WINDOWS).map((w) => [w.name, w.width, w.level]);
    expect(table).toEqual([
      ["brain", 80, 40],
      ["subdural", 254, 100],
      ["subdural-wide", 200, 80],
      ["stroke", 8, 32],
      ["stroke-wide", 40, 40],
      ["bone", 2800, 600],
      ["soft-tissue", 375, 40],
    ]);
    expect(DEFAULT_CHANNEL_WINDOWS.map((w) => w.name)).toEqual(["brain", "subdural", "bone"]);
  });
});

describe("applyWindow (DICOM linear VOI)", () => {
  it("maps the window edges to exactly 0 and 1 and clamps outside", () => {
    // brain: c=40, w=80 → 0 at x <= c-0.5-(w-1)/2 = 0, 1 at x >= c-0.5+(w-1)/2 = 79
    const hu = new Float32Array([-1000, -0.5, 0, 39.5, 79, 80, 3000]);
    const y = applyWindow(hu, WINDOWS.brain);
    expect(Array.from(y)).toEqual([0, 0, 0, 0.5, 1, 1, 1]);
  });

  it("is linear inside a custom window", () => {
    const w = customWindow(101, 50.5); // 0 at x <= 50.5-0.5-50 = 0, 1 at x >= 100
    const y = applyWindow(new Float32Array([0, 25, 50, 75, 100]), w);
    expect(Array.from(y).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("treats width 1 as a threshold at the level", () => {
    const y = applyWindow(new Float32Array([9, 9.5, 10, 11]), customWindow(1, 10));
    expect(Array.from(y)).toEqual([0, 0, 1, 1]);
  });

  it("can window in place", () => {
    const hu = new Float32Array([0, 79]);
    expect(applyWindow(hu, WINDOWS.brain, hu)).toBe(hu);
    expect(Array.from(hu)).toEqual([0, 1]);
  });
});

describe("RGBA conversion", () => {
  it("writes grey with opaque alpha and can invert", () => {
    const hu = new Float32Array([-100, 39.5, 500]);
    expect(Array.from(windowToRgba(hu, WINDOWS.brain))).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    expect(Array.from(windowToRgba(hu, WINDOWS.brain, undefined, true))).toEqual([255, 255, 255, 255, 128, 128, 128, 255, 0, 0, 0, 255]);
  });

  it("stacks brain/subdural/bone into R/G/B", () => {
    // 60 HU: brain 60/79 = 0.759 → 194, subdural (c=100,w=254): (60-99.5+126.5)/253 = 0.344 → 88; bone ≈ (60-599.5+1399.5)/2799 = 0.307 → 78
    const rgba = channelsToRgba(new Float32Array([60]));
    expect(Array.from(rgba)).toEqual([194, 88, 78, 255]);
    const two = channelsToRgba(new Float32Array([60]), [WINDOWS.brain, WINDOWS.bone]);
    expect(Array.from(two)).toEqual([194, 78, 0, 255]);
    expect(() => channelsToRgba(new Float32Array(1), [])).toThrow(/1 to 3 windows/);
  });

  it("shows an HWC tensor as RGBA", () => {
    expect(Array.from(tensorToRgba(new Float32Array([0, 0.5, 1]), 1, 3))).toEqual([0, 128, 255, 255]);
    expect(Array.from(tensorToRgba(new Float32Array([1, 0]), 2, 1))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
  });
});

describe("parseWindowSpec", () => {
  it("accepts names, W,L pairs and lists of both", () => {
    expect(parseWindowSpec("brain")).toEqual([WINDOWS.brain]);
    expect(parseWindowSpec(" Soft_Tissue ")).toEqual([WINDOWS["soft-tissue"]]);
    expect(parseWindowSpec("80,40")).toEqual([{ name: "W80/L40", width: 80, level: 40 }]);
    expect(parseWindowSpec("brain,subdural,bone").map((w) => w.name)).toEqual(["brain", "subdural", "bone"]);
    expect(parseWindowSpec("brain,2800,600,stroke").map((w) => [w.width, w.level])).toEqual([
      [80, 40],
      [2800, 600],
      [8, 32],
    ]);
    expect(parseWindowSpec("350/-20,bone:x".replace(",bone:x", ",bone"))).toEqual([customWindow(350, -20), WINDOWS.bone]);
    expect(parseWindowSpec("40.5:35")).toEqual([customWindow(40.5, 35)]);
  });

  it("rejects bad specs with messages that say why", () => {
    expect(() => parseWindowSpec("")).toThrow(/empty window spec/);
    expect(() => parseWindowSpec("brian")).toThrow(/unknown window 'brian'.*known: brain/);
    expect(() => parseWindowSpec("80")).toThrow(/needs a level/);
    expect(() => parseWindowSpec("brain,80")).toThrow(/needs a level/);
    expect(() => parseWindowSpec("80,brain")).toThrow(/needs a level/);
    expect(() => parseWindowSpec("brain,,bone")).toThrow(/empty item/);
    expect(() => parseWindowSpec("0,40")).toThrow(/at least 1/);
    expect(() => parseWindowSpec("-80,40")).toThrow(/at least 1/);
  });
});
