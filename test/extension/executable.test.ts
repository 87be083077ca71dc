// Which program a bare name starts: PATH searched by us, never the workspace folder or the current
// directory (Windows would search the current directory first). Windows is simulated with an
// injected platform, environment and file table.
import { describe, expect, it } from "vitest";
import { ExecutableNotFoundError, npmInvocation, resolveExecutable, type ExecutableLookup } from "../../src/extension/engine/executable";

function windows(files: string[], path: string, excluded: string[] = []): ExecutableLookup {
  const table = new Set(files.map((f) => f.toLowerCase()));
  return { platform: "win32", env: { Path: path, SystemRoot: "C:\\Windows" }, excluded, fileExists: (p) => table.has(p.toLowerCase()) };
}

function posixLookup(files: string[], path: string, excluded: string[] = []): ExecutableLookup {
  const table = new Set(files);
  return { platform: "linux", env: { PATH: path }, excluded, fileExists: (p) => table.has(p) };
}

describe("resolveExecutable on Windows", () => {
  const files = ["C:\\repo\\node.exe", "C:\\repo\\npm.cmd", "C:\\Program Files\\nodejs\\node.exe", "C:\\Program Files\\nodejs\\npm.cmd", "D:\\cwd\\node.exe"];

  it("skips the workspace folder, the current directory and relative entries even when PATH lists them first", () => {
    const lookup = windows(files, ".;bin;;C:\\Repo\\;D:\\CWD;\"C:\\Program Files\\nodejs\"", ["c:\\repo", "D:\\cwd"]);
    expect(resolveExecutable("node", lookup)).toBe("C:\\Program Files\\nodejs\\node.exe");
  });

  it("finds the workspace's copy only when the workspace is not excluded (the lookup is real)", () => {
    expect(resolveExecutable("node", windows(files, "C:\\repo;C:\\Program Files\\nodejs"))).toBe("C:\\repo\\node.exe");
  });

  it("adds only the allowed extensions: a node.cmd shim is not started as Node", () => {
    const lookup = windows(["C:\\shims\\node.cmd"], "C:\\shims");
    expect(() => resolveExecutable("node", lookup)).toThrow(ExecutableNotFoundError);
    expect(resolveExecutable("node.exe", windows(files, "C:\\Program Files\\nodejs"))).toBe("C:\\Program Files\\nodejs\\node.exe");
  });

  it("keeps an absolute setting and rejects a relative path, which would resolve against the workspace", () => {
    expect(resolveExecutable("C:\\tools\\node\\node.exe", windows([], ""))).toBe("C:\\tools\\node\\node.exe");
    expect(() => resolveExecutable(".\\node.exe", windows(files, "C:\\Program Files\\nodejs"))).toThrow(/relative path/);
    expect(() => resolveExecutable("bin/node", windows(files, "C:\\Program Files\\nodejs"))).toThrow(/relative path/);
  });

  it("names what it searched when nothing is found, with spawn's ENOENT code", () => {
    let error: unknown;
    try {
      resolveExecutable("node", windows(files, "C:\\repo;C:\\empty", ["C:\\repo"]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExecutableNotFoundError);
    expect((error as ExecutableNotFoundError).code).toBe("ENOENT");
    expect((error as Error).message).toMatch(/^node is not in PATH — searched 1 folder\(s\), never the workspace folder/);
  });
});

describe("resolveExecutable elsewhere", () => {
  it("skips empty and relative PATH entries (both mean the current directory) and excluded folders", () => {
    const lookup = posixLookup(["/ws/node", "/usr/local/bin/node"], ":.:bin:/ws:/usr/local/bin", ["/ws/"]);
    expect(resolveExecutable("node", lookup)).toBe("/usr/local/bin/node");
  });

  it("treats a backslash as part of a file name, and a slash as a relative path", () => {
    expect(() => resolveExecutable("./node", posixLookup(["/usr/bin/node"], "/usr/bin"))).toThrow(/relative path/);
    expect(() => resolveExecutable("a\\node", posixLookup([], "/usr/bin"))).toThrow(/not in PATH/);
  });
});

describe("npmInvocation", () => {
  const args = ["install", "--prefix", "C:\\Users\\me\\storage\\native-backend", "@tensorflow/tfjs-node@4.22.0"];

  it("runs npm-cli.js beside npm.cmd with Node on Windows (spawning npm.cmd without a shell is EINVAL since Node 20.12)", () => {
    const lookup = windows(
      ["C:\\repo\\npm.cmd", "C:\\Program Files\\nodejs\\npm.cmd", "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js"],
      "C:\\repo;C:\\Program Files\\nodejs",
      ["C:\\repo"],
    );
    expect(npmInvocation(args, "C:\\Program Files\\nodejs\\node.exe", lookup)).toEqual({
      command: "C:\\Program Files\\nodejs\\node.exe",
      args: ["C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js", ...args],
    });
  });

  it("says where npm-cli.js was expected when npm.cmd stands alone", () => {
    const lookup = windows(["C:\\odd\\npm.cmd"], "C:\\odd");
    expect(() => npmInvocation(args, "node", lookup)).toThrow("npm: C:\\odd\\node_modules\\npm\\bin\\npm-cli.js not found beside C:\\odd\\npm.cmd");
  });

  it("runs the npm script from PATH by absolute path elsewhere", () => {
    expect(npmInvocation(["ci"], "/usr/bin/node", posixLookup(["/ws/npm", "/usr/bin/npm"], "/ws:/usr/bin", ["/ws"]))).toEqual({ command: "/usr/bin/npm", args: ["ci"] });
  });
});
