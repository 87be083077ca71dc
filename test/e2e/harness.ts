// Reusable end-to-end helpers: a code-server with the packaged .vsix installed, a headless
// Debian Chromium on it (playwright-core), and user-level actions (command palette, views,
// webviews) with a screenshot per step in test-results/e2e/.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";
import { killAll, killGroup, track } from "./processes";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
export const CODE_SERVER_DIR = process.env.ICH_E2E_CACHE ?? join(ROOT, ".cache", "code-server");
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, "node_modules", "code-server", "out", "node", "entry.js");
export const VSIX = process.env.ICH_E2E_VSIX ?? join(ROOT, "ich-lab.vsix");
export const CHROMIUM = process.env.ICH_E2E_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "test-results", "e2e");
const EXTENSION_ID = "ich-lab.ich-lab";

/** Why the suite cannot run here, or undefined when code-server, Chromium and the .vsix exist. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(CODE_SERVER_ENTRY)) return `code-server not installed in ${CODE_SERVER_DIR} (run scripts/e2e-setup.sh)`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (run scripts/e2e-setup.sh)`;
  if (!existsSync(VSIX)) return `${VSIX} not found (run npm run package)`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms. Log:\n${log()}`);
}

export interface CodeServer {
  url: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  log(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** "untrusted": workspace trust on and the workspace opened in Restricted Mode without a prompt. Default: trust off. */
  workspaceTrust?: "disabled" | "untrusted";
}

/** Installs the .vsix into a fresh extensions dir and serves `workspace` on a free port. */
export async function startCodeServer(workspace: string, settings: Record<string, unknown> = {}, options: CodeServerOptions = {}): Promise<CodeServer> {
  const untrusted = options.workspaceTrust === "untrusted";
  const base = mkdtempSync(join(tmpdir(), "ich-e2e-"));
  const userDataDir = join(base, "user-data");
  const extensionsDir = join(base, "extensions");
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, "User", "settings.json"),
    JSON.stringify({
      "security.workspace.trust.enabled": untrusted,
      ...(untrusted ? { "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.emptyWindow": false } : {}),
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "update.mode": "none",
      ...settings,
    }),
  );
  await promisify(execFile)(process.execPath, [CODE_SERVER_ENTRY, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir, "--install-extension", VSIX], {
    timeout: 120_000,
  });
  if (!existsSync(join(extensionsDir, `${EXTENSION_ID}-${readVersion()}`))) throw new Error(`installing ${VSIX} did not create ${EXTENSION_ID} in ${extensionsDir}`);
  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    "--auth",
    "none",
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    ...(untrusted ? [] : ["--disable-workspace-trust"]),
    "--user-data-dir",
    userDataDir,
    "--extensions-dir",
    extensionsDir,
    workspace,
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ICH_E2E: "1" } });
  track(child);
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000, () => output);
  return {
    url,
    workspace,
    userDataDir,
    extensionsDir,
    log: () => output,
    stop: async () => {
      if (child.pid !== undefined) await killGroup(child.pid);
    },
  };
}

function readVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export class Workbench {
  private step = 0;

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly server: CodeServer,
    private readonly prefix: string,
  ) {}

  /** Opens the server's workspace in a new headless Chromium and waits for the workbench. */
  static async open(server: CodeServer, scenario: string): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const workbench = new Workbench(browser, page, server, scenario);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 90_000 });
    await page.locator(".statusbar").waitFor({ state: "visible", timeout: 60_000 });
    await page.waitForTimeout(1500); // let the workbench restore its layout before the first action
    return workbench;
  }

  /** Saves test-results/e2e/<scenario>-NN-<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    this.step += 1;
    const file = join(SCREENSHOTS, `${this.prefix}-${String(this.step).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Opens the command palette (F1; Ctrl+Shift+P does not reach it in headless Chromium). Keys
   * pressed while a webview iframe has focus stay inside it, so focus goes back to the workbench
   * document first; a few attempts cover a workbench that is still busy.
   */
  async openPalette(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.()).catch(() => undefined);
      const bar = await this.page.locator(".statusbar").boundingBox().catch(() => null);
      // An empty stretch of the status bar: takes focus without triggering an item.
      if (bar) await this.page.mouse.click(bar.x + bar.width * 0.55, bar.y + bar.height / 2);
      await this.page.keyboard.press("Escape");
      await this.page.keyboard.press("F1");
      try {
        await this.quickInput().waitFor({ state: "visible", timeout: 5_000 });
        return;
      } catch (error) {
        if (attempt >= 4) throw error;
      }
    }
  }

  quickInput() {
    return this.page.locator(".quick-input-widget");
  }

  /** Rows of the visible quick pick, by accessible label. */
  quickPickRow(label: string | RegExp) {
    return this.page.locator(".quick-input-widget .monaco-list-row").filter({ hasText: label });
  }

  /**
   * Types `text` into the command palette until a row matching `row` is listed. Retries with a
   * fresh palette: right after start-up the workbench may not have registered the extension's
   * commands yet ("No matching commands").
   */
  private async paletteUntil(text: string, row: () => ReturnType<Page["locator"]>, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.openPalette();
      await this.page.keyboard.type(text, { delay: 20 });
      try {
        await row().first().waitFor({ state: "visible", timeout: 10_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await this.page.keyboard.press("Escape");
        await this.page.waitForTimeout(1000);
      }
    }
  }

  /** Types `filter` into the command palette and returns the labels it lists. */
  async paletteEntries(filter: string): Promise<string[]> {
    await this.paletteUntil(filter, () => this.quickPickRow(filter.trim()));
    // The list is virtualised: only the rows in view exist in the DOM. Page down through it and
    // collect every label, so a command below the fold is found (and a hidden one is really absent).
    const labels = new Set<string>();
    for (let unchanged = 0, pages = 0; unchanged < 2 && pages < 30; pages++) {
      const before = labels.size;
      for (const l of await this.page.locator(".quick-input-widget .monaco-list-row .label-name").allInnerTexts()) labels.add(l.trim());
      unchanged = labels.size === before ? unchanged + 1 : 0;
      await this.page.keyboard.press("PageDown");
      await this.page.waitForTimeout(100);
    }
    return [...labels];
  }

  async closeQuickInput(): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.quickInput().waitFor({ state: "hidden", timeout: 10_000 });
  }

  /** Runs a command by its palette title, e.g. "ICH: Train". */
  async runCommand(title: string): Promise<void> {
    const row = () => this.page.locator(".quick-input-widget .monaco-list-row", { has: this.page.locator(".label-name", { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) });
    await this.paletteUntil(title, row);
    await row().first().click();
  }

  /** Accepts an input box once it shows `value` (waiting distinguishes it from the palette it replaced). */
  async acceptInput(value: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator(".quick-input-widget .quick-input-box input").first();
    const deadline = Date.now() + timeoutMs;
    while ((await input.inputValue().catch(() => "")) !== value) {
      if (Date.now() > deadline) throw new Error(`the input box did not show "${value}" within ${timeoutMs} ms`);
      await this.page.waitForTimeout(200);
    }
    await this.screenshot("input");
    await this.page.keyboard.press("Enter");
  }

  /** Picks the row whose label is `label` (exactly, for a string) in the open quick pick. */
  async pick(label: string | RegExp): Promise<void> {
    await this.quickInput().waitFor({ state: "visible", timeout: 30_000 });
    const pattern = typeof label === "string" ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
    const row = this.page.locator(".quick-input-widget .monaco-list-row", { has: this.page.locator(".label-name", { hasText: pattern }) }).first();
    await row.waitFor({ state: "visible", timeout: 30_000 });
    await row.click();
  }

  /**
   * Opens a workspace file by name through Quick Open; retried because focus inside a webview can
   * swallow the first keys, and the file index may lag behind the disk.
   */
  async openFile(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.openPalette();
      await this.page.keyboard.press("Backspace"); // leave command mode: quick open by file name
      await this.page.keyboard.type(name, { delay: 20 });
      try {
        await this.quickPickRow(name).first().waitFor({ state: "visible", timeout: 20_000 });
        await this.page.keyboard.press("Enter");
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press("Escape");
      }
    }
  }

  /**
   * Chooses an entry of the open context menu. Under load a click can land while the menu is still
   * laying out and be lost (the menu stays open, the entry highlighted); Enter then chooses it.
   */
  async contextMenuItem(label: string): Promise<void> {
    const menu = this.page.locator(".context-view .monaco-menu");
    const item = menu.locator(".action-item", { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }).first();
    await item.waitFor({ state: "visible", timeout: 15_000 });
    await item.click();
    for (let attempt = 1; await menu.isVisible(); attempt++) {
      if (attempt > 3) throw new Error(`context menu entry "${label}" was clicked but the menu stayed open`);
      await this.page.waitForTimeout(1000);
      if (!(await menu.isVisible())) break;
      await item.hover();
      await this.page.keyboard.press("Enter");
    }
  }

  /** Shows a view container by its activity-bar title, e.g. "ICH Lab". */
  async openActivity(title: string): Promise<void> {
    const item = this.page.locator(`.activitybar .action-item a.action-label[aria-label^="${title}"]`).first();
    await item.waitFor({ state: "visible", timeout: 30_000 });
    const expanded = await item.evaluate((el) => el.closest(".action-item")?.classList.contains("checked") ?? false);
    if (!expanded) await item.click();
  }

  /** A view pane (header + body) by its title, e.g. "Runs". */
  viewPane(title: string) {
    return this.page.locator(".pane", { has: this.page.locator(".pane-header", { hasText: title }) }).first();
  }

  /** Notification toasts whose text matches. */
  notification(text: string | RegExp) {
    return this.page.locator(".notification-toast, .notifications-center .notification-list-item").filter({ hasText: text });
  }

  /** The innermost frame of a webview that satisfies `predicate` (webviews nest two iframes). */
  async findWebviewFrame(predicate: (frame: Frame) => Promise<boolean>, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if (await predicate(frame)) return frame;
        } catch {
          // frame navigated or detached while probing
        }
      }
      await this.page.waitForTimeout(500);
    }
    throw new Error(`no webview frame matched within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A temp workspace folder (files: relative path → content). */
export function makeWorkspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ich-e2e-ws-"));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(resolve(full, ".."), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/** Ends every process the suite started (code-server process groups). */
export const stopAll = killAll;

/** Opens the server's workspace in a fresh headless Chromium (alias of Workbench.open). */
export function openWorkspace(server: CodeServer, scenario: string): Promise<Workbench> {
  return Workbench.open(server, scenario);
}
