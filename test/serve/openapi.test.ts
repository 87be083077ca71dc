// The OpenAPI description: docs/openapi.yaml parses and is the document GET /openapi.json serves,
// and every route and status the server answers is described.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/core/serve/openapi";

describe("OpenAPI description of ich serve", () => {
  it("docs/openapi.yaml parses and equals the served document (regenerate from src/core/serve/openapi.ts with js-yaml's dump)", () => {
    const yaml = load(readFileSync(join(__dirname, "../../docs/openapi.yaml"), "utf8"));
    expect(yaml).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });

  it("describes the routes and the error statuses, and every $ref resolves", () => {
    type Paths = Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const doc = JSON.parse(JSON.stringify(openApiDocument)) as { openapi: string; paths: Paths; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(Object.keys(doc.paths).sort()).toEqual(["/healthz", "/openapi.json", "/v1/predict"]);
    expect(Object.keys(doc.paths["/v1/predict"].post.responses).sort()).toEqual(["200", "400", "404", "405", "413", "415", "422", "503"]);
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/(\w+)"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(doc.components.schemas[/schemas\/(\w+)/.exec(ref)![1]]).toBeDefined();
  });
});
