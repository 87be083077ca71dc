// ESLint for the whole repository (`npm run lint`, part of `npm test`).
// TypeScript gets typescript-eslint's type-checked recommended rules (no-floating-promises among
// them) through the project service, which picks each file's nearest tsconfig (webview/tsconfig.json
// for the browser code, ./tsconfig.json for the rest). Plain JS (scripts/*.mjs, bin/) has no type
// information and gets the untyped rules only.
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/", "dist/", ".cache/", "test-results/", "coverage/", "runs/", "demo-data/", "demo-output/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "@stylistic": stylistic },
    rules: {
      "@stylistic/max-len": [
        "error",
        { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
      // Numbers and booleans print unambiguously in messages (`epoch ${n}`); objects, undefined and
      // null stay errors because they print as "[object Object]" / "undefined".
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // Off: here an async function without await is deliberate. It implements an async interface
      // (Engine.dispose, a replica's step) or wraps a synchronous body (src/core/dicom reads files
      // synchronously on purpose) so that its errors reject instead of throwing at the call.
      "@typescript-eslint/require-await": "off",
      // `_`-prefixed names mark parameters a signature needs but the body does not.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    // The Node globals these scripts use (the `globals` package is not a dependency).
    languageOptions: {
      globals: { process: "readonly", console: "readonly", require: "readonly", Buffer: "readonly", URL: "readonly" },
    },
  },
  {
    files: ["bin/**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
