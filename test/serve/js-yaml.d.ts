// js-yaml (installed with the dev tools) ships no types; the OpenAPI test needs only load().
declare module "js-yaml" {
  export function load(text: string): unknown;
}
