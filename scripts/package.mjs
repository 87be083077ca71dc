// Packages ich-lab.vsix for one platform. ONNX Runtime (the default prediction engine) is a native
// addon whose npm package carries binaries for five platforms (288 MB); a .vsix carries only the
// target's (linux-x64: 45 MB), so it is a platform-specific extension (vsce --target).
//   node scripts/package.mjs [--target linux-x64|linux-arm64|darwin-arm64|win32-x64|win32-arm64]
// Default target: this machine.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const ORT_TARGETS = ["linux-x64", "linux-arm64", "darwin-arm64", "win32-x64", "win32-arm64"];
const { values } = parseArgs({ options: { target: { type: "string", default: `${process.platform}-${process.arch}` } } });
const target = values.target;
if (!ORT_TARGETS.includes(target)) {
  console.error(`package: no ONNX Runtime build for ${target} (one of ${ORT_TARGETS.join(", ")})`);
  process.exit(2);
}
const [platform, arch] = target.split("-");
const ortBinaries = `node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}`;
if (!existsSync(ortBinaries)) {
  console.error(`package: ${ortBinaries} is missing (npm ci installs it)`);
  process.exit(1);
}

// The runtime files onnxruntime-node loads: its JS, the target's binaries and onnxruntime-common
// (adm-zip and global-agent serve only its install script).
const ortAllowList = [
  "!node_modules/onnxruntime-node/package.json",
  "!node_modules/onnxruntime-node/dist/*.js",
  `!${ortBinaries}/**`,
  "!node_modules/onnxruntime-common/package.json",
  "!node_modules/onnxruntime-common/dist/cjs/**",
];
const dir = mkdtempSync(join(tmpdir(), "ich-vsix-"));
const ignoreFile = join(dir, "vscodeignore");
writeFileSync(ignoreFile, `${readFileSync(".vscodeignore", "utf8")}\n${ortAllowList.join("\n")}\n`);
const vsce = spawnSync(
  process.execPath,
  ["node_modules/@vscode/vsce/vsce", "package", "--target", target, "--ignoreFile", ignoreFile, "--allow-missing-repository", "--skip-license", "--no-rewrite-relative-links", "--out", "ich-lab.vsix"],
  { stdio: "inherit" },
);
rmSync(dir, { recursive: true, force: true });
process.exit(vsce.status ?? 1);
